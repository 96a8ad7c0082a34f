"""Identity: least privilege (S19: admin and wildcard actions; write actions on every resource)
and no long-lived keys (S20). Documents are read by meaning (`identity_documents`), managed and
built-in roles from the tables in `identity_actions`. Sensitive actions on every resource are
in `identity_sensitive`, trust and public grants in `trust`, plaintext secrets in `secrets`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from policies.framework import Check, Context, Resource, Rule, Undecided, as_bool, as_list
from policies.rules import identity_examples as examples
from policies.rules.identity_actions import (
    AZURE_BUILT_IN_ROLES,
    alicloud_system_policy,
    aws_managed_policy,
    gcp_role_class,
    read_only,
)
from policies.rules.identity_documents import allowing, broad_and_unnarrowed, glob_match
from policies.rules.identity_types import (
    ALICLOUD_POLICY_ATTACHMENTS,
    ALICLOUD_RAM_POLICY,
    AWS_POLICY_ATTACHMENTS,
    AWS_POLICY_DOCUMENTS,
    AWS_ROLE,
    AZURE_ROLE_ASSIGNMENT,
    AZURE_ROLE_DEFINITION,
    GCP_PROJECT_IAM,
    attached_policy_arns,
    aws_role_documents,
    azure_permissions,
    azure_role_guid,
    gcp_roles,
    ram_document,
)

_PROBE = "zq9probe"


def _admin_problems(document: Any) -> Iterator[str]:
    for statement in allowing(document):
        where = f"statement {statement.label}"
        if statement.not_action:
            yield f"{where} allows every action except NotAction {', '.join(statement.actions) or '[]'}"
        elif statement.all_actions:
            yield f"{where} allows wildcard actions {', '.join(statement.actions)} (every action of every service)"
        else:
            wildcards = statement.service_wildcards()
            if wildcards:
                yield f"{where} allows wildcard actions {', '.join(sorted(set(wildcards)))}"


def _write_on_everything(document: Any) -> Iterator[str]:
    for statement in allowing(document):
        broad = broad_and_unnarrowed(statement)
        if not broad:
            continue
        writes = [a for a in statement.actions if not read_only(a)] if not statement.not_action else statement.actions
        if statement.not_action:
            writes = [f"every action except {', '.join(writes) or '[]'}"]
        if writes:
            shown = ", ".join(sorted(set(writes))[:5]) + (" ..." if len(set(writes)) > 5 else "")
            yield f"statement {statement.label} allows {shown} on {', '.join(broad)} (every resource of its kind)"


# -- S19a: admin and wildcard actions ------------------------------------------------------------
def _document(prop: str, judge: Any) -> Check:
    def check(resource: Resource, ctx: Context) -> Iterator[str]:
        yield from judge(resource.get(prop))

    return check


def _aws_role_admin(role: Resource, ctx: Context) -> Iterator[str]:
    for label, document in aws_role_documents(role):
        yield from (f"{label}: {p}" for p in _admin_problems(document))
    for arn in as_list(role.get("managedPolicyArns")):
        yield from _managed_admin(arn)


def _managed_admin(arn: Any) -> Iterator[str]:
    found = aws_managed_policy(arn) if isinstance(arn, str) else None
    if found is not None and found[0] in ("admin", "full-access"):
        yield f"attaches the AWS managed policy {found[1]} ({found[0]}: {arn})"


def _aws_attachment_admin(attachment: Resource, ctx: Context) -> Iterator[str]:
    for arn in attached_policy_arns(attachment):
        yield from _managed_admin(arn)


def _gcp_iam_admin(binding: Resource, ctx: Context) -> Iterator[str]:
    scope = binding.type.split(":")[1].split("/")[0].rstrip("s")
    for role in gcp_roles(binding):
        if gcp_role_class(role) == "admin":
            yield f"grants the basic/admin role {role} on the whole {scope}"


def _azure_assignment_admin(assignment: Resource, ctx: Context) -> Iterator[str]:
    name, kind = AZURE_BUILT_IN_ROLES.get(azure_role_guid(assignment), ("", ""))
    if kind == "admin":
        yield f"assigns the built-in {name} role"


def _azure_wildcards(patterns: list[str]) -> list[str]:
    """Patterns that grant every operation of every provider (`*`, `*/write`) or of one
    provider (`Microsoft.Storage/*`, `microsoft.authorization/*`)."""
    found = []
    for pattern in patterns:
        provider = pattern.split("/", 1)[0]
        literal = provider if not any(c in provider for c in "*?") else _PROBE
        if glob_match(pattern, f"{literal}/{_PROBE}/write") or glob_match(
            pattern, f"{literal}/{_PROBE}/{_PROBE}/write"
        ):
            found.append(pattern)
    return found


def _azure_definition_admin(definition: Resource, ctx: Context) -> Iterator[str]:
    for actions, _not_actions, data_actions in azure_permissions(definition):
        wildcards = _azure_wildcards(actions) + _azure_wildcards(data_actions)
        if wildcards:
            yield f"the custom role allows wildcard actions {', '.join(wildcards)}"


def _alicloud_attachment_admin(attachment: Resource, ctx: Context) -> Iterator[str]:
    name = attachment.get("policyName")
    if not isinstance(name, str) or str(attachment.get("policyType") or "System").lower() != "system":
        return
    kind = alicloud_system_policy(name)
    if kind in ("admin", "full-access"):
        yield f"attaches the system policy {name} ({kind})"


IAM_NO_ADMIN = Rule(
    id="iam-no-admin-or-wildcard-actions",
    ref="S19",
    domain="identity",
    description="No identity gets administrator or full-access policies/roles or wildcard actions ('*', "
    "'service:*', NotAction).",
    severity="critical",
    tags=("security",),
    remediation="Grant the specific actions the workload calls (see the bucket grant helpers) instead of "
    "AdministratorAccess, *FullAccess managed policies, roles/owner|editor|<service>.admin, Owner/Contributor, "
    "custom roles over '*', '*/write' or 'Microsoft.Authorization/*', or 'service:*'.",
    rationale="An identity with every action of a service, or of all of them, turns any compromise of the "
    "workload (a leaked token, a vulnerable container) into control of the account. Actions are matched as "
    "the cloud matches them: without case, with wildcards expanded, so `IAM:*`, `*:*` and `NotAction` are the "
    "same grant as `iam:*` and `*`; managed policies are recognised in every partition (`arn:aws-cn:`).",
    checks={
        **{t: _document(p, _admin_problems) for t, p in AWS_POLICY_DOCUMENTS.items()},
        AWS_ROLE: _aws_role_admin,
        **dict.fromkeys(AWS_POLICY_ATTACHMENTS, _aws_attachment_admin),
        **dict.fromkeys(GCP_PROJECT_IAM, _gcp_iam_admin),
        AZURE_ROLE_ASSIGNMENT: _azure_assignment_admin,
        AZURE_ROLE_DEFINITION: _azure_definition_admin,
        ALICLOUD_RAM_POLICY: lambda r, ctx: _admin_problems(ram_document(r)),
        **dict.fromkeys(ALICLOUD_POLICY_ATTACHMENTS, _alicloud_attachment_admin),
    },
    default_enforcement="mandatory",
    examples=examples.ADMIN,
)


# -- S19b: write actions on every resource --------------------------------------------------------
def _aws_role_resources(role: Resource, ctx: Context) -> Iterator[str]:
    for label, document in aws_role_documents(role):
        yield from (f"{label}: {p}" for p in _write_on_everything(document))


IAM_NO_WILDCARD_RESOURCES = Rule(
    id="iam-no-wildcard-resources",
    ref="S19",
    domain="identity",
    description="Policies that change things name their resources: no write actions on every resource ('*', "
    "'arn:aws:s3:::*/*', 'role/*', NotResource).",
    severity="high",
    tags=("security",),
    remediation="Scope the statement to the ARNs it needs. Read-only Describe/List/Get actions and the few actions "
    "without resource-level permissions (ecr:GetAuthorizationToken, cloudwatch:PutMetricData) may use '*'.",
    rationale="A write on every resource of a kind lets one workload change or delete what belongs to all the "
    "others. A resource pattern is judged by what it matches: `arn:aws:s3:::*/*`, `role/*` and `NotResource` "
    "are as broad as `*`; reads are told from writes by the action's verb, without case (`s3:listbucket` reads).",
    checks={
        **{t: _document(p, _write_on_everything) for t, p in AWS_POLICY_DOCUMENTS.items()},
        AWS_ROLE: _aws_role_resources,
        ALICLOUD_RAM_POLICY: lambda r, ctx: _write_on_everything(ram_document(r)),
    },
    examples=examples.RESOURCES,
)


# -- S20: long-lived keys -------------------------------------------------------------------------
def _exists(what: str) -> Check:
    def check(resource: Resource, ctx: Context) -> Iterator[str]:
        yield f"creates {what}, a long-lived credential stored in the state"

    return check


def _aks_local_accounts(cluster: Resource, ctx: Context) -> Iterator[str | Undecided]:
    if as_bool(cluster.get("disableLocalAccounts")) is not True:
        yield "disableLocalAccounts is not true (static cluster-admin credentials can be downloaded)"
    if cluster.get("servicePrincipalProfile.secret"):
        yield "uses a service principal with a client secret instead of a managed identity"


NO_LONG_LIVED_KEYS = Rule(
    id="iam-no-long-lived-keys",
    ref="S20",
    domain="identity",
    description="No long-lived credentials: access keys, service-account keys, HMAC keys, local cluster accounts.",
    severity="high",
    tags=("security",),
    remediation="Use keyless identities: IRSA / Pod Identity, GKE Workload Identity, Azure workload identity with "
    "managed identities, ACK RRSA; CI federates through OIDC. Azure storage shared keys: see bucket-uniform-access.",
    rationale="A key that does not expire works from anywhere until someone notices and rotates it, and it sits "
    "in the Pulumi state in the meantime. Federated, short-lived credentials leave nothing to leak.",
    checks={
        "aws:iam/accessKey:AccessKey": _exists("an IAM access key"),
        "gcp:serviceaccount/key:Key": _exists("a service-account key"),
        "gcp:storage/hmacKey:HmacKey": _exists("an HMAC key"),
        "azure-native:containerservice:ManagedCluster": _aks_local_accounts,
        "alicloud:ram/accessKey:AccessKey": _exists("a RAM access key"),
    },
    examples=examples.KEYS,
)


RULES = [IAM_NO_ADMIN, IAM_NO_WILDCARD_RESOURCES, NO_LONG_LIVED_KEYS]
