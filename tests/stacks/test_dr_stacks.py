"""Disaster recovery in the project's own stacks: in prod every configured bucket has its copy in
the DR region on all four clouds; dev declares none of it (nothing to pay for)."""

from __future__ import annotations

S3_REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
OSS_REPLICATION = "alicloud:oss/bucketReplication:BucketReplication"
PURPOSES = ("checkpoints", "datasets", "models")


def test_prod_replicates_every_s3_and_oss_bucket_into_the_dr_region(stack_run):
    run = stack_run("prod")
    sources = {u.rsplit("::", 1)[1] for r in run.of_type(S3_REPLICATION) for u in r.property_dependencies["bucket"]}
    assert sources == {f"prod-{purpose}-bucket" for purpose in PURPOSES}
    for purpose in PURPOSES:
        replica = run.named(f"prod-{purpose}-dr-replica-bucket")
        assert replica.protect and (replica.provider or "").endswith("::aws-dr")
        oss_replica = run.named(f"prod-alicloud-{purpose}-dr-replica-bucket")
        assert oss_replica.protect and (oss_replica.provider or "").endswith("::alicloud-dr")
    assert run.named("aws-dr").inputs["region"] == "us-west-2"
    assert run.named("alicloud-dr").inputs["region"] == "ap-southeast-5"
    assert len(run.of_type(OSS_REPLICATION)) == len(PURPOSES)


def test_prod_gcs_buckets_are_turbo_dual_region_and_azure_storage_geo_redundant(stack_run):
    run = stack_run("prod")
    gcs = {b.name: b for b in run.of_type("gcp:storage/bucket:Bucket")}
    for purpose in PURPOSES:
        bucket = gcs[f"prod-{purpose}-bucket"]
        assert bucket.inputs["customPlacementConfig"] == {"dataLocations": ["US-CENTRAL1", "US-EAST1"]}
        assert bucket.inputs["rpo"] == "ASYNC_TURBO"
    accounts = run.of_type("azure-native:storage:StorageAccount")
    assert accounts and {a.inputs["sku"]["name"] for a in accounts} == {"Standard_RAGZRS"}


def test_dev_declares_no_replication(stack_run):
    run = stack_run("dev")
    assert run.of_type(S3_REPLICATION) == [] and run.of_type(OSS_REPLICATION) == []
    assert all("rpo" not in b.inputs for b in run.of_type("gcp:storage/bucket:Bucket"))
    skus = {a.inputs["sku"]["name"] for a in run.of_type("azure-native:storage:StorageAccount")}
    assert "Standard_RAGZRS" not in skus
