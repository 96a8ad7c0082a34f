"""ai-infra:azure:GpuCluster: Entra ID-only access, workload identity, a private API server, and
GPU pools that are tainted, autoscaled (to zero) and on Spot when asked."""

from __future__ import annotations

import pulumi
import pytest

from components.azure import GpuCluster, GpuClusterArgs, GpuPoolArgs
from components.azure.roles import BuiltInRole
from tests.components.azure.taggable import SUBSCRIPTION_ID, TAGS, TENANT_ID, is_taggable, scope_is_narrow

CLUSTER = "azure-native:containerservice:ManagedCluster"
ROLE = "azure-native:authorization:RoleAssignment"
POOL = "azure-native:containerservice:AgentPool"
NODE_SUBNET = (
    f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/rg-test/providers/Microsoft.Network"
    "/virtualNetworks/vnet-test/subnets/snet-nodes"
)
API_SUBNET = NODE_SUBNET.replace("snet-nodes", "snet-apiserver")
T4_SPOT = GpuPoolArgs(name="t4", vm_size="Standard_NC4as_T4_v3", accelerator="nvidia-t4", max_nodes=3, spot=True)
H100 = GpuPoolArgs(
    name="train",
    vm_size="Standard_ND96isr_H100_v5",
    accelerator="nvidia-h100",
    min_nodes=1,
    max_nodes=4,
    disk_gib=1000,
    labels={"team": "research"},
    mig_profile="MIG3g",
)


def make(**overrides):
    args = {
        "subscription_id": SUBSCRIPTION_ID,
        "tenant_id": TENANT_ID,
        "resource_group_name": "rg-test",
        "location": "eastus",
        "cluster_name": "aks-test",
        "node_subnet_id": NODE_SUBNET,
        "tags": TAGS,
        "gpu_pools": [T4_SPOT, H100],
        **overrides,
    }
    return lambda: GpuCluster("test", GpuClusterArgs(**args))


def pools(run) -> dict[str, dict]:
    return {r.inputs["agentPoolName"]: r.inputs for r in run.of_type(POOL)}


def test_access_is_entra_id_only_with_azure_rbac(declare):
    cluster = declare(make(admin_group_object_ids=["22222222-2222-2222-2222-222222222222"])).one(CLUSTER).inputs
    assert cluster["disableLocalAccounts"] is True
    assert cluster["enableRBAC"] is True
    assert cluster["aadProfile"] == {
        "managed": True,
        "enableAzureRBAC": True,
        "tenantID": TENANT_ID,
        "adminGroupObjectIDs": ["22222222-2222-2222-2222-222222222222"],
    }


def test_oidc_issuer_and_workload_identity_are_on(declare):
    cluster = declare(make()).one(CLUSTER).inputs
    assert cluster["oidcIssuerProfile"] == {"enabled": True}
    assert cluster["securityProfile"]["workloadIdentity"] == {"enabled": True}


def test_private_cluster_by_default(declare):
    profile = declare(make()).one(CLUSTER).inputs["apiServerAccessProfile"]
    assert profile["enablePrivateCluster"] is True
    assert profile["enablePrivateClusterPublicFQDN"] is False
    assert "authorizedIPRanges" not in profile


def test_authorized_ranges_make_a_public_api_server_limited_to_them(declare):
    profile = declare(make(authorized_ip_ranges=["203.0.113.0/24"])).one(CLUSTER).inputs["apiServerAccessProfile"]
    assert profile["enablePrivateCluster"] is False
    assert profile["authorizedIPRanges"] == ["203.0.113.0/24"]


def test_tier_network_policy_upgrades_and_system_pool(declare):
    cluster = declare(make(sku_tier="Free", auto_upgrade_channel="patch")).one(CLUSTER).inputs
    assert cluster["sku"] == {"name": "Base", "tier": "Free"}
    assert cluster["networkProfile"]["networkPolicy"] == "cilium"
    assert cluster["networkProfile"]["networkPluginMode"] == "overlay"
    assert cluster["networkProfile"]["outboundType"] == "userAssignedNATGateway"
    assert cluster["autoUpgradeProfile"] == {"upgradeChannel": "patch", "nodeOSUpgradeChannel": "NodeImage"}
    [system] = cluster["agentPoolProfiles"]
    assert system["mode"] == "System" and system["name"] == "system"
    assert system["nodeTaints"] == ["CriticalAddonsOnly=true:NoSchedule"]
    assert system["enableNodePublicIP"] is False
    assert system["vnetSubnetID"] == NODE_SUBNET
    assert declare(make()).one(CLUSTER).inputs["sku"]["tier"] == "Standard"


def test_network_isolated_cluster_when_there_is_no_egress(declare):
    cluster = declare(make(outbound="none")).one(CLUSTER).inputs
    assert cluster["networkProfile"]["outboundType"] == "none"
    assert cluster["bootstrapProfile"] == {"artifactSource": "Cache"}


def test_control_plane_identity_gets_network_contributor_on_the_node_subnet_only(declare):
    run = declare(make())
    [assignment] = run.of_type("azure-native:authorization:RoleAssignment")
    assert assignment.inputs["scope"] == NODE_SUBNET and scope_is_narrow(assignment.inputs["scope"])
    assert assignment.inputs["roleDefinitionId"].endswith(BuiltInRole.NETWORK_CONTRIBUTOR.value)
    identity = run.one("azure-native:managedidentity:UserAssignedIdentity")
    cluster = run.one(CLUSTER)
    assert cluster.inputs["identity"] == {"type": "UserAssigned", "userAssignedIdentities": [run.id_of(identity.name)]}
    assert assignment.urn in cluster.dependencies


def test_spot_pool_scales_to_zero_with_delete_eviction_and_no_price_cap(declare):
    pool = pools(declare(make()))["t4"]
    assert pool["mode"] == "User"
    assert pool["vmSize"] == "Standard_NC4as_T4_v3"
    assert (pool["enableAutoScaling"], pool["minCount"], pool["maxCount"], pool["count"]) == (True, 0, 3, 0)
    assert pool["scaleSetPriority"] == "Spot"
    assert pool["scaleSetEvictionPolicy"] == "Delete"
    assert pool["spotMaxPrice"] == -1
    assert pool["nodeTaints"] == [
        "nvidia.com/gpu=present:NoSchedule",
        "kubernetes.azure.com/scalesetpriority=spot:NoSchedule",
    ]
    assert pool["gpuProfile"] == {"driver": "Install"}
    assert pool["enableNodePublicIP"] is False
    assert pool["vnetSubnetID"] == NODE_SUBNET


def test_regular_pool_has_no_spot_settings_and_carries_labels_and_mig(declare):
    pool = pools(declare(make()))["train"]
    for key in ("scaleSetPriority", "scaleSetEvictionPolicy", "spotMaxPrice"):
        assert key not in pool, key
    assert pool["nodeTaints"] == ["nvidia.com/gpu=present:NoSchedule"]
    assert pool["nodeLabels"] == {"team": "research", "ai-infra/pool": "train", "ai-infra/accelerator": "nvidia-h100"}
    assert pool["gpuInstanceProfile"] == "MIG3g"
    assert (pool["minCount"], pool["maxCount"], pool["count"], pool["osDiskSizeGB"]) == (1, 4, 1, 1000)
    assert pool["resourceName"] == "aks-test"


def test_audit_logs_go_to_the_log_analytics_workspace_when_given(declare):
    run = declare(make(log_workspace_id="logs-id"))
    setting = run.one("azure-native:monitor:DiagnosticSetting")
    assert [log["category"] for log in setting.inputs["logs"]] == ["kube-audit-admin", "guard"]
    assert all(log["enabled"] is True for log in setting.inputs["logs"])
    assert setting.inputs["workspaceId"] == "logs-id"
    assert run.one(CLUSTER).urn in setting.property_dependencies["resourceUri"]
    assert declare(make()).of_type("azure-native:monitor:DiagnosticSetting") == []


def test_api_server_vnet_integration_with_its_own_subnet(declare):
    run = declare(make(api_server_subnet_id=API_SUBNET))
    profile = run.one(CLUSTER).inputs["apiServerAccessProfile"]
    assert profile["enableVnetIntegration"] is True and profile["subnetId"] == API_SUBNET
    assert profile["enablePrivateCluster"] is True
    scopes = {r.inputs["scope"] for r in run.of_type(ROLE)}
    assert scopes == {NODE_SUBNET, API_SUBNET}


def test_secrets_are_envelope_encrypted_with_a_key_in_a_private_vault(declare):
    run = declare(make(api_server_subnet_id=API_SUBNET, kms_key_vault_name="kv-aks-test-abc123"))
    cluster = run.one(CLUSTER)
    kms = cluster.inputs["securityProfile"]["azureKeyVaultKms"]
    assert kms["enabled"] is True
    key = run.one("azure-native:keyvault:Key").outputs
    assert key["keyUri"] == "https://kv-aks-test-abc123.vault.azure.net/keys/etcd-kms"
    assert kms["keyId"] == key["keyUriWithVersion"], "AKS KMS needs the versioned key id"
    assert kms["keyVaultNetworkAccess"] == "Private"
    assert kms["keyVaultResourceId"].endswith("/providers/Microsoft.KeyVault/vaults/kv-aks-test-abc123")
    vault = run.one("azure-native:keyvault:Vault").inputs["properties"]
    assert vault["publicNetworkAccess"] == "Disabled" and vault["enableRbacAuthorization"] is True
    grants = {r.inputs["scope"].rsplit("/", 2)[-2]: r for r in run.of_type(ROLE)}
    key_grant, vault_grant = grants["keys"], grants["vaults"]
    assert key_grant.inputs["roleDefinitionId"].endswith(BuiltInRole.KEY_VAULT_CRYPTO_USER.value)
    assert key_grant.inputs["scope"].endswith("/vaults/kv-aks-test-abc123/keys/etcd-kms")
    assert vault_grant.inputs["roleDefinitionId"].endswith(BuiltInRole.KEY_VAULT_CONTRIBUTOR.value)
    for grant in (key_grant, vault_grant):
        assert scope_is_narrow(grant.inputs["scope"])
        assert grant.urn in cluster.dependencies


def test_no_kms_by_default_and_none_without_the_api_server_subnet(declare):
    assert "azureKeyVaultKms" not in declare(make()).one(CLUSTER).inputs["securityProfile"]
    with pytest.raises(ValueError, match="needs api_server_subnet_id"):
        declare(make(kms_key_vault_name="kv-aks-test-abc123"))


def test_kubeconfig_is_a_secret_entra_id_user_kubeconfig(declare):
    captured: dict = {}

    def program():
        cluster = make()()
        pulumi.export("kubeconfig", cluster.kubeconfig)
        cluster.kubeconfig.apply(lambda text: captured.setdefault("kubeconfig", text))
        cluster.oidc_issuer_url.apply(lambda url: captured.setdefault("issuer", url))

    run = declare(program)
    assert run.secret_outputs == ["kubeconfig"]
    assert "kubelogin" in captured["kubeconfig"]
    assert "client-key-data" not in captured["kubeconfig"] and "token:" not in captured["kubeconfig"]
    assert captured["issuer"].startswith("https://") and "oic.prod-aks.azure.com" in captured["issuer"]


def test_prod_cluster_and_kms_key_are_protected_and_retained(declare):
    assert not declare(make()).one(CLUSTER).protect
    run = declare(make(protect=True, api_server_subnet_id=API_SUBNET, kms_key_vault_name="kv-aks-test-abc123"))
    for record in (run.one(CLUSTER), run.one("azure-native:keyvault:Vault"), run.one("azure-native:keyvault:Key")):
        assert record.protect and record.retain_on_delete, record.type
    assert run.one("azure-native:keyvault:Vault").inputs["properties"]["enablePurgeProtection"] is True


def test_taggable_children_are_tagged(declare):
    run = declare(make())
    component = run.one("ai-infra:azure:GpuCluster")
    for record in run.children_of(component.urn):
        if is_taggable(record.type):
            assert TAGS.items() <= record.inputs["tags"].items(), record.name


def test_managed_prometheus_is_on_unless_turned_off(declare):
    cluster = "azure-native:containerservice:ManagedCluster"
    assert declare(make(managed_prometheus=False)).one(cluster).inputs["azureMonitorProfile"] == {
        "metrics": {"enabled": False}
    }


def test_autoscaler_profile_is_tuned_for_expensive_gpu_nodes(declare):
    cluster = declare(make()).one(CLUSTER).inputs
    profile = cluster["autoScalerProfile"]
    assert profile["expander"] == "least-waste"
    assert profile["scaleDownUnneededTime"] == "10m" and profile["scaleDownDelayAfterAdd"] == "10m"
    assert profile["skipNodesWithLocalStorage"] == "false"
    assert profile["maxNodeProvisionTime"] == "20m"
    # The managed Prometheus add-on reads the DCGM exporter's ServiceMonitor.
    assert cluster["azureMonitorProfile"] == {"metrics": {"enabled": True}}


def test_pool_taints_include_the_spot_taint_the_platform_tolerates(declare):
    assert [f"{t.key}={t.value}:{t.effect}" for t in T4_SPOT.taints] == pools(declare(make()))["t4"]["nodeTaints"]
    assert pools(declare(make()))["train"]["nodeTaints"] == ["nvidia.com/gpu=present:NoSchedule"]


def test_a_fixed_size_pool_is_tagged_with_its_reason(declare):
    fixed = GpuPoolArgs(
        name="t4",
        vm_size="Standard_NC4as_T4_v3",
        accelerator="nvidia-t4",
        min_nodes=2,
        max_nodes=2,
        fixed_size_reason="capacity reservation",
    )
    assert pools(declare(make(gpu_pools=[fixed])))["t4"]["tags"]["ai-infra-fixed-size"] == "capacity reservation"
    assert "ai-infra-fixed-size" not in pools(declare(make()))["t4"]["tags"]


def test_node_disks_are_encrypted_by_a_disk_encryption_set_with_its_own_key(declare):
    run = declare(make(protect=True, disk_key_vault_name="kv-aksd-test-abc123"))
    des = run.one("azure-native:compute:DiskEncryptionSet")
    assert run.one(CLUSTER).inputs["diskEncryptionSetID"] == des.id
    assert des.inputs["encryptionType"] == "EncryptionAtRestWithCustomerKey"
    assert des.inputs["rotationToLatestKeyVersionEnabled"] is True
    vault = run.one("azure-native:keyvault:Vault")
    assert vault.inputs["vaultName"] == "kv-aksd-test-abc123"
    assert vault.inputs["properties"]["enablePurgeProtection"] is True
    assert vault.inputs["properties"]["networkAcls"]["defaultAction"] == "Deny"
    for record in (des, vault, run.one("azure-native:keyvault:Key")):
        assert record.protect and record.retain_on_delete, record.type
    roles = {r.name: r.inputs for r in run.of_type("azure-native:authorization:RoleAssignment")}
    assert roles["test-disk-key-access"]["roleDefinitionId"].endswith("e147488a-f6f5-4113-8e2d-b22465e65bf6")
    assert "/keys/" in roles["test-disk-key-access"]["scope"]
    assert roles["test-disk-set-read"]["scope"] == des.id


def test_without_a_disk_vault_node_disks_use_platform_keys(declare):
    run = declare(make())
    assert run.of_type("azure-native:compute:DiskEncryptionSet") == []
    assert "diskEncryptionSetID" not in run.one(CLUSTER).inputs
