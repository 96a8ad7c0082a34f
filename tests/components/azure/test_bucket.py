"""ai-infra:azure:Bucket: a storage account only Entra ID identities can use, behind a default-deny
firewall, with versioning, soft delete, lifecycle tiering and an optional customer-managed key."""

from __future__ import annotations

import pytest

from components.azure import BlobTiering, Bucket, BucketArgs, CustomerKeyArgs
from components.azure.roles import BuiltInRole
from tests.components.azure.taggable import SUBSCRIPTION_ID, TAGS, TENANT_ID, is_taggable, scope_is_narrow

ACCOUNT = "azure-native:storage:StorageAccount"
CONTAINER = "azure-native:storage:BlobContainer"
VAULT = "azure-native:keyvault:Vault"
KEY = "azure-native:keyvault:Key"
ROLE = "azure-native:authorization:RoleAssignment"
NODE_SUBNET = (
    f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/rg-test/providers/Microsoft.Network"
    "/virtualNetworks/vnet-test/subnets/snet-nodes"
)
CMK = CustomerKeyArgs(tenant_id=TENANT_ID, key_vault_name="kv-test-models-abc123")


def make(**overrides):
    args = {
        "subscription_id": SUBSCRIPTION_ID,
        "resource_group_name": "rg-test",
        "location": "eastus",
        "account_name": "sttestmodels123456",
        "purpose": "models",
        "tags": TAGS,
        "allowed_subnet_ids": [NODE_SUBNET],
        **overrides,
    }
    return lambda: Bucket("models", BucketArgs(**args))


def test_account_allows_identities_only_over_tls12(declare):
    account = declare(make()).one(ACCOUNT).inputs
    assert account["kind"] == "StorageV2"
    assert account["allowBlobPublicAccess"] is False
    assert account["allowSharedKeyAccess"] is False
    assert account["defaultToOAuthAuthentication"] is True
    assert account["minimumTlsVersion"] == "TLS1_2"
    assert account["enableHttpsTrafficOnly"] is True
    assert account["allowCrossTenantReplication"] is False


def test_firewall_denies_by_default_and_lets_the_node_subnet_in(declare):
    account = declare(make()).one(ACCOUNT).inputs
    rules = account["networkRuleSet"]
    assert rules["defaultAction"] == "Deny"
    assert rules["virtualNetworkRules"] == [{"virtualNetworkResourceId": NODE_SUBNET, "action": "Allow"}]
    assert rules["ipRules"] == []
    assert account["publicNetworkAccess"] == "Enabled"  # service endpoints need it; the firewall decides


def test_private_endpoints_only_turns_public_network_access_off(declare):
    account = declare(make(allowed_subnet_ids=[], private_endpoints_only=True)).one(ACCOUNT).inputs
    assert account["publicNetworkAccess"] == "Disabled"
    assert account["networkRuleSet"]["defaultAction"] == "Deny"
    assert account["networkRuleSet"]["virtualNetworkRules"] == []


def test_access_logs_go_to_log_analytics_only_when_asked(declare):
    assert declare(make()).of_type("azure-native:monitor:DiagnosticSetting") == []
    run = declare(make(access_log_workspace_id="logs-id"))
    setting = run.one("azure-native:monitor:DiagnosticSetting")
    assert setting.inputs["workspaceId"] == "logs-id"
    assert [log["category"] for log in setting.inputs["logs"]] == ["StorageRead", "StorageWrite", "StorageDelete"]
    assert all(log["enabled"] is True for log in setting.inputs["logs"])
    # Blob logs are a setting of the account's blob service.
    service = run.one("azure-native:storage:BlobServiceProperties")
    assert setting.property_dependencies["resourceUri"] == [service.urn]


def test_infrastructure_encryption_with_microsoft_keys_by_default(declare):
    run = declare(make())
    encryption = run.one(ACCOUNT).inputs["encryption"]
    assert encryption["requireInfrastructureEncryption"] is True
    assert encryption["keySource"] == "Microsoft.Storage"
    assert run.of_type(VAULT) == [] and run.of_type(KEY) == []


def test_customer_managed_key_in_a_purge_protected_vault(declare):
    run = declare(make(customer_key=CMK))
    vault = run.one(VAULT).inputs["properties"]
    assert vault["enablePurgeProtection"] is True and vault["enableSoftDelete"] is True
    assert vault["enableRbacAuthorization"] is True
    assert vault["networkAcls"]["defaultAction"] == "Deny"
    key = run.one(KEY).inputs
    assert key["properties"]["kty"] == "RSA" and key["properties"]["keySize"] >= 2048
    assert key["properties"]["rotationPolicy"]["lifetimeActions"][0]["action"] == {"type": "rotate"}
    account = run.one(ACCOUNT).inputs
    identity = run.one("azure-native:managedidentity:UserAssignedIdentity")
    encryption = account["encryption"]
    assert encryption["keySource"] == "Microsoft.Keyvault"
    assert encryption["requireInfrastructureEncryption"] is True
    assert encryption["keyVaultProperties"] == {
        "keyVaultUri": "https://kv-test-models-abc123.vault.azure.net/",
        "keyName": "models-cmk",
    }
    assert encryption["encryptionIdentity"] == {"encryptionUserAssignedIdentity": run.id_of(identity.name)}
    assert account["identity"] == {"type": "UserAssigned", "userAssignedIdentities": [run.id_of(identity.name)]}
    [grant] = run.of_type(ROLE)
    assert grant.inputs["roleDefinitionId"].endswith(BuiltInRole.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER.value)
    assert grant.inputs["scope"].endswith("/vaults/kv-test-models-abc123/keys/models-cmk")
    # The account can only be created once its identity may use the key.
    assert grant.urn in run.one(ACCOUNT).dependencies


def test_versioning_and_soft_delete_on_the_blob_service(declare):
    service = declare(make(soft_delete_days=14)).one("azure-native:storage:BlobServiceProperties").inputs
    assert service["isVersioningEnabled"] is True
    assert service["deleteRetentionPolicy"] == {"enabled": True, "days": 14}
    assert service["containerDeleteRetentionPolicy"] == {"enabled": True, "days": 14}


def test_one_private_container_named_after_the_purpose(declare):
    container = declare(make()).one(CONTAINER).inputs
    assert container["containerName"] == "models"
    assert container["publicAccess"] == "None"


def test_management_policy_tiers_and_deletes_old_versions(declare):
    run = declare(make(tiering=BlobTiering(cool_days=30, cold_days=90, archive_days=365), noncurrent_version_days=14))
    rules = {r["name"]: r for r in run.one("azure-native:storage:ManagementPolicy").inputs["policy"]["rules"]}
    tiering = rules["tiering"]["definition"]
    assert tiering["actions"]["baseBlob"] == {
        "tierToCool": {"daysAfterModificationGreaterThan": 30},
        "tierToCold": {"daysAfterModificationGreaterThan": 90},
        "tierToArchive": {"daysAfterModificationGreaterThan": 365},
    }
    assert tiering["filters"] == {"blobTypes": ["blockBlob"], "prefixMatch": ["models/"]}
    versions = rules["delete-old-versions"]["definition"]["actions"]["version"]
    assert versions == {"delete": {"daysAfterCreationGreaterThan": 14}}


def test_no_tiering_rule_when_every_step_is_off(declare):
    run = declare(make(tiering=BlobTiering(cool_days=None)))
    names = [r["name"] for r in run.one("azure-native:storage:ManagementPolicy").inputs["policy"]["rules"]]
    assert names == ["delete-old-versions"]


@pytest.mark.parametrize(("size", "tag"), [(0, None), (250.4, "250")])
def test_expected_size_tag_only_when_there_is_an_estimate(declare, size, tag):
    tags = declare(make(expected_size_gib=size)).one(ACCOUNT).inputs["tags"]
    assert tags.get("ai-infra-expected-size-gib") == tag
    assert tags["purpose"] == "models" and TAGS.items() <= tags.items()


def test_prod_stateful_children_are_protected_and_retained(declare):
    run = declare(make(customer_key=CMK, protect=True))
    for record in (run.one(ACCOUNT), run.one(CONTAINER), run.one(VAULT), run.one(KEY)):
        assert record.protect and record.retain_on_delete, record.type


def test_dev_stateful_children_are_not_protected(declare):
    run = declare(make(customer_key=CMK))
    for record in (run.one(ACCOUNT), run.one(CONTAINER), run.one(VAULT), run.one(KEY)):
        assert not record.protect and not record.retain_on_delete, record.type


def test_account_id_is_the_arm_id_of_the_account(declare):
    captured: dict = {}

    def program():
        bucket = make()()
        bucket.account_id.apply(lambda value: captured.setdefault("id", value))

    declare(program)
    assert captured["id"] == (
        f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/rg-test/providers/Microsoft.Storage/storageAccounts/sttestmodels123456"
    )


def test_grants_are_scoped_to_the_container(declare):
    def program():
        bucket = make()()
        bucket.grant("reader", parent=bucket, principal_id="p-1", mode="read", who="test")
        bucket.grant("writer", parent=bucket, principal_id="p-2", mode="write", who="test")

    run = declare(program)
    grants = {r.name: r.inputs for r in run.of_type(ROLE)}
    container_scope = (
        f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/rg-test/providers/Microsoft.Storage"
        "/storageAccounts/sttestmodels123456/blobServices/default/containers/models"
    )
    assert {g["scope"] for g in grants.values()} == {container_scope}
    assert all(scope_is_narrow(g["scope"]) and g["principalType"] == "ServicePrincipal" for g in grants.values())
    assert grants["reader"]["roleDefinitionId"].endswith(BuiltInRole.STORAGE_BLOB_DATA_READER.value)
    assert grants["writer"]["roleDefinitionId"].endswith(BuiltInRole.STORAGE_BLOB_DATA_CONTRIBUTOR.value)


def test_taggable_children_are_tagged(declare):
    run = declare(make(customer_key=CMK))
    component = run.one("ai-infra:azure:Bucket")
    children = run.children_of(component.urn)
    assert len(children) >= 8
    for record in children:
        if is_taggable(record.type):
            assert TAGS.items() <= record.inputs["tags"].items(), record.name
