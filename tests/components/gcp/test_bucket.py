"""ai-infra:gcp:Bucket: uniform access, public access prevention, CMEK, versioning, lifecycle."""

from __future__ import annotations

import re

from components.gcp import Bucket, BucketArgs, BucketTiering

PROJECT = "acme-test"
BUCKET = "gcp:storage/bucket:Bucket"
AGENT = "service-123456789012@gs-project-accounts.iam.gserviceaccount.com"
LABELS = {"environment": "test", "owner": "ml", "cost-center": "cc-1"}


def make(**overrides):
    args = {
        "bucket_name": "acme-test-test-models",
        "project": PROJECT,
        "location": "us-central1",
        "purpose": "models",
        "storage_service_agent": AGENT,
        "labels": LABELS,
        **overrides,
    }
    return lambda: Bucket("models", BucketArgs(**args))


def rules_by_action(bucket):
    return [
        (r["action"]["type"], r["action"].get("storageClass"), r["condition"]) for r in bucket.inputs["lifecycleRules"]
    ]


def test_uniform_access_and_public_access_prevention_enforced(declare):
    bucket = declare(make()).one(BUCKET)
    assert bucket.inputs["uniformBucketLevelAccess"] is True
    assert bucket.inputs["publicAccessPrevention"] == "enforced"
    assert bucket.inputs["versioning"] == {"enabled": True}
    assert bucket.inputs["location"] == "US-CENTRAL1"


def test_encrypted_with_its_own_regional_key_that_the_storage_agent_may_use(declare):
    run = declare(make())
    bucket = run.one(BUCKET)
    key_name = bucket.inputs["encryption"]["defaultKmsKeyName"]
    assert re.fullmatch(f"projects/{PROJECT}/locations/us-central1/keyRings/[^/]+/cryptoKeys/[^/]+", key_name)
    assert run.one("gcp:kms/keyRing:KeyRing").inputs["location"] == "us-central1"
    grant = run.one("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")
    assert grant.inputs["cryptoKeyId"] == key_name
    assert grant.inputs["role"] == "roles/cloudkms.cryptoKeyEncrypterDecrypter"
    assert grant.inputs["member"] == f"serviceAccount:{AGENT}"
    assert grant.urn in bucket.dependencies


def test_lifecycle_tiers_expires_noncurrent_versions_and_aborts_uploads(declare):
    run = declare(
        make(tiering=BucketTiering(nearline_days=30, coldline_days=90, archive_days=365), noncurrent_version_days=14)
    )
    rules = rules_by_action(run.one(BUCKET))
    assert ("AbortIncompleteMultipartUpload", None, {"age": 7}) in rules
    assert ("Delete", None, {"daysSinceNoncurrentTime": 14, "withState": "ARCHIVED"}) in rules
    transitions = [
        (cls, cond["age"], cond["matchesStorageClasses"]) for kind, cls, cond in rules if kind == "SetStorageClass"
    ]
    assert transitions == [
        ("NEARLINE", 30, ["STANDARD"]),
        ("COLDLINE", 90, ["STANDARD", "NEARLINE"]),
        ("ARCHIVE", 365, ["STANDARD", "NEARLINE", "COLDLINE"]),
    ]


def test_autoclass_replaces_storage_class_rules(declare):
    bucket = declare(make(autoclass=True)).one(BUCKET)
    assert bucket.inputs["autoclass"] == {"enabled": True, "terminalStorageClass": "ARCHIVE"}
    assert [kind for kind, _, _ in rules_by_action(bucket)] == ["AbortIncompleteMultipartUpload", "Delete"]


def test_soft_delete_policy(declare):
    assert declare(make()).one(BUCKET).inputs["softDeletePolicy"] == {"retentionDurationSeconds": 7 * 86400}
    assert declare(make(soft_delete_days=0)).one(BUCKET).inputs["softDeletePolicy"] == {"retentionDurationSeconds": 0}


def test_dev_bucket_is_force_destroyable_and_unprotected(declare):
    run = declare(make(protect=False))
    bucket = run.one(BUCKET)
    assert bucket.inputs["forceDestroy"] is True
    assert not bucket.protect and not bucket.retain_on_delete


def test_prod_bucket_key_and_key_ring_are_protected_and_retained(declare):
    run = declare(make(protect=True))
    assert run.one(BUCKET).inputs["forceDestroy"] is False
    for type_ in (BUCKET, "gcp:kms/cryptoKey:CryptoKey", "gcp:kms/keyRing:KeyRing"):
        record = run.one(type_)
        assert record.protect and record.retain_on_delete, type_


def test_labels_with_purpose_on_bucket_and_key(declare):
    run = declare(make())
    for record in (run.one(BUCKET), run.one("gcp:kms/cryptoKey:CryptoKey")):
        assert record.inputs["labels"] == {**LABELS, "purpose": "models"}


def test_access_logging_only_when_asked(declare):
    assert "logging" not in declare(make()).one(BUCKET).inputs
    bucket = declare(make(access_log_bucket="acme-test-test-access-logs")).one(BUCKET)
    assert bucket.inputs["logging"] == {
        "logBucket": "acme-test-test-access-logs",
        "logObjectPrefix": "acme-test-test-models/",
    }


def test_log_bucket_lets_cloud_storage_write_logs(declare):
    assert declare(make()).of_type("gcp:storage/bucketIAMMember:BucketIAMMember") == []
    grant = declare(make(receives_access_logs=True)).one("gcp:storage/bucketIAMMember:BucketIAMMember")
    assert grant.inputs["role"] == "roles/storage.objectCreator"
    assert grant.inputs["member"] == "group:cloud-storage-analytics@google.com"
