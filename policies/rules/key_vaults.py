"""Azure Key Vault vaults: recoverable (purge protection, soft delete), private, authorized by
Azure RBAC."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import Context, Example, Resource, Rule, as_bool, as_int, as_list, dig, present
from policies.rules.address_space import OPEN_SOURCE_PROPERTIES, open_prefixes, parse_sources

AZURE_VAULT = "azure-native:keyvault:Vault"


def _recoverable(vault: Resource, ctx: Context) -> Iterator[str]:
    if as_bool(vault.get("properties.enablePurgeProtection")) is not True:
        yield "properties.enablePurgeProtection is not true (a deleted vault and its keys can be purged at once)"
    if as_bool(vault.get("properties.enableSoftDelete")) is False:
        yield "properties.enableSoftDelete is false"
    days = as_int(vault.get("properties.softDeleteRetentionInDays"))
    minimum = ctx.config["minSoftDeleteDays"]
    if days is not None and days < minimum:
        yield f"properties.softDeleteRetentionInDays is {days}; keep deleted keys at least {minimum} days"


KEYVAULT_RECOVERABLE = Rule(
    id="keyvault-recoverable",
    ref="",
    domain="keys",
    description="Key vaults keep deleted keys recoverable: soft delete with purge protection.",
    severity="high",
    tags=("security",),
    remediation="Set properties.enablePurgeProtection true (it cannot be turned off again) and keep soft delete on "
    "with softDeleteRetentionInDays of at least minSoftDeleteDays (90 recommended).",
    rationale="Storage accounts, disks, AKS secrets and ML workspaces here are encrypted with keys from these "
    "vaults: a purged key is unrecoverable data. Purge protection means not even an administrator (or an attacker "
    "with their credentials) can destroy keys before the retention period ends.",
    examples=(
        Example(
            type=AZURE_VAULT,
            compliant={"properties": {"enablePurgeProtection": True, "softDeleteRetentionInDays": 90}},
            violating={"properties": {"enableSoftDelete": True, "softDeleteRetentionInDays": 7}},
            note="no purge protection",
        ),
    ),
    checks={AZURE_VAULT: _recoverable},
    properties={
        "minSoftDeleteDays": {
            "type": "integer",
            "minimum": 7,
            "maximum": 90,
            "default": 7,
            "description": "Shortest soft-delete retention, in days.",
        }
    },
)


def _private(vault: Resource, ctx: Context) -> Iterator[str]:
    if vault.get("properties.publicNetworkAccess") == "Disabled":
        return
    acls = vault.get("properties.networkAcls")
    if not isinstance(acls, dict) or str(acls.get("defaultAction", "Allow")).lower() != "deny":
        yield (
            "the vault is reachable from every network (publicNetworkAccess is not Disabled and networkAcls do not "
            "default to Deny)"
        )
        return
    v4, v6 = open_prefixes(ctx.config)
    sources = parse_sources(dig(rule, "value") for rule in as_list(acls.get("ipRules")))
    if sources.is_open(v4, v6):
        yield f"networkAcls.ipRules admit {', '.join(sources.names)} ({sources.reach_text()})"


KEYVAULT_PRIVATE = Rule(
    id="keyvault-private",
    ref="",
    domain="keys",
    description="Key vaults are not reachable from the internet: public access disabled or a deny-by-default firewall.",
    severity="high",
    tags=("security",),
    remediation="Set properties.publicNetworkAccess Disabled and reach the vault through a private endpoint, or "
    "networkAcls with defaultAction Deny, bypass AzureServices and only your networks in ipRules.",
    rationale="A vault open to every network lets a leaked token be used from anywhere to unwrap keys; restricting "
    "the network adds a second factor (where the request comes from). IP rules are judged as address space, so "
    "0.0.0.0/0 split into halves is still the internet.",
    examples=(
        Example(
            type=AZURE_VAULT,
            compliant={"properties": {"networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices"}}},
            violating={"properties": {"publicNetworkAccess": "Enabled"}},
            note="no firewall",
        ),
    ),
    checks={AZURE_VAULT: _private},
    properties=dict(OPEN_SOURCE_PROPERTIES),
)


def _rbac(vault: Resource, ctx: Context) -> Iterator[str]:
    if as_bool(vault.get("properties.enableRbacAuthorization")) is not True:
        yield "properties.enableRbacAuthorization is not true (access policies grant rights outside Azure RBAC)"
    elif present(vault.get("properties.accessPolicies")):
        yield "properties.accessPolicies are set but ignored under RBAC authorization (remove them)"


KEYVAULT_RBAC = Rule(
    id="keyvault-rbac-authorization",
    ref="",
    domain="keys",
    description="Key vaults authorize data access with Azure RBAC, not vault access policies.",
    severity="medium",
    tags=("security",),
    remediation="Set properties.enableRbacAuthorization true and grant roles such as Key Vault Crypto Service "
    "Encryption User on the vault or the key.",
    rationale="Vault access policies grant rights on every key of the vault, are invisible to Azure RBAC reviews and "
    "Privileged Identity Management, and any Contributor can add one; RBAC scopes grants to a key and audits them "
    "with every other role assignment.",
    examples=(
        Example(
            type=AZURE_VAULT,
            compliant={"properties": {"enableRbacAuthorization": True}},
            violating={"properties": {"accessPolicies": [{"objectId": "x", "permissions": {"keys": ["all"]}}]}},
            note="access policies",
        ),
    ),
    checks={AZURE_VAULT: _rbac},
)

RULES = [KEYVAULT_RECOVERABLE, KEYVAULT_PRIVATE, KEYVAULT_RBAC]
