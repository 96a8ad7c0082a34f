"""ai-infra:alicloud:Network: vSwitches per zone, NAT/EIP/SNAT by strategy, a security group
that admits nothing from the internet."""

from __future__ import annotations

import json

import pytest

from components.alicloud import Network, NetworkArgs

TAGS = {"environment": "test", "owner": "ml", "cost-center": "cc-1"}
ZONES = ["ap-southeast-1a", "ap-southeast-1b"]
NODES = ["10.40.192.0/20", "10.40.208.0/20"]
PODS = ["10.40.0.0/18", "10.40.64.0/18"]
SNAT = "alicloud:vpc/snatEntry:SnatEntry"
EIP = "alicloud:ecs/eipAddress:EipAddress"
FLOW_LOG = "alicloud:vpc/flowLog:FlowLog"
LOG_PROJECT = "alicloud:log/project:Project"
LOG_STORE = "alicloud:log/store:Store"


def make(**overrides):
    args = {
        "name_prefix": "ai-infra-test",
        "cidr": "10.40.0.0/16",
        "zones": ZONES,
        "node_vswitch_cidrs": NODES,
        "pod_vswitch_cidrs": PODS,
        "region": "ap-southeast-1",
        "account_id": "5123456789012345",
        "tags": TAGS,
        **overrides,
    }
    return lambda: Network("net", NetworkArgs(**args))


def test_vpc_and_a_node_and_pod_vswitch_per_zone(declare):
    run = declare(make())
    vpc = run.one("alicloud:vpc/network:Network")
    assert vpc.inputs["cidrBlock"] == "10.40.0.0/16"
    assert vpc.inputs["vpcName"] == "ai-infra-test-vpc" and "name" not in vpc.inputs
    switches = {r.name: r.inputs for r in run.of_type("alicloud:vpc/switch:Switch")}
    assert {(s["zoneId"], s["cidrBlock"]) for s in switches.values()} == {
        *zip(ZONES, NODES, strict=True),
        *zip(ZONES, PODS, strict=True),
    }
    for inputs in switches.values():
        assert "vswitchName" in inputs and "availabilityZone" not in inputs and "name" not in inputs


def test_single_nat_is_enhanced_with_one_eip_and_snat_for_every_vswitch(declare):
    run = declare(make(nat="single"))
    nat = run.one("alicloud:vpc/natGateway:NatGateway")
    assert nat.inputs["natType"] == "Enhanced"
    assert nat.inputs["vswitchId"] == run.id_of("net-nodes-ap-southeast-1a")
    run.one(EIP)
    association = run.one("alicloud:ecs/eipAssociation:EipAssociation")
    assert association.inputs == {
        "allocationId": run.id_of("net-nat-eip-ap-southeast-1a"),
        "instanceId": run.id_of("net-nat"),
        "instanceType": "Nat",
    }
    entries = run.of_type(SNAT)
    assert {e.inputs["sourceVswitchId"] for e in entries} == {
        run.id_of(f"net-{kind}-{zone}") for kind in ("nodes", "pods") for zone in ZONES
    }
    addresses = {e.inputs["snatIp"] for e in entries}
    assert len(addresses) == 1 and next(iter(addresses)).startswith("198.18.")
    for entry in entries:
        assert entry.inputs["snatTableId"].startswith("stb-")
        assert association.urn in entry.dependencies, "SNAT needs the EIP bound first"


def test_per_zone_nat_spans_zones_with_one_eip_per_zone(declare):
    run = declare(make(nat="per-zone"))
    assert run.one("alicloud:vpc/natGateway:NatGateway").inputs["availabilityMode"] == "CrossAZ"
    assert len(run.of_type(EIP)) == 2
    by_zone: dict[str, set[str]] = {}
    for entry in run.of_type(SNAT):
        zone = next(
            z
            for z in ZONES
            if entry.inputs["sourceVswitchId"] == run.id_of(f"net-nodes-{z}")
            or entry.inputs["sourceVswitchId"] == run.id_of(f"net-pods-{z}")
        )
        by_zone.setdefault(zone, set()).add(entry.inputs["snatIp"])
    assert all(len(ips) == 1 for ips in by_zone.values())
    assert by_zone["ap-southeast-1a"] != by_zone["ap-southeast-1b"], "each zone egresses through its own EIP"


def test_no_nat_means_no_gateway_eip_or_snat(declare):
    run = declare(make(nat="none"))
    for type_ in ("alicloud:vpc/natGateway:NatGateway", EIP, SNAT, "alicloud:ecs/eipAssociation:EipAssociation"):
        assert run.of_type(type_) == [], type_


def test_security_group_admits_only_the_vpc(declare):
    run = declare(make())
    group = run.one("alicloud:ecs/securityGroup:SecurityGroup")
    assert group.inputs["vpcId"] == run.id_of("net-vpc") and "securityGroupName" in group.inputs
    rules = run.of_type("alicloud:ecs/securityGroupRule:SecurityGroupRule")
    ingress = [r.inputs for r in rules if r.inputs["type"] == "ingress"]
    assert ingress, "the VPC must be able to reach the nodes"
    for rule in ingress:
        assert rule["cidrIp"] == "10.40.0.0/16"
        assert rule.get("cidrIp") not in ("0.0.0.0/0", None)
        assert "ipv6CidrIp" not in rule


def test_flow_log_records_all_vpc_traffic_into_a_bounded_logstore(declare):
    run = declare(make(flow_log_project_name="ai-infra-test-flow-logs-1234abcd", flow_log_retention_days=90))
    vpc = run.one("alicloud:vpc/network:Network")
    project = run.one(LOG_PROJECT)
    store = run.one(LOG_STORE)
    flow_log = run.one(FLOW_LOG)
    assert project.inputs["projectName"] == "ai-infra-test-flow-logs-1234abcd" and "name" not in project.inputs
    assert store.inputs["projectName"] == "ai-infra-test-flow-logs-1234abcd" and "project" not in store.inputs
    assert store.inputs["logstoreName"] == "vpc-flow-logs" and "name" not in store.inputs
    assert store.inputs["retentionPeriod"] == 90, "SLS keeps logs forever unless retention is bounded"
    assert flow_log.inputs["resourceType"] == "VPC" and flow_log.inputs["resourceId"] == run.id_of("net-vpc")
    assert flow_log.inputs["trafficType"] == "All"
    assert flow_log.inputs["status"] == "Active"
    assert flow_log.inputs["projectName"] == "ai-infra-test-flow-logs-1234abcd"
    assert flow_log.inputs["logStoreName"] == "vpc-flow-logs"
    # The policy pack matches a flow log to its VPC through this property dependency.
    assert vpc.urn in flow_log.property_dependencies["resourceId"]
    assert store.urn in flow_log.dependencies and project.urn in store.dependencies


def test_flow_log_defaults_to_30_days_in_a_project_named_after_the_prefix(declare):
    run = declare(make())
    assert run.one(LOG_STORE).inputs["retentionPeriod"] == 30
    assert run.one(LOG_PROJECT).inputs["projectName"] == "ai-infra-test-flow-logs"


@pytest.mark.parametrize("days", [0, 3650])
def test_flow_log_retention_must_be_bounded(days):
    with pytest.raises(ValueError, match=f"flow_log_retention_days {days} is not allowed"):
        make(flow_log_retention_days=days)()


def test_tags_on_every_taggable_child(declare):
    run = declare(make())
    for type_ in (
        "alicloud:vpc/network:Network",
        "alicloud:vpc/switch:Switch",
        "alicloud:vpc/natGateway:NatGateway",
        EIP,
        "alicloud:ecs/securityGroup:SecurityGroup",
        LOG_PROJECT,
        FLOW_LOG,
    ):
        for record in run.of_type(type_):
            assert TAGS.items() <= record.inputs["tags"].items(), record.name


def test_children_are_parented_to_the_component(declare):
    run = declare(make())
    component = run.one("ai-infra:alicloud:Network")
    assert all(r.parent == component.urn for r in run.resources if r.custom)


def test_needs_two_zones_and_a_range_per_zone():
    with pytest.raises(ValueError, match="at least 2 zones"):
        make(zones=ZONES[:1], node_vswitch_cidrs=NODES[:1], pod_vswitch_cidrs=PODS[:1])()
    with pytest.raises(ValueError, match="per zone"):
        make(pod_vswitch_cidrs=PODS[:1])()


def test_flow_logs_are_encrypted_with_an_own_key_through_a_role_only_sls_assumes(declare):
    run = declare(make(protect=True))
    conf = run.one(LOG_STORE).inputs["encryptConf"]
    key = run.one("alicloud:kms/key:Key")
    assert conf["enable"] is True and conf["userCmkInfo"]["cmkKeyId"] == key.id
    assert key.protect and key.inputs["deletionProtection"] == "Enabled"
    role = run.one("alicloud:ram/role:Role")
    assert conf["userCmkInfo"]["arn"] == role.outputs["arn"]
    trust = json.loads(role.inputs["assumeRolePolicyDocument"])["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": ["log.aliyuncs.com"]}]
    [statement] = json.loads(run.one("alicloud:ram/policy:Policy").inputs["policyDocument"])["Statement"]
    assert statement["Resource"] == [f"acs:kms:ap-southeast-1:5123456789012345:key/{key.id}"]
    assert "*" not in "".join(statement["Action"])
