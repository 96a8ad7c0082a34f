"""Container registries (Azure Container Registry): no shared credentials, not reachable from the
internet, old images cleaned up."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import Context, Example, Resource, Rule, as_bool, as_list, dig
from policies.rules.address_space import OPEN_SOURCE_PROPERTIES, open_prefixes, parse_sources

AZURE_REGISTRY = "azure-native:containerregistry:Registry"


def _credentials(registry: Resource, ctx: Context) -> Iterator[str]:
    if as_bool(registry.get("adminUserEnabled")):
        yield "adminUserEnabled is true (a shared admin user name and password can push and pull every image)"
    if as_bool(registry.get("anonymousPullEnabled")):
        yield "anonymousPullEnabled is true (anyone can pull images, model servers included)"


REGISTRY_CREDENTIALS = Rule(
    id="registry-no-shared-credentials",
    ref="",
    domain="registries",
    description="Registries have no admin user and no anonymous pull: every pull and push is an Entra ID identity.",
    severity="high",
    tags=("security",),
    remediation="Set adminUserEnabled false and anonymousPullEnabled false; grant AcrPull to the kubelet or "
    "endpoint identity and AcrPush to the CI identity.",
    rationale="The admin user is one password with push rights on every repository, so whoever holds it can "
    "replace the image a model server runs; it cannot be scoped or attributed. Anonymous pull publishes the images, "
    "and the weights or code baked into them, to the internet.",
    examples=(
        Example(
            type=AZURE_REGISTRY,
            compliant={"sku": {"name": "Premium"}, "adminUserEnabled": False, "anonymousPullEnabled": False},
            violating={"sku": {"name": "Basic"}, "adminUserEnabled": True},
            note="the admin user on",
        ),
    ),
    checks={AZURE_REGISTRY: _credentials},
)


def _private(registry: Resource, ctx: Context) -> Iterator[str]:
    sku = str(registry.get("sku.name", "")).lower()
    if sku != "premium":
        name = registry.get("sku.name", "unset")
        yield f"sku is {name!r}: only Premium registries offer private endpoints and firewalls"
        return
    if as_bool(registry.get("dataEndpointEnabled")) is not True:
        yield "dataEndpointEnabled is not true (layer downloads go through a wildcard endpoint firewalls cannot scope)"
    if registry.get("publicNetworkAccess") == "Disabled":
        return
    rules = registry.get("networkRuleSet")
    if not isinstance(rules, dict) or str(rules.get("defaultAction", "Allow")).lower() != "deny":
        yield "publicNetworkAccess is not Disabled and networkRuleSet does not default to Deny"
        return
    v4, v6 = open_prefixes(ctx.config)
    sources = parse_sources(dig(rule, "iPAddressOrRange") for rule in as_list(rules.get("ipRules")))
    if sources.is_open(v4, v6):
        yield f"networkRuleSet.ipRules admit {', '.join(sources.names)} ({sources.reach_text()})"


REGISTRY_PRIVATE = Rule(
    id="registry-private",
    ref="",
    domain="registries",
    description="Registries are Premium and not reachable from the internet (private endpoint or deny-by-default "
    "firewall).",
    severity="high",
    tags=("security",),
    remediation="Use the Premium SKU with publicNetworkAccess Disabled and a private endpoint (or networkRuleSet "
    "defaultAction Deny with only your networks), and networkRuleBypassOptions AzureServices for ML workspaces.",
    rationale="Images here carry model-serving code and often weights; a registry reachable from the internet "
    "needs only a leaked token to be read or overwritten. Basic and Standard SKUs cannot restrict the network at "
    "all.",
    examples=(
        Example(
            type=AZURE_REGISTRY,
            compliant={"sku": {"name": "Premium"}, "publicNetworkAccess": "Disabled", "dataEndpointEnabled": True},
            violating={"sku": {"name": "Premium"}, "publicNetworkAccess": "Enabled", "dataEndpointEnabled": True},
            note="public network access",
        ),
    ),
    checks={AZURE_REGISTRY: _private},
    properties=dict(OPEN_SOURCE_PROPERTIES),
)


def _retention(registry: Resource, ctx: Context) -> Iterator[str]:
    if str(registry.get("sku.name", "")).lower() != "premium":
        return  # retention of untagged manifests is a Premium feature
    if registry.get("policies.retentionPolicy.status") != "enabled":
        yield "policies.retentionPolicy is not enabled (untagged manifests are kept, and billed, forever)"


REGISTRY_RETENTION = Rule(
    id="registry-untagged-retention",
    ref="",
    domain="registries",
    description="Premium registries delete untagged manifests after a retention period.",
    severity="low",
    tags=("cost",),
    remediation="Set policies.retentionPolicy {status: enabled, days: 7..30}.",
    rationale="Every rebuild of a model-serving image leaves the previous, multi-gigabyte layers behind as untagged "
    "manifests; without a retention policy they accumulate and bill as registry storage indefinitely.",
    examples=(
        Example(
            type=AZURE_REGISTRY,
            compliant={"sku": {"name": "Premium"}, "policies": {"retentionPolicy": {"status": "enabled", "days": 14}}},
            violating={"sku": {"name": "Premium"}},
            note="no retention policy",
        ),
    ),
    checks={AZURE_REGISTRY: _retention},
)

RULES = [REGISTRY_CREDENTIALS, REGISTRY_PRIVATE, REGISTRY_RETENTION]
