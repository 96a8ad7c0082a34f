"""The dev and prod stacks' Azure part, run from Pulumi.<stack>.yaml under mocks (as preflight
runs them): what they contain, protection of stateful resources, tags everywhere, narrow role
assignments, and the security and cost settings that differ between dev and prod."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from catalog import stateful_types
from stacks import StackConfigError
from stacks.azure import declare_azure
from stacks.config import parse_environment
from tests.components.azure.taggable import is_taggable, scope_is_narrow
from tests.conftest import REPO_ROOT

STACKS = ("dev", "prod")
COUNTS = {
    "dev": {
        "azure-native:resources:ResourceGroup": 1,
        "azure-native:operationalinsights:Workspace": 1,
        "azure-native:network:VirtualNetwork": 1,
        # The network's four and the Container Apps environment's delegated subnet, each with an NSG.
        "azure-native:network:Subnet": 5,
        "azure-native:network:NatGateway": 1,
        "azure-native:network:PublicIPAddress": 1,
        "azure-native:network:NetworkSecurityGroup": 5,
        "azure-native:network:FlowLog": 1,
        "azure-native:containerservice:ManagedCluster": 1,
        "azure-native:containerservice:AgentPool": 1,
        # Three buckets and the flow-log account (dev serves on Container Apps: no ML workspace).
        "azure-native:storage:StorageAccount": 4,
        "azure-native:storage:BlobContainer": 4,
        # The cluster's KMS vault and its node disk vault; dev buckets use Microsoft keys.
        # + the node disk vault and its key.
        "azure-native:keyvault:Vault": 2,
        "azure-native:keyvault:Key": 2,
        # Cluster audit logs, access logs of the flow-log account.
        "azure-native:monitor:DiagnosticSetting": 2,
        "azure-native:managedidentity:FederatedIdentityCredential": 1,
        "azure-native:machinelearningservices:Workspace": 0,
        "azure-native:machinelearningservices:OnlineDeployment": 0,
        "azure-native:app:ManagedEnvironment": 1,
        "azure-native:app:ContainerApp": 1,
        "azure-native:consumption:Budget": 1,
    },
    "prod": {
        "azure-native:resources:ResourceGroup": 1,
        "azure-native:network:Subnet": 5,  # + the Managed Lustre subnet
        "azure-native:network:NatGateway": 1,
        "azure-native:network:FlowLog": 1,
        "azure-native:containerservice:ManagedCluster": 1,
        "azure-native:containerservice:AgentPool": 2,
        "azure-native:storage:StorageAccount": 5,
        "azure-native:storage:BlobContainer": 6,  # + the Managed Lustre HSM log container
        # One per customer-managed storage key (5), the ML workspace's, the cluster's KMS vault, its
        # disk vault and the Managed Lustre key vault.
        "azure-native:keyvault:Vault": 9,
        "azure-native:keyvault:Key": 9,  # + the Managed Lustre key
        "azure-native:monitor:DiagnosticSetting": 6,
        "azure-native:managedidentity:FederatedIdentityCredential": 2,
        "azure-native:machinelearningservices:OnlineDeployment": 1,
        "azure-native:consumption:Budget": 1,
    },
}


def azure(run):
    return [r for r in run.resources if r.type.startswith("azure-native:")]


def stack_config(stack: str) -> dict[str, Any]:
    raw = yaml.safe_load((REPO_ROOT / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8"))["config"]
    return {key.removeprefix("ai-infra:"): value for key, value in raw.items() if key.startswith("ai-infra:")}


@pytest.mark.parametrize("stack", STACKS)
def test_stack_declares_the_azure_resources(stack_run, stack):
    run = stack_run(stack)
    for type_, count in COUNTS[stack].items():
        assert len(run.of_type(type_)) == count, type_
    endpoint = {"dev": "ContainerAppEndpoint", "prod": "ModelEndpoint"}[stack]
    for component in ("Network", "GpuCluster", "Bucket", "WorkloadIdentity", endpoint, "Budget"):
        assert run.of_type(f"ai-infra:azure:{component}"), component


@pytest.mark.parametrize("stack", STACKS)
def test_every_azure_resource_uses_the_explicit_provider(stack_run, stack):
    run = stack_run(stack)
    provider = run.one("pulumi:providers:azure-native")
    assert provider.inputs["subscriptionId"] == "00000000-0000-0000-0000-000000000000"
    assert provider.inputs["location"] == "eastus"
    for record in azure(run):
        assert record.provider == provider.urn, record.name


@pytest.mark.parametrize("stack", STACKS)
def test_every_taggable_azure_resource_carries_the_environment_tags(stack_run, stack):
    run = stack_run(stack)
    expected = parse_environment(stack_config(stack)).tags
    for record in azure(run):
        if is_taggable(record.type):
            assert expected.items() <= (record.inputs.get("tags") or {}).items(), record.name


def test_stateful_resources_are_protected_in_prod_only(stack_run):
    stateful = stateful_types()["azure"]
    for stack, protected in (("dev", False), ("prod", True)):
        records = [r for r in azure(stack_run(stack)) if r.type in stateful]
        assert {r.type for r in records} >= {
            "azure-native:resources:ResourceGroup",
            "azure-native:storage:StorageAccount",
            "azure-native:storage:BlobContainer",
            "azure-native:containerservice:ManagedCluster",
        }
        # The ML workspace exists where an endpoint is realtime (prod; dev serves on Container Apps).
        assert ("azure-native:machinelearningservices:Workspace" in {r.type for r in records}) == protected
        for record in records:
            assert (record.protect, record.retain_on_delete) == (protected, protected), (stack, record.name)


@pytest.mark.parametrize("stack", STACKS)
def test_role_assignments_are_narrow_and_never_owner_or_contributor(stack_run, stack):
    broad = {"8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "b24988ac-6180-42a0-ab88-20f7382dd24c"}
    assignments = stack_run(stack).of_type("azure-native:authorization:RoleAssignment")
    assert assignments
    for record in assignments:
        assert scope_is_narrow(record.inputs["scope"]), (record.name, record.inputs["scope"])
        assert record.inputs["roleDefinitionId"].rsplit("/", 1)[-1] not in broad, record.name


@pytest.mark.parametrize("stack", STACKS)
def test_storage_is_identity_only_tls12_and_default_deny(stack_run, stack):
    for record in stack_run(stack).of_type("azure-native:storage:StorageAccount"):
        account = record.inputs
        assert account["allowBlobPublicAccess"] is False, record.name
        assert account["allowSharedKeyAccess"] is False, record.name
        assert account["minimumTlsVersion"] == "TLS1_2", record.name
        assert account["networkRuleSet"]["defaultAction"] == "Deny", record.name
        assert account["encryption"]["requireInfrastructureEncryption"] is True, record.name


@pytest.mark.parametrize("stack", STACKS)
def test_bucket_accounts_carry_their_expected_size(stack_run, stack):
    sizes = {p: b.get("expected_size_gib", 0) for p, b in stack_config(stack)["clouds"]["azure"]["buckets"].items()}
    run = stack_run(stack)
    for container in run.of_type("azure-native:storage:BlobContainer"):
        purpose = container.inputs["containerName"]
        if purpose not in sizes:
            continue  # the flow-log and workspace accounts carry no estimate
        account = run.named(container.name.removesuffix("-container") + "-account")
        assert account.inputs["tags"]["ai-infra-expected-size-gib"] == str(round(sizes[purpose])), purpose


@pytest.mark.parametrize("stack", STACKS)
def test_cluster_is_private_entra_only_with_workload_identity(stack_run, stack):
    cluster = stack_run(stack).one("azure-native:containerservice:ManagedCluster").inputs
    assert cluster["disableLocalAccounts"] is True
    assert cluster["aadProfile"]["enableAzureRBAC"] is True
    assert cluster["apiServerAccessProfile"]["enablePrivateCluster"] is True
    assert cluster["securityProfile"]["workloadIdentity"]["enabled"] is True
    assert cluster["oidcIssuerProfile"]["enabled"] is True
    assert cluster["sku"]["tier"] == ("Standard" if stack == "prod" else "Free")


def test_prod_encrypts_every_storage_account_workspace_and_cluster_with_customer_keys(stack_run):
    run = stack_run("prod")
    for account in run.of_type("azure-native:storage:StorageAccount"):
        assert account.inputs["encryption"]["keySource"] == "Microsoft.Keyvault", account.name
    workspace = run.one("azure-native:machinelearningservices:Workspace").inputs
    assert workspace["encryption"]["status"] == "Enabled"
    kms = run.one("azure-native:containerservice:ManagedCluster").inputs["securityProfile"]["azureKeyVaultKms"]
    assert kms["enabled"] is True and kms["keyVaultNetworkAccess"] == "Private"


@pytest.mark.parametrize("stack", STACKS)
def test_vnet_flow_log_and_logged_storage(stack_run, stack):
    run = stack_run(stack)
    vnet = run.one("azure-native:network:VirtualNetwork")
    flow_log = run.one("azure-native:network:FlowLog")
    assert vnet.urn in flow_log.property_dependencies["targetResourceId"]
    assert flow_log.inputs["storageId"].endswith(
        "/storageAccounts/" + run.named(f"{stack}-az-flow-logs-account").inputs["accountName"]
    )
    logged = {
        dep
        for setting in run.of_type("azure-native:monitor:DiagnosticSetting")
        for dep in setting.property_dependencies.get("resourceUri", [])
    }
    configured = stack_config(stack)["clouds"]["azure"]["buckets"]
    for purpose, bucket in configured.items():
        service = run.named(f"{stack}-az-{purpose}-blob-service")
        assert (service.urn in logged) == bool(bucket.get("access_logging")), purpose


def test_dev_gpu_pools_are_spot_and_scale_to_zero(stack_run):
    pools = stack_run("dev").of_type("azure-native:containerservice:AgentPool")
    for pool in pools:
        assert pool.inputs["minCount"] == 0 and pool.inputs["scaleSetPriority"] == "Spot", pool.name
        assert pool.inputs["scaleSetEvictionPolicy"] == "Delete" and pool.inputs["spotMaxPrice"] == -1
        assert "nvidia.com/gpu=present:NoSchedule" in pool.inputs["nodeTaints"]
        assert pool.inputs["vmSize"] in ("Standard_NC4as_T4_v3", "Standard_NV36ads_A10_v5")


def test_prod_runs_a100_or_h100_pools_and_a_private_endpoint_with_two_instances(stack_run):
    run = stack_run("prod")
    sizes = {p.inputs["vmSize"] for p in run.of_type("azure-native:containerservice:AgentPool")}
    assert sizes and all("A100" in s or "H100" in s for s in sizes)
    endpoint = run.one("azure-native:machinelearningservices:OnlineEndpoint").inputs
    assert endpoint["properties"]["publicNetworkAccess"] == "Disabled"
    scale = run.one("azure-native:machinelearningservices:OnlineDeployment").inputs["properties"]["scaleSettings"]
    assert scale["minInstances"] >= 2 and scale["maxInstances"] >= scale["minInstances"]
    assert run.one("azure-native:machinelearningservices:Workspace").inputs["publicNetworkAccess"] == "Disabled"


@pytest.mark.parametrize("stack", STACKS)
def test_outputs(stack_run, stack):
    run = stack_run(stack)
    assert "azure_kubeconfig" in run.secret_outputs
    assert run.outputs["azure_cluster_name"] == f"aks-ai-infra-{stack}"
    assert set(run.outputs["azure_bucket_names"]) == {"datasets", "models", "checkpoints"}
    assert all("/" in name for name in run.outputs["azure_bucket_names"].values())
    assert set(run.outputs["azure_endpoint_names"]) == {"chat"}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"cluster": {"sku_tier": "Free"}}, "ai-infra:clouds.azure.cluster.sku_tier: 'Free' is not allowed in prod"),
        (
            {"endpoints": {"chat": {"public_network_access": True}}},
            "ai-infra:clouds.azure.endpoints.chat.public_network_access: true is not allowed in prod",
        ),
    ],
)
def test_prod_refuses_dev_only_settings(declare, change, expected):
    values = copy.deepcopy(stack_config("prod"))
    section = values["clouds"]["azure"]
    for key, value in change.items():
        if key == "endpoints":
            for name, extra in value.items():
                section["endpoints"][name].update(extra)
        else:
            section[key] = {**section.get(key, {}), **value}
    values["clouds"] = {"azure": section}
    env = parse_environment(values)
    spec = env.clouds.azure
    assert spec is not None
    with pytest.raises(StackConfigError, match="invalid stack config") as caught:
        declare(lambda: declare_azure(env, spec))
    assert expected in str(caught.value)
