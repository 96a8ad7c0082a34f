"""ai-infra:aws:Network: subnets per zone, NAT by strategy, routes, flow logs, S3 endpoint."""

from __future__ import annotations

import json

import pytest

from components.aws import Network, NetworkArgs
from tests.components.aws.iam_documents import assert_no_wildcards
from tests.components.aws.taggable import is_taggable

TAGS = {"environment": "test", "owner": "ml", "cost-center": "cc-1"}
ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"]
PRIVATE = ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"]
PUBLIC = ["10.0.224.0/22", "10.0.228.0/22", "10.0.232.0/22"]


def make(zone_count: int = 2, **overrides):
    args = {
        "cidr": "10.0.0.0/16",
        "region": "us-east-1",
        "account_id": "123456789012",
        "zones": ZONES[:zone_count],
        "private_subnet_cidrs": PRIVATE[:zone_count],
        "public_subnet_cidrs": PUBLIC[:zone_count],
        "tags": TAGS,
        **overrides,
    }
    return lambda: Network("net", NetworkArgs(**args))


def test_private_and_public_subnet_per_zone_without_public_ips(declare):
    run = declare(make(zone_count=3))
    subnets = {r.name: r.inputs for r in run.of_type("aws:ec2/subnet:Subnet")}
    for zone, private, public in zip(ZONES, PRIVATE, PUBLIC, strict=True):
        assert subnets[f"net-private-{zone}"]["cidrBlock"] == private
        assert subnets[f"net-private-{zone}"]["availabilityZone"] == zone
        assert subnets[f"net-public-{zone}"]["cidrBlock"] == public
    assert len(subnets) == 6
    assert all(s["mapPublicIpOnLaunch"] is False for s in subnets.values())
    assert run.one("aws:ec2/vpc:Vpc").inputs["cidrBlock"] == "10.0.0.0/16"


@pytest.mark.parametrize(("nat", "zones", "expected"), [("single", 3, 1), ("per-zone", 3, 3), ("none", 2, 0)])
def test_nat_gateways_and_eips_follow_the_strategy(declare, nat, zones, expected):
    run = declare(make(zone_count=zones, nat=nat))
    gateways = run.of_type("aws:ec2/natGateway:NatGateway")
    assert len(gateways) == expected
    assert len(run.of_type("aws:ec2/eip:Eip")) == expected
    public_subnet_ids = {run.id_of(f"net-public-{z}") for z in ZONES[:zones]}
    assert all(g.inputs["subnetId"] in public_subnet_ids for g in gateways)
    eip_ids = [e.id for e in run.of_type("aws:ec2/eip:Eip")]
    assert sorted(g.inputs["allocationId"] for g in gateways) == sorted(eip_ids), "one own EIP per gateway"


def _default_routes(run):
    return {
        r.name: r.inputs for r in run.of_type("aws:ec2/route:Route") if r.inputs["destinationCidrBlock"] == "0.0.0.0/0"
    }


def test_single_nat_serves_every_private_zone(declare):
    run = declare(make(zone_count=3, nat="single"))
    routes = _default_routes(run)
    for zone in ZONES:
        assert routes[f"net-private-default-route-{zone}"]["natGatewayId"] == run.id_of("net-nat-us-east-1a")
    assert routes["net-public-default-route"]["gatewayId"] == run.id_of("net-igw")


def test_per_zone_nat_keeps_egress_in_the_zone(declare):
    run = declare(make(zone_count=3, nat="per-zone"))
    routes = _default_routes(run)
    for zone in ZONES:
        assert routes[f"net-private-default-route-{zone}"]["natGatewayId"] == run.id_of(f"net-nat-{zone}")


def test_no_nat_means_no_internet_route_from_private_subnets(declare):
    routes = _default_routes(declare(make(zone_count=2, nat="none")))
    assert set(routes) == {"net-public-default-route"}


def test_each_subnet_is_associated_with_its_route_table(declare):
    run = declare(make(zone_count=2))
    associations = {
        r.inputs["subnetId"]: r.inputs["routeTableId"]
        for r in run.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation")
    }
    assert associations == {
        run.id_of("net-private-us-east-1a"): run.id_of("net-private-rt-us-east-1a"),
        run.id_of("net-private-us-east-1b"): run.id_of("net-private-rt-us-east-1b"),
        run.id_of("net-public-us-east-1a"): run.id_of("net-public-rt"),
        run.id_of("net-public-us-east-1b"): run.id_of("net-public-rt"),
    }


def test_s3_gateway_endpoint_on_private_route_tables_only(declare):
    run = declare(make(zone_count=2))
    endpoint = run.one("aws:ec2/vpcEndpoint:VpcEndpoint")
    assert endpoint.inputs["serviceName"] == "com.amazonaws.us-east-1.s3"
    assert endpoint.inputs["vpcEndpointType"] == "Gateway"
    assert sorted(endpoint.inputs["routeTableIds"]) == sorted(
        [run.id_of("net-private-rt-us-east-1a"), run.id_of("net-private-rt-us-east-1b")]
    )


def test_flow_logs_to_a_retained_log_group_through_a_scoped_role(declare):
    run = declare(make(flow_log_retention_days=30))
    group = run.one("aws:cloudwatch/logGroup:LogGroup")
    assert group.inputs["retentionInDays"] == 30
    flow = run.one("aws:ec2/flowLog:FlowLog")
    assert flow.inputs["trafficType"] == "ALL"
    assert flow.inputs["logDestinationType"] == "cloud-watch-logs"
    group_arn = group.outputs["arn"]
    assert group_arn == f"arn:aws:logs:us-east-1:123456789012:log-group:{group.outputs['name']}"
    assert flow.inputs["logDestination"] == group_arn
    assert flow.inputs["vpcId"] == run.id_of("net-vpc")

    trust = json.loads(run.one("aws:iam/role:Role").inputs["assumeRolePolicy"])
    [statement] = trust["Statement"]
    assert statement["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    delivery = json.loads(run.one("aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    [grant] = delivery["Statement"]
    assert grant["Resource"] == [group_arn, f"{group_arn}:log-stream:*"]
    assert assert_no_wildcards(run) == 3  # trust, delivery policy, the log group key policy


def test_default_security_group_is_emptied(declare):
    run = declare(make())
    default_sg = run.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert default_sg.inputs["vpcId"] == run.id_of("net-vpc")
    assert default_sg.inputs.get("ingress", []) == []
    assert default_sg.inputs.get("egress", []) == []


def test_every_taggable_child_carries_the_tags(declare):
    run = declare(make(zone_count=2, nat="per-zone"))
    taggable = [r for r in run.resources if r.custom and is_taggable(r.type)]
    assert len(taggable) >= 15
    for record in taggable:
        assert TAGS.items() <= record.inputs.get("tags", {}).items(), record.name


def test_children_are_parented_to_the_component(declare):
    run = declare(make())
    component = run.one("ai-infra:aws:Network")
    assert all(r.parent == component.urn for r in run.resources if r.custom)


@pytest.mark.parametrize(
    "overrides",
    [
        {"zones": ["us-east-1a"], "private_subnet_cidrs": PRIVATE[:1], "public_subnet_cidrs": PUBLIC[:1]},
        {"zones": ZONES[:2], "private_subnet_cidrs": PRIVATE[:1], "public_subnet_cidrs": PUBLIC[:2]},
    ],
)
def test_refuses_fewer_than_two_zones_or_mismatched_subnets(declare, overrides):
    with pytest.raises(ValueError, match="zone"):
        declare(make(**overrides))
