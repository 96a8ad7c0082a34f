"""Disaster recovery: stateful buckets keep a copy outside their region.

"Stateful" is what the project protects: a bucket declared with `protect` (prod: the data must
outlive the program) is judged; unprotected (dev) buckets are not, and `stateful-resources-protected`
keeps prod buckets protected. Access-log targets are exempt (their loss loses no data the
environment needs to recover) and so are replicas (they are the copy).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from policies.framework import Context, Example, Resource, Rule, Stack, as_list, dig

S3_BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
S3_REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
S3_LOGGING = ("aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2")
GCS_BUCKET = "gcp:storage/bucket:Bucket"
AZURE_ACCOUNT = "azure-native:storage:StorageAccount"
AZURE_OBJECT_REPLICATION = "azure-native:storage:ObjectReplicationPolicy"
OSS_BUCKET = "alicloud:oss/bucket:Bucket"
OSS_REPLICATION = "alicloud:oss/bucketReplication:BucketReplication"
OSS_LOGGING = "alicloud:oss/bucketLogging:BucketLogging"

AZURE_GEO_SKUS = frozenset({"Standard_GRS", "Standard_RAGRS", "Standard_GZRS", "Standard_RAGZRS"})
"""Storage redundancies that keep a copy in the paired region."""
GCS_MULTI_REGIONS = frozenset({"US", "EU", "ASIA"})
"""Multi-region locations: data in at least two regions, no turbo replication offered."""
GCS_DUAL_REGIONS = frozenset({"NAM4", "EUR4", "EUR5", "EUR7", "EUR8", "ASIA1"})
"""Predefined dual-regions."""
TURBO = "ASYNC_TURBO"


def _names(bucket: Resource, prop: str = "bucket") -> list[str]:
    name = bucket.peek(prop)
    return [name] if isinstance(name, str) and name else []


def _s3_arns(bucket: Resource) -> list[str]:
    return [f"arn:{partition}:s3:::{name}" for name in _names(bucket) for partition in ("aws", "aws-cn", "aws-us-gov")]


def _logs_into(stack: Stack, bucket: Resource, logging_types: tuple[str, ...], bucket_types: tuple[str, ...]) -> bool:
    """Whether other buckets deliver access logs into this one (a log target)."""
    if stack.referencing(bucket, logging_types, "targetBucket", values=_names(bucket)):
        return True
    names = _names(bucket)
    return any(
        other is not bucket
        and (other.comes_from("logging", bucket.urn) or dig(other.peek("logging"), "targetBucket") in names)
        for other in stack.of_type(*bucket_types)
    )


def _kms_objects_replicated(rule: Mapping[str, Any]) -> bool:
    return dig(rule, "sourceSelectionCriteria.sseKmsEncryptedObjects.status") == "Enabled"


# -- AWS ------------------------------------------------------------------------------------------
def _s3(bucket: Resource, ctx: Context) -> Iterator[str]:
    stack = ctx.require_stack()
    if not bucket.protect or _logs_into(stack, bucket, S3_LOGGING, S3_BUCKETS):
        return
    if stack.referencing(bucket, S3_REPLICATION, "rules", values=_s3_arns(bucket)):
        return  # a replica: the destination of another bucket's replication
    configs = stack.referencing(bucket, S3_REPLICATION, "bucket", values=_names(bucket))
    if not configs:
        yield "protected bucket is not replicated to another region (no BucketReplicationConfig)"
        return
    rules = [
        r for c in configs for r in as_list(c.get("rules")) if isinstance(r, dict) and r.get("status") == "Enabled"
    ]
    if not rules:
        yield "the bucket's replication configuration has no enabled rule"
    elif not any(_kms_objects_replicated(r) for r in rules):
        yield "replication skips SSE-KMS encrypted objects (sourceSelectionCriteria.sseKmsEncryptedObjects)"
    for config in configs:
        here = dig(bucket.provider.props if bucket.provider else {}, "region")
        for replica in stack.origins(config, "rules"):
            there = dig(replica.provider.props if replica.provider else {}, "region")
            if replica.type in S3_BUCKETS and isinstance(here, str) and here == there:
                yield f"replicates to {replica.name} in the same region ({here}); a DR copy must be elsewhere"


# -- Google Cloud ---------------------------------------------------------------------------------
def _gcs_logs_into(stack: Stack, bucket: Resource) -> bool:
    name = bucket.peek("name")
    return any(
        other is not bucket
        and (
            other.comes_from("logging", bucket.urn)
            or (isinstance(name, str) and dig(other.peek("logging"), "logBucket") == name)
        )
        for other in stack.of_type(GCS_BUCKET)
    )


def _gcs(bucket: Resource, ctx: Context) -> Iterator[str]:
    if not bucket.protect or _gcs_logs_into(ctx.require_stack(), bucket):
        return
    location = str(bucket.get("location") or "").upper()
    regions = as_list(bucket.get("customPlacementConfig.dataLocations"))
    dual = len(regions) >= 2 or location in GCS_DUAL_REGIONS
    if not dual and location not in GCS_MULTI_REGIONS:
        yield f"bucket lives in one region ({location or 'unset'}); use a dual-region (customPlacementConfig)"
    elif dual and bucket.get("rpo") != TURBO:
        yield "dual-region without turbo replication (rpo ASYNC_TURBO): new objects may take up to 12 hours to copy"


# -- Azure ----------------------------------------------------------------------------------------
def _azure(account: Resource, ctx: Context) -> Iterator[str]:
    if not account.protect:
        return
    sku = dig(account.get("sku"), "name")
    if sku in AZURE_GEO_SKUS:
        return
    stack = ctx.require_stack()
    if stack.referencing(account, AZURE_OBJECT_REPLICATION, "sourceAccount") or stack.referencing(
        account, AZURE_OBJECT_REPLICATION, "destinationAccount"
    ):
        return
    yield f"storage account sku {sku} keeps data in one region; use Standard_GZRS/RAGZRS or object replication"


# -- Alibaba Cloud --------------------------------------------------------------------------------
def _oss(bucket: Resource, ctx: Context) -> Iterator[str]:
    stack = ctx.require_stack()
    if not bucket.protect or _logs_into(stack, bucket, (OSS_LOGGING,), (OSS_BUCKET,)):
        return
    if stack.referencing(bucket, OSS_REPLICATION, "destination", values=()):
        return  # a replica
    names = _names(bucket)
    if any(dig(r.peek("destination"), "bucket") in names for r in stack.of_type(OSS_REPLICATION) if names):
        return
    replications = stack.referencing(bucket, OSS_REPLICATION, "bucket", values=names)
    if not replications:
        yield "protected bucket is not replicated to another region (no oss.BucketReplication)"
        return
    if not any(_kms_objects_replicated(r.props) for r in replications):
        yield "replication skips SSE-KMS encrypted objects (sourceSelectionCriteria.sseKmsEncryptedObjects)"


BUCKETS_REPLICATED = Rule(
    id="stateful-buckets-replicated",
    ref="",
    domain="disaster-recovery",
    description="Protected (stateful) buckets keep a copy in a second region.",
    severity="high",
    tags=("security",),
    remediation="Set `dr_region` for the cloud in the stack config: S3 and OSS buckets get a replication rule to a "
    "hardened replica there (KMS objects included), GCS buckets become dual-region with turbo replication, Azure "
    "storage accounts become RA-GZRS.",
    rationale="Zone-redundant storage survives the loss of a data center, not of a region. Training data, "
    "checkpoints and models in one region are lost, or unreachable for the length of the outage, when the region "
    "fails; a replica elsewhere bounds both the data lost (RPO) and the time to serve again (RTO).",
    needs_stack=True,
    checks={**dict.fromkeys(S3_BUCKETS, _s3), GCS_BUCKET: _gcs, AZURE_ACCOUNT: _azure, OSS_BUCKET: _oss},
    covers=(S3_REPLICATION, AZURE_OBJECT_REPLICATION, OSS_REPLICATION),
    examples=(
        Example(
            type=AZURE_ACCOUNT,
            compliant={"sku": {"name": "Standard_RAGZRS"}, "kind": "StorageV2"},
            violating={"sku": {"name": "Standard_ZRS"}, "kind": "StorageV2"},
            note="zone-redundant only (one region)",
        ),
        Example(
            type=GCS_BUCKET,
            compliant={
                "location": "US",
                "customPlacementConfig": {"dataLocations": ["US-CENTRAL1", "US-EAST1"]},
                "rpo": "ASYNC_TURBO",
            },
            violating={"location": "US-CENTRAL1"},
            note="a regional bucket",
        ),
    ),
)

RULES = [BUCKETS_REPLICATED]
