"""ai-infra:azure:ContainerAppEndpoint: Container Apps on a serverless GPU profile, scale to zero,
internal environment in its own delegated VNet subnet, internal ingress, read-only model access."""

from __future__ import annotations

from components.azure.container_app_endpoint import ContainerAppEndpoint, ContainerAppEndpointArgs

SUB = "00000000-0000-0000-0000-000000000000"
APP = "azure-native:app:ContainerApp"
ENVIRONMENT = "azure-native:app:ManagedEnvironment"
SUBNET = "azure-native:network:Subnet"
ROLE = "azure-native:authorization:RoleAssignment"
CONTAINER_ID = (
    f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st"
    "/blobServices/default/containers/models"
)


def make(**overrides):
    values = {
        "app_name": "ca-test-chat",
        "environment_name": "cae-test-chat",
        "subscription_id": SUB,
        "resource_group_name": "rg",
        "location": "eastus",
        "vnet_name": "vnet-test",
        "subnet_cidr": "10.30.224.0/27",
        "image": "ghcr.io/huggingface/text-generation-inference:2.4.0",
        "port": 80,
        "model_container_id": CONTAINER_ID,
        "model_uri": "https://st.blob.core.windows.net/models/chat/",
        "gpu_profile": "Consumption-GPU-NC8as-T4",
        "max_replicas": 2,
        **overrides,
    }
    return lambda: ContainerAppEndpoint("chat", ContainerAppEndpointArgs(**values))


def test_app_runs_on_the_gpu_profile_and_scales_to_zero(declare):
    run = declare(make())
    environment = run.one(ENVIRONMENT).inputs
    profiles = {p["name"]: p["workloadProfileType"] for p in environment["workloadProfiles"]}
    app = run.one(APP).inputs
    assert profiles[app["workloadProfileName"]] == "Consumption-GPU-NC8as-T4"
    assert (app["template"]["scale"]["minReplicas"], app["template"]["scale"]["maxReplicas"]) == (0, 2)


def test_environment_is_internal_in_its_own_delegated_subnet(declare):
    run = declare(make())
    environment = run.one(ENVIRONMENT).inputs
    assert environment["vnetConfiguration"]["internal"] is True
    assert environment["publicNetworkAccess"] == "Disabled"
    subnet = run.one(SUBNET).inputs
    assert subnet["addressPrefix"] == "10.30.224.0/27"
    assert subnet["delegations"] == [{"name": "container-apps", "serviceName": "Microsoft.App/environments"}]
    assert subnet["networkSecurityGroup"]["id"] == run.id_of("chat-nsg")
    assert environment["vnetConfiguration"]["infrastructureSubnetId"].endswith("/subnets/snet-cae-test-chat")


def test_ingress_is_internal_https_only(declare):
    ingress = declare(make()).one(APP).inputs["configuration"]["ingress"]
    assert ingress["external"] is False and ingress["allowInsecure"] is False
    assert ingress["targetPort"] == 80


def test_app_identity_may_only_read_the_model_container(declare):
    run = declare(make())
    (grant,) = run.of_type(ROLE)
    assert grant.inputs["scope"] == CONTAINER_ID
    assert grant.inputs["roleDefinitionId"].endswith("2a2b9908-6ea1-4ae2-8e65-a410df84e7d1")  # Blob Data Reader
    assert run.one(APP).inputs["identity"] == {"type": "SystemAssigned"}


def test_without_a_gpu_profile_the_app_runs_on_consumption_with_its_own_size(declare):
    run = declare(make(gpu_profile=None, cpu=1.0, memory_gib=2.0))
    app = run.one(APP).inputs
    assert app["workloadProfileName"] == "Consumption"
    assert app["template"]["containers"][0]["resources"] == {"cpu": 1.0, "memory": "2.0Gi"}
    assert len(run.one(ENVIRONMENT).inputs["workloadProfiles"]) == 1
