"""Network: internet-facing admin ports (S16), flow logs (S17), NAT gateways in dev (C8)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from policies.framework import Context, Finding, Resource, Rule, Stack, as_bool, as_int, as_list, cloud_of, dig

AWS_SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
AWS_DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
AWS_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
AWS_SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
GCP_FIREWALL = "gcp:compute/firewall:Firewall"
AZURE_NSG = "azure-native:network:NetworkSecurityGroup"
AZURE_SECURITY_RULE = "azure-native:network:SecurityRule"
ALICLOUD_SG_RULE = "alicloud:ecs/securityGroupRule:SecurityGroupRule"
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

OPEN_SOURCES = {"0.0.0.0/0", "::/0", "*", "internet", "any", "0.0.0.0"}
ALL_PROTOCOLS = {"-1", "all", "*", "any"}
PORT_PROTOCOLS = {"tcp", "udp", "6", "17"}


def _opens(sources: Iterable[object]) -> list[str]:
    return sorted({str(s) for s in sources if isinstance(s, str) and s.lower() in OPEN_SOURCES})


def _exposure(protocol: object, low: int | None, high: int | None, admin_ports: list[int]) -> str | None:
    """What an allow rule from anywhere exposes, or None when it is harmless (ICMP, other ports)."""
    proto = str(protocol).lower() if protocol is not None else "all"
    if proto in ALL_PROTOCOLS:
        return "every port and protocol"
    if proto not in PORT_PROTOCOLS:
        return None
    if low is None and high is None:
        return f"every {proto} port"
    low = 0 if low is None else low
    high = 65535 if high is None else high
    if low <= 1 and high >= 65535:
        return f"every {proto} port"
    hit = [p for p in admin_ports if low <= p <= high]
    return f"{proto} port {', '.join(map(str, hit))}" if hit else None


def _finding(sources: list[str], exposure: str | None, where: str = "") -> Iterator[str]:
    if sources and exposure:
        yield f"{where}allows {exposure} from {', '.join(sources)}"


# -- S16 ------------------------------------------------------------------------------------------
def _s16_aws_group(group: Resource, ctx: Context) -> Iterator[str]:
    for index, rule in enumerate(as_list(group.get("ingress"))):
        if not isinstance(rule, Mapping):
            continue
        sources = _opens([*as_list(rule.get("cidrBlocks")), *as_list(rule.get("ipv6CidrBlocks"))])
        exposure = _exposure(
            rule.get("protocol"), as_int(rule.get("fromPort")), as_int(rule.get("toPort")), ctx.config["adminPorts"]
        )
        yield from _finding(sources, exposure, f"ingress[{index}] ")


def _s16_aws_ingress_rule(rule: Resource, ctx: Context) -> Iterator[str]:
    sources = _opens([rule.get("cidrIpv4"), rule.get("cidrIpv6")])
    exposure = _exposure(
        rule.get("ipProtocol"), as_int(rule.get("fromPort")), as_int(rule.get("toPort")), ctx.config["adminPorts"]
    )
    yield from _finding(sources, exposure)


def _s16_aws_group_rule(rule: Resource, ctx: Context) -> Iterator[str]:
    if rule.get("type") != "ingress":
        return
    sources = _opens([*as_list(rule.get("cidrBlocks")), *as_list(rule.get("ipv6CidrBlocks"))])
    exposure = _exposure(
        rule.get("protocol"), as_int(rule.get("fromPort")), as_int(rule.get("toPort")), ctx.config["adminPorts"]
    )
    yield from _finding(sources, exposure)


def _gcp_ports(ports: list[Any]) -> list[tuple[int | None, int | None]]:
    if not ports:
        return [(None, None)]
    ranges = []
    for port in ports:
        low, _, high = str(port).partition("-")
        ranges.append((as_int(low), as_int(high or low)))
    return ranges


def _s16_gcp_firewall(firewall: Resource, ctx: Context) -> Iterator[str]:
    if firewall.get("direction", "INGRESS") != "INGRESS" or as_bool(firewall.get("disabled")):
        return
    ranges = as_list(firewall.get("sourceRanges"))
    if not ranges and not firewall.get("sourceTags") and not firewall.get("sourceServiceAccounts"):
        ranges = ["0.0.0.0/0"]  # GCP's default source for an ingress rule with no source
    sources = _opens(ranges)
    for allow in as_list(firewall.get("allows")):
        for low, high in _gcp_ports(as_list(dig(allow, "ports"))):
            yield from _finding(sources, _exposure(dig(allow, "protocol"), low, high, ctx.config["adminPorts"]))


def _azure_ports(rule: Mapping[str, Any]) -> list[tuple[int | None, int | None]]:
    ports = [rule.get("destinationPortRange"), *as_list(rule.get("destinationPortRanges"))]
    ranges: list[tuple[int | None, int | None]] = []
    for port in ports:
        if port is None:
            continue
        if str(port) == "*":
            ranges.append((None, None))
            continue
        low, _, high = str(port).partition("-")
        ranges.append((as_int(low), as_int(high or low)))
    return ranges


def _azure_rule(rule: Mapping[str, Any], admin_ports: list[int], where: str = "") -> Iterator[str]:
    if str(rule.get("direction", "")).lower() != "inbound" or str(rule.get("access", "")).lower() != "allow":
        return
    sources = _opens([rule.get("sourceAddressPrefix"), *as_list(rule.get("sourceAddressPrefixes"))])
    for low, high in _azure_ports(rule):
        yield from _finding(sources, _exposure(rule.get("protocol", "*"), low, high, admin_ports), where)


def _s16_azure_nsg(group: Resource, ctx: Context) -> Iterator[str]:
    for rule in as_list(group.get("securityRules")):
        if isinstance(rule, Mapping):
            yield from _azure_rule(rule, ctx.config["adminPorts"], f"security rule {rule.get('name', '?')} ")


def _s16_azure_rule(rule: Resource, ctx: Context) -> Iterator[str]:
    yield from _azure_rule(rule.props, ctx.config["adminPorts"])


def _s16_alicloud_rule(rule: Resource, ctx: Context) -> Iterator[str]:
    if rule.get("type") != "ingress" or rule.get("policy", "accept") != "accept":
        return
    sources = _opens([rule.get("cidrIp"), rule.get("ipv6CidrIp")])
    low, _, high = str(rule.get("portRange", "-1/-1")).partition("/")
    low_port, high_port = as_int(low), as_int(high)
    if low_port == -1:
        low_port = high_port = None
    yield from _finding(sources, _exposure(rule.get("ipProtocol"), low_port, high_port, ctx.config["adminPorts"]))


NO_PUBLIC_ADMIN_INGRESS = Rule(
    id="network-no-public-admin-ingress",
    ref="S16",
    domain="network",
    description="No firewall rule opens SSH, RDP or every port to the whole internet.",
    severity="critical",
    tags=("security",),
    remediation="Remove the rule or narrow its source to known CIDRs; reach nodes through SSM Session Manager, IAP "
    "TCP forwarding, Azure Bastion or a VPN instead of public SSH/RDP.",
    checks={
        AWS_SECURITY_GROUP: _s16_aws_group,
        AWS_DEFAULT_SECURITY_GROUP: _s16_aws_group,
        AWS_INGRESS_RULE: _s16_aws_ingress_rule,
        AWS_SECURITY_GROUP_RULE: _s16_aws_group_rule,
        GCP_FIREWALL: _s16_gcp_firewall,
        AZURE_NSG: _s16_azure_nsg,
        AZURE_SECURITY_RULE: _s16_azure_rule,
        ALICLOUD_SG_RULE: _s16_alicloud_rule,
    },
    properties={
        "adminPorts": {
            "type": "array",
            "items": {"type": "integer", "minimum": 1, "maximum": 65535},
            "default": [22, 3389],
            "description": "Ports that must never be open to 0.0.0.0/0 (rules opening every port always are).",
        }
    },
    default_enforcement="mandatory",
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
    checks={
        AWS_VPC: _s17_aws_vpc,
        GCP_SUBNETWORK: _s17_gcp_subnet,
        AZURE_VNET: _s17_azure_vnet,
        ALICLOUD_VPC: _s17_alicloud_vpc,
    },
    needs_stack=True,
    covers=(AWS_FLOW_LOG, AZURE_FLOW_LOG, ALICLOUD_FLOW_LOG),
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


RULES = [NO_PUBLIC_ADMIN_INGRESS, FLOW_LOGS, NAT_GATEWAY_LIMIT]
