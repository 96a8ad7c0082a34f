"""ai-infra:alicloud:Bucket: the hardening children and the inputs that make the bucket safe."""

from __future__ import annotations

import json

import pulumi

from components.alicloud import Bucket, BucketArgs, BucketTiering

TAGS = {"environment": "test", "owner": "ml", "cost-center": "cc-1"}
BUCKET = "alicloud:oss/bucket:Bucket"
KEY = "alicloud:kms/key:Key"
OWNER = "5123456789012345"  # the fake account UID


def make(**overrides):
    args = {"bucket_name": "ai-infra-test-models", "purpose": "models", "tags": TAGS, **overrides}
    return lambda: Bucket("models", BucketArgs(**args))


def test_private_acl_through_bucket_acl_not_the_deprecated_inline_acl(declare):
    run = declare(make())
    assert "acl" not in run.one(BUCKET).inputs
    acl = run.one("alicloud:oss/bucketAcl:BucketAcl")
    assert acl.inputs == {"bucket": "ai-infra-test-models", "acl": "private"}


def test_public_access_is_blocked(declare):
    block = declare(make()).one("alicloud:oss/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert block.inputs["blockPublicAccess"] is True


def test_encrypted_with_its_own_rotating_customer_key(declare):
    run = declare(make())
    key = run.one(KEY).inputs
    assert key["automaticRotation"] == "Enabled" and key["keyUsage"] == "ENCRYPT/DECRYPT"
    sse = run.one("alicloud:oss/bucketServerSideEncryption:BucketServerSideEncryption").inputs
    assert sse["sseAlgorithm"] == "KMS" and sse["kmsMasterKeyId"] == run.id_of("models-key")


def test_access_log_target_bucket_is_encrypted_with_its_own_customer_key_too(declare):
    # OSS documents no encryption restriction on the log destination (unlike S3), so the bucket
    # that receives access logs is SSE-KMS like every other bucket; there is no opt-out.
    def program():
        logs = Bucket("logs", BucketArgs(bucket_name="ai-infra-test-access-logs", purpose="access-logs"))
        Bucket(
            "models",
            BucketArgs(bucket_name="ai-infra-test-models", purpose="models", access_log_bucket=logs.bucket_name),
        )

    run = declare(program)
    sse = {
        r.inputs["bucket"]: r.inputs
        for r in run.of_type("alicloud:oss/bucketServerSideEncryption:BucketServerSideEncryption")
    }
    assert sse["ai-infra-test-access-logs"] == {
        "bucket": "ai-infra-test-access-logs",
        "sseAlgorithm": "KMS",
        "kmsMasterKeyId": run.id_of("logs-key"),
    }
    assert sse["ai-infra-test-models"]["kmsMasterKeyId"] == run.id_of("models-key")
    assert run.one("alicloud:oss/bucketLogging:BucketLogging").inputs["targetBucket"] == "ai-infra-test-access-logs"
    assert "customer_managed_key" not in BucketArgs.__dataclass_fields__


def test_versioning_is_on(declare):
    versioning = declare(make()).one("alicloud:oss/bucketVersioning:BucketVersioning")
    assert versioning.inputs == {"bucket": "ai-infra-test-models", "status": "Enabled"}


def test_lifecycle_tiers_to_ia_archive_cold_archive_and_expires_old_versions(declare):
    tiering = BucketTiering(infrequent_access_days=30, archive_days=90, cold_archive_days=365)
    run = declare(make(tiering=tiering, noncurrent_version_days=14))
    [rule] = run.one(BUCKET).inputs["lifecycleRules"]
    assert rule["enabled"] is True and rule["prefix"] == ""
    assert rule["transitions"] == [
        {"days": 30, "storageClass": "IA"},
        {"days": 90, "storageClass": "Archive"},
        {"days": 365, "storageClass": "ColdArchive"},
    ]
    assert rule["noncurrentVersionExpirations"] == [{"days": 14}]
    assert rule["abortMultipartUploads"] == [{"days": 7}]


def test_tiering_steps_left_out_are_skipped(declare):
    [rule] = declare(make(tiering=BucketTiering(infrequent_access_days=None))).one(BUCKET).inputs["lifecycleRules"]
    assert "transitions" not in rule and rule["noncurrentVersionExpirations"] == [{"days": 30}]


def test_policy_denies_requests_without_tls(declare):
    policy = json.loads(declare(make()).one("alicloud:oss/bucketPolicy:BucketPolicy").inputs["policy"])
    [statement] = policy["Statement"]
    assert statement["Effect"] == "Deny" and statement["Principal"] == ["*"]
    assert statement["Condition"] == {"Bool": {"acs:SecureTransport": ["false"]}}
    assert set(statement["Resource"]) == {
        f"acs:oss:*:{OWNER}:ai-infra-test-models",
        f"acs:oss:*:{OWNER}:ai-infra-test-models/*",
    }


def test_dev_bucket_is_force_destroyable_and_unprotected(declare):
    run = declare(make(protect=False))
    assert run.one(BUCKET).inputs["forceDestroy"] is True
    for record in (run.one(BUCKET), run.one(KEY)):
        assert not record.protect and not record.retain_on_delete


def test_prod_bucket_and_key_are_protected_and_retained(declare):
    run = declare(make(protect=True))
    for record in (run.one(BUCKET), run.one(KEY)):
        assert record.protect and record.retain_on_delete, record.type
    assert run.one(BUCKET).inputs["forceDestroy"] is False
    assert run.one(KEY).inputs["deletionProtection"] == "Enabled"


def test_tags_on_bucket_and_key(declare):
    run = declare(make())
    for record in (run.one(BUCKET), run.one(KEY)):
        assert record.inputs["tags"] == {**TAGS, "purpose": "models"}


def test_access_logging_only_when_asked(declare):
    assert declare(make()).of_type("alicloud:oss/bucketLogging:BucketLogging") == []
    logging = declare(make(access_log_bucket="ai-infra-test-logs")).one("alicloud:oss/bucketLogging:BucketLogging")
    assert logging.inputs["targetBucket"] == "ai-infra-test-logs"
    assert logging.inputs["targetPrefix"] == "ai-infra-test-models/"


def test_children_are_parented_to_the_component(declare):
    run = declare(make())
    component = run.one("ai-infra:alicloud:Bucket")
    children = {r.type for r in run.children_of(component.urn)}
    assert {BUCKET, KEY, "alicloud:oss/bucketAcl:BucketAcl", "alicloud:oss/bucketPolicy:BucketPolicy"} <= children


def test_read_statements_grant_no_write_and_no_wildcards(declare):
    captured: dict = {}

    def program():
        bucket = Bucket("models", BucketArgs(bucket_name="ai-infra-test-models", purpose="models"))
        bucket.access_statements("read").apply(lambda s: captured.setdefault("read", s))
        bucket.access_statements("write").apply(lambda s: captured.setdefault("write", s))
        return pulumi.Output.from_input(None)

    declare(program)
    read_actions = {a for s in captured["read"] for a in s["Action"]}
    write_actions = {a for s in captured["write"] for a in s["Action"]}
    assert "oss:PutObject" not in read_actions and "oss:PutObject" in write_actions
    assert "kms:Decrypt" in read_actions and "kms:GenerateDataKey" in write_actions - read_actions
    for statement in captured["read"] + captured["write"]:
        assert all("*" not in a for a in statement["Action"])
        assert all(r != "*" and not r.endswith(":*") for r in statement["Resource"])
