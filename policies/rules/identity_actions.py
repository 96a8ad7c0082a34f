"""Maintained tables of what identity grants mean, per cloud: sensitive action groups, and the
managed / built-in policies and roles each cloud ships, classified as admin, full access or a
broad read of sensitive data.

Action names are lower-case (the clouds compare them without case). A wildcard in a policy is
expanded against these tables: `iam:*`, `IAM:Attach*` and a `NotAction` that leaves
`iam:PassRole` out all grant privilege escalation.
"""

from __future__ import annotations

import re

# -- AWS IAM and Alibaba Cloud RAM actions ---------------------------------------------------------
PRIVILEGE_ESCALATION = frozenset(
    {
        # AWS: change what a principal may do, or become another principal.
        "iam:passrole",
        "iam:attachrolepolicy",
        "iam:attachuserpolicy",
        "iam:attachgrouppolicy",
        "iam:putrolepolicy",
        "iam:putuserpolicy",
        "iam:putgrouppolicy",
        "iam:createpolicy",
        "iam:createpolicyversion",
        "iam:setdefaultpolicyversion",
        "iam:updateassumerolepolicy",
        "iam:createaccesskey",
        "iam:createloginprofile",
        "iam:updateloginprofile",
        "iam:addusertogroup",
        "iam:putrolepermissionsboundary",
        "iam:deleterolepermissionsboundary",
        "iam:putuserpermissionsboundary",
        "iam:deleteuserpermissionsboundary",
        "iam:addroletoinstanceprofile",
        "sts:assumerole",
        # Alibaba Cloud RAM and STS.
        "ram:attachpolicytorole",
        "ram:attachpolicytouser",
        "ram:attachpolicytogroup",
        "ram:createpolicyversion",
        "ram:setdefaultpolicyversion",
        "ram:updaterole",
        "ram:createaccesskey",
        "ram:createloginprofile",
        "ram:updateloginprofile",
        "ram:addusertogroup",
        "ram:passrole",
    }
)
SECRETS_READ = frozenset(
    {
        "secretsmanager:getsecretvalue",
        "secretsmanager:batchgetsecretvalue",
        "ssm:getparameter",
        "ssm:getparameters",
        "ssm:getparametersbypath",
        "ssm:getparameterhistory",
        "kms:decrypt",
        # Alibaba Cloud: KMS secrets and OOS encrypted parameters.
        "kms:getsecretvalue",
        "oos:getsecretparameter",
        "oos:getsecretparameters",
        "oos:getsecretparametersbypath",
    }
)
DATA_EXFILTRATION = frozenset(
    {
        "s3:getobject",
        "s3:getobjectversion",
        "oss:getobject",
    }
)
KEY_ADMINISTRATION = frozenset(
    {
        "kms:putkeypolicy",
        "kms:schedulekeydeletion",
        "kms:disablekey",
        "kms:disablekeyrotation",
        "kms:creategrant",
        "kms:deleteimportedkeymaterial",
        "kms:updatekeydescription",
        "kms:setdeletionprotection",
        "kms:updaterotationpolicy",
    }
)
SENSITIVE_GROUPS: dict[str, frozenset[str]] = {
    "privilege escalation": PRIVILEGE_ESCALATION,
    "reading every secret": SECRETS_READ,
    "reading every object": DATA_EXFILTRATION,
    "administering every key": KEY_ADMINISTRATION,
}
_ALICLOUD_ONLY = {"ram", "oss", "oos"}
_ALICLOUD_KMS = {"kms:getsecretvalue", "kms:setdeletionprotection", "kms:updaterotationpolicy"}


def sensitive_groups(cloud: str) -> dict[str, list[str]]:
    """The sensitive action groups as one cloud names its actions (`aws` or `alicloud`)."""

    def of_cloud(action: str) -> bool:
        service = action.split(":", 1)[0]
        if cloud == "aws":
            return service not in _ALICLOUD_ONLY and action not in _ALICLOUD_KMS
        return service in _ALICLOUD_ONLY or service in ("kms", "sts")

    return {name: sorted(a for a in actions if of_cloud(a)) for name, actions in SENSITIVE_GROUPS.items()}


_READ_VERBS = ("describe", "list", "get", "head", "batchget", "search", "lookup", "query", "scan", "select", "view")
READ_ACTIONS = frozenset({"ecr:batchchecklayeravailability", "s3:headobject", "s3:headbucket"})
"""Reads whose names do not start with a read verb (AWS lists their access level as Read)."""
ACCOUNT_LEVEL_ACTIONS = frozenset(
    {
        "ecr:getauthorizationtoken",
        "cloudwatch:putmetricdata",
        "xray:puttracesegments",
        "xray:puttelemetryrecords",
        "sts:getcalleridentity",
    }
)
"""Actions without resource-level permissions: `"Resource": "*"` is the only way to write them."""


def read_only(action: str) -> bool:
    """Whether an action (or a pattern: `s3:List*`) only reads. Case-insensitive: `s3:listbucket`
    is a List. A pattern reads only when its literal part already names a read verb."""
    name = action.lower()
    if name in READ_ACTIONS or name in ACCOUNT_LEVEL_ACTIONS:
        return True
    _, _, verb = name.partition(":")
    literal = re.split(r"[*?]", verb, maxsplit=1)[0]
    return literal.startswith(_READ_VERBS)


# -- AWS managed policies -------------------------------------------------------------------------
_AWS_MANAGED = re.compile(r"^arn:aws(?:-[a-z]+)*:iam::aws:policy/(?P<path>(?:[^/]+/)*)(?P<name>[^/]+)$", re.IGNORECASE)
_AWS_ADMIN = {"administratoraccess", "poweruseraccess", "iamfullaccess", "awsorganizationsfullaccess"}
_AWS_FULL = {
    "secretsmanagerreadwrite",
    "awskeymanagementservicepoweruser",
    "job-function/systemadministrator",
    "job-function/networkadministrator",
    "job-function/databaseadministrator",
}
_AWS_BROAD_READ = {
    "readonlyaccess",
    "amazons3readonlyaccess",
    "amazonssmreadonlyaccess",
    "amazondynamodbreadonlyaccess",
    "job-function/datascientist",
}


def aws_managed_policy(arn: str) -> tuple[str, str] | None:
    """(class, name) of an AWS managed policy ARN in any partition (`arn:aws-cn:...`): class
    `admin`, `full-access` or `broad-read`; None for a customer policy or a scoped managed one
    (AmazonEKSWorkerNodePolicy, AmazonEKS_CNI_Policy, AmazonEC2ContainerRegistryReadOnly ...)."""
    match = _AWS_MANAGED.match(arn.strip())
    if match is None:
        return None
    name = match["name"].lower()
    qualified = f"{match['path'].lower()}{name}"
    if name in _AWS_ADMIN or name.startswith("administratoraccess"):
        return "admin", match["name"]
    if qualified in _AWS_FULL or name in _AWS_FULL or name.endswith("fullaccess"):
        return "full-access", match["name"]
    if qualified in _AWS_BROAD_READ or name in _AWS_BROAD_READ:
        return "broad-read", match["name"]
    return None


# -- Alibaba Cloud system policies ----------------------------------------------------------------
_ALICLOUD_ADMIN = {"administratoraccess", "aliyunramfullaccess", "aliyunstsassumeroleaccess"}
_ALICLOUD_BROAD_READ = {"readonlyaccess", "aliyunossreadonlyaccess", "aliyunkmssecretreadonlyaccess"}


def alicloud_system_policy(name: str) -> str | None:
    lowered = name.strip().lower()
    if lowered in _ALICLOUD_ADMIN:
        return "admin"
    if lowered.endswith("fullaccess"):
        return "full-access"
    if lowered in _ALICLOUD_BROAD_READ:
        return "broad-read"
    return None


# -- Google Cloud roles -----------------------------------------------------------------------------
GCP_ADMIN_ROLES = frozenset(
    {
        "roles/owner",
        "roles/editor",
        "roles/iam.securityadmin",
        "roles/resourcemanager.projectiamadmin",
        "roles/resourcemanager.folderadmin",
        "roles/resourcemanager.organizationadmin",
    }
)
GCP_IMPERSONATION_ROLES = frozenset(
    {
        "roles/iam.serviceaccountuser",
        "roles/iam.serviceaccounttokencreator",
        "roles/iam.serviceaccountopenidtokencreator",
        "roles/iam.workloadidentityuser",
        "roles/iam.serviceaccountkeyadmin",
        "roles/iam.serviceaccountadmin",
        "roles/iam.roleadmin",
    }
)
"""Roles that let a member act as, or mint credentials for, service accounts (or define roles):
granted on the whole project they reach every service account in it."""
GCP_SENSITIVE_DATA_ROLES = {
    "roles/secretmanager.secretaccessor": "reads every secret",
    "roles/secretmanager.admin": "reads and manages every secret",
    "roles/storage.objectviewer": "reads every object",
    "roles/storage.objectuser": "reads and writes every object",
    "roles/storage.objectadmin": "reads and writes every object",
    "roles/storage.legacyobjectreader": "reads every object",
    "roles/cloudkms.cryptokeydecrypter": "decrypts with every key",
    "roles/cloudkms.cryptokeyencrypterdecrypter": "decrypts with every key",
    "roles/cloudkms.admin": "administers every key",
    "roles/bigquery.dataviewer": "reads every dataset",
    "roles/bigquery.dataeditor": "reads and writes every dataset",
    "roles/bigquery.dataowner": "owns every dataset",
}
"""Roles that, granted on a whole project, reach every secret, object or key in it."""
_GCP_SERVICE_ADMIN = re.compile(r"^roles/[a-z0-9]+\.[a-z0-9]*admin$")
"""`roles/storage.admin`, `roles/compute.networkAdmin`, `roles/container.clusterAdmin`: an
administrator of a service area, granted on the whole project."""
GCP_ESCALATION_PERMISSIONS = (
    "iam.serviceaccounts.actas",
    "iam.serviceaccounts.getaccesstoken",
    "iam.serviceaccounts.signblob",
    "iam.serviceaccounts.signjwt",
    "iam.serviceaccounts.implicitdelegation",
    "iam.serviceaccountkeys.create",
    "iam.serviceaccounts.setiampolicy",
    "iam.roles.update",
    "resourcemanager.projects.setiampolicy",
    "secretmanager.versions.access",
    "storage.objects.get",
)
"""Permissions of a custom role that escalate or reach every secret or object of the project."""


def gcp_role_class(role: str) -> str | None:
    """`admin` (basic and IAM-admin roles, `roles/<service>.admin`), `impersonation`,
    `sensitive-data`, or None."""
    lowered = role.strip().lower()
    if lowered in GCP_IMPERSONATION_ROLES:
        return "impersonation"
    if lowered in GCP_SENSITIVE_DATA_ROLES:
        return "sensitive-data"
    if lowered in GCP_ADMIN_ROLES or _GCP_SERVICE_ADMIN.match(lowered):
        return "admin"
    return None


PUBLIC_MEMBERS = frozenset({"allusers", "allauthenticatedusers"})
PERSONAL_EMAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "hotmail.com",
        "outlook.com",
        "aol.com",
        "icloud.com",
        "protonmail.com",
    }
)
"""Consumer mail domains: an account there belongs to no organisation that can disable it."""

# -- Azure built-in roles ---------------------------------------------------------------------------
AZURE_BUILT_IN_ROLES: dict[str, tuple[str, str]] = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": ("Owner", "admin"),
    "b24988ac-6180-42a0-ab88-20f7382dd24c": ("Contributor", "admin"),
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": ("User Access Administrator", "admin"),
    "f58310d9-a9f6-439a-9e8d-f62e7b41a168": ("Role Based Access Control Administrator", "admin"),
    "f1a07417-d97a-45cb-824c-7a7467783830": ("Managed Identity Operator", "escalation"),
    "e40ec5ca-96e0-45a2-b4ff-59039f2c2b59": ("Managed Identity Contributor", "escalation"),
    "17d1049b-9a84-46fb-8f53-869881c3d3ab": ("Storage Account Contributor", "full-access"),
    "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": ("Storage Blob Data Owner", "full-access"),
    "00482a5a-887f-4fb3-b363-3b7fe8e74483": ("Key Vault Administrator", "full-access"),
    "f25e0fa2-a7c8-4377-a976-54943a77a395": ("Key Vault Contributor", "full-access"),
    "14b46e9e-c2b7-41b4-b07b-48a6ebf60603": ("Key Vault Crypto Officer", "full-access"),
    "b86a8fe4-44ce-4948-aee5-eccb2c155cd7": ("Key Vault Secrets Officer", "full-access"),
    "9980e02c-c2be-4d73-94e8-173b1dc7cf3c": ("Virtual Machine Contributor", "full-access"),
    "4d97b98b-1d4f-4787-a291-c67834d212e7": ("Network Contributor", "full-access"),
    "0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8": ("Azure Kubernetes Service Cluster Admin Role", "full-access"),
    "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b": ("Azure Kubernetes Service RBAC Cluster Admin", "full-access"),
    "4633458b-17de-408a-b874-0445c86b69e6": ("Key Vault Secrets User", "sensitive-data"),
    "12338af0-0e69-4776-bea7-57ae8d297424": ("Key Vault Crypto User", "sensitive-data"),
    "e147488a-f6f5-4113-8e2d-b22465e65bf6": ("Key Vault Crypto Service Encryption User", "sensitive-data"),
    "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1": ("Storage Blob Data Reader", "sensitive-data"),
    "ba92f5b4-2d11-453d-a403-e96b0029c9fe": ("Storage Blob Data Contributor", "sensitive-data"),
}
"""Built-in role definition GUIDs (the same in every tenant) -> (name, class). `admin` roles are
findings at any scope (they grant access to others or change everything); the others only on
a broad scope (management group, subscription, resource group), where they reach every vault,
account or network of it."""

AZURE_ESCALATION_ACTIONS = (
    "microsoft.authorization/roleassignments/write",
    "microsoft.authorization/roledefinitions/write",
    "microsoft.authorization/elevateaccess/action",
    "microsoft.managedidentity/userassignedidentities/assign/action",
    "microsoft.keyvault/vaults/accesspolicies/write",
    "microsoft.storage/storageaccounts/listkeys/action",
)
AZURE_SENSITIVE_DATA_ACTIONS = (
    "microsoft.keyvault/vaults/secrets/getsecret/action",
    "microsoft.keyvault/vaults/keys/decrypt/action",
    "microsoft.keyvault/vaults/keys/unwrap/action",
    "microsoft.storage/storageaccounts/blobservices/containers/blobs/read",
)
