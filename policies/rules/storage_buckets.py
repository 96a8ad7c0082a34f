"""Buckets and storage accounts: who can reach the data (public access S1, uniform access S6)
and how it is kept (customer-managed keys S2, versioning S3)."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import Context, Example, Resource, Rule, as_bool, as_list, dig
from policies.rules.references import SERVICE_ACCOUNT_TYPES, computed_from, names_customer_key
from policies.rules.storage_resources import (
    AZURE_ACCOUNT,
    AZURE_BLOB_SERVICE,
    AZURE_CONTAINER,
    GCS_BUCKET,
    GCS_BUCKET_IAM,
    OSS_ACL,
    OSS_BUCKET,
    OSS_ENCRYPTION,
    OSS_PUBLIC_ACCESS_BLOCK,
    OSS_VERSIONING,
    PUBLIC_ACCESS_FLAGS,
    PUBLIC_ACLS,
    PUBLIC_GCP_MEMBERS,
    S3_ACCOUNT_PUBLIC_ACCESS_BLOCK,
    S3_ACL,
    S3_BUCKETS,
    S3_ENCRYPTION,
    S3_OWNERSHIP,
    S3_POLICY,
    S3_PUBLIC_ACCESS_BLOCK,
    S3_VERSIONING,
    azure_account_children,
    is_log_target,
    public_statement,
    s3_attached,
)


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
    if any(public_statement(d) for d in documents):
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
    rationale="A public bucket is the most common cloud data leak: datasets, checkpoints and model weights are "
    "found by scanners that enumerate bucket names. Every cloud has an account- or bucket-level switch "
    "that overrides any ACL or policy that would make objects public; with it on, a mistaken grant cannot"
    " expose data.",
    examples=(
        Example(
            type="gcp:storage/bucket:Bucket",
            compliant={"name": "models", "publicAccessPrevention": "enforced"},
            violating={"name": "models", "publicAccessPrevention": "inherited"},
            note="public access prevention left to the project default",
        ),
        Example(
            type="azure-native:storage:BlobContainer",
            compliant={"containerName": "models", "publicAccess": "None"},
            violating={"containerName": "models", "publicAccess": "Container"},
            note="anonymous read and list",
        ),
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
    if as_bool(account.get("encryption.requireInfrastructureEncryption")) is not True:
        yield "encryption.requireInfrastructureEncryption is not true (no second, infrastructure-level encryption)"


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
    rationale="With a customer-managed key, access to the data is logged and authorized at the key as well as the "
    "bucket, and disabling the key makes every copy and backup unreadable at once. Provider-managed keys "
    "(including AWS-managed alias/aws/s3) give the provider, not you, that control.",
    examples=(
        Example(
            type="gcp:storage/bucket:Bucket",
            compliant={
                "name": "models",
                "encryption": {"defaultKmsKeyName": "projects/p/locations/us/keyRings/r/cryptoKeys/k"},
            },
            violating={"name": "models"},
            note="Google-managed keys only",
        ),
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
    services = azure_account_children(ctx.require_stack(), account, AZURE_BLOB_SERVICE)
    if not any(as_bool(s.get("isVersioningEnabled")) for s in services):
        yield "no BlobServiceProperties with isVersioningEnabled=true for this account"
    if not any(as_bool(dig(s.props, "deleteRetentionPolicy.enabled")) for s in services):
        yield "no BlobServiceProperties with deleteRetentionPolicy enabled (deleted blobs cannot be restored)"


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
    rationale="A deleted or overwritten checkpoint, dataset shard or model artefact is gone for good without "
    "versioning; with it, an accidental or malicious overwrite (ransomware included) is undone by "
    "restoring the previous version.",
    examples=(
        Example(
            type="gcp:storage/bucket:Bucket",
            compliant={"name": "checkpoints", "versioning": {"enabled": True}},
            violating={"name": "checkpoints", "versioning": {"enabled": False}},
            note="versioning off",
        ),
    ),
    checks={**dict.fromkeys(S3_BUCKETS, _s3_s3), GCS_BUCKET: _s3_gcs, AZURE_ACCOUNT: _s3_azure, OSS_BUCKET: _s3_oss},
    needs_stack=True,
    covers=(*S3_VERSIONING, AZURE_BLOB_SERVICE, OSS_VERSIONING),
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
    if as_bool(account.get("isLocalUserEnabled")) is not False:
        yield "isLocalUserEnabled is not false (SFTP/local users authenticate outside Entra ID)"


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
    rationale="Object ACLs and shared keys grant access outside IAM: they are not visible in IAM reviews, not bound"
    " to an identity, and can be set by any writer on its own objects. Deciding access by IAM alone keeps"
    " one place to audit.",
    examples=(
        Example(
            type="gcp:storage/bucket:Bucket",
            compliant={"name": "datasets", "uniformBucketLevelAccess": True},
            violating={"name": "datasets", "uniformBucketLevelAccess": False},
            note="object ACLs enabled",
        ),
    ),
    checks={**dict.fromkeys(S3_BUCKETS, _s6_s3), GCS_BUCKET: _s6_gcs, AZURE_ACCOUNT: _s6_azure},
    needs_stack=True,
    covers=S3_OWNERSHIP,
)
