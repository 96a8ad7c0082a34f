"""Identity: least privilege (S19, in two rules: admin/wildcard actions and wildcard resources),
no long-lived keys (S20), no plaintext secrets in scripts and environments (S25)."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator, Mapping
from typing import Any

from policies.framework import UNKNOWN, Check, Context, Resource, Rule, Undecided, as_bool, as_list
from policies.rules.storage import policy_statements
from policies.rules.workloads import eas_service_config

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
)
GCP_PROJECT_IAM = ("gcp:projects/iAMMember:IAMMember", "gcp:projects/iAMBinding:IAMBinding")
AZURE_ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
AZURE_ROLE_DEFINITION = "azure-native:authorization:RoleDefinition"
ALICLOUD_RAM_POLICY = "alicloud:ram/policy:Policy"
ALICLOUD_POLICY_ATTACHMENTS = (
    "alicloud:ram/rolePolicyAttachment:RolePolicyAttachment",
    "alicloud:ram/userPolicyAttachment:UserPolicyAttachment",
)

ADMIN_AWS_POLICIES = {
    "arn:aws:iam::aws:policy/AdministratorAccess",
    "arn:aws:iam::aws:policy/PowerUserAccess",
    "arn:aws:iam::aws:policy/IAMFullAccess",
}
ADMIN_GCP_ROLES = {"roles/owner", "roles/editor", "roles/iam.securityAdmin"}
# Built-in Azure role definition ids (the same in every tenant).
ADMIN_AZURE_ROLES = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
}
ADMIN_ALICLOUD_POLICIES = {"AdministratorAccess", "AliyunRAMFullAccess"}

_READ_ONLY_VERBS = ("Describe", "List", "Get", "Head", "BatchGet", "Search", "Lookup")
# Actions that have no resource-level permissions in IAM, so `"Resource": "*"` is the only form.
ACCOUNT_LEVEL_ACTIONS = {
    "ecr:getauthorizationtoken",
    "cloudwatch:putmetricdata",
    "xray:puttracesegments",
    "xray:puttelemetryrecords",
    "sts:getcalleridentity",
}


def _actions(statement: Mapping[str, Any]) -> list[str]:
    return [str(a) for a in as_list(statement.get("Action")) or [statement.get("Action")] if a is not None]


def _resources(statement: Mapping[str, Any]) -> list[str]:
    return [str(r) for r in as_list(statement.get("Resource")) or [statement.get("Resource")] if r is not None]


def _wildcard_action(action: str) -> bool:
    return action == "*" or bool(re.fullmatch(r"[A-Za-z0-9-]+:\*", action))


def _admin_statement_problems(document: object) -> Iterator[str]:
    for index, statement in enumerate(policy_statements(document)):
        if statement.get("Effect") != "Allow":
            continue
        wildcard = sorted({a for a in _actions(statement) if _wildcard_action(a)})
        if wildcard:
            yield f"statement {statement.get('Sid', index)} allows wildcard actions {', '.join(wildcard)}"
        if statement.get("NotAction") is not None:
            yield f"statement {statement.get('Sid', index)} allows everything except NotAction"


def _read_only(action: str) -> bool:
    _, _, verb = action.partition(":")
    return verb.startswith(_READ_ONLY_VERBS) or action.lower() in ACCOUNT_LEVEL_ACTIONS


def _resource_statement_problems(document: object) -> Iterator[str]:
    for index, statement in enumerate(policy_statements(document)):
        if statement.get("Effect") != "Allow" or "*" not in _resources(statement):
            continue
        writes = sorted({a for a in _actions(statement) if not _read_only(a)})
        if writes:
            shown = ", ".join(writes[:5]) + (" ..." if len(writes) > 5 else "")
            yield f"statement {statement.get('Sid', index)} allows {shown} on Resource '*'"


# -- S19a: admin and wildcard actions ------------------------------------------------------------
def _aws_document_admin(prop: str) -> Check:
    def check(resource: Resource, ctx: Context) -> Iterator[str]:
        yield from _admin_statement_problems(resource.get(prop))

    return check


def _aws_role_admin(role: Resource, ctx: Context) -> Iterator[str]:
    for inline in as_list(role.get("inlinePolicies")):
        if isinstance(inline, Mapping):
            yield from (
                f"inline policy {inline.get('name', '?')}: {p}" for p in _admin_statement_problems(inline.get("policy"))
            )
    for arn in as_list(role.get("managedPolicyArns")):
        if arn in ADMIN_AWS_POLICIES:
            yield f"attaches {arn}"


def _aws_attachment_admin(attachment: Resource, ctx: Context) -> Iterator[str]:
    if attachment.get("policyArn") in ADMIN_AWS_POLICIES:
        yield f"attaches {attachment.get('policyArn')}"


def _gcp_iam_admin(binding: Resource, ctx: Context) -> Iterator[str]:
    if binding.get("role") in ADMIN_GCP_ROLES:
        yield f"grants the primitive/admin role {binding.get('role')} on the project"


def _azure_assignment_admin(assignment: Resource, ctx: Context) -> Iterator[str]:
    role = str(assignment.get("roleDefinitionId", "")).rsplit("/", 1)[-1].lower()
    if role in ADMIN_AZURE_ROLES:
        yield f"assigns the built-in {ADMIN_AZURE_ROLES[role]} role"


def _azure_definition_admin(definition: Resource, ctx: Context) -> Iterator[str]:
    for permission in as_list(definition.get("permissions")):
        if isinstance(permission, Mapping) and "*" in as_list(permission.get("actions")):
            yield "the custom role allows actions '*'"


def _alicloud_policy_admin(policy: Resource, ctx: Context) -> Iterator[str]:
    yield from _admin_statement_problems(policy.get("policyDocument") or policy.get("document"))


def _alicloud_attachment_admin(attachment: Resource, ctx: Context) -> Iterator[str]:
    if attachment.get("policyName") in ADMIN_ALICLOUD_POLICIES and attachment.get("policyType", "System") == "System":
        yield f"attaches the system policy {attachment.get('policyName')}"


IAM_NO_ADMIN = Rule(
    id="iam-no-admin-or-wildcard-actions",
    ref="S19",
    domain="identity",
    description="No identity gets administrator policies/roles or wildcard actions ('*', 'service:*').",
    severity="critical",
    tags=("security",),
    remediation="Grant the specific actions the workload calls (see the bucket grant helpers) instead of "
    "AdministratorAccess, roles/owner|editor, Owner/Contributor or 'service:*'.",
    checks={
        **{t: _aws_document_admin(p) for t, p in AWS_POLICY_DOCUMENTS.items()},
        AWS_ROLE: _aws_role_admin,
        **dict.fromkeys(AWS_POLICY_ATTACHMENTS, _aws_attachment_admin),
        **dict.fromkeys(GCP_PROJECT_IAM, _gcp_iam_admin),
        AZURE_ROLE_ASSIGNMENT: _azure_assignment_admin,
        AZURE_ROLE_DEFINITION: _azure_definition_admin,
        ALICLOUD_RAM_POLICY: _alicloud_policy_admin,
        **dict.fromkeys(ALICLOUD_POLICY_ATTACHMENTS, _alicloud_attachment_admin),
    },
    default_enforcement="mandatory",
)


# -- S19b: wildcard resources ----------------------------------------------------------------------
def _aws_document_resources(prop: str) -> Check:
    def check(resource: Resource, ctx: Context) -> Iterator[str]:
        yield from _resource_statement_problems(resource.get(prop))

    return check


def _aws_role_resources(role: Resource, ctx: Context) -> Iterator[str]:
    for inline in as_list(role.get("inlinePolicies")):
        if isinstance(inline, Mapping):
            yield from (
                f"inline policy {inline.get('name', '?')}: {p}"
                for p in _resource_statement_problems(inline.get("policy"))
            )


def _alicloud_policy_resources(policy: Resource, ctx: Context) -> Iterator[str]:
    yield from _resource_statement_problems(policy.get("policyDocument") or policy.get("document"))


IAM_NO_WILDCARD_RESOURCES = Rule(
    id="iam-no-wildcard-resources",
    ref="S19",
    domain="identity",
    description="Policies that change things name their resources: no write actions on Resource '*'.",
    severity="high",
    tags=("security",),
    remediation="Scope the statement to the ARNs it needs. Read-only Describe/List/Get actions and the few actions "
    "without resource-level permissions (ecr:GetAuthorizationToken, cloudwatch:PutMetricData) may use '*'.",
    checks={
        **{t: _aws_document_resources(p) for t, p in AWS_POLICY_DOCUMENTS.items()},
        AWS_ROLE: _aws_role_resources,
        ALICLOUD_RAM_POLICY: _alicloud_policy_resources,
    },
)


# -- S20: long-lived keys -------------------------------------------------------------------------
def _exists(what: str) -> Check:
    def check(resource: Resource, ctx: Context) -> Iterator[str]:
        yield f"creates {what}, a long-lived credential stored in the state"

    return check


def _aks_local_accounts(cluster: Resource, ctx: Context) -> Iterator[str]:
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
    checks={
        "aws:iam/accessKey:AccessKey": _exists("an IAM access key"),
        "gcp:serviceaccount/key:Key": _exists("a service-account key"),
        "gcp:storage/hmacKey:HmacKey": _exists("an HMAC key"),
        "azure-native:containerservice:ManagedCluster": _aks_local_accounts,
        "alicloud:ram/accessKey:AccessKey": _exists("a RAM access key"),
    },
)


# -- S25: plaintext secrets -----------------------------------------------------------------------
_SECRET_PATTERNS = [
    (re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"), "an AWS access key id"),
    (re.compile(r"(?i)aws_secret_access_key\s*[=:]\s*\S+"), "an AWS secret access key"),
    (re.compile(r"-----BEGIN ([A-Z]+ )?PRIVATE KEY-----"), "a private key"),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"), "a GitHub token"),
    (re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"), "a Slack token"),
    (re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b"), "a Google API key"),
    (re.compile(r"\bhf_[A-Za-z0-9]{30,}\b"), "a Hugging Face token"),
    (re.compile(r"AccountKey=[A-Za-z0-9+/=]{20,}"), "an Azure storage account key"),
    (re.compile(r"\bLTAI[A-Za-z0-9]{12,24}\b"), "an Alibaba Cloud AccessKey id"),
    (
        re.compile(r"(?i)\b(password|passwd|secret|token|api[_-]?key)\s*[=:]\s*['\"]?(?![$<{])[^\s'\"]{8,}"),
        "a password or token assignment",
    ),
]
_SECRET_NAME = re.compile(r"(?i)(password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential)")
_REFERENCE = re.compile(
    r"^(\$\{.*\}|\$\(.*\)|\{\{.*\}\}|arn:|projects/.+/secrets/|https://[a-z0-9-]+\.vault\.azure\.net/)"
)


def _decoded(text: str) -> str:
    """User data is often base64: judge the decoded text too."""
    if len(text) < 16 or not re.fullmatch(r"[A-Za-z0-9+/=\s]+", text):
        return text
    try:
        decoded = base64.b64decode(text, validate=False).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return text
    return f"{text}\n{decoded}"


def _scan_text(where: str, text: str) -> Iterator[str]:
    content = _decoded(text)
    for pattern, what in _SECRET_PATTERNS:
        if pattern.search(content):
            yield f"{where} contains what looks like {what} in plain text"
            return


def _scan_environment(where: str, environment: object) -> Iterator[str | Undecided]:
    if environment is UNKNOWN:
        yield Undecided(f"{where} is not known until the update: it is scanned then")
        return
    if isinstance(environment, Mapping):
        pairs = list(environment.items())
    else:  # [{name, value}] lists (PAI, Kubernetes style)
        pairs = [(e.get("name"), e.get("value")) for e in as_list(environment) if isinstance(e, Mapping)]
    for name, value in pairs:
        if value is UNKNOWN and isinstance(name, str) and _SECRET_NAME.search(name):
            # A computed value under a secret's name: a generated secret put in plain text, or a
            # reference; the update tells.
            yield Undecided(f"{where} variable {name} is not known until the update")
            continue
        if not isinstance(value, str) or not value:
            continue
        if isinstance(name, str) and _SECRET_NAME.search(name) and not _REFERENCE.match(value):
            yield f"{where} variable {name} holds a literal secret value"
        else:
            yield from _scan_text(f"{where} variable {name}", value)


def _scripts(*paths: str) -> Check:
    def check(resource: Resource, ctx: Context) -> Iterator[str | Undecided]:
        for path in paths:
            value = resource.get(path)
            if value is UNKNOWN:
                # A script computed at deploy time may still carry text the program wrote.
                yield Undecided(f"{path} is not known until the update: it is scanned then")
            elif isinstance(value, str):
                yield from _scan_text(path, value)
            elif isinstance(value, Mapping | list):
                for leaf, text in _leaves(value):
                    if isinstance(text, str):
                        yield from _scan_text(f"{path}.{leaf}", text)
                    else:
                        yield Undecided(f"{path}.{leaf} is not known until the update: it is scanned then")

    return check


def _leaves(value: object, path: str = "") -> Iterator[tuple[str, object]]:
    """(path, value) of every string or unknown leaf."""
    if isinstance(value, str) or value is UNKNOWN:
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _leaves(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}.{index}" if path else str(index))


def _sagemaker_model(model: Resource, ctx: Context) -> Iterator[str | Undecided]:
    yield from _scan_environment("primaryContainer.environment", model.get("primaryContainer.environment"))
    for index, container in enumerate(as_list(model.get("containers"))):
        if isinstance(container, Mapping):
            yield from _scan_environment(f"containers[{index}].environment", container.get("environment"))


def _azure_deployment(deployment: Resource, ctx: Context) -> Iterator[str | Undecided]:
    yield from _scan_environment("properties.environmentVariables", deployment.get("properties.environmentVariables"))


def _eas_service(service: Resource, ctx: Context) -> Iterator[str | Undecided]:
    if service.get("serviceConfig") is UNKNOWN:
        yield Undecided("serviceConfig is not known until the update: it is scanned then")
        return
    config = eas_service_config(service)
    for index, container in enumerate(as_list(config.get("containers"))):
        if isinstance(container, Mapping):
            yield from _scan_environment(f"serviceConfig containers[{index}].env", container.get("env"))
            if isinstance(container.get("script"), str):
                yield from _scan_text(f"serviceConfig containers[{index}].script", container["script"])


NO_PLAINTEXT_SECRETS = Rule(
    id="no-plaintext-secrets",
    ref="S25",
    domain="identity",
    description="No plaintext secrets in user data, startup scripts, container environments or service configs.",
    severity="high",
    tags=("security",),
    remediation="Keep the secret in a secret store (Secrets Manager, Secret Manager, Key Vault, KMS Secrets "
    "Manager) and pass its reference; give the workload an identity that may read it.",
    checks={
        "aws:ec2/launchTemplate:LaunchTemplate": _scripts("userData"),
        "aws:ec2/instance:Instance": _scripts("userData", "userDataBase64"),
        "aws:sagemaker/model:Model": _sagemaker_model,
        "gcp:container/nodePool:NodePool": _scripts("nodeConfig.metadata"),
        "gcp:tpu/v2Vm:V2Vm": _scripts("metadata"),
        "gcp:compute/instance:Instance": _scripts("metadataStartupScript", "metadata"),
        "azure-native:machinelearningservices:OnlineDeployment": _azure_deployment,
        "alicloud:cs/nodePool:NodePool": _scripts("userData", "preUserData"),
        "alicloud:pai/service:Service": _eas_service,
    },
    # Every value is scanned: an unknown one in an environment is a computed reference (an ARN,
    # an endpoint), not program text; whole scripts not known yet are reported undecided above.
    unknowns="ignore",
)


RULES = [IAM_NO_ADMIN, IAM_NO_WILDCARD_RESOURCES, NO_LONG_LIVED_KEYS, NO_PLAINTEXT_SECRETS]
