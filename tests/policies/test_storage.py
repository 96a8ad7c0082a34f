"""Storage rules (S1-S7, S18, S24, C7): a hardened bucket per cloud passes; one changed field or
one missing hardening resource is reported on the bucket's URN."""

from __future__ import annotations

import json

import pytest

from policies.rules import storage as s
from tests.policies.builders import (
    DELETE,
    TAGS,
    assert_compliant,
    assert_flags,
    changed,
    judge,
    res,
    unprotected,
    without,
)

KMS_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234"


def deny_plain_http(bucket: str) -> str:
    """The TLS-only bucket policy components/aws/bucket.py writes."""
    return json.dumps(
        {
            "Statement": [
                {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ]
        }
    )


def s3_set(name: str, *, kms: bool = True, log_to=None):
    """A bucket hardened like components/aws/bucket.py, with its separate hardening resources."""
    bucket = res(s.S3_BUCKETS[0], f"{name}-bucket", {"bucket": name, "tags": TAGS}, protect=True)
    sse = {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KMS_ARN} if kms else {"sseAlgorithm": "AES256"}
    on = {"bucket": bucket}
    resources = [
        bucket,
        res(
            s.S3_PUBLIC_ACCESS_BLOCK[0],
            f"{name}-pab",
            {"bucket": f"{name}-id", **dict.fromkeys(s.PUBLIC_ACCESS_FLAGS, True)},
            deps=on,
        ),
        res(
            s.S3_OWNERSHIP[0],
            f"{name}-ownership",
            {"bucket": f"{name}-id", "rule": {"objectOwnership": "BucketOwnerEnforced"}},
            deps=on,
        ),
        res(
            s.S3_ENCRYPTION[0],
            f"{name}-encryption",
            {"bucket": f"{name}-id", "rules": [{"applyServerSideEncryptionByDefault": sse}]},
            deps=on,
        ),
        res(
            s.S3_VERSIONING[0],
            f"{name}-versioning",
            {"bucket": f"{name}-id", "versioningConfiguration": {"status": "Enabled"}},
            deps=on,
        ),
        res(
            s.S3_LIFECYCLE[0],
            f"{name}-lifecycle",
            {
                "bucket": f"{name}-id",
                "rules": [
                    {"id": "abort", "status": "Enabled", "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7}},
                    {
                        "id": "tiering",
                        "status": "Enabled",
                        "transitions": [{"days": 30, "storageClass": "STANDARD_IA"}],
                    },
                ],
            },
            deps=on,
        ),
        res(s.S3_POLICY[0], f"{name}-policy", {"bucket": f"{name}-id", "policy": deny_plain_http(name)}, deps=on),
    ]
    if log_to is not None:
        resources.append(
            res(
                s.S3_LOGGING[0],
                f"{name}-logging",
                {"bucket": f"{name}-id", "targetBucket": log_to.props["bucket"]},
                deps={"bucket": bucket, "targetBucket": log_to},
            )
        )
    return resources


def good_s3():
    logs = s3_set("logs", kms=False)
    return logs + s3_set("data", log_to=logs[0])


def good_gcs():
    def bucket(name: str, logging: dict | None):
        props = {
            "name": name,
            "location": "US-CENTRAL1",
            "publicAccessPrevention": "enforced",
            "uniformBucketLevelAccess": True,
            "versioning": {"enabled": True},
            "encryption": {"defaultKmsKeyName": "projects/p/locations/us/keyRings/r/cryptoKeys/k"},
            "lifecycleRules": [
                {"action": {"type": "SetStorageClass", "storageClass": "NEARLINE"}, "condition": {"age": 30}},
                {"action": {"type": "AbortIncompleteMultipartUpload"}, "condition": {"age": 7}},
            ],
            "labels": TAGS,
        }
        if logging:
            props["logging"] = logging
        return res(s.GCS_BUCKET, f"{name}-bucket", props, protect=True)

    logs = bucket("logs", None)
    data = bucket("data", {"logBucket": "logs"})
    reader = res(
        s.GCS_BUCKET_IAM[0],
        "data-reader",
        {
            "bucket": "data",
            "role": "roles/storage.objectViewer",
            "member": "serviceAccount:trainer@p.iam.gserviceaccount.com",
        },
        deps={"bucket": data},
    )
    return [logs, data, reader]


def good_azure():
    account = res(
        s.AZURE_ACCOUNT,
        "data-account",
        {
            "accountName": "pvdata",
            "sku": {"name": "Standard_ZRS"},
            "allowBlobPublicAccess": False,
            "allowSharedKeyAccess": False,
            "isLocalUserEnabled": False,
            "minimumTlsVersion": "TLS1_2",
            "enableHttpsTrafficOnly": True,
            "networkRuleSet": {"defaultAction": "Deny", "bypass": "AzureServices"},
            "encryption": {
                "keySource": "Microsoft.Keyvault",
                "keyVaultProperties": {"keyName": "k", "keyVaultUri": "https://v"},
                "requireInfrastructureEncryption": True,
            },
            "tags": TAGS,
        },
        protect=True,
    )
    on = {"accountName": account}
    blob_service = res(
        s.AZURE_BLOB_SERVICE,
        "data-blob",
        {"accountName": "pvdata", "isVersioningEnabled": True, "deleteRetentionPolicy": {"enabled": True, "days": 7}},
        deps=on,
    )
    return [
        account,
        blob_service,
        res(s.AZURE_CONTAINER, "data-models", {"accountName": "pvdata", "publicAccess": "None"}, deps=on, protect=True),
        res(
            s.AZURE_MANAGEMENT_POLICY,
            "data-tiering",
            {
                "accountName": "pvdata",
                "policy": {
                    "rules": [
                        {
                            "name": "tiering",
                            "enabled": True,
                            "type": "Lifecycle",
                            "definition": {
                                "actions": {"baseBlob": {"tierToCool": {"daysAfterModificationGreaterThan": 30}}}
                            },
                        }
                    ]
                },
            },
            deps=on,
        ),
        res(
            s.AZURE_DIAGNOSTIC_SETTING,
            "data-access-logs",
            {
                "resourceUri": "/subscriptions/s/.../blobServices/default",
                "logs": [{"category": c, "enabled": True} for c in ("StorageRead", "StorageWrite", "StorageDelete")],
            },
            deps={"resourceUri": blob_service},
        ),
    ]


def oss_set(name: str, *, log_to=None):
    bucket = res(
        s.OSS_BUCKET,
        f"{name}-bucket",
        {
            "bucket": name,
            "tags": TAGS,
            "lifecycleRules": [
                {
                    "enabled": True,
                    "transitions": [{"days": 30, "storageClass": "IA"}],
                    "abortMultipartUploads": [{"days": 7}],
                }
            ],
        },
        protect=True,
    )
    on = {"bucket": bucket}
    deny = json.dumps(
        {
            "Version": "1",
            "Statement": [
                {
                    "Effect": "Deny",
                    "Action": ["oss:*"],
                    "Principal": ["*"],
                    "Condition": {"Bool": {"acs:SecureTransport": ["false"]}},
                }
            ],
        }
    )
    resources = [
        bucket,
        res(s.OSS_PUBLIC_ACCESS_BLOCK, f"{name}-pab", {"bucket": name, "blockPublicAccess": True}, deps=on),
        res(
            s.OSS_ENCRYPTION,
            f"{name}-encryption",
            {"bucket": name, "sseAlgorithm": "KMS", "kmsMasterKeyId": "key-1"},
            deps=on,
        ),
        res(s.OSS_VERSIONING, f"{name}-versioning", {"bucket": name, "status": "Enabled"}, deps=on),
        res(s.OSS_ACL, f"{name}-acl", {"bucket": name, "acl": "private"}, deps=on),
        res(s.OSS_POLICY, f"{name}-policy", {"bucket": name, "policy": deny}, deps=on),
    ]
    if log_to is not None:
        resources.append(
            res(s.OSS_LOGGING, f"{name}-logging", {"bucket": name, "targetBucket": log_to.props["bucket"]}, deps=on)
        )
    return resources


def good_oss():
    logs = oss_set("logs")
    return logs + oss_set("data", log_to=logs[0])


GOOD = {"s3": good_s3, "gcs": good_gcs, "azure": good_azure, "oss": good_oss}
BUCKET_RULES = [
    "bucket-public-access-blocked",
    "bucket-encrypted-with-cmk",
    "bucket-versioning-enabled",
    "bucket-access-logging",
    "storage-tls-only",
    "bucket-uniform-access",
    "storage-network-default-deny",
    "bucket-lifecycle-tiering",
    "storage-replicated",
]


@pytest.mark.parametrize("cloud", sorted(GOOD))
@pytest.mark.parametrize("rule", BUCKET_RULES)
def test_hardened_buckets_pass(rule: str, cloud: str) -> None:
    assert_compliant(rule, GOOD[cloud]())


# (rule, cloud, how the known-good set is broken, resource the finding names, message part)
VIOLATIONS = [
    # S1
    (
        "bucket-public-access-blocked",
        "s3",
        lambda r: without(r, "data-pab"),
        "data-bucket",
        "no BucketPublicAccessBlock",
    ),
    (
        "bucket-public-access-blocked",
        "s3",
        lambda r: changed(r, "data-pab", "blockPublicPolicy", False),
        "data-bucket",
        "blockPublicPolicy",
    ),
    (
        "bucket-public-access-blocked",
        "s3",
        lambda r: changed(r, "data-bucket", "acl", "public-read"),
        "data-bucket",
        "public-read",
    ),
    (
        "bucket-public-access-blocked",
        "s3",
        lambda r: changed(
            r,
            "data-policy",
            "policy",
            json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}]}),
        ),
        "data-bucket",
        "Principal '*'",
    ),
    (
        "bucket-public-access-blocked",
        "gcs",
        lambda r: changed(r, "data-bucket", "publicAccessPrevention", "inherited"),
        "data-bucket",
        "enforced",
    ),
    (
        "bucket-public-access-blocked",
        "gcs",
        lambda r: changed(r, "data-reader", "member", "allUsers"),
        "data-reader",
        "allUsers",
    ),
    (
        "bucket-public-access-blocked",
        "azure",
        lambda r: changed(r, "data-account", "allowBlobPublicAccess", True),
        "data-account",
        "",
    ),
    (
        "bucket-public-access-blocked",
        "azure",
        lambda r: changed(r, "data-models", "publicAccess", "Container"),
        "data-models",
        "",
    ),
    (
        "bucket-public-access-blocked",
        "oss",
        lambda r: changed(r, "data-pab", "blockPublicAccess", False),
        "data-bucket",
        "",
    ),
    (
        "bucket-public-access-blocked",
        "oss",
        lambda r: changed(r, "data-acl", "acl", "public-read"),
        "data-bucket",
        "public-read",
    ),
    # S2
    (
        "bucket-encrypted-with-cmk",
        "s3",
        lambda r: changed(r, "data-encryption", "rules.0.applyServerSideEncryptionByDefault.sseAlgorithm", "AES256"),
        "data-bucket",
        "SSE-KMS",
    ),
    (
        "bucket-encrypted-with-cmk",
        "gcs",
        lambda r: changed(r, "data-bucket", "encryption", DELETE),
        "data-bucket",
        "defaultKmsKeyName",
    ),
    (
        "bucket-encrypted-with-cmk",
        "azure",
        lambda r: changed(r, "data-account", "encryption.keySource", "Microsoft.Storage"),
        "data-account",
        "",
    ),
    (
        "bucket-encrypted-with-cmk",
        "oss",
        lambda r: changed(r, "data-encryption", "sseAlgorithm", "AES256"),
        "data-bucket",
        "KMS",
    ),
    (
        "bucket-encrypted-with-cmk",
        "azure",
        lambda r: changed(r, "data-account", "encryption.requireInfrastructureEncryption", False),
        "data-account",
        "infrastructure",
    ),
    # S3
    (
        "bucket-versioning-enabled",
        "azure",
        lambda r: changed(r, "data-blob", "deleteRetentionPolicy.enabled", False),
        "data-account",
        "deleteRetentionPolicy",
    ),
    (
        "bucket-versioning-enabled",
        "s3",
        lambda r: changed(r, "data-versioning", "versioningConfiguration.status", "Suspended"),
        "data-bucket",
        "",
    ),
    (
        "bucket-versioning-enabled",
        "gcs",
        lambda r: changed(r, "data-bucket", "versioning.enabled", False),
        "data-bucket",
        "",
    ),
    (
        "bucket-versioning-enabled",
        "azure",
        lambda r: changed(r, "data-blob", "isVersioningEnabled", False),
        "data-account",
        "",
    ),
    (
        "bucket-versioning-enabled",
        "oss",
        lambda r: changed(r, "data-versioning", "status", "Suspended"),
        "data-bucket",
        "",
    ),
    # S4
    ("bucket-access-logging", "s3", lambda r: without(r, "data-logging"), "data-bucket", "BucketLogging"),
    (
        "bucket-access-logging",
        "gcs",
        lambda r: changed(r, "data-bucket", "logging", DELETE),
        "data-bucket",
        "logBucket",
    ),
    (
        "bucket-access-logging",
        "azure",
        lambda r: changed(r, "data-access-logs", "logs", [{"category": "Transaction", "enabled": True}]),
        "data-account",
        "",
    ),
    ("bucket-access-logging", "oss", lambda r: without(r, "data-logging"), "data-bucket", ""),
    # S5
    ("storage-tls-only", "s3", lambda r: without(r, "data-policy"), "data-bucket", "SecureTransport"),
    (
        "storage-tls-only",
        "s3",
        # A deny of one action on one prefix leaves every other request allowed over plain HTTP.
        lambda r: changed(
            r,
            "data-policy",
            "policy",
            deny_plain_http("data")
            .replace('"s3:*"', '"s3:GetObject"')
            .replace('"arn:aws:s3:::data/*"', '"arn:aws:s3:::data/models/*"'),
        ),
        "data-bucket",
        "every action",
    ),
    (
        "storage-tls-only",
        "s3",
        # The deny written for another bucket does not protect this one.
        lambda r: changed(r, "data-policy", "policy", deny_plain_http("other")),
        "data-bucket",
        "SecureTransport",
    ),
    (
        "storage-tls-only",
        "azure",
        lambda r: changed(r, "data-account", "minimumTlsVersion", "TLS1_0"),
        "data-account",
        "TLS1_0",
    ),
    (
        "storage-tls-only",
        "azure",
        lambda r: changed(r, "data-account", "enableHttpsTrafficOnly", False),
        "data-account",
        "enableHttpsTrafficOnly",
    ),
    ("storage-tls-only", "oss", lambda r: without(r, "data-policy"), "data-bucket", "acs:SecureTransport"),
    # S6
    (
        "bucket-uniform-access",
        "s3",
        lambda r: changed(r, "data-ownership", "rule.objectOwnership", "ObjectWriter"),
        "data-bucket",
        "",
    ),
    (
        "bucket-uniform-access",
        "gcs",
        lambda r: changed(r, "data-bucket", "uniformBucketLevelAccess", False),
        "data-bucket",
        "",
    ),
    (
        "bucket-uniform-access",
        "azure",
        lambda r: changed(r, "data-account", "allowSharedKeyAccess", True),
        "data-account",
        "",
    ),
    (
        "bucket-uniform-access",
        "azure",
        lambda r: changed(r, "data-account", "isLocalUserEnabled", True),
        "data-account",
        "isLocalUserEnabled",
    ),
    (
        "storage-replicated",
        "azure",
        lambda r: changed(r, "data-account", "sku.name", "Standard_LRS"),
        "data-account",
        "LRS",
    ),
    (
        "bucket-access-logging",
        "gcs",
        lambda r: changed(r, "data-bucket", "logging.logBucket", "data"),
        "data-bucket",
        "itself",
    ),
    # S7
    (
        "storage-network-default-deny",
        "azure",
        lambda r: changed(r, "data-account", "networkRuleSet.defaultAction", "Allow"),
        "data-account",
        "",
    ),
    # C7
    (
        "bucket-lifecycle-tiering",
        "s3",
        lambda r: changed(r, "data-lifecycle", "rules.0.status", "Disabled"),
        "data-bucket",
        "abort",
    ),
    (
        "bucket-lifecycle-tiering",
        "s3",
        lambda r: changed(r, "data-lifecycle", "rules.1.transitions", []),
        "data-bucket",
        "cheaper",
    ),
    (
        "bucket-lifecycle-tiering",
        "gcs",
        lambda r: changed(r, "data-bucket", "lifecycleRules.1.action.type", "Delete"),
        "data-bucket",
        "Abort",
    ),
    ("bucket-lifecycle-tiering", "azure", lambda r: without(r, "data-tiering"), "data-account", "ManagementPolicy"),
    (
        "bucket-lifecycle-tiering",
        "oss",
        lambda r: changed(r, "data-bucket", "lifecycleRules.0.abortMultipartUploads", []),
        "data-bucket",
        "abort",
    ),
]


@pytest.mark.parametrize(
    ("rule", "cloud", "break_it", "flagged", "contains"), VIOLATIONS, ids=lambda v: v if isinstance(v, str) else ""
)
def test_one_change_is_reported_on_the_bucket(rule, cloud, break_it, flagged, contains) -> None:
    assert_flags(rule, break_it(GOOD[cloud]()), flagged, contains=contains)


def test_s3_log_target_bucket_needs_no_kms_and_no_logging_of_its_own() -> None:
    resources = good_s3()
    logs_urn = resources[0].urn
    for rule in ("bucket-encrypted-with-cmk", "bucket-access-logging"):
        assert all(f.urn != logs_urn for f in judge(rule, resources)), rule
    # ...but only while it receives logs: without the data bucket's logging it needs both.
    lone = without(resources, "data-logging")
    assert any(f.urn == logs_urn for f in judge("bucket-encrypted-with-cmk", lone))


def test_account_wide_public_access_block_covers_buckets() -> None:
    block = res(s.S3_ACCOUNT_PUBLIC_ACCESS_BLOCK, "account", dict.fromkeys(s.PUBLIC_ACCESS_FLAGS, True))
    assert_compliant("bucket-public-access-blocked", [*without(good_s3(), "data-pab"), block])


def test_hardening_found_by_bucket_name_when_no_dependency_is_recorded() -> None:
    # A program that passes the name as a plain string leaves no property dependency.
    bucket = res(s.S3_BUCKETS[0], "plain-bucket", {"bucket": "plain"})
    block = res(
        s.S3_PUBLIC_ACCESS_BLOCK[0], "plain-pab", {"bucket": "plain", **dict.fromkeys(s.PUBLIC_ACCESS_FLAGS, True)}
    )
    assert_compliant("bucket-public-access-blocked", [bucket, block])
    assert_flags("bucket-public-access-blocked", [bucket], "plain-bucket")


# -- S18 ------------------------------------------------------------------------------------------
def good_disks():
    template = res(
        s.AWS_LAUNCH_TEMPLATE,
        "gpu-lt",
        {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "volumeType": "gp3"}}]},
    )
    return [
        template,
        res(
            s.AWS_NODE_GROUP,
            "gpu-nodes",
            {"launchTemplate": {"id": "lt-1", "version": "1"}},
            deps={"launchTemplate": template},
        ),
        res(s.AWS_EBS_VOLUME, "scratch", {"encrypted": True, "size": 100}),
        res(s.AZURE_AGENT_POOL, "az-gpu", {"vmSize": "Standard_NC4as_T4_v3", "enableEncryptionAtHost": True}),
        res(
            s.ALICLOUD_NODE_POOL,
            "ali-gpu",
            {"systemDiskEncrypted": True, "dataDisks": [{"size": 200, "encrypted": "true"}]},
        ),
    ]


def test_encrypted_disks_pass() -> None:
    assert_compliant("disks-encrypted", good_disks())


@pytest.mark.parametrize(
    ("break_it", "flagged"),
    [
        (lambda r: changed(r, "gpu-lt", "blockDeviceMappings.0.ebs.encrypted", "false"), "gpu-lt"),
        (lambda r: changed(r, "gpu-nodes", "launchTemplate", DELETE), "gpu-nodes"),
        (lambda r: changed(r, "scratch", "encrypted", False), "scratch"),
        (lambda r: changed(r, "az-gpu", "enableEncryptionAtHost", False), "az-gpu"),
        (lambda r: changed(r, "ali-gpu", "systemDiskEncrypted", False), "ali-gpu"),
        (lambda r: changed(r, "ali-gpu", "dataDisks.0.encrypted", "false"), "ali-gpu"),
    ],
)
def test_unencrypted_disk_is_reported(break_it, flagged) -> None:
    assert_flags("disks-encrypted", break_it(good_disks()), flagged)


def test_ebs_encryption_by_default_covers_volumes() -> None:
    default = res(s.AWS_EBS_DEFAULT_ENCRYPTION, "ebs-default", {"enabled": True})
    assert_compliant("disks-encrypted", [*changed(good_disks(), "scratch", "encrypted", False), default])


# -- S24 ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("cloud", sorted(GOOD))
def test_stateful_resources_must_be_protected(cloud: str) -> None:
    resources = GOOD[cloud]()
    assert_compliant("stateful-resources-protected", resources)
    stateful = resources[0]
    assert_flags(
        "stateful-resources-protected", unprotected(resources, stateful.name), stateful.name, contains="not protected"
    )


def test_protection_rule_covers_every_stateful_type_of_the_catalog() -> None:
    from catalog import stateful_types

    rule = s.STATEFUL_PROTECTED
    assert set(rule.checks) == {t for types in stateful_types().values() for t in types}
    assert rule.clouds() == ("aws", "gcp", "azure", "alicloud")
