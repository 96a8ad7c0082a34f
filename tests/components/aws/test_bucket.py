"""ai-infra:aws:Bucket: the hardening children and the inputs that make the bucket safe."""

from __future__ import annotations

import json

import pulumi

from components.aws import Bucket, BucketArgs, BucketTiering

TAGS = {"environment": "test", "owner": "ml", "cost-center": "cc-1"}
BUCKET = "aws:s3/bucket:Bucket"


def make(**overrides):
    args = {"bucket_name": "ai-infra-test-models", "purpose": "models", "tags": TAGS, **overrides}
    return lambda: Bucket("models", BucketArgs(**args))


def test_all_four_public_access_blocks_are_on(declare):
    run = declare(make())
    block = run.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"):
        assert block.inputs[flag] is True, flag


def test_encrypted_with_its_own_rotating_customer_key(declare):
    run = declare(make())
    key = run.one("aws:kms/key:Key")
    assert key.inputs["enableKeyRotation"] is True
    sse = run.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    rule = sse.inputs["rules"][0]
    assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
    assert rule["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"].startswith("arn:aws:kms:")
    assert rule["bucketKeyEnabled"] is True


def test_acls_disabled_and_versioning_on(declare):
    run = declare(make())
    ownership = run.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls")
    assert ownership.inputs["rule"]["objectOwnership"] == "BucketOwnerEnforced"
    versioning = run.one("aws:s3/bucketVersioning:BucketVersioning")
    assert versioning.inputs["versioningConfiguration"]["status"] == "Enabled"


def test_policy_denies_requests_without_tls(declare):
    run = declare(make())
    policy = json.loads(run.one("aws:s3/bucketPolicy:BucketPolicy").inputs["policy"])
    [statement] = policy["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert set(statement["Resource"]) == {
        "arn:aws:s3:::ai-infra-test-models",
        "arn:aws:s3:::ai-infra-test-models/*",
    }


def test_lifecycle_tiers_aborts_uploads_and_expires_old_versions(declare):
    run = declare(make(tiering=BucketTiering(infrequent_access_days=30, archive_days=90), noncurrent_version_days=14))
    rules = {
        r["id"]: r for r in run.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"]
    }
    assert rules["tiering"]["transitions"] == [
        {"days": 30, "storageClass": "STANDARD_IA"},
        {"days": 90, "storageClass": "GLACIER"},
    ]
    assert rules["abort-incomplete-uploads"]["abortIncompleteMultipartUpload"]["daysAfterInitiation"] == 7
    assert rules["expire-noncurrent-versions"]["noncurrentVersionExpiration"]["noncurrentDays"] == 14


def test_dev_bucket_is_force_destroyable_and_unprotected(declare):
    run = declare(make(protect=False))
    bucket = run.one(BUCKET)
    assert bucket.inputs["forceDestroy"] is True
    assert not bucket.protect and not bucket.retain_on_delete


def test_prod_bucket_and_key_are_protected_and_retained(declare):
    run = declare(make(protect=True))
    for record in (run.one(BUCKET), run.one("aws:kms/key:Key")):
        assert record.protect and record.retain_on_delete, record.type
    assert run.one(BUCKET).inputs["forceDestroy"] is False


def test_tags_on_bucket_and_key(declare):
    run = declare(make())
    for record in (run.one(BUCKET), run.one("aws:kms/key:Key")):
        assert record.inputs["tags"] == {**TAGS, "purpose": "models"}


def test_access_logging_only_when_asked(declare):
    assert declare(make()).of_type("aws:s3/bucketLogging:BucketLogging") == []
    run = declare(make(access_log_bucket="ai-infra-test-logs"))
    logging = run.one("aws:s3/bucketLogging:BucketLogging")
    assert logging.inputs["targetBucket"] == "ai-infra-test-logs"


def test_children_are_parented_to_the_component(declare):
    run = declare(make())
    component = run.one("ai-infra:aws:Bucket")
    children = {r.type for r in run.children_of(component.urn)}
    assert "aws:s3/bucket:Bucket" in children and len(children) >= 8


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
    assert "s3:PutObject" not in read_actions and "s3:PutObject" in write_actions
    assert "kms:Decrypt" in read_actions
    for statement in captured["read"] + captured["write"]:
        assert all("*" not in a for a in statement["Action"])
        assert all(r != "*" for r in statement["Resource"])
