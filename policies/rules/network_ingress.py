"""What firewalls let in from the internet, and out to it: admin ports (S16), other ports than
the public service ports, and unrestricted egress. Sources and destinations are judged as address
space and each group's rules together (`policies.rules.firewall_rules`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from policies.framework import Context, Example, Resource, Rule
from policies.rules.address_space import (
    OPEN_SOURCE_PROPERTIES,
    AddressSet,
    Interval,
    covers_every_port,
    intersect,
    merge,
    open_prefixes,
    ports_text,
    subtract,
)
from policies.rules.firewall_rules import (
    ALICLOUD_SG_RULE,
    AWS_DEFAULT_SECURITY_GROUP,
    AWS_EGRESS_RULE,
    AWS_INGRESS_RULE,
    AWS_SECURITY_GROUP,
    AWS_SECURITY_GROUP_RULE,
    AZURE_NSG,
    AZURE_SECURITY_RULE,
    EGRESS,
    GCP_FIREWALL,
    Entry,
    Exposure,
    group_exposures,
)

INGRESS_RULE_TYPES = (
    AWS_SECURITY_GROUP,
    AWS_DEFAULT_SECURITY_GROUP,
    AWS_INGRESS_RULE,
    AWS_SECURITY_GROUP_RULE,
    GCP_FIREWALL,
    AZURE_NSG,
    AZURE_SECURITY_RULE,
    ALICLOUD_SG_RULE,
)
EGRESS_RULE_TYPES = (*INGRESS_RULE_TYPES, AWS_EGRESS_RULE)


def _by_entry(exposures: Sequence[Exposure]) -> dict[int, list[Exposure]]:
    grouped: dict[int, list[Exposure]] = defaultdict(list)
    for exposure in exposures:
        grouped[id(exposure.entry)].append(exposure)
    return grouped


def _from_text(entry: Entry, exposures: Sequence[Exposure], word: str = "from") -> str:
    names = ", ".join(entry.sources.names) or "(no address)"
    others = sorted({o for e in exposures for o in e.others})
    reach = AddressSet().union(*(e.reach for e in exposures)).reach_text()
    if others:
        return f"{word} {names} (with {', '.join(others)}: together {reach})"
    return f"{word} {names} ({reach})"


def _exposure_text(entry: Entry, exposures: Sequence[Exposure], wanted: Sequence[Interval] | None) -> str:
    """What the exposures open: `every port and protocol`, `every tcp port`, `tcp port 22`. With
    `wanted`, only those ports count (and "every port" only when every port is open)."""
    every = {e.protocol for e in exposures if covers_every_port(e.ports)}
    if entry.protocol == "all" and every >= {"tcp", "udp"}:
        return "every port and protocol"
    parts = []
    for exposure in sorted(exposures, key=lambda e: e.protocol):
        if exposure.protocol in every:
            parts.append(f"every {exposure.protocol} port")
            continue
        hit = exposure.ports if wanted is None else intersect(exposure.ports, wanted)
        if hit:
            parts.append(f"{exposure.protocol} port {ports_text(hit)}")
    return ", ".join(parts)


# -- S16: admin ports -----------------------------------------------------------------------------
def _s16(resource: Resource, ctx: Context) -> Iterator[str]:
    v4, v6 = open_prefixes(ctx.config)
    admin = merge((p, p) for p in ctx.config["adminPorts"])
    for exposures in _by_entry(group_exposures(resource, ctx, v4, v6)).values():
        entry = exposures[0].entry
        text = _exposure_text(entry, exposures, admin)
        if text:
            yield f"{entry.where}allows {text} {_from_text(entry, exposures)}"


NO_PUBLIC_ADMIN_INGRESS = Rule(
    id="network-no-public-admin-ingress",
    ref="S16",
    domain="network",
    description="No firewall rule opens SSH, RDP or every port to the internet, alone or together with others.",
    severity="critical",
    tags=("security",),
    remediation="Remove the rule or narrow its source to known CIDRs; reach nodes through SSM Session Manager, IAP "
    "TCP forwarding, Azure Bastion or a VPN instead of public SSH/RDP.",
    rationale="Internet-wide scanners find an open SSH or RDP port within minutes and brute-force or exploit it; a "
    "node reached that way holds GPU credentials and the cluster's data. The rule judges sources as address space: "
    "0.0.0.0/0 written as two halves, as many /8s, as IPv6 ::/0, as the Internet or * service tags, or spread over "
    "several rules of one security group is the same exposure. Deny rules of higher priority are honoured.",
    examples=(
        Example(
            type=AWS_INGRESS_RULE,
            compliant={"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIpv4": "10.0.0.0/8"},
            violating={"ipProtocol": "tcp", "fromPort": 0, "toPort": 65535, "cidrIpv4": "0.0.0.0/1"},
            note="half of the internet on every port (its other half in a second rule is caught too)",
        ),
        Example(
            type=AZURE_SECURITY_RULE,
            compliant={
                "direction": "Inbound",
                "access": "Allow",
                "protocol": "Tcp",
                "sourceAddressPrefix": "VirtualNetwork",
                "destinationPortRange": "3389",
            },
            violating={
                "direction": "Inbound",
                "access": "Allow",
                "protocol": "Tcp",
                "sourceAddressPrefix": "Internet",
                "destinationPortRange": "3000-4000",
            },
            note="a port range that includes RDP, from the Internet service tag",
        ),
    ),
    checks=dict.fromkeys(INGRESS_RULE_TYPES, _s16),
    needs_stack=True,
    properties={
        "adminPorts": {
            "type": "array",
            "items": {"type": "integer", "minimum": 1, "maximum": 65535},
            "default": [22, 3389],
            "description": "Ports that must never be open to the internet (rules opening every port always are).",
        },
        **OPEN_SOURCE_PROPERTIES,
    },
    default_enforcement="mandatory",
)


# -- internet-facing ports ------------------------------------------------------------------------
def _public_ports(resource: Resource, ctx: Context) -> Iterator[str]:
    v4, v6 = open_prefixes(ctx.config)
    allowed = merge((p, p) for p in ctx.config["publicPorts"])
    for exposures in _by_entry(group_exposures(resource, ctx, v4, v6)).values():
        entry = exposures[0].entry
        extra = [
            Exposure(e.entry, e.protocol, subtract(e.ports, allowed), e.reach, e.others)
            for e in exposures
            if subtract(e.ports, allowed)
        ]
        text = _exposure_text(entry, extra, None)
        if text:
            yield f"{entry.where}admits the internet on {text} {_from_text(entry, extra)}"


PUBLIC_INGRESS_PORTS = Rule(
    id="network-public-ingress-ports",
    ref="",
    domain="network",
    description="Rules that admit the internet open only the public service ports (HTTPS by default).",
    severity="high",
    tags=("security",),
    remediation="Narrow the source to known networks, or serve through a load balancer on 443; list other ports "
    "that must face the internet in the rule's publicPorts config.",
    rationale="Every port reachable from the internet is attack surface: plain-HTTP (80) invites credential "
    "sniffing and downgrade, databases, caches, metrics and Jupyter ports are routinely found and exploited by "
    "scanners. GPU nodes and endpoints here are reached through private networks and load balancers, so only the "
    "public service ports may face the internet, whichever way the source is written.",
    examples=(
        Example(
            type=GCP_FIREWALL,
            compliant={
                "direction": "INGRESS",
                "sourceRanges": ["0.0.0.0/0"],
                "allows": [{"protocol": "tcp", "ports": ["443"]}],
            },
            violating={
                "direction": "INGRESS",
                "sourceRanges": ["0.0.0.0/1", "128.0.0.0/1"],
                "allows": [{"protocol": "tcp", "ports": ["80", "443"]}],
            },
            note="plain HTTP from the internet written as two halves",
        ),
    ),
    checks=dict.fromkeys(INGRESS_RULE_TYPES, _public_ports),
    needs_stack=True,
    properties={
        "publicPorts": {
            "type": "array",
            "items": {"type": "integer", "minimum": 1, "maximum": 65535},
            "default": [443],
            "description": "Ports that may face the internet.",
        },
        **OPEN_SOURCE_PROPERTIES,
    },
    default_enforcement="mandatory",
)


# -- egress ---------------------------------------------------------------------------------------
def _egress(resource: Resource, ctx: Context) -> Iterator[str]:
    v4, v6 = open_prefixes(ctx.config)
    for exposures in _by_entry(group_exposures(resource, ctx, v4, v6, EGRESS)).values():
        entry = exposures[0].entry
        every = [e for e in exposures if covers_every_port(e.ports)]
        text = _exposure_text(entry, every, None)
        if every and text:
            yield f"{entry.where}allows egress on {text} {_from_text(entry, every, 'to')}"


NO_UNRESTRICTED_EGRESS = Rule(
    id="network-no-unrestricted-egress",
    ref="",
    domain="network",
    description="No explicit firewall rule allows every port out to the whole internet.",
    severity="medium",
    tags=("security",),
    remediation="Allow egress to the networks and ports workloads need (VPC endpoints, registries on 443, the NAT "
    "for package mirrors); leave the cloud's default egress to the NAT rather than an explicit allow-all.",
    rationale="An allow-all egress rule is the exfiltration path for stolen model weights and datasets and the "
    "command-and-control channel of a compromised node; scoped egress makes both visible and blockable.",
    examples=(
        Example(
            type=AWS_EGRESS_RULE,
            compliant={"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv4": "10.20.0.0/16"},
            violating={"ipProtocol": "-1", "cidrIpv4": "0.0.0.0/0"},
            note="every protocol to anywhere",
        ),
    ),
    checks=dict.fromkeys(EGRESS_RULE_TYPES, _egress),
    needs_stack=True,
    properties=dict(OPEN_SOURCE_PROPERTIES),
)

RULES = [NO_PUBLIC_ADMIN_INGRESS, PUBLIC_INGRESS_PORTS, NO_UNRESTRICTED_EGRESS]
