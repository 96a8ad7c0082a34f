"""ai-infra:azure:Network: subnets without default outbound access, NAT egress, and security
groups that let nothing in from the internet unless config allows it."""

from __future__ import annotations

import pytest

from components.azure import FlowLogArgs, InboundRule, Network, NetworkArgs
from components.azure.network import plan_subnets
from components.azure.roles import BuiltInRole
from tests.components.azure.taggable import SUBSCRIPTION_ID, TAGS, is_taggable, scope_is_narrow

SUBNET = "azure-native:network:Subnet"
RULE = "azure-native:network:SecurityRule"


def make(**overrides):
    args = {
        "subscription_id": SUBSCRIPTION_ID,
        "resource_group_name": "rg-test",
        "location": "eastus",
        "vnet_name": "vnet-test",
        "cidr": "10.30.0.0/16",
        "tags": TAGS,
        **overrides,
    }
    return lambda: Network("test", NetworkArgs(**args))


def subnets(run) -> dict[str, dict]:
    return {r.inputs["subnetName"]: r.inputs for r in run.of_type(SUBNET)}


def test_plan_splits_the_vnet_deterministically():
    assert plan_subnets("10.30.0.0/16") == {
        "nodes": "10.30.0.0/17",
        "private-endpoints": "10.30.128.0/19",
        "ml": "10.30.160.0/19",
        "apiserver": "10.30.192.0/28",
    }
    assert plan_subnets("10.30.0.0/24") == {
        "nodes": "10.30.0.0/25",
        "private-endpoints": "10.30.0.128/27",
        "ml": "10.30.0.160/27",
        "apiserver": "10.30.0.192/28",
    }


def test_four_subnets_with_no_default_outbound_access(declare):
    run = declare(make())
    assert run.one("azure-native:network:VirtualNetwork").inputs["addressSpace"] == {
        "addressPrefixes": ["10.30.0.0/16"]
    }
    found = subnets(run)
    assert {name: s["addressPrefix"] for name, s in found.items()} == {
        "snet-nodes": "10.30.0.0/17",
        "snet-private-endpoints": "10.30.128.0/19",
        "snet-ml": "10.30.160.0/19",
        "snet-apiserver": "10.30.192.0/28",
    }
    assert all(s["defaultOutboundAccess"] is False for s in found.values())
    for name, subnet in found.items():
        role = name.removeprefix("snet-")
        assert subnet["networkSecurityGroup"] == {"id": run.id_of(f"test-{role}-nsg")}, "each subnet its own NSG"


def test_api_server_subnet_is_delegated_to_aks(declare):
    found = subnets(declare(make()))
    assert found["snet-apiserver"]["delegations"] == [
        {"name": "aks-api-server", "serviceName": "Microsoft.ContainerService/managedClusters"}
    ]
    assert all("delegations" not in s for name, s in found.items() if name != "snet-apiserver")


def test_single_nat_is_one_zonal_gateway_with_a_static_ip_on_the_node_subnet(declare):
    run = declare(make(nat_zone="2"))
    nat = run.one("azure-native:network:NatGateway")
    ip = run.one("azure-native:network:PublicIPAddress")
    assert nat.inputs["zones"] == ["2"] and ip.inputs["zones"] == ["2"]
    assert ip.inputs["publicIPAllocationMethod"] == "Static"
    assert ip.inputs["sku"]["name"] == "Standard"
    assert nat.inputs["publicIpAddresses"] == [{"id": run.id_of("test-egress-ip")}]
    found = subnets(run)
    assert found["snet-nodes"]["natGateway"] == {"id": run.id_of("test-nat")}
    assert "natGateway" not in found["snet-ml"] and "natGateway" not in found["snet-private-endpoints"]
    # Storage firewalls let the node subnet in through its service endpoint.
    assert found["snet-nodes"]["serviceEndpoints"] == [{"service": "Microsoft.Storage"}]


def test_nat_none_declares_no_egress(declare):
    run = declare(make(nat="none"))
    assert run.of_type("azure-native:network:NatGateway") == []
    assert run.of_type("azure-native:network:PublicIPAddress") == []
    assert "natGateway" not in subnets(run)["snet-nodes"]


def test_every_subnet_security_group_denies_the_internet_explicitly(declare):
    run = declare(make())
    denies = [r.inputs for r in run.of_type(RULE) if r.inputs["access"] == "Deny"]
    assert sorted(d["networkSecurityGroupName"] for d in denies) == [
        "nsg-vnet-test-apiserver",
        "nsg-vnet-test-ml",
        "nsg-vnet-test-nodes",
        "nsg-vnet-test-private-endpoints",
    ]
    for deny in denies:
        assert deny["direction"] == "Inbound"
        assert deny["sourceAddressPrefix"] == "Internet"
        assert deny["destinationPortRange"] == "*" and deny["protocol"] == "*"
        assert deny["priority"] == 4096
    assert [r for r in run.of_type(RULE) if r.inputs["access"] == "Allow"] == []


def test_allowed_inbound_opens_exactly_the_configured_flow_on_the_node_subnet(declare):
    rule = InboundRule(name="https", source_cidrs=["203.0.113.0/24"], ports=[443])
    run = declare(make(allowed_inbound=[rule]))
    [allow] = [r.inputs for r in run.of_type(RULE) if r.inputs["access"] == "Allow"]
    assert allow["networkSecurityGroupName"] == "nsg-vnet-test-nodes"
    assert allow["sourceAddressPrefixes"] == ["203.0.113.0/24"]
    assert allow["destinationPortRanges"] == ["443"]
    assert allow["protocol"] == "Tcp"
    assert allow["priority"] < 4096


@pytest.mark.parametrize("zones", [(), ("privatelink.api.azureml.ms",)])
def test_private_dns_zones_only_when_asked_and_linked_to_the_vnet(declare, zones):
    run = declare(make(private_dns_zones=zones))
    created = [r.inputs["privateZoneName"] for r in run.of_type("azure-native:privatedns:PrivateZone")]
    assert created == list(zones)
    links = run.of_type("azure-native:privatedns:VirtualNetworkLink")
    assert len(links) == len(zones)
    for link in links:
        assert link.inputs["virtualNetwork"] == {"id": run.id_of("test-vnet")}
        assert link.inputs["registrationEnabled"] is False


def test_no_flow_log_unless_asked(declare):
    assert declare(make()).of_type("azure-native:network:FlowLog") == []


def test_flow_log_targets_the_vnet_and_writes_with_its_own_identity(declare):
    account = (
        f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/rg-test/providers/Microsoft.Storage/storageAccounts/stlogs"
    )
    flow_logs = FlowLogArgs(storage_account_id=account, network_watcher_name="NetworkWatcher_eastus", retention_days=14)
    run = declare(make(flow_logs=flow_logs))
    flow_log = run.one("azure-native:network:FlowLog")
    assert flow_log.inputs["targetResourceId"] == run.id_of("test-vnet")
    assert run.one("azure-native:network:VirtualNetwork").urn in flow_log.property_dependencies["targetResourceId"]
    assert flow_log.inputs["enabled"] is True
    assert flow_log.inputs["storageId"] == account
    assert flow_log.inputs["retentionPolicy"] == {"enabled": True, "days": 14}
    assert (flow_log.inputs["networkWatcherName"], flow_log.inputs["resourceGroupName"]) == (
        "NetworkWatcher_eastus",
        "NetworkWatcherRG",
    )
    writer = run.one("azure-native:managedidentity:UserAssignedIdentity")
    assert flow_log.inputs["identity"] == {"type": "UserAssigned", "userAssignedIdentities": [run.id_of(writer.name)]}
    [grant] = run.of_type("azure-native:authorization:RoleAssignment")
    assert grant.inputs["scope"] == account and scope_is_narrow(account)
    assert grant.inputs["roleDefinitionId"].endswith(BuiltInRole.STORAGE_BLOB_DATA_CONTRIBUTOR.value)
    assert grant.urn in flow_log.dependencies


def test_taggable_children_are_tagged_and_parented(declare):
    run = declare(make(private_dns_zones=("privatelink.api.azureml.ms",)))
    component = run.one("ai-infra:azure:Network")
    children = run.children_of(component.urn)
    assert {r.type for r in children} >= {SUBNET, RULE, "azure-native:network:VirtualNetwork"}
    for record in children:
        if is_taggable(record.type):
            assert record.inputs.get("tags") == TAGS, record.name
