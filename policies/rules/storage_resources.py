"""Where a bucket's hardening lives: the type tokens of buckets, storage accounts and the separate
resources that harden them, and how those resources are found for a bucket (by property
dependency or, for programs that pass plain strings, by the bucket's name).

Providers split a bucket's hardening across resources: an S3 bucket's public access block,
encryption, versioning, lifecycle, logging and policy are separate resources keyed by `bucket=`;
an Azure storage account's versioning lives on its blob service, its tiering in a management
policy; OSS has separate public-access-block, encryption and versioning resources. The storage
rules therefore run over the whole stack and look for the bucket's hardening resource: a bucket
that lacks it is the finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from policies.framework import Resource, Stack, as_list, dig, parse_json

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
AZURE_CLUSTER = "azure-native:containerservice:ManagedCluster"
GKE_CLUSTER = "gcp:container/cluster:Cluster"
GKE_NODE_POOL = "gcp:container/nodePool:NodePool"
ALICLOUD_NODE_POOL = "alicloud:cs/nodePool:NodePool"

PUBLIC_ACLS = {"public-read", "public-read-write", "authenticated-read"}
PUBLIC_GCP_MEMBERS = {"allUsers", "allAuthenticatedUsers"}
PUBLIC_ACCESS_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


# -- correlation helpers --------------------------------------------------------------------------
def s3_name(bucket: Resource) -> list[str]:
    name = bucket.get("bucket")
    return [name] if isinstance(name, str) else []


def s3_attached(stack: Stack, bucket: Resource, types: Sequence[str], prop: str = "bucket") -> list[Resource]:
    """Hardening resources of `types` attached to an S3 (or OSS) bucket through `prop`."""
    return stack.referencing(bucket, types, prop, values=s3_name(bucket))


def is_log_target(stack: Stack, bucket: Resource) -> bool:
    """Whether other buckets deliver their access logs to this one (S3 cannot write server access
    logs with SSE-KMS, and a log bucket that logged its own access would loop)."""
    if bucket.type in S3_BUCKETS:
        if s3_attached(stack, bucket, S3_LOGGING, prop="targetBucket"):
            return True
        return any(
            dig(b.props, "logging.targetBucket") in s3_name(bucket)
            for b in stack.of_type(*S3_BUCKETS)
            if b is not bucket
        )
    if bucket.type == OSS_BUCKET:
        return bool(s3_attached(stack, bucket, (OSS_LOGGING,), prop="targetBucket")) or any(
            dig(b.props, "logging.targetBucket") in s3_name(bucket)
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


def azure_account_children(stack: Stack, account: Resource, types: str | Sequence[str]) -> list[Resource]:
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


def policy_values(value: object) -> list[object]:
    """A policy field that may be a scalar or a list, as a list."""
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


_ANY_OBJECT = "\u2603-any/object-key"
"""An object key no narrower pattern would match: a resource pattern that matches it covers every object."""


def wildcard_match(pattern: str, text: str) -> bool:
    """IAM-style matching: `*` any run of characters, `?` one character."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, re.DOTALL) is not None


def _everyone(principal: object) -> bool:
    if isinstance(principal, dict):
        return any("*" in policy_values(v) for v in principal.values())
    return "*" in policy_values(principal)


def _every_action(actions: object, service: str) -> bool:
    return any(str(a).lower() in ("*", f"{service}:*") for a in policy_values(actions))


def _whole_bucket(resources: object, bucket: str | None) -> bool:
    """Whether the resource patterns cover the bucket itself and every object in it."""
    patterns = [str(r) for r in policy_values(resources)]
    if not patterns:
        return True  # OSS statements without Resource apply to the bucket the policy is on
    tails = ["*" if p == "*" else p.rsplit(":", 1)[-1] for p in patterns]
    if bucket is None:
        return any("/" not in t for t in tails) and any(t.endswith("/*") or t == "*" for t in tails)
    return any(wildcard_match(t, bucket) for t in tails) and any(
        wildcard_match(t, f"{bucket}/{_ANY_OBJECT}") for t in tails
    )


def _only_insecure_transport(condition: object, condition_key: str) -> bool:
    """The statement's condition is exactly "the request did not use TLS" (any other condition
    narrows the deny to some requests)."""
    if not isinstance(condition, dict) or len(condition) != 1:
        return False
    operator, clause = next(iter(condition.items()))
    if not str(operator).startswith("Bool") or not isinstance(clause, dict) or len(clause) != 1:
        return False
    key, expected = next(iter(clause.items()))
    return str(key).lower() == condition_key.lower() and [str(v).lower() for v in policy_values(expected)] == ["false"]


def denies_insecure_transport(
    documents: Iterable[object], condition_key: str, *, service: str, bucket: str | None
) -> bool:
    """Whether a Deny statement refuses every request without TLS: from every principal, for
    every action of the service, on the bucket and all its objects, with no other condition. A
    deny of one action, on one prefix, or for one principal leaves plain-HTTP access open."""
    for document in documents:
        for statement in policy_statements(document):
            if (
                statement.get("Effect") == "Deny"
                and "NotAction" not in statement
                and "NotResource" not in statement
                and _everyone(statement.get("Principal"))
                and _every_action(statement.get("Action"), service)
                and _whole_bucket(statement.get("Resource"), bucket)
                and _only_insecure_transport(statement.get("Condition"), condition_key)
            ):
                return True
    return False


def public_statement(document: object) -> bool:
    """An Allow statement to everyone (`Principal: "*"`) without a narrowing condition."""
    for statement in policy_statements(document):
        if statement.get("Effect") != "Allow" or statement.get("Condition"):
            continue
        principal = statement.get("Principal")
        principals: list[object] = []
        if isinstance(principal, dict):
            for value in principal.values():
                principals.extend(policy_values(value))
        else:
            principals = policy_values(principal)
        if "*" in principals:
            return True
    return False
