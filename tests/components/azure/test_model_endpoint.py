"""ai-infra:azure:ModelEndpoint: a private Azure ML workspace, a managed online endpoint and one
deployment that takes all traffic, reading its model from a bucket with a read-only grant."""

from __future__ import annotations

import pytest

from components.azure import Bucket, BucketArgs, ModelEndpoint, ModelEndpointArgs, ServingContainer
from components.azure.roles import BuiltInRole
from tests.components.azure.taggable import SUBSCRIPTION_ID, TAGS, TENANT_ID, is_taggable, scope_is_narrow

ML = "azure-native:machinelearningservices"
NETWORK = f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/rg-test/providers/Microsoft.Network"
ML_SUBNET = f"{NETWORK}/virtualNetworks/v/subnets/snet-ml"


def make(**overrides):
    def program():
        models = Bucket(
            "models",
            BucketArgs(
                subscription_id=SUBSCRIPTION_ID,
                resource_group_name="rg-test",
                location="eastus",
                account_name="sttestmodels",
                purpose="models",
            ),
        )
        args = {
            "subscription_id": SUBSCRIPTION_ID,
            "tenant_id": TENANT_ID,
            "resource_group_name": "rg-test",
            "location": "eastus",
            "workspace_name": "mlw-test-chat",
            "endpoint_name": "test-chat-abc123",
            "storage_account_name": "stmltestchat",
            "key_vault_name": "kv-ml-test-chat",
            "registry_name": "crmltestchat",
            "instance_type": "Standard_NC24ads_A100_v4",
            "container": ServingContainer(image="ghcr.io/org/server:1", port=80, scoring_path="/generate"),
            "model_bucket": models,
            "model_path": "chat/",
            "log_workspace_id": "logs-id",
            "tags": TAGS,
            "min_instances": 2,
            "max_instances": 6,
            "private_endpoint_subnet_id": ML_SUBNET,
            "private_dns_zone_ids": ["zone-api-id", "zone-notebooks-id"],
            **overrides,
        }
        ModelEndpoint("chat", ModelEndpointArgs(**args))

    return program


def test_workspace_is_private_with_a_managed_network_and_identity_datastores(declare):
    run = declare(make())
    workspace = run.one(f"{ML}:Workspace").inputs
    assert workspace["publicNetworkAccess"] == "Disabled"
    assert workspace["identity"] == {"type": "SystemAssigned"}
    assert workspace["systemDatastoresAuthMode"] == "Identity"
    assert workspace["v1LegacyMode"] is False
    network = workspace["managedNetwork"]
    assert network["isolationMode"] == "AllowInternetOutbound"
    assert network["outboundRules"]["model-bucket"] == {
        "type": "PrivateEndpoint",
        "category": "UserDefined",
        "destination": {
            "serviceResourceId": f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/rg-test/providers"
            "/Microsoft.Storage/storageAccounts/sttestmodels",
            "subresourceTarget": "blob",
        },
    }
    for key, child in (
        ("storageAccount", run.id_of("chat-storage-account")),
        ("keyVault", run.id_of("chat-vault")),
        ("applicationInsights", run.id_of("chat-insights")),
        ("containerRegistry", run.id_of("chat-registry")),
    ):
        assert workspace[key] == child


def test_approved_outbound_only_when_asked(declare):
    workspace = declare(make(managed_network="allow-only-approved-outbound")).one(f"{ML}:Workspace").inputs
    assert workspace["managedNetwork"]["isolationMode"] == "AllowOnlyApprovedOutbound"


def test_workspace_dependencies_are_locked_down(declare):
    run = declare(make())
    storage = run.named("chat-storage-account").inputs
    assert storage["allowSharedKeyAccess"] is False and storage["allowBlobPublicAccess"] is False
    assert storage["publicNetworkAccess"] == "Disabled" and storage["minimumTlsVersion"] == "TLS1_2"
    vault = run.one("azure-native:keyvault:Vault").inputs["properties"]
    assert vault["enableRbacAuthorization"] is True and vault["publicNetworkAccess"] == "Disabled"
    registry = run.one("azure-native:containerregistry:Registry").inputs
    assert registry["adminUserEnabled"] is False and registry["anonymousPullEnabled"] is False
    assert registry["publicNetworkAccess"] == "Disabled" and registry["sku"] == {"name": "Premium"}
    assert registry["dataEndpointEnabled"] is True
    assert registry["policies"] == {"retentionPolicy": {"status": "enabled", "days": 7}}
    insights = run.one("azure-native:applicationinsights:Component").inputs
    assert insights["workspaceResourceId"] == "logs-id"


def test_workspace_storage_is_a_versioned_logged_bucket(declare):
    run = declare(make())
    storage = run.named("chat-storage")
    assert storage.type == "ai-infra:azure:Bucket"
    services = [r for r in run.children_of(storage.urn) if r.type == "azure-native:storage:BlobServiceProperties"]
    assert [s.inputs["isVersioningEnabled"] for s in services] == [True]
    [logs] = [r for r in run.children_of(storage.urn) if r.type == "azure-native:monitor:DiagnosticSetting"]
    assert logs.inputs["workspaceId"] == "logs-id"


@pytest.mark.parametrize(("auth", "wire"), [("aad_token", "AADToken"), ("key", "Key")])
def test_endpoint_auth_mode_and_private_by_default(declare, auth, wire):
    endpoint = declare(make(auth_mode=auth)).one(f"{ML}:OnlineEndpoint").inputs
    assert endpoint["properties"]["authMode"] == wire
    assert endpoint["properties"]["publicNetworkAccess"] == "Disabled"
    assert endpoint["identity"] == {"type": "SystemAssigned"}
    assert endpoint["endpointName"] == "test-chat-abc123"


def test_public_endpoint_only_when_asked(declare):
    endpoint = declare(make(public_network_access=True)).one(f"{ML}:OnlineEndpoint").inputs
    assert endpoint["properties"]["publicNetworkAccess"] == "Enabled"


def test_deployment_scales_between_min_and_max_on_the_catalog_instance_type(declare):
    run = declare(make(target_utilization_percentage=60, request_timeout_ms=90_500))
    deployment = run.one(f"{ML}:OnlineDeployment").inputs
    properties = deployment["properties"]
    assert properties["endpointComputeType"] == "Managed"
    assert properties["instanceType"] == "Standard_NC24ads_A100_v4"
    assert properties["scaleSettings"] == {
        "scaleType": "TargetUtilization",
        "minInstances": 2,
        "maxInstances": 6,
        "targetUtilizationPercentage": 60,
        "pollingInterval": "PT1M",
    }
    assert deployment["sku"] == {"name": "Default", "capacity": 2}
    assert properties["requestSettings"]["requestTimeout"] == "PT90.500S"
    assert properties["livenessProbe"]["initialDelay"] == "PT10M"
    assert properties["readinessProbe"]["period"] == "PT10S"
    assert properties["appInsightsEnabled"] is True
    assert properties["model"] == run.id_of("chat-model") and properties["environmentId"] == run.id_of(
        "chat-environment"
    )
    assert deployment["endpointName"] == "test-chat-abc123"


def test_model_comes_from_the_bucket_through_an_identity_datastore(declare):
    run = declare(make())
    datastore = run.one(f"{ML}:Datastore").inputs
    assert datastore["properties"]["credentials"] == {"credentialsType": "None"}
    assert datastore["properties"]["accountName"] == "sttestmodels"
    assert datastore["properties"]["containerName"] == "models"
    model = run.one(f"{ML}:ModelVersion").inputs
    assert model["properties"]["modelUri"] == "azureml://datastores/bucket_models/paths/chat/"
    environment = run.one(f"{ML}:EnvironmentVersion").inputs["properties"]
    assert environment["image"] == "ghcr.io/org/server:1"
    assert environment["inferenceConfig"]["scoringRoute"] == {"path": "/generate", "port": 80}


def test_workspace_and_endpoint_get_read_only_access_to_the_model_container(declare):
    run = declare(make())
    grants = {r.name: r.inputs for r in run.of_type("azure-native:authorization:RoleAssignment")}
    assert set(grants) == {"chat-workspace-model-read", "chat-endpoint-model-read"}
    for grant in grants.values():
        assert grant["roleDefinitionId"].endswith(BuiltInRole.STORAGE_BLOB_DATA_READER.value)
        assert grant["scope"].endswith("/storageAccounts/sttestmodels/blobServices/default/containers/models")
        assert scope_is_narrow(grant["scope"])
    deployment = run.one(f"{ML}:OnlineDeployment")
    assert run.named("chat-endpoint-model-read").urn in deployment.dependencies


def test_traffic_step_sends_everything_to_the_deployment_after_it_exists(declare):
    run = declare(make())
    traffic = run.one("azure-native:resources:Deployment")
    assert traffic.inputs["properties"]["mode"] == "Incremental"
    [endpoint] = traffic.inputs["properties"]["template"]["resources"]
    assert endpoint["type"] == "Microsoft.MachineLearningServices/workspaces/onlineEndpoints"
    assert endpoint["name"] == "mlw-test-chat/test-chat-abc123"
    assert endpoint["properties"]["traffic"] == {"primary": 100}
    # The re-applied endpoint keeps the endpoint's own settings.
    assert endpoint["properties"]["publicNetworkAccess"] == "Disabled"
    assert endpoint["properties"]["authMode"] == "AADToken"
    assert run.one(f"{ML}:OnlineDeployment").urn in traffic.dependencies


def test_workspace_private_endpoint_registers_in_the_dns_zones(declare):
    run = declare(make())
    endpoint = run.one("azure-native:network:PrivateEndpoint").inputs
    assert endpoint["subnet"] == {"id": ML_SUBNET}
    [connection] = endpoint["privateLinkServiceConnections"]
    assert connection["groupIds"] == ["amlworkspace"] and connection["privateLinkServiceId"] == run.id_of(
        "chat-workspace"
    )
    group = run.one("azure-native:network:PrivateDnsZoneGroup").inputs
    assert [z["privateDnsZoneId"] for z in group["privateDnsZoneConfigs"]] == ["zone-api-id", "zone-notebooks-id"]
    assert declare(make(private_endpoint_subnet_id=None)).of_type("azure-native:network:PrivateEndpoint") == []


def test_customer_managed_keys_for_the_workspace_and_its_storage(declare):
    run = declare(make(customer_managed_key=True, storage_key_vault_name="kv-mls-test-chat"))
    workspace = run.one(f"{ML}:Workspace").inputs
    identity = run.named("chat-cmk-identity")
    assert workspace["encryption"]["status"] == "Enabled"
    key = run.named("chat-cmk-key").outputs
    assert key["keyUri"] == "https://kv-ml-test-chat.vault.azure.net/keys/workspace-cmk"
    assert workspace["encryption"]["keyVaultProperties"]["keyIdentifier"] == key["keyUriWithVersion"]
    assert workspace["encryption"]["keyVaultProperties"]["keyVaultArmId"].endswith("/vaults/kv-ml-test-chat")
    assert workspace["encryption"]["identity"] == {"userAssignedIdentity": run.id_of(identity.name)}
    assert workspace["identity"] == {
        "type": "SystemAssigned,UserAssigned",
        "userAssignedIdentities": [run.id_of(identity.name)],
    }
    grant = run.named("chat-cmk-key-access")
    assert grant.inputs["roleDefinitionId"].endswith(BuiltInRole.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER.value)
    assert grant.inputs["scope"].endswith("/vaults/kv-ml-test-chat/keys/workspace-cmk")
    assert grant.urn in run.one(f"{ML}:Workspace").dependencies
    # Keys need purge protection on their vault, in dev too.
    assert run.named("chat-vault").inputs["properties"]["enablePurgeProtection"] is True
    storage = run.named("chat-storage-account").inputs
    assert storage["encryption"]["keySource"] == "Microsoft.Keyvault"
    assert run.named("chat-storage-vault").inputs["vaultName"] == "kv-mls-test-chat"


def test_prod_protects_the_workspace_and_its_data(declare):
    run = declare(make(protect=True))
    for name in ("chat-workspace", "chat-storage-account", "chat-vault"):
        record = run.named(name)
        assert record.protect and record.retain_on_delete, name
    assert run.one("azure-native:keyvault:Vault").inputs["properties"]["enablePurgeProtection"] is True
    dev = declare(make())
    assert not dev.named("chat-workspace").protect
    assert "enablePurgeProtection" not in dev.one("azure-native:keyvault:Vault").inputs["properties"]


def test_every_taggable_resource_is_tagged(declare):
    run = declare(make(customer_managed_key=True, storage_key_vault_name="kv-mls-test-chat"))
    checked = 0
    for record in run.resources:
        inside = "ai-infra:azure:ModelEndpoint$" in record.urn
        if inside and record.type.startswith("azure-native:") and is_taggable(record.type):
            assert TAGS.items() <= record.inputs["tags"].items(), record.name
            checked += 1
    assert checked >= 12
