"""`stateful-buckets-replicated`: a protected bucket keeps a copy in a second region, per cloud.
A known-good set passes; one changed field or one removed resource is reported on the right URN;
unprotected (dev) buckets, log targets and replicas are not judged."""

from __future__ import annotations

import dataclasses

import pytest

from policies.framework import UNKNOWN
from policies.rules import disaster_recovery as dr
from tests.policies.builders import assert_compliant, assert_flags, changed, judge, res, without

RULE = "stateful-buckets-replicated"
S3 = dr.S3_BUCKETS[0]


def good_aws(replica_region: str = "us-west-2"):
    primary = res("pulumi:providers:aws", "aws", {"region": "us-east-1"})
    secondary = res("pulumi:providers:aws", "aws-dr", {"region": replica_region})
    source = res(S3, "models", {"bucket": "ai-infra-prod-models"}, protect=True, provider=primary)
    replica = res(S3, "models-replica", {"bucket": "ai-infra-prod-models-dr"}, protect=True, provider=secondary)
    logs = res(S3, "access-logs", {"bucket": "ai-infra-prod-access-logs"}, protect=True, provider=primary)
    logging = res(
        dr.S3_LOGGING[0],
        "models-logging",
        {"bucket": "ai-infra-prod-models", "targetBucket": "ai-infra-prod-access-logs"},
        deps={"bucket": source, "targetBucket": logs},
    )
    replication = res(
        dr.S3_REPLICATION,
        "models-replication",
        {
            "bucket": "ai-infra-prod-models",
            "role": "arn:aws:iam::123456789012:role/replication",
            "rules": [
                {
                    "id": "dr-copy",
                    "status": "Enabled",
                    "filter": {},
                    "sourceSelectionCriteria": {"sseKmsEncryptedObjects": {"status": "Enabled"}},
                    "destination": {
                        "bucket": "arn:aws:s3:::ai-infra-prod-models-dr",
                        "encryptionConfiguration": {"replicaKmsKeyId": "arn:aws:kms:us-west-2:123456789012:key/k"},
                        "replicationTime": {"status": "Enabled", "time": {"minutes": 15}},
                    },
                }
            ],
        },
        deps={"bucket": source, "rules": replica},
    )
    return [source, replica, logs, logging, replication]


def good_gcp():
    return [
        res(
            dr.GCS_BUCKET,
            "gcs-models",
            {
                "name": "models",
                "location": "US",
                "customPlacementConfig": {"dataLocations": ["US-CENTRAL1", "US-EAST1"]},
                "rpo": "ASYNC_TURBO",
                "logging": {"logBucket": "logs"},
            },
            protect=True,
        ),
        res(dr.GCS_BUCKET, "gcs-logs", {"name": "logs", "location": "US-CENTRAL1"}, protect=True),
    ]


def good_azure():
    return [res(dr.AZURE_ACCOUNT, "account", {"sku": {"name": "Standard_RAGZRS"}, "kind": "StorageV2"}, protect=True)]


def good_alicloud():
    source = res(dr.OSS_BUCKET, "oss-models", {"bucket": "models"}, protect=True)
    replica = res(dr.OSS_BUCKET, "oss-models-replica", {"bucket": "models-dr"}, protect=True)
    replication = res(
        dr.OSS_REPLICATION,
        "oss-replication",
        {
            "bucket": "models",
            "action": "ALL",
            "destination": {"bucket": "models-dr", "location": "oss-ap-southeast-5"},
            "sourceSelectionCriteria": {"sseKmsEncryptedObjects": {"status": "Enabled"}},
            "encryptionConfiguration": {"replicaKmsKeyId": "key-1"},
        },
        deps={"bucket": source, "destination": replica},
    )
    return [source, replica, replication]


GOOD = {"aws": good_aws, "gcp": good_gcp, "azure": good_azure, "alicloud": good_alicloud}


@pytest.mark.parametrize("cloud", sorted(GOOD))
def test_replicated_buckets_pass(cloud):
    assert_compliant(RULE, GOOD[cloud]())


@pytest.mark.parametrize(
    ("cloud", "name", "change", "says"),
    [
        ("aws", "models", ("without", "models-replication"), "not replicated"),
        ("aws", "models", ("models-replication", "rules.0.status", "Disabled"), "no enabled rule"),
        ("aws", "models", ("models-replication", "rules.0.sourceSelectionCriteria", {}), "SSE-KMS"),
        ("gcp", "gcs-models", ("gcs-models", "customPlacementConfig", None), "one region"),
        ("gcp", "gcs-models", ("gcs-models", "rpo", "DEFAULT"), "turbo"),
        ("azure", "account", ("account", "sku.name", "Standard_ZRS"), "one region"),
        ("alicloud", "oss-models", ("without", "oss-replication"), "not replicated"),
        ("alicloud", "oss-models", ("oss-replication", "sourceSelectionCriteria", {}), "SSE-KMS"),
    ],
)
def test_a_bucket_without_a_second_region_is_reported(cloud, name, change, says):
    resources = GOOD[cloud]()
    resources = without(resources, change[1]) if change[0] == "without" else changed(resources, *change)
    if cloud == "gcp" and change[1] == "customPlacementConfig":
        resources = changed(resources, "gcs-models", "location", "US-CENTRAL1")
    assert_flags(RULE, resources, name, contains=says)


def test_a_replica_in_the_source_region_is_reported():
    assert_flags(RULE, good_aws(replica_region="us-east-1"), "models", contains="same region")


@pytest.mark.parametrize(
    ("resources", "name"),
    [
        ([res(S3, "dev-models", {"bucket": "ai-infra-dev-models"})], "dev-models"),
        ([res(dr.GCS_BUCKET, "dev-gcs", {"name": "m", "location": "US-CENTRAL1"})], "dev-gcs"),
        ([res(dr.AZURE_ACCOUNT, "dev-account", {"sku": {"name": "Standard_LRS"}})], "dev-account"),
        ([res(dr.OSS_BUCKET, "dev-oss", {"bucket": "m"})], "dev-oss"),
    ],
)
def test_unprotected_dev_buckets_are_not_judged(resources, name):
    assert judge(RULE, resources) == []
    # The same bucket protected (prod) is reported: protection is what makes it judged.
    assert_flags(RULE, [dataclasses.replace(r, protect=True) for r in resources], name)


def test_a_replication_rule_not_known_yet_is_undecided_not_a_violation():
    resources = changed(good_aws(), "models-replication", "rules", UNKNOWN)
    findings = judge(RULE, resources)
    assert findings and all(f.undecided for f in findings)
