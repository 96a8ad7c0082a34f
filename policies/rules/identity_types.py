"""Resource types the identity rules judge, and where each keeps its policy document or role."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from policies.framework import UNKNOWN, Context, Resource, as_list, parse_json

AWS_POLICY_DOCUMENTS = {
    "aws:iam/policy:Policy": "policy",
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/userPolicy:UserPolicy": "policy",
    "aws:iam/groupPolicy:GroupPolicy": "policy",
}
AWS_ROLE = "aws:iam/role:Role"
AWS_POLICY_ATTACHMENTS = (
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
    "aws:iam/policyAttachment:PolicyAttachment",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive",
)


def attached_policy_arns(attachment: Resource) -> list[Any]:
    """The managed policy ARNs an attachment attaches (`policyArn`, or `policyArns` of the
    `*Exclusive` resources)."""
    if attachment.type.endswith("Exclusive"):
        return as_list(attachment.get("policyArns"))
    return [attachment.get("policyArn")]


AWS_KMS_KEY_POLICIES = {"aws:kms/key:Key": "policy", "aws:kms/keyPolicy:KeyPolicy": "policy"}

ALICLOUD_RAM_POLICY = "alicloud:ram/policy:Policy"
ALICLOUD_RAM_ROLE = "alicloud:ram/role:Role"
ALICLOUD_POLICY_ATTACHMENTS = (
    "alicloud:ram/rolePolicyAttachment:RolePolicyAttachment",
    "alicloud:ram/userPolicyAttachment:UserPolicyAttachment",
    "alicloud:ram/groupPolicyAttachment:GroupPolicyAttachment",
)
ALICLOUD_KMS_KEY = "alicloud:kms/key:Key"

GCP_SCOPES = ("projects", "organizations", "folder")
GCP_PROJECT_IAM = tuple(
    f"gcp:{scope}/iAM{kind}:IAM{kind}" for scope in GCP_SCOPES for kind in ("Member", "Binding", "Policy")
)
"""IAM grants on a whole project, folder or organisation."""
GCP_SERVICE_ACCOUNT_IAM = tuple(f"gcp:serviceaccount/iAM{k}:IAM{k}" for k in ("Member", "Binding", "Policy"))
GCP_KMS_IAM = tuple(
    f"gcp:kms/{what}IAM{k}:{what[0].upper()}{what[1:]}IAM{k}"
    for what in ("cryptoKey", "keyRing")
    for k in ("Member", "Binding", "Policy")
)
GCP_CUSTOM_ROLES = ("gcp:projects/iAMCustomRole:IAMCustomRole", "gcp:organizations/iAMCustomRole:IAMCustomRole")
GCP_WORKLOAD_IDENTITY_PROVIDER = "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider"

AZURE_ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
AZURE_ROLE_DEFINITION = "azure-native:authorization:RoleDefinition"
AZURE_FEDERATED_CREDENTIAL = "azure-native:managedidentity:FederatedIdentityCredential"


def aws_role_documents(role: Resource) -> Iterator[tuple[str, Any]]:
    """(label, document) of a role's inline policies."""
    for inline in as_list(role.get("inlinePolicies")):
        if isinstance(inline, Mapping):
            yield f"inline policy {inline.get('name', '?')}", inline.get("policy")


def ram_document(policy: Resource) -> Any:
    """A RAM policy's document: `policyDocument`, or the deprecated `document`."""
    value = policy.get("policyDocument")
    return value if value is not None else policy.get("document")


def gcp_grants(binding: Resource) -> Iterator[tuple[str, list[str], Any]]:
    """(role, members, condition) of an IAM member, binding or whole policy (`policyData`)."""
    if binding.type.endswith("IAMPolicy"):
        data = parse_json(binding.get("policyData"))
        for entry in as_list(data.get("bindings")) if isinstance(data, Mapping) else []:
            if isinstance(entry, Mapping):
                members = [m for m in as_list(entry.get("members")) if isinstance(m, str)]
                yield str(entry.get("role", "")), members, entry.get("condition")
        return
    members = [binding.get("member")] if binding.type.endswith("IAMMember") else as_list(binding.get("members"))
    yield str(binding.get("role", "")), [m for m in members if isinstance(m, str)], binding.get("condition")


def gcp_roles(binding: Resource) -> list[str]:
    """The roles an IAM member, binding or policy grants, without reading its members (a member
    e-mail not known until the update does not hold up a verdict on the role)."""
    if binding.type.endswith("IAMPolicy"):
        return [role for role, _members, _condition in gcp_grants(binding)]
    return [str(binding.get("role", ""))]


def type_of_urn(urn: str) -> str:
    """The resource type a URN names (`urn:pulumi:s::p::parent$azure-native:keyvault:Key::n`)."""
    parts = urn.split("::")
    return parts[2].rsplit("$", 1)[-1] if len(parts) > 3 else ""


def computed_from_types(
    ctx: Context, holder: Resource, prop: str, accept: tuple[str, ...] | None = None
) -> list[str] | None:
    """The types of the resources an unknown input `prop` was computed from, read off the
    property dependencies' URNs (so a per-resource check can judge a reference at preview);
    None when the value is known, nothing says where it came from, or (with `accept`) none of
    the sources is of an accepted type. A non-None answer resolves the unknown value for the
    current check."""
    if holder.peek(prop) is not UNKNOWN:
        return None
    sources = [type_of_urn(u) for u in holder.sources(prop)]
    if not sources or (accept is not None and not any(t in accept for t in sources)):
        return None
    ctx.resolved.add((holder.urn, prop.split(".")[0]))
    return sources


def azure_role_guid(assignment: Resource) -> str:
    return str(assignment.get("roleDefinitionId") or "").rstrip("/").rsplit("/", 1)[-1].lower()


def azure_permissions(definition: Resource) -> Iterator[tuple[list[str], list[str], list[str]]]:
    """(actions, notActions, dataActions) of each permission block of a custom role."""
    for permission in as_list(definition.get("permissions")):
        if isinstance(permission, Mapping):
            yield (
                [a for a in as_list(permission.get("actions")) if isinstance(a, str)],
                [a for a in as_list(permission.get("notActions")) if isinstance(a, str)],
                [a for a in as_list(permission.get("dataActions")) if isinstance(a, str)],
            )
