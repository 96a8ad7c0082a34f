"""Keys (AWS KMS, Cloud KMS, Alibaba KMS, Key Vault), Key Vault vaults, container registries and
log storage: a compliant set per cloud, one change per violation; durations in every notation."""

from __future__ import annotations

import pytest

from policies.rules import key_vaults as v
from policies.rules import keys
from policies.rules import logs as lg
from policies.rules import registries as cr
from tests.policies.builders import DELETE, assert_compliant, assert_flags, changed, res

ROTATION = "kms-key-rotation"
DELETION = "kms-key-deletion-protected"
KEY_HYGIENE = "keyvault-key-expiry-and-strength"
RECOVERABLE = "keyvault-recoverable"
VAULT_PRIVATE = "keyvault-private"
VAULT_RBAC = "keyvault-rbac-authorization"
REGISTRY_CREDENTIALS = "registry-no-shared-credentials"
REGISTRY_PRIVATE = "registry-private"
REGISTRY_RETENTION = "registry-untagged-retention"
LOGS_KEY = "logs-encrypted-with-cmk"
LOGS_MINIMUM = "log-retention-minimum"
RULES = [
    ROTATION,
    DELETION,
    KEY_HYGIENE,
    RECOVERABLE,
    VAULT_PRIVATE,
    VAULT_RBAC,
    REGISTRY_CREDENTIALS,
    REGISTRY_PRIVATE,
    REGISTRY_RETENTION,
    LOGS_KEY,
    LOGS_MINIMUM,
]


def good_aws():
    logs_key = res(keys.AWS_KMS_KEY, "logs-key", {"enableKeyRotation": True, "deletionWindowInDays": 30})
    return [
        logs_key,
        res(
            keys.AWS_KMS_KEY,
            "signing-key",
            {"customerMasterKeySpec": "RSA_3072", "keyUsage": "SIGN_VERIFY", "deletionWindowInDays": 30},
        ),
        res(
            lg.AWS_LOG_GROUP,
            "control-plane-logs",
            {"name": "/aws/eks/ai-infra/cluster", "retentionInDays": 365, "kmsKeyId": "arn:aws:kms:us-east-1:1:key/k"},
            deps={"kmsKeyId": logs_key},
        ),
        res(lg.AWS_LOG_GROUP, "forever-logs", {"name": "/audit", "kmsKeyId": "arn:aws:kms:us-east-1:1:key/k"}),
    ]


def good_gcp():
    return [
        res(keys.GCP_CRYPTO_KEY, "bucket-key", {"purpose": "ENCRYPT_DECRYPT", "rotationPeriod": "7776000s"}),
        res(keys.GCP_CRYPTO_KEY, "sign-key", {"purpose": "ASYMMETRIC_SIGN"}),
    ]


def good_azure():
    return [
        res(
            v.AZURE_VAULT,
            "vault",
            {
                "vaultName": "kv-prod",
                "properties": {
                    "enableRbacAuthorization": True,
                    "enableSoftDelete": True,
                    "softDeleteRetentionInDays": 90,
                    "enablePurgeProtection": True,
                    "networkAcls": {
                        "defaultAction": "Deny",
                        "bypass": "AzureServices",
                        "ipRules": [{"value": "52.94.76.0/24"}],
                    },
                },
            },
        ),
        res(
            keys.AZURE_KEY,
            "key",
            {
                "keyName": "cmk",
                "properties": {
                    "kty": "RSA",
                    "keySize": 3072,
                    "rotationPolicy": {
                        "attributes": {"expiryTime": "P2Y"},
                        "lifetimeActions": [
                            {"trigger": {"timeAfterCreate": "P1Y"}, "action": {"type": "rotate"}},
                            {"trigger": {"timeBeforeExpiry": "P30D"}, "action": {"type": "notify"}},
                        ],
                    },
                },
            },
        ),
        res(
            cr.AZURE_REGISTRY,
            "registry",
            {
                "sku": {"name": "Premium"},
                "adminUserEnabled": False,
                "anonymousPullEnabled": False,
                "publicNetworkAccess": "Disabled",
                "dataEndpointEnabled": True,
                "policies": {"retentionPolicy": {"status": "enabled", "days": 14}},
            },
        ),
        res(lg.AZURE_LOG_WORKSPACE, "workspace", {"retentionInDays": 90}),
        res(lg.AZURE_FLOW_LOG, "flow-log", {"retentionPolicy": {"enabled": True, "days": 90}}),
    ]


def good_alicloud():
    return [
        res(
            keys.ALICLOUD_KMS_KEY,
            "key",
            {
                "keySpec": "Aliyun_AES_256",
                "automaticRotation": "Enabled",
                "rotationInterval": "365d",
                "deletionProtection": "Enabled",
                "pendingWindowInDays": 30,
            },
        ),
        res(
            lg.ALICLOUD_LOG_STORE,
            "flow-logs",
            {
                "retentionPeriod": 180,
                "encryptConf": {"enable": True, "encryptType": "default", "userCmkInfo": {"cmkKeyId": "key-1"}},
            },
        ),
        res(lg.ACK_CLUSTER, "ack", {"controlPlaneLogComponents": ["apiserver"], "controlPlaneLogTtl": "180"}),
    ]


GOOD = {"aws": good_aws, "gcp": good_gcp, "azure": good_azure, "alicloud": good_alicloud}


@pytest.mark.parametrize("cloud", sorted(GOOD))
@pytest.mark.parametrize("rule", RULES)
def test_compliant_keys_vaults_registries_and_logs_pass(rule: str, cloud: str) -> None:
    assert_compliant(rule, GOOD[cloud]())


VIOLATIONS = [
    # rotation, in every cloud's notation
    (ROTATION, "aws", lambda r: changed(r, "logs-key", "enableKeyRotation", DELETE), "logs-key", "enableKeyRotation"),
    (ROTATION, "aws", lambda r: changed(r, "logs-key", "rotationPeriodInDays", 730), "logs-key", "730 days"),
    (ROTATION, "gcp", lambda r: changed(r, "bucket-key", "rotationPeriod", DELETE), "bucket-key", "never rotates"),
    (ROTATION, "gcp", lambda r: changed(r, "bucket-key", "rotationPeriod", "63072000s"), "bucket-key", "730 days"),
    (ROTATION, "azure", lambda r: changed(r, "key", "properties.rotationPolicy.lifetimeActions", []), "key", "rotate"),
    (
        ROTATION,
        "azure",
        lambda r: changed(r, "key", "properties.rotationPolicy.lifetimeActions.0.trigger.timeAfterCreate", "P3Y"),
        "key",
        "1095 days",
    ),
    (ROTATION, "alicloud", lambda r: changed(r, "key", "automaticRotation", "Disabled"), "key", "automaticRotation"),
    (ROTATION, "alicloud", lambda r: changed(r, "key", "rotationInterval", "63072000s"), "key", "730 days"),
    # deletion
    (DELETION, "aws", lambda r: changed(r, "logs-key", "deletionWindowInDays", 7), "logs-key", "7 days"),
    (DELETION, "aws", lambda r: changed(r, "logs-key", "isEnabled", False), "logs-key", "isEnabled"),
    (DELETION, "gcp", lambda r: changed(r, "bucket-key", "destroyScheduledDuration", "86400s"), "bucket-key", "1 days"),
    (DELETION, "alicloud", lambda r: changed(r, "key", "deletionProtection", "Disabled"), "key", "deletionProtection"),
    (DELETION, "alicloud", lambda r: changed(r, "key", "pendingWindowInDays", 7), "key", "7 days"),
    (DELETION, "azure", lambda r: changed(r, "key", "properties.attributes", {"enabled": False}), "key", "enabled"),
    # Key Vault keys
    (
        KEY_HYGIENE,
        "azure",
        lambda r: changed(r, "key", "properties.rotationPolicy.attributes", DELETE),
        "key",
        "expiry",
    ),
    (KEY_HYGIENE, "azure", lambda r: changed(r, "key", "properties.keySize", 1024), "key", "1024"),
    (
        KEY_HYGIENE,
        "azure",
        lambda r: changed(changed(r, "key", "properties.kty", "EC"), "key", "properties.curveName", "P-256K"),
        "key",
        "P-256K",
    ),
    # vaults
    (RECOVERABLE, "azure", lambda r: changed(r, "vault", "properties.enablePurgeProtection", DELETE), "vault", "purge"),
    (RECOVERABLE, "azure", lambda r: changed(r, "vault", "properties.enableSoftDelete", False), "vault", "SoftDelete"),
    (VAULT_PRIVATE, "azure", lambda r: changed(r, "vault", "properties.networkAcls", DELETE), "vault", "every network"),
    (
        VAULT_PRIVATE,
        "azure",
        lambda r: changed(
            r, "vault", "properties.networkAcls.ipRules", [{"value": "0.0.0.0/1"}, {"value": "128.0.0.0/1"}]
        ),
        "vault",
        "every public IPv4 address",
    ),
    (VAULT_RBAC, "azure", lambda r: changed(r, "vault", "properties.enableRbacAuthorization", False), "vault", "RBAC"),
    (
        VAULT_RBAC,
        "azure",
        lambda r: changed(
            r, "vault", "properties.accessPolicies", [{"objectId": "x", "permissions": {"keys": ["all"]}}]
        ),
        "vault",
        "accessPolicies",
    ),
    # registries
    (REGISTRY_CREDENTIALS, "azure", lambda r: changed(r, "registry", "adminUserEnabled", True), "registry", "admin"),
    (
        REGISTRY_CREDENTIALS,
        "azure",
        lambda r: changed(r, "registry", "anonymousPullEnabled", True),
        "registry",
        "anyone",
    ),
    (REGISTRY_PRIVATE, "azure", lambda r: changed(r, "registry", "publicNetworkAccess", "Enabled"), "registry", "Deny"),
    (REGISTRY_PRIVATE, "azure", lambda r: changed(r, "registry", "sku.name", "Standard"), "registry", "Premium"),
    (
        REGISTRY_PRIVATE,
        "azure",
        lambda r: changed(
            changed(r, "registry", "publicNetworkAccess", "Enabled"),
            "registry",
            "networkRuleSet",
            {
                "defaultAction": "Deny",
                "ipRules": [{"iPAddressOrRange": c} for c in ("0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/1")],
            },
        ),
        "registry",
        "every public IPv4 address",
    ),
    (REGISTRY_PRIVATE, "azure", lambda r: changed(r, "registry", "dataEndpointEnabled", False), "registry", "data"),
    (REGISTRY_RETENTION, "azure", lambda r: changed(r, "registry", "policies", DELETE), "registry", "retention"),
    # logs
    (LOGS_KEY, "aws", lambda r: changed(r, "forever-logs", "kmsKeyId", DELETE), "forever-logs", "kmsKeyId"),
    (LOGS_KEY, "aws", lambda r: changed(r, "forever-logs", "kmsKeyId", "alias/aws/logs"), "forever-logs", "customer"),
    (LOGS_KEY, "alicloud", lambda r: changed(r, "flow-logs", "encryptConf", DELETE), "flow-logs", "not encrypted"),
    (
        LOGS_KEY,
        "alicloud",
        lambda r: changed(r, "flow-logs", "encryptConf.userCmkInfo", DELETE),
        "flow-logs",
        "userCmkInfo",
    ),
    (
        LOGS_MINIMUM,
        "aws",
        lambda r: changed(r, "control-plane-logs", "retentionInDays", 7),
        "control-plane-logs",
        "7 days",
    ),
    (LOGS_MINIMUM, "azure", lambda r: changed(r, "workspace", "retentionInDays", 30), "workspace", "30 days"),
    (LOGS_MINIMUM, "azure", lambda r: changed(r, "flow-log", "retentionPolicy.days", 30), "flow-log", "30 days"),
    (LOGS_MINIMUM, "alicloud", lambda r: changed(r, "flow-logs", "retentionPeriod", 7), "flow-logs", "7 days"),
    (LOGS_MINIMUM, "alicloud", lambda r: changed(r, "ack", "controlPlaneLogTtl", "30"), "ack", "30 days"),
]


@pytest.mark.parametrize(
    ("rule", "cloud", "break_it", "flagged", "contains"), VIOLATIONS, ids=lambda v: v if isinstance(v, str) else ""
)
def test_one_change_is_reported(rule, cloud, break_it, flagged, contains) -> None:
    assert_flags(rule, break_it(GOOD[cloud]()), flagged, contains=contains)


@pytest.mark.parametrize(
    ("value", "days"),
    [("P1Y", 365), ("P90D", 90), ("P1Y6M", 545), ("P2W", 14), ("7776000s", 90), ("365d", 365), ("PT12H", 0.5)],
)
def test_durations_in_every_notation(value: str, days: float) -> None:
    assert keys.duration_days(value) == days


def test_hsm_backed_keys_are_required_only_when_configured() -> None:
    resources = good_azure()
    assert_compliant(KEY_HYGIENE, resources)
    assert_flags(KEY_HYGIENE, resources, "key", {"requireHsm": True}, contains="HSM")
    assert_compliant(KEY_HYGIENE, changed(resources, "key", "properties.kty", "RSA-HSM"), {"requireHsm": True})


def test_a_log_group_kept_forever_meets_the_minimum() -> None:
    assert_compliant(LOGS_MINIMUM, changed(good_aws(), "control-plane-logs", "retentionInDays", DELETE))


def test_dev_keys_may_skip_deletion_protection_by_config() -> None:
    resources = changed(
        changed(good_alicloud(), "key", "deletionProtection", "Disabled"), "key", "pendingWindowInDays", 7
    )
    assert_compliant(DELETION, resources, {"minDeletionWindowDays": 7, "requireDeletionProtection": False})
