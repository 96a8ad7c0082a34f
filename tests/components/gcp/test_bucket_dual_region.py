"""ai-infra:gcp:Bucket with `dual_region`: one bucket in two regions with turbo replication, its
key in the multi-region that covers both; without it, a regional bucket (dev)."""

from __future__ import annotations

from components.gcp.bucket import Bucket, BucketArgs, DualRegion

BUCKET = "gcp:storage/bucket:Bucket"
KEY_RING = "gcp:kms/keyRing:KeyRing"
AGENT = "service-123456789012@gs-project-accounts.iam.gserviceaccount.com"


def make(dual_region: DualRegion | None):
    return lambda: Bucket(
        "models",
        BucketArgs(
            bucket_name="acme-prod-models",
            project="acme-prod",
            location="us-central1",
            purpose="models",
            storage_service_agent=AGENT,
            dual_region=dual_region,
        ),
    )


def test_a_dual_region_bucket_replicates_with_turbo_and_its_key_covers_both_regions(declare):
    run = declare(make(DualRegion(multi_region="US", regions=("us-central1", "us-east1"))))
    bucket = run.one(BUCKET)
    assert bucket.inputs["location"] == "US"
    assert bucket.inputs["customPlacementConfig"] == {"dataLocations": ["US-CENTRAL1", "US-EAST1"]}
    assert bucket.inputs["rpo"] == "ASYNC_TURBO"
    assert run.one(KEY_RING).inputs["location"] == "us"
    assert bucket.inputs["encryption"]["defaultKmsKeyName"].startswith("projects/acme-prod/locations/us/keyRings/")


def test_default_replication_when_turbo_is_off(declare):
    run = declare(make(DualRegion(multi_region="US", regions=("us-central1", "us-east1"), turbo_replication=False)))
    assert run.one(BUCKET).inputs["rpo"] == "DEFAULT"


def test_without_dual_region_the_bucket_and_key_stay_in_the_region(declare):
    run = declare(make(None))
    bucket = run.one(BUCKET)
    assert bucket.inputs["location"] == "US-CENTRAL1"
    assert "customPlacementConfig" not in bucket.inputs and "rpo" not in bucket.inputs
    assert run.one(KEY_RING).inputs["location"] == "us-central1"
