"""ai-infra:alicloud:BucketReplication: a hardened replica in the DR region, a RAM role only OSS
may assume with exactly the replication permissions, and a rule that re-encrypts KMS objects."""

from __future__ import annotations

import json

import pulumi
import pulumi_alicloud as alicloud
import pytest

from components.alicloud.bucket import Bucket, BucketArgs
from components.alicloud.bucket_replication import (
    REPLICA_ACTIONS,
    SOURCE_ACTIONS,
    BucketReplication,
    BucketReplicationArgs,
)

ACCOUNT = "5123456789012345"


def make(protect: bool = False):
    def program() -> None:
        primary = alicloud.Provider("alicloud", region="ap-southeast-1")
        secondary = alicloud.Provider("alicloud-dr", region="ap-southeast-5")
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
                replica_region="ap-southeast-5",
                replica_provider=secondary,
                account_id=ACCOUNT,
                role_name="ai-infra-test-models-replication",
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


def test_the_replica_is_a_hardened_bucket_in_the_dr_region(run):
    replica = run.named("models-dr-replica-bucket")
    assert replica.inputs["bucket"] == "ai-infra-test-models-dr"
    assert (replica.provider or "").endswith("::alicloud-dr")
    assert (run.named("models-dr-replica-key").provider or "").endswith("::alicloud-dr")
    assert run.named("models-dr-replica-acl").inputs["acl"] == "private"
    assert run.named("models-dr-replica-public-access-block").inputs["blockPublicAccess"] is True
    assert run.named("models-dr-replica-versioning").inputs["status"] == "Enabled"
    assert run.named("models-dr-replica-encryption").inputs["sseAlgorithm"] == "KMS"


def test_replication_copies_everything_and_re_encrypts_kms_objects(run):
    replication = run.one("alicloud:oss/bucketReplication:BucketReplication")
    assert replication.inputs["bucket"] == "ai-infra-test-models"
    assert replication.inputs["action"] == "ALL"
    assert replication.inputs["historicalObjectReplication"] == "enabled"
    assert replication.inputs["destination"] == {"bucket": "ai-infra-test-models-dr", "location": "oss-ap-southeast-5"}
    assert replication.inputs["sourceSelectionCriteria"] == {"sseKmsEncryptedObjects": {"status": "Enabled"}}
    assert run.named("models-dr-replica-key").urn in replication.property_dependencies["encryptionConfiguration"]
    assert replication.inputs["syncRole"] == "ai-infra-test-models-replication"
    assert "rtc" not in replication.inputs


def test_only_oss_may_assume_the_role_and_it_may_only_replicate(run):
    trust = json.loads(run.one("alicloud:ram/role:Role").inputs["assumeRolePolicyDocument"])
    [statement] = trust["Statement"]
    assert statement["Principal"] == {"Service": ["oss.aliyuncs.com"]}
    policy = json.loads(run.one("alicloud:ram/policy:Policy").inputs["policyDocument"])
    grants = {tuple(s["Action"]): s["Resource"] for s in policy["Statement"]}
    owner = f"acs:oss:*:{ACCOUNT}"
    assert grants[SOURCE_ACTIONS] == [f"{owner}:ai-infra-test-models", f"{owner}:ai-infra-test-models/*"]
    assert grants[REPLICA_ACTIONS] == [f"{owner}:ai-infra-test-models-dr", f"{owner}:ai-infra-test-models-dr/*"]
    assert set(grants) == {SOURCE_ACTIONS, REPLICA_ACTIONS, ("kms:Decrypt",), ("kms:Encrypt", "kms:GenerateDataKey")}


def test_a_prod_replica_is_protected_and_retained(declare):
    run = declare(make(protect=True))
    for name in ("models-dr-replica-bucket", "models-dr-replica-key"):
        assert run.named(name).protect and run.named(name).retain_on_delete, name
