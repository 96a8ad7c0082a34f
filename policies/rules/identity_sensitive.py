"""S19c: sensitive actions on every resource. Privilege escalation (`iam:PassRole`,
`iam:Attach*Policy`, `sts:AssumeRole` on every role), reading every secret or object, and
administering every key, however the grant is spelled: wildcards are expanded against the
groups of `identity_actions`, `NotAction` grants what it does not name, and a resource pattern
is as broad as what it matches. The same on Google Cloud (impersonation and data roles granted
on a whole project) and Azure (escalating, full-access and data roles on a broad scope)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from policies.framework import UNKNOWN, Context, Resource, Rule, Undecided, as_list
from policies.rules import identity_examples as examples
from policies.rules.identity_actions import (
    AZURE_BUILT_IN_ROLES,
    AZURE_ESCALATION_ACTIONS,
    AZURE_SENSITIVE_DATA_ACTIONS,
    GCP_ESCALATION_PERMISSIONS,
    GCP_SENSITIVE_DATA_ROLES,
    alicloud_system_policy,
    aws_managed_policy,
    gcp_role_class,
    sensitive_groups,
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
    GCP_CUSTOM_ROLES,
    GCP_PROJECT_IAM,
    attached_policy_arns,
    aws_role_documents,
    azure_permissions,
    azure_role_guid,
    gcp_grants,
    ram_document,
    type_of_urn,
)


def _document_problems(document: Any, cloud: str = "aws") -> Iterator[str]:
    for statement in allowing(document):
        groups = {name: statement.granted(actions) for name, actions in sensitive_groups(cloud).items()}
        groups = {name: found for name, found in groups.items() if found}
        if not groups:
            continue
        broad = broad_and_unnarrowed(statement)
        if not broad:
            continue
        for name, found in groups.items():
            shown = ", ".join(sorted(found)[:4]) + (" ..." if len(found) > 4 else "")
            yield f"statement {statement.label} allows {name} ({shown}) on {', '.join(broad)}"


def _aws_document(prop: str) -> Any:
    def check(resource: Resource, ctx: Context) -> Iterator[str]:
        yield from _document_problems(resource.get(prop))

    return check


def _aws_role(role: Resource, ctx: Context) -> Iterator[str]:
    for label, document in aws_role_documents(role):
        yield from (f"{label}: {p}" for p in _document_problems(document))
    for arn in as_list(role.get("managedPolicyArns")):
        yield from _managed_broad_read(arn)


def _managed_broad_read(arn: Any) -> Iterator[str]:
    found = aws_managed_policy(arn) if isinstance(arn, str) else None
    if found is not None and found[0] == "broad-read":
        yield f"attaches the AWS managed policy {found[1]}, which reads every object, parameter or record"


def _aws_attachment(attachment: Resource, ctx: Context) -> Iterator[str]:
    for arn in attached_policy_arns(attachment):
        yield from _managed_broad_read(arn)


def _alicloud_attachment(attachment: Resource, ctx: Context) -> Iterator[str]:
    name = attachment.get("policyName")
    system = str(attachment.get("policyType") or "System").lower() == "system"
    if isinstance(name, str) and system and alicloud_system_policy(name) == "broad-read":
        yield f"attaches the system policy {name}, which reads every bucket or secret of the account"


# -- Google Cloud -----------------------------------------------------------------------------------
_DEFAULT_ACCOUNT = re.compile(r"^serviceaccount:(\d+-compute@developer|[a-z0-9-]+@appspot)\.gserviceaccount\.com$")


def _narrowed_to_resources(condition: Any) -> bool:
    """An IAM condition that names the resources it applies to (`resource.name.startsWith(...)`)."""
    return isinstance(condition, Mapping) and "resource.name" in str(condition.get("expression") or "")


def _gcp_project(binding: Resource, ctx: Context) -> Iterator[str]:
    scope = binding.type.split(":")[1].split("/")[0].rstrip("s")
    for role, members, condition in gcp_grants(binding):
        defaults = [m for m in members if _DEFAULT_ACCOUNT.match(m.lower())]
        if defaults:
            yield f"grants {role} on the {scope} to the default service account {defaults[0]}, which every VM runs as"
        if _narrowed_to_resources(condition):
            continue
        kind = gcp_role_class(role)
        if kind == "impersonation":
            yield f"grants {role} on the whole {scope}: every service account in it can be impersonated"
        elif kind == "sensitive-data":
            yield f"grants {role} on the whole {scope}, which {GCP_SENSITIVE_DATA_ROLES[role.strip().lower()]}"


def _gcp_custom_role(role: Resource, ctx: Context) -> Iterator[str]:
    permissions = [p for p in as_list(role.get("permissions")) if isinstance(p, str)]
    found = sorted({wanted for p in permissions for wanted in GCP_ESCALATION_PERMISSIONS if glob_match(p, wanted)})
    if found:
        yield f"the custom role grants {', '.join(found)}, which escalate or reach every secret or object"


# -- Azure -------------------------------------------------------------------------------------------
_BROAD_SCOPE = re.compile(
    r"^(/|/subscriptions/[^/]+(/resourcegroups/[^/]+)?|/providers/microsoft\.management/managementgroups/[^/]+)$"
)
_BROAD_SOURCE_TYPES = ("azure-native:resources:ResourceGroup", "azure-native:resources:Subscription")


def broad_scope(scope: str) -> bool:
    """A management group, subscription or resource group (or the root): every resource in it."""
    return bool(_BROAD_SCOPE.match(scope.strip().rstrip("/").lower() or "/"))


def _azure_scope_is_broad(ctx: Context, holder: Resource, prop: str) -> bool | None:
    """Whether a scope reaches a whole subscription or group; None when it cannot be told yet.
    A scope not known at preview that was computed from a vault, key, account or subnet of the
    stack names that resource (or something inside it): not broad. Computed from a resource
    group alone it may still name a resource by its path, so the update tells."""
    if holder.peek(prop) is UNKNOWN:
        sources = [type_of_urn(u) for u in holder.sources(prop)]
        if any(t not in _BROAD_SOURCE_TYPES for t in sources):
            ctx.resolved.add((holder.urn, prop))
            return False
    value = holder.get(prop)
    if isinstance(value, str):
        return broad_scope(value)
    return None if value is not None else True


def _azure_assignment(assignment: Resource, ctx: Context) -> Iterator[str | Undecided]:
    name, kind = AZURE_BUILT_IN_ROLES.get(azure_role_guid(assignment), ("", ""))
    if kind not in ("escalation", "full-access", "sensitive-data"):
        return
    broad = _azure_scope_is_broad(ctx, assignment, "scope")
    if broad:
        yield f"assigns {name} ({kind}) on a whole subscription or resource group"


def _azure_definition(definition: Resource, ctx: Context) -> Iterator[str]:
    for actions, not_actions, data_actions in azure_permissions(definition):
        escalating = [
            a
            for a in AZURE_ESCALATION_ACTIONS
            if any(glob_match(p, a) for p in actions) and not any(glob_match(p, a) for p in not_actions)
        ]
        if escalating:
            yield f"the custom role grants {', '.join(escalating)} (privilege escalation)"
        reading = [a for a in AZURE_SENSITIVE_DATA_ACTIONS if any(glob_match(p, a) for p in data_actions)]
        scopes = [s for s in as_list(definition.get("assignableScopes")) if isinstance(s, str)]
        if reading and (not scopes or any(broad_scope(s) for s in scopes)):
            yield f"the custom role reads secrets, keys or blobs ({', '.join(reading)}) on a broad assignable scope"


IAM_NO_BROAD_SENSITIVE_ACTIONS = Rule(
    id="iam-no-broad-sensitive-actions",
    ref="S19",
    domain="identity",
    description="No identity may escalate its privileges, read every secret or object, or administer every key: "
    "sensitive actions name their resources, sensitive roles are granted on resources, not whole projects.",
    severity="critical",
    tags=("security",),
    remediation="Name the role ARNs a workload may pass or assume, the secrets, parameters, keys and buckets it "
    "reads; on Google Cloud grant impersonation and data roles on the service account, secret or bucket, not the "
    "project; on Azure assign data and contributor roles on the vault, account or subnet, not the resource group.",
    rationale="`iam:PassRole`, `iam:Attach*Policy` or `sts:AssumeRole` on every role lets a workload become any "
    "role of the account, including an administrator; `secretsmanager:GetSecretValue`, `kms:Decrypt` or "
    "`s3:GetObject` on every resource hands over every secret and dataset at once. Wildcards are expanded against "
    "a maintained table of these actions, so `iam:*`, `IAM:Pass*` and `NotAction: s3:*` are caught alike.",
    checks={
        **{t: _aws_document(p) for t, p in AWS_POLICY_DOCUMENTS.items()},
        AWS_ROLE: _aws_role,
        **dict.fromkeys(AWS_POLICY_ATTACHMENTS, _aws_attachment),
        ALICLOUD_RAM_POLICY: lambda r, ctx: _document_problems(ram_document(r), "alicloud"),
        **dict.fromkeys(ALICLOUD_POLICY_ATTACHMENTS, _alicloud_attachment),
        **dict.fromkeys(GCP_PROJECT_IAM, _gcp_project),
        **dict.fromkeys(GCP_CUSTOM_ROLES, _gcp_custom_role),
        AZURE_ROLE_ASSIGNMENT: _azure_assignment,
        AZURE_ROLE_DEFINITION: _azure_definition,
    },
    default_enforcement="mandatory",
    examples=examples.SENSITIVE,
)

RULES = [IAM_NO_BROAD_SENSITIVE_ACTIONS]
