"""What buckets record and how long they keep it: access logs (S4) and lifecycle tiering (C7)."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import Context, Example, Resource, Rule, as_bool, as_list, dig
from policies.rules.storage_resources import (
    AZURE_ACCOUNT,
    AZURE_BLOB_SERVICE,
    AZURE_DIAGNOSTIC_SETTING,
    AZURE_MANAGEMENT_POLICY,
    GCS_BUCKET,
    OSS_BUCKET,
    OSS_LOGGING,
    S3_BUCKETS,
    S3_LIFECYCLE,
    S3_LOGGING,
    azure_account_children,
    is_log_target,
    s3_attached,
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
    target = bucket.get("logging.logBucket")
    if not target and not is_log_target(ctx.require_stack(), bucket):
        yield "logging.logBucket is not set"
    elif target and target == bucket.get("name"):
        yield "logging.logBucket is the bucket itself (its own access logs would be logged again, without end)"


def _s4_azure(account: Resource, ctx: Context) -> Iterator[str]:
    stack = ctx.require_stack()
    watched = {account.urn, *(s.urn for s in azure_account_children(stack, account, AZURE_BLOB_SERVICE))}
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
    rationale="Access logs are the record of who read which object: without them a leak of training data or model "
    "weights cannot be scoped, and unusual downloads cannot be noticed.",
    examples=(
        Example(
            type="gcp:storage/bucket:Bucket",
            compliant={"name": "datasets", "logging": {"logBucket": "access-logs"}},
            violating={"name": "datasets"},
            note="no access log bucket",
        ),
    ),
    checks={**dict.fromkeys(S3_BUCKETS, _s4_s3), GCS_BUCKET: _s4_gcs, AZURE_ACCOUNT: _s4_azure, OSS_BUCKET: _s4_oss},
    needs_stack=True,
    covers=(*S3_LOGGING, AZURE_DIAGNOSTIC_SETTING, OSS_LOGGING),
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
    for policy in azure_account_children(ctx.require_stack(), account, AZURE_MANAGEMENT_POLICY):
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
    rationale="Checkpoints and dataset snapshots are written once and rarely read; left in the hot tier they "
    "dominate the storage bill within months, and abandoned multipart uploads bill without ever appearing"
    " as objects.",
    examples=(
        Example(
            type="gcp:storage/bucket:Bucket",
            compliant={
                "name": "checkpoints",
                "lifecycleRules": [
                    {"action": {"type": "SetStorageClass", "storageClass": "NEARLINE"}, "condition": {"age": 30}},
                    {"action": {"type": "AbortIncompleteMultipartUpload"}, "condition": {"age": 7}},
                ],
            },
            violating={"name": "checkpoints"},
            note="no lifecycle rules",
        ),
    ),
    checks={**dict.fromkeys(S3_BUCKETS, _c7_s3), GCS_BUCKET: _c7_gcs, AZURE_ACCOUNT: _c7_azure, OSS_BUCKET: _c7_oss},
    needs_stack=True,
    covers=(*S3_LIFECYCLE, AZURE_MANAGEMENT_POLICY),
)
