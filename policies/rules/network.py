"""Network: flow logs (S17), the default security group, rule descriptions, NAT gateways in dev (C8),
and (from `network_ingress`) what firewalls let in from and out to the internet."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping

from policies.framework import (
    Context,
    Example,
    Finding,
    Resource,
    Rule,
    Stack,
    as_bool,
    as_list,
    cloud_of,
    dig,
    present,
)
from policies.rules import network_ingress
from policies.rules.firewall_rules import (
    ALICLOUD_SECURITY_GROUP,
    ALICLOUD_SG_RULE,
    AWS_DEFAULT_SECURITY_GROUP,
    AWS_EGRESS_RULE,
    AWS_INGRESS_RULE,
    AWS_RULES,
    AWS_SECURITY_GROUP,
    AWS_SECURITY_GROUP_RULE,
    AZURE_NSG,
    AZURE_SECURITY_RULE,
    GCP_FIREWALL,
)

AWS_VPC = "aws:ec2/vpc:Vpc"
AWS_FLOW_LOG = "aws:ec2/flowLog:FlowLog"
GCP_SUBNETWORK = "gcp:compute/subnetwork:Subnetwork"
AZURE_VNET = "azure-native:network:VirtualNetwork"
AZURE_FLOW_LOG = "azure-native:network:FlowLog"
ALICLOUD_VPC = "alicloud:vpc/network:Network"
ALICLOUD_FLOW_LOG = "alicloud:vpc/flowLog:FlowLog"
NAT_GATEWAYS = (
    "aws:ec2/natGateway:NatGateway",
    "gcp:compute/routerNat:RouterNat",
    "azure-native:network:NatGateway",
    "alicloud:vpc/natGateway:NatGateway",
)


# -- S17 ------------------------------------------------------------------------------------------
def _s17_aws_vpc(vpc: Resource, ctx: Context) -> Iterator[str]:
    if not ctx.require_stack().referencing(vpc, AWS_FLOW_LOG, "vpcId"):
        yield "no FlowLog for this VPC"


def _s17_gcp_subnet(subnet: Resource, ctx: Context) -> Iterator[str]:
    if subnet.get("purpose") not in (None, "PRIVATE", "PRIVATE_RFC_1918"):
        return  # proxy-only and PSC subnets carry no VM traffic and cannot log flows
    if not subnet.get("logConfig"):
        yield "logConfig is not set (no VPC flow logs)"


def _s17_azure_vnet(vnet: Resource, ctx: Context) -> Iterator[str]:
    logs = ctx.require_stack().referencing(vnet, AZURE_FLOW_LOG, "targetResourceId")
    if not any(as_bool(f.get("enabled")) is not False for f in logs):
        yield "no enabled FlowLog targets this virtual network"


def _s17_alicloud_vpc(vpc: Resource, ctx: Context) -> Iterator[str]:
    logs = ctx.require_stack().referencing(vpc, ALICLOUD_FLOW_LOG, "resourceId")
    if not any(f.get("status", "Active") == "Active" for f in logs):
        yield "no active FlowLog for this VPC"


FLOW_LOGS = Rule(
    id="network-flow-logs",
    ref="S17",
    domain="network",
    description="Networks record flow logs.",
    severity="medium",
    tags=("security",),
    remediation="AWS: an ec2 FlowLog on the VPC; GCP: logConfig on every subnetwork; Azure: a VNet FlowLog; "
    "Alibaba: a vpc FlowLog on the VPC. Keep the destination's retention bounded (log-retention-set).",
    rationale="Flow logs are the only record of which addresses a node talked to: without them an exfiltration "
    "or a lateral move cannot be investigated after the fact, and a misrouted NAT bill cannot be explained.",
    examples=(
        Example(
            type=GCP_SUBNETWORK,
            compliant={"ipCidrRange": "10.3.0.0/20", "logConfig": {"aggregationInterval": "INTERVAL_5_SEC"}},
            violating={"ipCidrRange": "10.3.0.0/20"},
            note="no logConfig",
        ),
    ),
    checks={
        AWS_VPC: _s17_aws_vpc,
        GCP_SUBNETWORK: _s17_gcp_subnet,
        AZURE_VNET: _s17_azure_vnet,
        ALICLOUD_VPC: _s17_alicloud_vpc,
    },
    needs_stack=True,
    covers=(AWS_FLOW_LOG, AZURE_FLOW_LOG, ALICLOUD_FLOW_LOG),
)


# -- the default security group -------------------------------------------------------------------
def _default_group(group: Resource, ctx: Context) -> Iterator[str]:
    kept = [d for d in ("ingress", "egress") if present(group.get(d))]
    if kept:
        yield f"the VPC's default security group keeps {' and '.join(kept)} rules (it should allow nothing)"


def _default_group_vpc(vpc: Resource, ctx: Context) -> Iterator[str]:
    if not ctx.require_stack().referencing(vpc, AWS_DEFAULT_SECURITY_GROUP, "vpcId"):
        yield (
            "the VPC's default security group is not managed here, so it keeps AWS's default rules (all traffic "
            "between its members, all egress); adopt it with a DefaultSecurityGroup without rules"
        )


def _default_group_rule(rule: Resource, ctx: Context) -> Iterator[str]:
    groups = [g for g in ctx.require_stack().origins(rule, "securityGroupId") if g.type == AWS_DEFAULT_SECURITY_GROUP]
    if groups:
        yield f"adds a rule to the default security group {groups[0].name}, which should allow nothing"


DEFAULT_SECURITY_GROUP_CLOSED = Rule(
    id="network-default-security-group-closed",
    ref="",
    domain="network",
    description="Each VPC's default security group allows no traffic.",
    severity="medium",
    tags=("security",),
    remediation="Adopt the default security group of every VPC with a DefaultSecurityGroup that has no ingress and no "
    "egress rules, and give workloads their own security groups.",
    rationale="Anything launched without an explicit security group lands in the default one; with AWS's default "
    "rules every such resource can reach every other and the internet, which defeats the per-workload groups.",
    examples=(
        Example(
            type=AWS_DEFAULT_SECURITY_GROUP,
            compliant={"vpcId": "vpc-1", "ingress": [], "egress": []},
            violating={"vpcId": "vpc-1", "ingress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "self": True}]},
            note="the default self-referencing allow-all rule kept",
        ),
    ),
    checks={
        AWS_DEFAULT_SECURITY_GROUP: _default_group,
        AWS_VPC: _default_group_vpc,
        **dict.fromkeys(AWS_RULES, _default_group_rule),
    },
    needs_stack=True,
)


# -- rule descriptions ----------------------------------------------------------------------------
_PULUMI_DEFAULT_DESCRIPTION = "Managed by Pulumi"


def _described(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip()) and value.strip() != _PULUMI_DEFAULT_DESCRIPTION


def _inline_descriptions(resource: Resource, keys: tuple[str, ...], label: str = "") -> Iterator[str]:
    for key in keys:
        for index, rule in enumerate(as_list(resource.get(key))):
            if isinstance(rule, Mapping) and not _described(rule.get("description")):
                name = f"{label} {rule.get('name', index)}" if label else f"{key}[{index}]"
                yield f"{name} has no description"


def _describe_aws_group(group: Resource, ctx: Context) -> Iterator[str]:
    if group.type == AWS_SECURITY_GROUP and not _described(group.get("description")):
        yield "the security group has no description of its own (Pulumi's default 'Managed by Pulumi' says nothing)"
    yield from _inline_descriptions(group, ("ingress", "egress"))


def _describe_nsg(group: Resource, ctx: Context) -> Iterator[str]:
    yield from _inline_descriptions(group, ("securityRules",), "security rule")


def _describe_resource(resource: Resource, ctx: Context) -> Iterator[str]:
    if not _described(resource.get("description")):
        yield "has no description (say what the rule admits and why)"


RULES_DESCRIBED = Rule(
    id="network-rules-described",
    ref="",
    domain="network",
    description="Security groups and firewall rules say what they admit and why.",
    severity="low",
    tags=("security",),
    remediation="Give every security group, security group rule, firewall rule and NSG rule a description.",
    rationale="A firewall rule without a description cannot be reviewed: nobody can tell whether an opening is "
    "still needed, so stale openings accumulate. Descriptions are also what an auditor reads first.",
    examples=(
        Example(
            type=ALICLOUD_SG_RULE,
            compliant={"type": "ingress", "ipProtocol": "all", "cidrIp": "10.0.0.0/16", "description": "VPC traffic"},
            violating={"type": "ingress", "ipProtocol": "all", "cidrIp": "10.0.0.0/16"},
            note="no description",
        ),
    ),
    checks={
        AWS_SECURITY_GROUP: _describe_aws_group,
        AWS_DEFAULT_SECURITY_GROUP: _describe_aws_group,
        AWS_INGRESS_RULE: _describe_resource,
        AWS_EGRESS_RULE: _describe_resource,
        AWS_SECURITY_GROUP_RULE: _describe_resource,
        GCP_FIREWALL: _describe_resource,
        AZURE_NSG: _describe_nsg,
        AZURE_SECURITY_RULE: _describe_resource,
        ALICLOUD_SECURITY_GROUP: _describe_resource,
        ALICLOUD_SG_RULE: _describe_resource,
    },
)


# -- subnets behind a network security group -------------------------------------------------------
AZURE_SUBNET = "azure-native:network:Subnet"
_SUBNETS_WITHOUT_NSG = {"gatewaysubnet", "azurefirewallsubnet", "azurefirewallmanagementsubnet", "routeserversubnet"}
"""Subnets Azure itself forbids (or does not support) a network security group on."""


def _filtered(subnet: object) -> bool:
    name = str(dig(subnet, "subnetName") or dig(subnet, "name") or "").lower()
    return name in _SUBNETS_WITHOUT_NSG or bool(dig(subnet, "networkSecurityGroup.id"))


def _subnet_nsg(subnet: Resource, ctx: Context) -> Iterator[str]:
    if not _filtered(subnet.props):
        yield "networkSecurityGroup is not set: traffic to this subnet is filtered by nothing but Azure's defaults"


def _vnet_subnets(vnet: Resource, ctx: Context) -> Iterator[str]:
    for subnet in as_list(vnet.get("subnets")):
        if isinstance(subnet, Mapping) and not _filtered(subnet):
            yield f"inline subnet {subnet.get('name', '?')} has no networkSecurityGroup"


SUBNETS_FILTERED = Rule(
    id="network-subnets-filtered",
    ref="",
    domain="network",
    description="Every Azure subnet is behind a network security group.",
    severity="medium",
    tags=("security",),
    remediation="Give each subnet (inline in the VirtualNetwork or a separate Subnet) a networkSecurityGroup.id; "
    "put the allow rules for what it serves there.",
    rationale="A subnet without an NSG admits whatever Azure's defaults and any public IP in it allow; the NSG is "
    "where inbound rules are written, reviewed (network-no-public-admin-ingress) and logged (flow logs).",
    examples=(
        Example(
            type=AZURE_SUBNET,
            compliant={"subnetName": "snet-nodes", "networkSecurityGroup": {"id": "/subscriptions/s/nsg"}},
            violating={"subnetName": "snet-nodes"},
            note="no network security group",
        ),
    ),
    checks={AZURE_SUBNET: _subnet_nsg, AZURE_VNET: _vnet_subnets},
)


# -- C8 -------------------------------------------------------------------------------------------
def _c8_totals(stack: Stack, ctx: Context) -> Iterator[Finding]:
    limit = ctx.config["maxNatGatewaysPerCloud"]
    by_cloud: dict[str, list[Resource]] = defaultdict(list)
    for gateway in stack.of_type(*NAT_GATEWAYS):
        by_cloud[cloud_of(gateway.type) or "other"].append(gateway)
    for cloud, gateways in sorted(by_cloud.items()):
        if len(gateways) <= limit:
            continue
        for gateway in sorted(gateways, key=lambda g: g.urn)[limit:]:
            yield Finding(
                gateway.urn,
                f"{len(gateways)} NAT gateways on {cloud}; this environment allows {limit} "
                "(each bills by the hour plus per GB processed)",
            )


NAT_GATEWAY_LIMIT = Rule(
    id="nat-gateway-limit",
    ref="C8",
    domain="network",
    description="At most the configured number of NAT gateways per cloud (one in dev).",
    severity="low",
    tags=("cost",),
    remediation="Use network.nat 'single' in dev (one NAT for every zone) or 'none' with VPC endpoints / Private "
    "Google Access for egress.",
    rationale="A NAT gateway bills by the hour in every zone plus per GB processed; dev environments rarely need "
    "more than one, and a GPU node pulling images through three of them triples a fixed cost nobody sees.",
    examples=(
        Example(
            type="aws:ec2/natGateway:NatGateway",
            compliant={"subnetId": "subnet-public-a"},
            violating={"subnetId": "subnet-public-b"},
            note="a second NAT gateway in a dev stack that allows one",
        ),
    ),
    needs_stack=True,
    totals=_c8_totals,
    covers=NAT_GATEWAYS,
    properties={
        "maxNatGatewaysPerCloud": {
            "type": "integer",
            "minimum": 0,
            "default": 1,
            "description": "NAT gateways allowed per cloud in the stack.",
        }
    },
)


RULES = [
    *network_ingress.RULES,
    FLOW_LOGS,
    DEFAULT_SECURITY_GROUP_CLOSED,
    RULES_DESCRIBED,
    SUBNETS_FILTERED,
    NAT_GATEWAY_LIMIT,
]
