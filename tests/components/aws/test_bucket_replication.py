"""ai-infra:aws:BucketReplication: a hardened replica in the DR region, a least-privilege role and
a replication rule that copies KMS-encrypted objects within 15 minutes."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pytest

from components.aws.bucket import Bucket, BucketArgs
from components.aws.bucket_replication import BucketReplication, BucketReplicationArgs

BUCKET = "aws:s3/bucket:Bucket"
KEY = "aws:kms/key:Key"
ACCOUNT = "123456789012"


def make(protect: bool = False):
    def program() -> None:
        primary = aws.Provider("aws", region="us-east-1")
        secondary = aws.Provider("aws-dr", region="us-west-2")
        source = Bucket(
            "models",
            BucketArgs(bucket_name="ai-infra-test-models", purpose="models", protect=protect),
            opts=pulumi.ResourceOptions(provider=primary),
        )
        BucketReplication(
            "models-dr",
            BucketReplicationArgs(
                source=source,
                replica_bucket_name="ai-infra-test-models-dr",
                replica_provider=secondary,
                account_id=ACCOUNT,
                purpose="models",
                protect=protect,
            ),
            opts=pulumi.ResourceOptions(provider=primary),
        )

    return program


@pytest.fixture(scope="module")
def run():
    from preflight.engine import run_declarations

    recorded, _log = run_declarations(make(), project="ai-infra", stack="test")
    return recorded


def _provider_name(record) -> str:
    return (record.provider or "").rsplit("::", 1)[-1]


def test_the_replica_is_a_hardened_bucket_in_the_dr_region(run):
    replica = run.named("models-dr-replica-bucket")
    assert replica.inputs["bucket"] == "ai-infra-test-models-dr"
    assert _provider_name(replica) == "aws-dr"
    assert _provider_name(run.named("models-bucket")) == "aws"
    key = run.named("models-dr-replica-key")
    assert _provider_name(key) == "aws-dr" and key.inputs["enableKeyRotation"] is True
    block = run.named("models-dr-replica-public-access-block")
    assert all(block.inputs[f] is True for f in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls"))
    assert run.named("models-dr-replica-versioning").inputs["versioningConfiguration"]["status"] == "Enabled"
    policy = json.loads(run.named("models-dr-replica-policy").inputs["policy"])
    assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_replication_copies_kms_objects_re_encrypted_within_15_minutes(run):
    config = run.one("aws:s3/bucketReplicationConfig:BucketReplicationConfig")
    [rule] = config.inputs["rules"]
    assert rule["status"] == "Enabled" and rule["filter"] == {}
    assert rule["deleteMarkerReplication"] == {"status": "Enabled"}
    assert rule["sourceSelectionCriteria"]["sseKmsEncryptedObjects"] == {"status": "Enabled"}
    destination = rule["destination"]
    assert destination["bucket"] == "arn:aws:s3:::ai-infra-test-models-dr"
    replica_key = run.named("models-dr-replica-key").urn
    assert replica_key in config.property_dependencies["rules"]
    assert destination["encryptionConfiguration"]["replicaKmsKeyId"].startswith("arn:aws:kms:us-west-2:")
    assert destination["replicationTime"] == {"status": "Enabled", "time": {"minutes": 15}}
    assert destination["metrics"] == {"status": "Enabled", "eventThreshold": {"minutes": 15}}
    # Replication needs versioning on at both ends first.
    for versioning in ("models-versioning", "models-dr-replica-versioning"):
        assert run.named(versioning).urn in config.dependencies, versioning


def test_only_s3_of_this_account_may_assume_the_role(run):
    trust = json.loads(run.one("aws:iam/role:Role").inputs["assumeRolePolicy"])
    [statement] = trust["Statement"]
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


def test_the_role_may_replicate_exactly_these_two_buckets_and_keys(run):
    policy = json.loads(run.one("aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    grants = {tuple(s["Action"]): s["Resource"] for s in policy["Statement"]}
    assert grants[("s3:GetReplicationConfiguration", "s3:ListBucket")] == ["arn:aws:s3:::ai-infra-test-models"]
    source_objects = ("s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging")
    assert grants[source_objects] == ["arn:aws:s3:::ai-infra-test-models/*"]
    replicate = ("s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags")
    assert grants[replicate] == ["arn:aws:s3:::ai-infra-test-models-dr/*"]
    assert grants[("kms:Decrypt",)][0].startswith("arn:aws:kms:us-east-1:")
    assert grants[("kms:Encrypt", "kms:GenerateDataKey")][0].startswith("arn:aws:kms:us-west-2:")
    assert all("*" not in action for s in policy["Statement"] for action in s["Action"])


def test_a_prod_replica_is_protected_and_retained(declare):
    run = declare(make(protect=True))
    for name in ("models-dr-replica-bucket", "models-dr-replica-key"):
        record = run.named(name)
        assert record.protect and record.retain_on_delete, name
