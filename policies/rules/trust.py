"""Who may act as an identity or use a key: role trust policies (AWS, Alibaba Cloud RAM),
federated credentials (OIDC / web identity on AWS and Alibaba Cloud, Azure federated identity
credentials, Google Cloud workload identity), and grants to everyone on keys and identities."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from policies.framework import Context, Resource, Rule, as_list
from policies.rules import identity_examples as examples
from policies.rules.identity_actions import PERSONAL_EMAIL_DOMAINS, PUBLIC_MEMBERS
from policies.rules.identity_documents import Statement, allowing, open_to_everyone
from policies.rules.identity_types import (
    ALICLOUD_KMS_KEY,
    ALICLOUD_RAM_ROLE,
    AWS_KMS_KEY_POLICIES,
    AWS_ROLE,
    AZURE_FEDERATED_CREDENTIAL,
    GCP_KMS_IAM,
    GCP_PROJECT_IAM,
    GCP_SERVICE_ACCOUNT_IAM,
    GCP_WORKLOAD_IDENTITY_PROVIDER,
    computed_from_types,
    gcp_grants,
)

_ASSUME = ("sts:assumerole", "sts:assumerolewithwebidentity", "sts:assumerolewithsaml")
_WEB_IDENTITY_HOSTS = ("accounts.google.com", "cognito-identity.amazonaws.com", "graph.facebook.com", "www.amazon.com")
_GENERIC_SUBJECT_PREFIXES = ("system:serviceaccount:", "repo:", "project_path:", "organization:")


def _web_identity(statement: Statement) -> list[str]:
    """Federated principals that are OIDC / web identity providers."""
    return [
        value
        for kind, value in statement.principals
        if kind == "federated" and ("oidc-provider/" in value.lower() or value.lower() in _WEB_IDENTITY_HOSTS)
    ]


def pinned_subject(value: str) -> bool:
    """A subject claim pattern that names one workload (or one repository's refs): not only
    wildcards, and no wildcard in the first part after a generic prefix (`repo:*`,
    `system:serviceaccount:*:*` name everyone of the issuer)."""
    text = value.strip()
    for prefix in _GENERIC_SUBJECT_PREFIXES:
        if text.lower().startswith(prefix):
            text = text[len(prefix) :]
            break
    first = re.split(r"[:/]", text, maxsplit=1)[0]
    return bool(first) and not any(c in first for c in "*?")


def _claims(statement: Statement) -> tuple[list[str], list[str]]:
    """(audiences, subjects) that the statement's narrowing conditions pin."""
    audiences: list[str] = []
    subjects: list[str] = []
    for condition in statement.conditions:
        if not condition.narrows:
            continue
        claim = condition.key.rsplit(":", 1)[-1]
        if claim == "aud" and all(not any(c in v for c in "*?") for v in condition.values):
            audiences.extend(condition.values)
        elif claim in ("sub", "amr") and all(pinned_subject(v) for v in condition.values):
            subjects.extend(condition.values)
    return audiences, subjects


def _trust_problems(document: Any) -> Iterator[str]:
    for statement in allowing(document):
        if not statement.granted(_ASSUME):
            continue
        where = f"statement {statement.label}"
        if open_to_everyone(statement):
            yield f"{where} lets any principal assume the role ({_who(statement)}) with no condition that narrows it"
            continue
        accounts = _whole_accounts(statement)
        if accounts and not _narrowed_to_callers(statement):
            yield (
                f"{where} trusts every principal of account {accounts[0]} without sts:ExternalId, MFA or a "
                "principal ARN condition"
            )
        providers = _web_identity(statement)
        if providers:
            audiences, subjects = _claims(statement)
            missing = [name for name, found in (("aud", audiences), ("sub", subjects)) if not found]
            if missing:
                yield (
                    f"{where} trusts the identity provider {providers[0]} without pinning "
                    f"{' and '.join(missing)}: any identity it issues tokens to may assume the role"
                )


_ACCOUNT = re.compile(r"^(\d{12}|\d{16}|arn:aws[a-z-]*:iam::(\d{12}):root|acs:ram::(\d+):root)$", re.IGNORECASE)
_CALLER_KEYS = ("sts:externalid", "aws:principalarn", "aws:userid", "aws:principaltag/", "acs:principalarn")


def _whole_accounts(statement: Statement) -> list[str]:
    """Account principals (`123456789012`, `arn:aws:iam::123456789012:root`, `acs:ram::1:root`):
    every identity of that account that its own policies let assume roles."""
    return [v for k, v in statement.principals if k in ("aws", "ram") and _ACCOUNT.match(v.strip())]


def _narrowed_to_callers(statement: Statement) -> bool:
    """An external id, MFA, or a condition naming the principals of the account that may assume."""
    for condition in statement.conditions:
        if condition.key == "aws:multifactorauthpresent" and condition.operator.startswith("bool"):
            if [v.lower() for v in condition.values] == ["true"]:
                return True
        elif condition.narrows and condition.key.startswith(_CALLER_KEYS):
            return True
    return False


def _who(statement: Statement) -> str:
    if statement.not_principal:
        return "NotPrincipal"
    return ", ".join(f"{k}: {v}" if k != "*" else v for k, v in statement.principals)


def _aws_role(role: Resource, ctx: Context) -> Iterator[str]:
    yield from _trust_problems(role.get("assumeRolePolicy"))


def _ram_role(role: Resource, ctx: Context) -> Iterator[str]:
    document = role.get("assumeRolePolicyDocument")
    yield from _trust_problems(document if document is not None else role.get("document"))


OIDC_ISSUER_TYPES = (
    "azure-native:containerservice:ManagedCluster",
    "aws:eks/cluster:Cluster",
    "gcp:container/cluster:Cluster",
    "alicloud:cs/managedKubernetes:ManagedKubernetes",
)
"""Clusters whose OIDC issuer URL a federated credential may be computed from."""


def _azure_federation(credential: Resource, ctx: Context) -> Iterator[str]:
    subject = credential.get("subject")
    if not isinstance(subject, str) or not subject.strip() or any(c in subject for c in "*?"):
        yield f"subject {subject!r} does not name one workload"
    audiences = [a for a in as_list(credential.get("audiences")) if isinstance(a, str) and a.strip()]
    if not audiences or any(c in a for a in audiences for c in "*?"):
        yield "audiences are not pinned (expected api://AzureADTokenExchange)"
    # An issuer computed from a cluster of this stack is that cluster's own OIDC issuer URL.
    if computed_from_types(ctx, credential, "issuer", OIDC_ISSUER_TYPES) is None:
        issuer = credential.get("issuer")
        if issuer is None or (isinstance(issuer, str) and not issuer.lower().startswith("https://")):
            yield f"issuer {issuer!r} is not an https URL of one identity provider"


_POOL_WIDE = re.compile(r"^principalset://iam\.googleapis\.com/.+/(workloadidentitypools|workforcepools)/[^/]+/\*$")
_IMPERSONATION = (
    "roles/iam.workloadidentityuser",
    "roles/iam.serviceaccounttokencreator",
    "roles/iam.serviceaccountuser",
)


def _gcp_service_account(binding: Resource, ctx: Context) -> Iterator[str]:
    for role, members, _condition in gcp_grants(binding):
        if role.strip().lower() not in _IMPERSONATION and role.strip().lower() not in ("roles/owner", "roles/editor"):
            continue
        for member in members:
            lowered = member.strip().lower()
            if _POOL_WIDE.match(lowered) or lowered.startswith("domain:") or "[*" in lowered or "/*]" in lowered:
                yield f"grants {role} to {member}: every identity of that pool or domain may act as the account"


def _gcp_pool_provider(provider: Resource, ctx: Context) -> Iterator[str]:
    if not provider.get("attributeCondition"):
        yield "no attributeCondition: every identity the issuer vouches for (any repository, any tenant) gets a token"


IAM_TRUST_RESTRICTED = Rule(
    id="iam-trust-restricted",
    ref="S19",
    domain="identity",
    description="Roles and workload identities trust named principals: no trust policy open to any principal, "
    "federated (OIDC) trusts pin audience and subject, federated credentials name one issuer and subject.",
    severity="critical",
    tags=("security",),
    remediation="Trust a service, an account or an OIDC provider of this stack, and pin the token's audience "
    "(`sts.amazonaws.com`, `sts.aliyuncs.com`, `api://AzureADTokenExchange`) and subject "
    "(`system:serviceaccount:<namespace>:<name>`, `repo:<org>/<repo>:ref:...`) with StringEquals; on Google Cloud "
    "grant workloadIdentityUser to one principal or an attribute-scoped principalSet, and give pool providers an "
    "attributeCondition.",
    rationale='A trust policy is the door to a role: `Principal: "*"` (or `{"AWS": "*"}`, a wildcard '
    "account, NotPrincipal) with no condition lets anyone on the internet assume it, and an OIDC trust without "
    "`aud` and `sub` lets every workload of the identity provider (every GitHub repository, every pod of every "
    "cluster behind the issuer) assume it. Federation across clouds relies on exactly these pins.",
    checks={
        AWS_ROLE: _aws_role,
        ALICLOUD_RAM_ROLE: _ram_role,
        AZURE_FEDERATED_CREDENTIAL: _azure_federation,
        **dict.fromkeys(GCP_SERVICE_ACCOUNT_IAM, _gcp_service_account),
        GCP_WORKLOAD_IDENTITY_PROVIDER: _gcp_pool_provider,
    },
    default_enforcement="mandatory",
    examples=examples.TRUST,
)


# -- grants to everyone ------------------------------------------------------------------------------
def _key_policy(prop: str) -> Any:
    def check(key: Resource, ctx: Context) -> Iterator[str]:
        for statement in allowing(key.get(prop)):
            if open_to_everyone(statement):
                yield (
                    f"key policy statement {statement.label} allows {_who(statement)} with no condition that "
                    "narrows it to an account, organisation or source"
                )

    return check


def _gcp_public_members(binding: Resource, ctx: Context) -> Iterator[str]:
    for role, members, _condition in gcp_grants(binding):
        public = [m for m in members if m.strip().lower() in PUBLIC_MEMBERS]
        if public:
            yield f"grants {role} to {', '.join(public)}"
        personal = [m for m in members if m.strip().lower().rsplit("@", 1)[-1] in PERSONAL_EMAIL_DOMAINS]
        if personal:
            yield f"grants {role} to {', '.join(personal)}, a personal account outside any organisation"


IAM_NO_PUBLIC_PRINCIPALS = Rule(
    id="iam-no-public-principals",
    ref="S19",
    domain="identity",
    description="No key policy or IAM grant on keys, service accounts or projects is open to everyone "
    "('*', allUsers, allAuthenticatedUsers).",
    severity="critical",
    tags=("security",),
    remediation="Name the accounts, roles or service agents that use the key, or narrow a `*` principal with "
    "aws:PrincipalAccount / aws:SourceAccount / kms:CallerAccount / aws:PrincipalOrgID; on Google Cloud grant to "
    "the service agent or service account, never allUsers or allAuthenticatedUsers.",
    rationale="A key whose policy lets everyone decrypt protects nothing, and a service account anyone may use is "
    'a credential published to the internet. A principal is judged by meaning: `*`, `{"AWS": "*"}`, '
    "`arn:aws:iam::*:root` and NotPrincipal are all everyone, and only conditions that pin an account, "
    "organisation, source or network narrow it.",
    checks={
        **{t: _key_policy(p) for t, p in AWS_KMS_KEY_POLICIES.items()},
        ALICLOUD_KMS_KEY: _key_policy("policy"),
        **dict.fromkeys((*GCP_KMS_IAM, *GCP_SERVICE_ACCOUNT_IAM, *GCP_PROJECT_IAM), _gcp_public_members),
    },
    default_enforcement="mandatory",
    examples=examples.PUBLIC,
)

RULES = [IAM_TRUST_RESTRICTED, IAM_NO_PUBLIC_PRINCIPALS]
