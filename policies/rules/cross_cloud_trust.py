"""Keyless trust: every web-identity (OIDC) trust pins the issuer, the subject and the audience.

A role or identity that trusts tokens from an OIDC issuer (an EKS/ACK/AKS cluster, Google,
Entra ID) is as narrow as its conditions. Without the subject pinned, any workload of that issuer
(every pod of the cluster, every Google account) may take it; without the audience, a token
minted for another service is accepted; without the issuer, the conditions name nobody.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from policies.framework import Context, Example, Resource, Rule, as_list, parse_json

AWS_ROLE = "aws:iam/role:Role"
AZURE_FEDERATED_CREDENTIAL = "azure-native:managedidentity:FederatedIdentityCredential"
ALICLOUD_ROLE = "alicloud:ram/role:Role"
GCP_POOL_PROVIDER = "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider"

WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
EXACT_OPERATORS = ("StringEquals", "ForAnyValue:StringEquals", "ForAllValues:StringEquals")
LIKE_OPERATORS = ("StringLike", "ForAnyValue:StringLike", "ForAllValues:StringLike")


def _values(value: Any) -> list[str]:
    return [v for v in ([value] if isinstance(value, str) else as_list(value)) if isinstance(v, str)]


def _pinned(values: list[str]) -> bool:
    return bool(values) and all(v and "*" not in v and "?" not in v for v in values)


def _conditions(statement: Mapping[str, Any]) -> dict[str, list[str]]:
    """Condition key (lower case) -> values, from the exact operators and the Like operators whose
    values hold no wildcard (which match exactly too)."""
    found: dict[str, list[str]] = {}
    condition = statement.get("Condition") or {}
    if not isinstance(condition, Mapping):
        return found
    for operator, block in condition.items():
        if not isinstance(block, Mapping) or operator not in (*EXACT_OPERATORS, *LIKE_OPERATORS):
            continue
        for key, value in block.items():
            values = _values(value)
            if _pinned(values):
                found.setdefault(str(key).lower(), []).extend(values)
    return found


def _issuer_of(federated: str) -> str:
    """The condition-key prefix IAM uses for a federated principal: the provider's host/path
    (`oidc.eks.<region>.amazonaws.com/id/<id>`) or the issuer name (`accounts.google.com`)."""
    return federated.split(":oidc-provider/", 1)[1] if ":oidc-provider/" in federated else federated


def _web_identity_statements(document: Any) -> Iterator[Mapping[str, Any]]:
    for statement in as_list((parse_json(document) or {}).get("Statement")):
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow":
            continue
        actions = _values(statement.get("Action"))
        if WEB_IDENTITY in actions or "sts:*" in actions or "*" in actions:
            yield statement


def _aws_role(role: Resource, ctx: Context) -> Iterator[str]:
    for statement in _web_identity_statements(role.get("assumeRolePolicy")):
        principal = statement.get("Principal") or {}
        federated = _values(principal.get("Federated") if isinstance(principal, Mapping) else None)
        if not _pinned(federated):
            yield "web-identity trust without a pinned issuer (Principal.Federated)"
            continue
        conditions = _conditions(statement)
        for issuer in federated:
            prefix = _issuer_of(issuer).lower()
            if not conditions.get(f"{prefix}:sub"):
                yield f"web-identity trust of {issuer} does not pin the subject ({prefix}:sub, StringEquals)"
            if not (conditions.get(f"{prefix}:aud") or conditions.get(f"{prefix}:oaud")):
                yield f"web-identity trust of {issuer} does not pin the audience ({prefix}:aud, StringEquals)"


def _alicloud_role(role: Resource, ctx: Context) -> Iterator[str]:
    for statement in as_list((parse_json(role.get("assumeRolePolicyDocument")) or {}).get("Statement")):
        principal = statement.get("Principal") if isinstance(statement, Mapping) else None
        if not isinstance(principal, Mapping) or "Federated" not in principal or statement.get("Effect") != "Allow":
            continue
        if not _pinned(_values(principal.get("Federated"))):
            yield "OIDC trust without a pinned identity provider (Principal.Federated)"
        conditions = _conditions(statement)
        for key, what in (("oidc:iss", "issuer"), ("oidc:sub", "subject"), ("oidc:aud", "audience")):
            if not conditions.get(key):
                yield f"OIDC trust does not pin the {what} ({key}, StringEquals)"


def _azure_credential(credential: Resource, ctx: Context) -> Iterator[str]:
    issuer = credential.get("issuer")
    if not isinstance(issuer, str) or not issuer.startswith("https://"):
        yield "federated credential without an https issuer"
    if credential.get("claimsMatchingExpression"):
        yield "federated credential matches subjects by expression (claimsMatchingExpression), not one subject"
    elif not _pinned(_values(credential.get("subject"))):
        yield "federated credential does not pin one subject"
    if not _pinned(_values(credential.get("audiences"))):
        yield "federated credential does not pin its audiences"


def _gcp_pool_provider(provider: Resource, ctx: Context) -> Iterator[str]:
    oidc = provider.get("oidc")
    if not provider.get("aws") and not (isinstance(oidc, Mapping) and _pinned(_values(oidc.get("issuerUri")))):
        yield "pool provider without a pinned issuer (oidc.issuerUri or an AWS account)"
    if not provider.get("attributeCondition"):
        yield "pool provider without an attributeCondition: every identity of the issuer may federate"
    if isinstance(oidc, Mapping) and "allowedAudiences" in oidc and not _pinned(_values(oidc.get("allowedAudiences"))):
        yield "pool provider allows any audience"


WEB_IDENTITY_PINNED = Rule(
    id="web-identity-trust-pinned",
    ref="",
    domain="identity",
    description="Every web-identity (OIDC) trust pins issuer, subject and audience.",
    severity="critical",
    tags=("security",),
    remediation="Trust one issuer (Principal.Federated / issuer / oidc.issuerUri) and pin the subject and the "
    "audience with exact matches: `<issuer>:sub` and `<issuer>:aud` in StringEquals on AWS, `oidc:iss`, `oidc:sub` "
    "and `oidc:aud` on Alibaba Cloud, one `subject` and explicit `audiences` on an Entra federated credential, an "
    "`attributeCondition` on a Google workload identity pool provider.",
    rationale="A keyless trust is only as narrow as its conditions: an unpinned subject lets every workload of "
    "the issuer (every pod of a cluster, every Google account) assume the role, an unpinned audience accepts "
    "tokens minted for other services, and conditions on another issuer's keys pin nothing.",
    checks={
        AWS_ROLE: _aws_role,
        ALICLOUD_ROLE: _alicloud_role,
        AZURE_FEDERATED_CREDENTIAL: _azure_credential,
        GCP_POOL_PROVIDER: _gcp_pool_provider,
    },
    examples=(
        Example(
            type=AZURE_FEDERATED_CREDENTIAL,
            compliant={
                "issuer": "https://eastus.oic.prod-aks.azure.com/tenant/cluster/",
                "subject": "system:serviceaccount:ml:trainer",
                "audiences": ["api://AzureADTokenExchange"],
            },
            violating={
                "issuer": "https://eastus.oic.prod-aks.azure.com/tenant/cluster/",
                "subject": "system:*",
                "audiences": ["api://AzureADTokenExchange"],
            },
            note="a wildcard subject",
        ),
    ),
)

RULES = [WEB_IDENTITY_PINNED]
