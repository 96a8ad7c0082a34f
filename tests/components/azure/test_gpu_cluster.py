"""ai-infra:azure:GpuCluster: Entra ID-only access, workload identity, a private API server, and
GPU pools that are tainted, autoscaled (to zero) and on Spot when asked."""

from __future__ import annotations

import pulumi

from components.azure import GpuCluster, GpuClusterArgs, GpuPoolArgs
from components.azure.roles import BuiltInRole
from tests.components.azure.taggable import SUBSCRIPTION_ID, TAGS, TENANT_ID, is_taggable, scope_is_narrow

CLUSTER = "azure-native:containerservice:ManagedCluster"
POOL = "azure-native:containerservice:AgentPool"
NODE_SUBNET = (
    f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/rg-test/providers/Microsoft.Network"
    "/virtualNetworks/vnet-test/subnets/snet-nodes"
)
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
    assert cluster.inputs["identity"] == {"type": "UserAssigned", "userAssignedIdentities": [f"{identity.name}-id"]}
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


def test_audit_logs_go_to_a_log_analytics_workspace_unless_turned_off(declare):
    run = declare(make())
    setting = run.one("azure-native:monitor:DiagnosticSetting").inputs
    assert [log["category"] for log in setting["logs"]] == ["kube-audit-admin", "guard"]
    assert setting["workspaceId"] == "test-logs-id"
    assert run.one("azure-native:operationalinsights:Workspace").inputs["retentionInDays"] == 30
    assert declare(make(audit_logs=False)).of_type("azure-native:monitor:DiagnosticSetting") == []


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


def test_prod_cluster_is_protected_and_retained(declare):
    assert not declare(make()).one(CLUSTER).protect
    cluster = declare(make(protect=True)).one(CLUSTER)
    assert cluster.protect and cluster.retain_on_delete


def test_taggable_children_are_tagged(declare):
    run = declare(make())
    component = run.one("ai-infra:azure:GpuCluster")
    for record in run.children_of(component.urn):
        if is_taggable(record.type):
            assert TAGS.items() <= record.inputs["tags"].items(), record.name
