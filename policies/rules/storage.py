"""Storage: buckets and storage accounts (S1-S7), disks (S18), stateful resources (S24), and
bucket lifecycle tiering (C7).

Providers split a bucket's hardening across resources: an S3 bucket's public access block,
encryption, versioning, lifecycle, logging and policy are separate resources keyed by `bucket=`;
an Azure storage account's versioning lives on its blob service, its tiering in a management
policy; OSS has separate public-access-block, encryption and versioning resources. These rules
therefore run over the whole stack and look for the bucket's hardening resource: a bucket that
lacks it is the finding.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from catalog import stateful_types
from policies.framework import (
    Check,
    Context,
    Resource,
    Rule,
    Stack,
    as_bool,
    as_list,
    dig,
    parse_json,
)
from policies.rules.references import SERVICE_ACCOUNT_TYPES, computed_from, names_customer_key

# -- type tokens ----------------------------------------------------------------------------------
S3_BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
S3_PUBLIC_ACCESS_BLOCK = ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",)
S3_ACCOUNT_PUBLIC_ACCESS_BLOCK = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
S3_ENCRYPTION = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
S3_VERSIONING = ("aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2")
S3_LIFECYCLE = (
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
)
S3_LOGGING = ("aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2")
S3_POLICY = ("aws:s3/bucketPolicy:BucketPolicy",)
S3_OWNERSHIP = ("aws:s3/bucketOwnershipControls:BucketOwnershipControls",)
S3_ACL = ("aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2")
GCS_BUCKET = "gcp:storage/bucket:Bucket"
GCS_BUCKET_IAM = ("gcp:storage/bucketIAMMember:BucketIAMMember", "gcp:storage/bucketIAMBinding:BucketIAMBinding")
AZURE_ACCOUNT = "azure-native:storage:StorageAccount"
AZURE_BLOB_SERVICE = "azure-native:storage:BlobServiceProperties"
AZURE_CONTAINER = "azure-native:storage:BlobContainer"
AZURE_MANAGEMENT_POLICY = "azure-native:storage:ManagementPolicy"
AZURE_DIAGNOSTIC_SETTING = "azure-native:monitor:DiagnosticSetting"
OSS_BUCKET = "alicloud:oss/bucket:Bucket"
OSS_PUBLIC_ACCESS_BLOCK = "alicloud:oss/bucketPublicAccessBlock:BucketPublicAccessBlock"
OSS_ENCRYPTION = "alicloud:oss/bucketServerSideEncryption:BucketServerSideEncryption"
OSS_VERSIONING = "alicloud:oss/bucketVersioning:BucketVersioning"
OSS_ACL = "alicloud:oss/bucketAcl:BucketAcl"
OSS_LOGGING = "alicloud:oss/bucketLogging:BucketLogging"
OSS_POLICY = "alicloud:oss/bucketPolicy:BucketPolicy"
AWS_LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
AWS_EBS_VOLUME = "aws:ebs/volume:Volume"
AWS_EBS_DEFAULT_ENCRYPTION = "aws:ebs/encryptionByDefault:EncryptionByDefault"
AWS_INSTANCE = "aws:ec2/instance:Instance"
AWS_NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
AZURE_AGENT_POOL = "azure-native:containerservice:AgentPool"
ALICLOUD_NODE_POOL = "alicloud:cs/nodePool:NodePool"

PUBLIC_ACLS = {"public-read", "public-read-write", "authenticated-read"}
PUBLIC_GCP_MEMBERS = {"allUsers", "allAuthenticatedUsers"}
PUBLIC_ACCESS_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


# -- correlation helpers --------------------------------------------------------------------------
def _s3_name(bucket: Resource) -> list[str]:
    name = bucket.get("bucket")
    return [name] if isinstance(name, str) else []


def s3_attached(stack: Stack, bucket: Resource, types: Sequence[str], prop: str = "bucket") -> list[Resource]:
    """Hardening resources of `types` attached to an S3 (or OSS) bucket through `prop`."""
    return stack.referencing(bucket, types, prop, values=_s3_name(bucket))


def is_log_target(stack: Stack, bucket: Resource) -> bool:
    """Whether other buckets deliver their access logs to this one (S3 cannot write server access
    logs with SSE-KMS, and a log bucket that logged its own access would loop)."""
    if bucket.type in S3_BUCKETS:
        if s3_attached(stack, bucket, S3_LOGGING, prop="targetBucket"):
            return True
        return any(
            dig(b.props, "logging.targetBucket") in _s3_name(bucket)
            for b in stack.of_type(*S3_BUCKETS)
            if b is not bucket
        )
    if bucket.type == OSS_BUCKET:
        return bool(s3_attached(stack, bucket, (OSS_LOGGING,), prop="targetBucket")) or any(
            dig(b.props, "logging.targetBucket") in _s3_name(bucket)
            for b in stack.of_type(OSS_BUCKET)
            if b is not bucket
        )
    if bucket.type == GCS_BUCKET:
        name = bucket.get("name")
        return any(
            g.comes_from("logging", bucket.urn) or (isinstance(name, str) and g.get("logging.logBucket") == name)
            for g in stack.of_type(GCS_BUCKET)
            if g is not bucket
        )
    return False


def _azure_account_children(stack: Stack, account: Resource, types: str | Sequence[str]) -> list[Resource]:
    name = account.get("accountName")
    return stack.referencing(account, types, "accountName", values=[name] if isinstance(name, str) else [])


def policy_statements(document: object) -> list[dict]:
    """Statements of an IAM / RAM / bucket policy document (a JSON string or an object)."""
    parsed = parse_json(document)
    if not isinstance(parsed, dict):
        return []
    statements = parsed.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    return [s for s in as_list(statements) if isinstance(s, dict)]


def _values(value: object) -> list[object]:
    """A policy field that may be a scalar or a list, as a list."""
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def _denies_insecure_transport(documents: Iterable[object], condition_key: str) -> bool:
    for document in documents:
        for statement in policy_statements(document):
            if statement.get("Effect") != "Deny":
                continue
            condition = statement.get("Condition")
            if not isinstance(condition, dict):
                continue
            for operator, clause in condition.items():
                if not isinstance(clause, dict) or not operator.startswith("Bool"):
                    continue
                for key, expected in clause.items():
                    if key.lower() == condition_key.lower() and "false" in [str(v).lower() for v in _values(expected)]:
                        return True
    return False


def _public_statement(document: object) -> bool:
    """An Allow statement to everyone (`Principal: "*"`) without a narrowing condition."""
    for statement in policy_statements(document):
        if statement.get("Effect") != "Allow" or statement.get("Condition"):
            continue
        principal = statement.get("Principal")
        principals: list[object] = []
        if isinstance(principal, dict):
            for value in principal.values():
                principals.extend(_values(value))
        else:
            principals = _values(principal)
        if "*" in principals:
            return True
    return False


# -- S1: public access ----------------------------------------------------------------------------
def _s1_s3(bucket: Resource, ctx: Context) -> Iterator[str]:
    stack = ctx.require_stack()
    account_blocks = [
        b for b in stack.of_type(S3_ACCOUNT_PUBLIC_ACCESS_BLOCK) if all(as_bool(b.get(f)) for f in PUBLIC_ACCESS_FLAGS)
    ]
    blocks = s3_attached(stack, bucket, S3_PUBLIC_ACCESS_BLOCK)
    if not account_blocks:
        if not blocks:
            yield "no BucketPublicAccessBlock for this bucket (and no account-wide block)"
        for block in blocks:
            off = [f for f in PUBLIC_ACCESS_FLAGS if as_bool(block.get(f)) is not True]
            if off:
                yield f"public access block {block.name} leaves {', '.join(off)} off"
    acl = bucket.get("acl")
    if acl in PUBLIC_ACLS:
        yield f"inline acl is {acl!r}"
    for grant in s3_attached(stack, bucket, S3_ACL):
        if grant.get("acl") in PUBLIC_ACLS:
            yield f"BucketAcl {grant.name} grants {grant.get('acl')!r}"
    documents = [bucket.get("policy"), *(p.get("policy") for p in s3_attached(stack, bucket, S3_POLICY))]
    if any(_public_statement(d) for d in documents):
        yield "the bucket policy allows access to Principal '*' without a condition"


def _s1_gcs(bucket: Resource, ctx: Context) -> Iterator[str]:
    if bucket.get("publicAccessPrevention") != "enforced":
        yield f"publicAccessPrevention is {bucket.get('publicAccessPrevention', 'inherited')!r}, not 'enforced'"


def _s1_gcs_iam(binding: Resource, ctx: Context) -> Iterator[str]:
    # A member computed from a service account of this stack is that account, never the public.
    for prop in ("member", "members"):
        computed_from(ctx, binding, prop, binding.get(prop), SERVICE_ACCOUNT_TYPES)
    members = [binding.get("member"), *as_list(binding.get("members"))]
    public = sorted({m for m in members if m in PUBLIC_GCP_MEMBERS})
    if public:
        yield f"grants {binding.get('role')} on the bucket to {', '.join(public)}"


def _s1_azure_account(account: Resource, ctx: Context) -> Iterator[str]:
    if account.get("allowBlobPublicAccess") is not False:
        yield "allowBlobPublicAccess is not false (containers could be made public)"


def _s1_azure_container(container: Resource, ctx: Context) -> Iterator[str]:
    if container.get("publicAccess") in ("Blob", "Container"):
        yield f"publicAccess is {container.get('publicAccess')!r}"


def _s1_oss(bucket: Resource, ctx: Context) -> Iterator[str]:
    stack = ctx.require_stack()
    blocks = s3_attached(stack, bucket, (OSS_PUBLIC_ACCESS_BLOCK,))
    if not any(as_bool(b.get("blockPublicAccess")) for b in blocks):
        yield "no BucketPublicAccessBlock with blockPublicAccess=true for this bucket"
    acls = [bucket.get("acl"), *(a.get("acl") for a in s3_attached(stack, bucket, (OSS_ACL,)))]
    public = sorted({a for a in acls if a in PUBLIC_ACLS})
    if public:
        yield f"bucket ACL is {', '.join(public)}"


def _acl_row(acl_resource: Resource, ctx: Context) -> Iterator[str]:
    if acl_resource.get("acl") in PUBLIC_ACLS:
        yield f"acl is {acl_resource.get('acl')!r}"


BUCKET_PUBLIC_ACCESS = Rule(
    id="bucket-public-access-blocked",
    ref="S1",
    domain="storage",
    description="Buckets block all public access.",
    severity="critical",
    tags=("security",),
    remediation=(
        "S3: add a BucketPublicAccessBlock with all four flags true. GCS: publicAccessPrevention='enforced' and no "
        "allUsers/allAuthenticatedUsers bindings. Azure: allowBlobPublicAccess=false, containers publicAccess=None. "
        "OSS: a BucketPublicAccessBlock with blockPublicAccess=true and a private ACL."
    ),
    checks={
        **dict.fromkeys(S3_BUCKETS, _s1_s3),
        GCS_BUCKET: _s1_gcs,
        **dict.fromkeys(GCS_BUCKET_IAM, _s1_gcs_iam),
        AZURE_ACCOUNT: _s1_azure_account,
        AZURE_CONTAINER: _s1_azure_container,
        OSS_BUCKET: _s1_oss,
    },
    needs_stack=True,
    covers=(
        *S3_PUBLIC_ACCESS_BLOCK,
        S3_ACCOUNT_PUBLIC_ACCESS_BLOCK,
        *S3_ACL,
        *S3_POLICY,
        OSS_PUBLIC_ACCESS_BLOCK,
        OSS_ACL,
    ),
    default_enforcement="mandatory",
)


# -- S2: customer-managed keys --------------------------------------------------------------------
def _sse_default(rule: object) -> dict:
    value = dig(rule, "applyServerSideEncryptionByDefault", {})
    return value if isinstance(value, dict) else {}


def _s2_s3(bucket: Resource, ctx: Context) -> Iterator[str]:
    stack = ctx.require_stack()
    if is_log_target(stack, bucket):
        return  # S3 server access logging cannot deliver to an SSE-KMS bucket
    defaults = [
        (
            bucket,
            "serverSideEncryptionConfiguration",
            _sse_default(bucket.get("serverSideEncryptionConfiguration.rule")),
        )
    ]
    for config in s3_attached(stack, bucket, S3_ENCRYPTION):
        defaults.extend((config, "rules", _sse_default(rule)) for rule in as_list(config.get("rules")))
    if not any(
        d.get("sseAlgorithm") in ("aws:kms", "aws:kms:dsse")
        and names_customer_key(ctx, holder, prop, d.get("kmsMasterKeyId"))
        for holder, prop, d in defaults
    ):
        yield "no server-side encryption configuration with SSE-KMS and a customer-managed key (kmsMasterKeyId)"


def _s2_gcs(bucket: Resource, ctx: Context) -> Iterator[str]:
    if not names_customer_key(ctx, bucket, "encryption", bucket.get("encryption.defaultKmsKeyName")):
        yield "encryption.defaultKmsKeyName is not set (Google-managed keys only)"


def _s2_azure(account: Resource, ctx: Context) -> Iterator[str]:
    key_name = account.get("encryption.keyVaultProperties.keyName")
    if account.get("encryption.keySource") != "Microsoft.Keyvault" or not names_customer_key(
        ctx, account, "encryption", key_name
    ):
        yield "encryption.keySource is not Microsoft.Keyvault with keyVaultProperties (Microsoft-managed keys only)"


def _s2_oss(bucket: Resource, ctx: Context) -> Iterator[str]:
    stack = ctx.require_stack()
    rules = [(bucket, "serverSideEncryptionRule", bucket.get("serverSideEncryptionRule", {}))]
    rules.extend((r, "kmsMasterKeyId", r.props) for r in s3_attached(stack, bucket, (OSS_ENCRYPTION,)))
    if not any(
        isinstance(r, dict)
        and r.get("sseAlgorithm") == "KMS"
        and names_customer_key(ctx, holder, prop, r.get("kmsMasterKeyId"))
        for holder, prop, r in rules
    ):
        yield "no server-side encryption with sseAlgorithm=KMS and a kmsMasterKeyId"


BUCKET_CMK = Rule(
    id="bucket-encrypted-with-cmk",
    ref="S2",
    domain="storage",
    description="Buckets are encrypted with a customer-managed key.",
    severity="high",
    tags=("security",),
    remediation=(
        "Create a KMS key (rotation on) and set it as the bucket default: S3 BucketServerSideEncryptionConfiguration "
        "with sseAlgorithm aws:kms + kmsMasterKeyId; GCS encryption.defaultKmsKeyName; Azure encryption.keySource "
        "Microsoft.Keyvault; OSS BucketServerSideEncryption with sseAlgorithm KMS + kmsMasterKeyId."
    ),
    checks={**dict.fromkeys(S3_BUCKETS, _s2_s3), GCS_BUCKET: _s2_gcs, AZURE_ACCOUNT: _s2_azure, OSS_BUCKET: _s2_oss},
    needs_stack=True,
    covers=(*S3_ENCRYPTION, OSS_ENCRYPTION),
)


# -- S3: versioning -------------------------------------------------------------------------------
def _s3_s3(bucket: Resource, ctx: Context) -> Iterator[str]:
    stack = ctx.require_stack()
    if as_bool(bucket.get("versioning.enabled")):
        return
    statuses = [v.get("versioningConfiguration.status") for v in s3_attached(stack, bucket, S3_VERSIONING)]
    if "Enabled" not in statuses:
        yield "no BucketVersioning with status Enabled"


def _s3_gcs(bucket: Resource, ctx: Context) -> Iterator[str]:
    if not as_bool(bucket.get("versioning.enabled")):
        yield "versioning.enabled is not true"


def _s3_azure(account: Resource, ctx: Context) -> Iterator[str]:
    services = _azure_account_children(ctx.require_stack(), account, AZURE_BLOB_SERVICE)
    if not any(as_bool(s.get("isVersioningEnabled")) for s in services):
        yield "no BlobServiceProperties with isVersioningEnabled=true for this account"


def _s3_oss(bucket: Resource, ctx: Context) -> Iterator[str]:
    stack = ctx.require_stack()
    statuses = [
        bucket.get("versioning.status"),
        *(v.get("status") for v in s3_attached(stack, bucket, (OSS_VERSIONING,))),
    ]
    if "Enabled" not in statuses:
        yield "versioning is not Enabled (inline or BucketVersioning)"


BUCKET_VERSIONING = Rule(
    id="bucket-versioning-enabled",
    ref="S3",
    domain="storage",
    description="Buckets keep object versions (models, datasets and checkpoints can be recovered).",
    severity="medium",
    tags=("security",),
    remediation=(
        "S3: BucketVersioning status Enabled; GCS: versioning.enabled=true; Azure: BlobServiceProperties "
        "isVersioningEnabled=true; OSS: BucketVersioning status Enabled. Expire old versions with a lifecycle rule."
    ),
    checks={**dict.fromkeys(S3_BUCKETS, _s3_s3), GCS_BUCKET: _s3_gcs, AZURE_ACCOUNT: _s3_azure, OSS_BUCKET: _s3_oss},
    needs_stack=True,
    covers=(*S3_VERSIONING, AZURE_BLOB_SERVICE, OSS_VERSIONING),
)


# -- S4: access logging ---------------------------------------------------------------------------
_AZURE_STORAGE_LOG_CATEGORIES = {"storageread", "storagewrite", "storagedelete"}


def _s4_s3(bucket: Resource, ctx: Context) -> Iterator[str]:
    stack = ctx.require_stack()
    if is_log_target(stack, bucket) or bucket.get("logging.targetBucket"):
        return
    if not s3_attached(stack, bucket, S3_LOGGING):
        yield "no BucketLogging (server access logs) for this bucket"


def _s4_gcs(bucket: Resource, ctx: Context) -> Iterator[str]:
    if not bucket.get("logging.logBucket") and not is_log_target(ctx.require_stack(), bucket):
        yield "logging.logBucket is not set"


def _s4_azure(account: Resource, ctx: Context) -> Iterator[str]:
    stack = ctx.require_stack()
    watched = {account.urn, *(s.urn for s in _azure_account_children(stack, account, AZURE_BLOB_SERVICE))}
    for setting in stack.of_type(AZURE_DIAGNOSTIC_SETTING):
        if not watched & set(setting.property_dependencies.get("resourceUri", ())):
            continue
        for log in as_list(setting.get("logs")):
            if not isinstance(log, dict) or as_bool(log.get("enabled")) is False:
                continue
            category = str(log.get("category") or "").lower()
            group = str(log.get("categoryGroup") or "").lower()
            if category in _AZURE_STORAGE_LOG_CATEGORIES or group in ("alllogs", "audit"):
                return
    yield "no DiagnosticSetting sends StorageRead/StorageWrite/StorageDelete logs of this account (or its blob service)"


def _s4_oss(bucket: Resource, ctx: Context) -> Iterator[str]:
    stack = ctx.require_stack()
    if bucket.get("logging.targetBucket") or is_log_target(stack, bucket):
        return
    if not s3_attached(stack, bucket, (OSS_LOGGING,)):
        yield "no BucketLogging (access logs) for this bucket"


BUCKET_ACCESS_LOGGING = Rule(
    id="bucket-access-logging",
    ref="S4",
    domain="storage",
    description="Buckets record access logs (the log buckets themselves excepted).",
    severity="medium",
    tags=("security",),
    remediation=(
        "Send server access logs to a separate log bucket: S3 BucketLogging, GCS logging.logBucket, Azure a "
        "DiagnosticSetting with StorageRead/StorageWrite/StorageDelete on the blob service, OSS BucketLogging."
    ),
    checks={**dict.fromkeys(S3_BUCKETS, _s4_s3), GCS_BUCKET: _s4_gcs, AZURE_ACCOUNT: _s4_azure, OSS_BUCKET: _s4_oss},
    needs_stack=True,
    covers=(*S3_LOGGING, AZURE_DIAGNOSTIC_SETTING, OSS_LOGGING),
)


# -- S5: TLS only ---------------------------------------------------------------------------------
def _s5_s3(bucket: Resource, ctx: Context) -> Iterator[str]:
    documents = [bucket.get("policy"), *(p.get("policy") for p in s3_attached(ctx.require_stack(), bucket, S3_POLICY))]
    if not _denies_insecure_transport(documents, "aws:SecureTransport"):
        yield "no bucket policy denies requests with aws:SecureTransport=false"


def _s5_azure(account: Resource, ctx: Context) -> Iterator[str]:
    if account.get("minimumTlsVersion") not in ("TLS1_2", "TLS1_3"):
        yield f"minimumTlsVersion is {account.get('minimumTlsVersion', 'the API default')!r}, not TLS1_2 or later"
    if account.get("enableHttpsTrafficOnly") is False:
        yield "enableHttpsTrafficOnly is false"


def _s5_oss(bucket: Resource, ctx: Context) -> Iterator[str]:
    documents = [
        bucket.get("policy"),
        *(p.get("policy") for p in s3_attached(ctx.require_stack(), bucket, (OSS_POLICY,))),
    ]
    if not _denies_insecure_transport(documents, "acs:SecureTransport"):
        yield "no bucket policy denies requests with acs:SecureTransport=false"


STORAGE_TLS = Rule(
    id="storage-tls-only",
    ref="S5",
    domain="storage",
    description="Storage accepts TLS only (TLS 1.2 or later where the version is configurable).",
    severity="high",
    tags=("security",),
    remediation=(
        "S3/OSS: a bucket policy statement that denies every action when aws:SecureTransport / acs:SecureTransport "
        "is false. Azure: minimumTlsVersion TLS1_2 and enableHttpsTrafficOnly true. GCS only serves HTTPS."
    ),
    checks={**dict.fromkeys(S3_BUCKETS, _s5_s3), AZURE_ACCOUNT: _s5_azure, OSS_BUCKET: _s5_oss},
    needs_stack=True,
    covers=(*S3_POLICY, OSS_POLICY),
)


# -- S6: uniform access ---------------------------------------------------------------------------
def _s6_s3(bucket: Resource, ctx: Context) -> Iterator[str]:
    controls = s3_attached(ctx.require_stack(), bucket, S3_OWNERSHIP)
    if not any(c.get("rule.objectOwnership") == "BucketOwnerEnforced" for c in controls):
        yield "no BucketOwnershipControls with objectOwnership BucketOwnerEnforced (ACLs stay enabled)"


def _s6_gcs(bucket: Resource, ctx: Context) -> Iterator[str]:
    if not as_bool(bucket.get("uniformBucketLevelAccess")):
        yield "uniformBucketLevelAccess is not true (object ACLs stay enabled)"


def _s6_azure(account: Resource, ctx: Context) -> Iterator[str]:
    if account.get("allowSharedKeyAccess") is not False:
        yield "allowSharedKeyAccess is not false (account keys and SAS bypass Entra ID authorization)"


BUCKET_UNIFORM_ACCESS = Rule(
    id="bucket-uniform-access",
    ref="S6",
    domain="storage",
    description="Access is decided by IAM alone: ACLs disabled, uniform bucket-level access, shared keys off.",
    severity="medium",
    tags=("security",),
    remediation=(
        "S3: BucketOwnershipControls objectOwnership=BucketOwnerEnforced. GCS: uniformBucketLevelAccess=true. "
        "Azure: allowSharedKeyAccess=false (use Entra ID roles). OSS ACL grants are judged by "
        "bucket-public-access-blocked."
    ),
    checks={**dict.fromkeys(S3_BUCKETS, _s6_s3), GCS_BUCKET: _s6_gcs, AZURE_ACCOUNT: _s6_azure},
    needs_stack=True,
    covers=S3_OWNERSHIP,
)


# -- S7: storage network --------------------------------------------------------------------------
def _s7_azure(account: Resource, ctx: Context) -> Iterator[str]:
    if account.get("publicNetworkAccess") == "Disabled":
        return
    if account.get("networkRuleSet.defaultAction") != "Deny":
        yield "networkRuleSet.defaultAction is not Deny and publicNetworkAccess is not Disabled"


STORAGE_NETWORK = Rule(
    id="storage-network-default-deny",
    ref="S7",
    domain="storage",
    description="Storage accounts deny network access by default (private endpoints or listed networks only).",
    severity="high",
    tags=("security",),
    remediation="Set networkRuleSet.defaultAction=Deny (with bypass AzureServices) or publicNetworkAccess=Disabled "
    "and reach the account through a private endpoint.",
    checks={AZURE_ACCOUNT: _s7_azure},
)


# -- S18: disks -----------------------------------------------------------------------------------
def _s18_launch_template(template: Resource, ctx: Context) -> Iterator[str]:
    for index, mapping in enumerate(as_list(template.get("blockDeviceMappings"))):
        ebs = dig(mapping, "ebs")
        if isinstance(ebs, dict) and as_bool(ebs.get("encrypted")) is not True:
            yield f"blockDeviceMappings[{index}] ({dig(mapping, 'deviceName', '?')}) is not encrypted"


def _aws_default_encryption(stack: Stack) -> bool:
    return any(as_bool(r.get("enabled", True)) is not False for r in stack.of_type(AWS_EBS_DEFAULT_ENCRYPTION))


def _s18_volume(volume: Resource, ctx: Context) -> Iterator[str]:
    if as_bool(volume.get("encrypted")) is not True and not _aws_default_encryption(ctx.require_stack()):
        yield "encrypted is not true"


def _s18_instance(instance: Resource, ctx: Context) -> Iterator[str]:
    if _aws_default_encryption(ctx.require_stack()):
        return
    if as_bool(instance.get("rootBlockDevice.encrypted")) is not True and not instance.get("launchTemplate"):
        yield "rootBlockDevice.encrypted is not true"
    for index, device in enumerate(as_list(instance.get("ebsBlockDevices"))):
        if as_bool(dig(device, "encrypted")) is not True:
            yield f"ebsBlockDevices[{index}] is not encrypted"


def _s18_node_group(group: Resource, ctx: Context) -> Iterator[str]:
    if not group.get("launchTemplate") and not _aws_default_encryption(ctx.require_stack()):
        yield "no launch template: the root volume's encryption is left to the account default"


def _s18_azure_pool(pool: Resource, ctx: Context) -> Iterator[str]:
    if as_bool(pool.get("enableEncryptionAtHost")) is not True:
        yield "enableEncryptionAtHost is not true (temporary disks and caches are not encrypted)"


def _s18_alicloud_pool(pool: Resource, ctx: Context) -> Iterator[str]:
    if as_bool(pool.get("systemDiskEncrypted")) is not True:
        yield "systemDiskEncrypted is not true"
    for index, disk in enumerate(as_list(pool.get("dataDisks"))):
        if as_bool(dig(disk, "encrypted")) is not True:
            yield f"dataDisks[{index}] is not encrypted"


DISKS_ENCRYPTED = Rule(
    id="disks-encrypted",
    ref="S18",
    domain="storage",
    description="Node and instance disks are encrypted (Google Cloud encrypts every disk by default).",
    severity="high",
    tags=("security",),
    remediation=(
        "AWS: encrypted EBS volumes in the launch template (or EBS encryption by default). Azure: "
        "enableEncryptionAtHost=true on agent pools. Alibaba: systemDiskEncrypted=true and encrypted data disks."
    ),
    checks={
        AWS_LAUNCH_TEMPLATE: _s18_launch_template,
        AWS_EBS_VOLUME: _s18_volume,
        AWS_INSTANCE: _s18_instance,
        AWS_NODE_GROUP: _s18_node_group,
        AZURE_AGENT_POOL: _s18_azure_pool,
        ALICLOUD_NODE_POOL: _s18_alicloud_pool,
    },
    needs_stack=True,
    covers=(AWS_EBS_DEFAULT_ENCRYPTION,),
)


# -- S24: protect stateful resources --------------------------------------------------------------
def _s24(resource: Resource, ctx: Context) -> Iterator[str]:
    if not resource.protect:
        yield "holds data or is expensive to recreate but is not protected (protect=True, retainOnDelete=True)"


def _stateful_checks() -> dict[str, Check]:
    return {type_: _s24 for types in stateful_types().values() for type_ in sorted(types)}


STATEFUL_PROTECTED = Rule(
    id="stateful-resources-protected",
    ref="S24",
    domain="storage",
    description="Stateful resources (buckets, keys, clusters, workspaces) are protected against deletion.",
    severity="high",
    tags=("security",),
    remediation="Declare the resource with ResourceOptions(protect=True, retain_on_delete=True) in this environment "
    "(components do this through stateful_options when the stack is prod).",
    checks=_stateful_checks(),
)


# -- C7: lifecycle tiering ------------------------------------------------------------------------
def _enabled(rule: dict) -> bool:
    return rule.get("status", "Enabled") == "Enabled" and as_bool(rule.get("enabled", True)) is not False


def _c7_s3(bucket: Resource, ctx: Context) -> Iterator[str]:
    stack = ctx.require_stack()
    rules = [r for r in as_list(bucket.get("lifecycleRules")) if isinstance(r, dict)]
    for config in s3_attached(stack, bucket, S3_LIFECYCLE):
        rules.extend(r for r in as_list(config.get("rules")) if isinstance(r, dict))
    rules = [r for r in rules if _enabled(r)]
    if not any(r.get("transitions") or r.get("noncurrentVersionTransitions") for r in rules):
        yield "no enabled lifecycle rule moves objects to a cheaper storage class"
    if not any(r.get("abortIncompleteMultipartUpload") or r.get("abortIncompleteMultipartUploadDays") for r in rules):
        yield "no enabled lifecycle rule aborts incomplete multipart uploads"


def _c7_gcs(bucket: Resource, ctx: Context) -> Iterator[str]:
    actions = {dig(r, "action.type") for r in as_list(bucket.get("lifecycleRules"))}
    if "SetStorageClass" not in actions and not as_bool(bucket.get("autoclass.enabled")):
        yield "no SetStorageClass lifecycle rule and autoclass is off"
    if "AbortIncompleteMultipartUpload" not in actions:
        yield "no AbortIncompleteMultipartUpload lifecycle rule"


def _c7_azure(account: Resource, ctx: Context) -> Iterator[str]:
    for policy in _azure_account_children(ctx.require_stack(), account, AZURE_MANAGEMENT_POLICY):
        for rule in as_list(policy.get("policy.rules")):
            base = dig(rule, "definition.actions.baseBlob", {})
            enabled = as_bool(dig(rule, "enabled")) is not False
            if (
                enabled
                and isinstance(base, dict)
                and any(base.get(k) for k in ("tierToCool", "tierToCold", "tierToArchive"))
            ):
                return
    yield "no ManagementPolicy rule tiers blobs to cool, cold or archive"


def _c7_oss(bucket: Resource, ctx: Context) -> Iterator[str]:
    rules = [r for r in as_list(bucket.get("lifecycleRules")) if isinstance(r, dict) and as_bool(r.get("enabled"))]
    if not any(r.get("transitions") for r in rules):
        yield "no enabled lifecycle rule with transitions to a cheaper storage class"
    if not any(r.get("abortMultipartUploads") for r in rules):
        yield "no enabled lifecycle rule aborts incomplete multipart uploads"


BUCKET_LIFECYCLE = Rule(
    id="bucket-lifecycle-tiering",
    ref="C7",
    domain="storage",
    description="Buckets tier old objects to cheaper storage and abort incomplete uploads.",
    severity="low",
    tags=("cost",),
    remediation=(
        "Add lifecycle rules: transition to infrequent-access/archive classes after N days and abort incomplete "
        "multipart uploads after a few days (S3 BucketLifecycleConfiguration, GCS lifecycleRules or autoclass, "
        "Azure ManagementPolicy tierToCool/tierToArchive, OSS lifecycleRules)."
    ),
    checks={**dict.fromkeys(S3_BUCKETS, _c7_s3), GCS_BUCKET: _c7_gcs, AZURE_ACCOUNT: _c7_azure, OSS_BUCKET: _c7_oss},
    needs_stack=True,
    covers=(*S3_LIFECYCLE, AZURE_MANAGEMENT_POLICY),
)


RULES = [
    BUCKET_PUBLIC_ACCESS,
    BUCKET_CMK,
    BUCKET_VERSIONING,
    BUCKET_ACCESS_LOGGING,
    STORAGE_TLS,
    BUCKET_UNIFORM_ACCESS,
    STORAGE_NETWORK,
    DISKS_ENCRYPTED,
    STATEFUL_PROTECTED,
    BUCKET_LIFECYCLE,
]
