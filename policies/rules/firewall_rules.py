"""Ingress rules as each cloud evaluates them, and which of them let the internet in together.

A security group, network security group or VPC firewall admits traffic when any of its allow
rules does (and, where the cloud has deny rules and priorities, no deny of higher precedence
takes the traffic first). The rules of one group may be spread over many resources: inline
`ingress` blocks, separate rule resources attached by an Output or by a plain id or name string.
So the question "is SSH open to the internet" is asked of the group, per protocol and port: the
union of the sources the group admits on that port, measured as address space
(`policies.rules.address_space`). Every rule that adds public addresses to an open union is
reported, with the others it combines with.

Clouds: AWS security groups (inline rules, `SecurityGroupIngressRule`, `SecurityGroupRule`),
Google Cloud VPC firewalls (grouped by network, matched by target tags and service accounts,
priorities and denies), Azure network security groups (inline and separate rules, priorities and
denies), Alibaba Cloud security group rules (priorities, accept and drop).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from policies.framework import UNKNOWN, Context, Resource, Stack, as_bool, as_int, as_list, dig
from policies.rules.address_space import (
    ALL_PORTS,
    AddressSet,
    Interval,
    merge,
    parse_sources,
    port_range,
    protocol_of,
)

AWS_SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
AWS_DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
AWS_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
AWS_EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
AWS_SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
GCP_FIREWALL = "gcp:compute/firewall:Firewall"
GCP_NETWORK = "gcp:compute/network:Network"
AZURE_NSG = "azure-native:network:NetworkSecurityGroup"
AZURE_SECURITY_RULE = "azure-native:network:SecurityRule"
ALICLOUD_SECURITY_GROUP = "alicloud:ecs/securityGroup:SecurityGroup"
ALICLOUD_SG_RULE = "alicloud:ecs/securityGroupRule:SecurityGroupRule"

AWS_GROUPS = (AWS_SECURITY_GROUP, AWS_DEFAULT_SECURITY_GROUP)
AWS_RULES = (AWS_INGRESS_RULE, AWS_EGRESS_RULE, AWS_SECURITY_GROUP_RULE)
RULE_TYPES = (*AWS_GROUPS, *AWS_RULES, GCP_FIREWALL, AZURE_NSG, AZURE_SECURITY_RULE, ALICLOUD_SG_RULE)
"""Types that declare firewall rules."""
INGRESS, EGRESS = "ingress", "egress"


@dataclass(frozen=True)
class Entry:
    """One ingress rule as the cloud evaluates it."""

    owner: Resource
    where: str
    """Where in the owner the rule is (`ingress[0] `, `security rule ssh `), for messages."""
    protocol: str
    """`all`, `tcp` or `udp`."""
    ports: tuple[Interval, ...]
    sources: AddressSet
    allow: bool = True
    priority: int = 0
    """Lower wins; at equal priority a deny wins."""
    targets: frozenset[str] | None = None
    """GCP target tags / service accounts; None when the rule applies to every instance."""

    def applies(self, protocol: str) -> bool:
        return self.protocol in ("all", protocol)


@dataclass(frozen=True)
class Exposure:
    """Ports of one protocol that `entry` opens to the internet, and the union that does it."""

    entry: Entry
    protocol: str
    ports: tuple[Interval, ...]
    reach: AddressSet
    others: tuple[str, ...]
    """Names of the other resources whose rules the union combines."""


# -- parsing each cloud's rules -------------------------------------------------------------------
def _aws_entry(owner: Resource, where: str, rule: Mapping, protocol_key: str, cidr_keys: Sequence[str]) -> list[Entry]:
    protocol = protocol_of(rule.get(protocol_key))
    if protocol is None:
        return []
    ports = ALL_PORTS if protocol == "all" else port_range(as_int(rule.get("fromPort")), as_int(rule.get("toPort")))
    values: list[object] = []
    for key in cidr_keys:
        value = rule.get(key)
        values.extend(as_list(value) if not isinstance(value, str) else [value])
    return [Entry(owner, where, protocol, ports, parse_sources(values))]


def _aws_group_entries(group: Resource, direction: str) -> list[Entry]:
    entries: list[Entry] = []
    for index, rule in enumerate(as_list(group.get(direction))):
        if isinstance(rule, Mapping):
            entries += _aws_entry(group, f"{direction}[{index}] ", rule, "protocol", ("cidrBlocks", "ipv6CidrBlocks"))
    return entries


def _aws_rule_entries(rule: Resource, direction: str) -> list[Entry]:
    if rule.type in (AWS_INGRESS_RULE, AWS_EGRESS_RULE):
        if (rule.type == AWS_INGRESS_RULE) != (direction == INGRESS):
            return []
        return _aws_entry(rule, "", rule.props, "ipProtocol", ("cidrIpv4", "cidrIpv6"))
    if rule.get("type") != direction:
        return []
    return _aws_entry(rule, "", rule.props, "protocol", ("cidrBlocks", "ipv6CidrBlocks"))


def _gcp_ports(ports: list[object]) -> tuple[Interval, ...]:
    if not ports:
        return ALL_PORTS
    ranges: list[Interval] = []
    for port in ports:
        low, _, high = str(port).partition("-")
        ranges.extend(port_range(as_int(low), as_int(high or low)))
    return merge(ranges)


def _gcp_entries(firewall: Resource, direction: str) -> list[Entry]:
    if str(firewall.get("direction", "INGRESS")).lower() != direction or as_bool(firewall.get("disabled")):
        return []
    if direction == EGRESS:
        # GCP's default destination for an egress rule is every address.
        ranges = as_list(firewall.get("destinationRanges"))
        sources = parse_sources(ranges) if ranges else AddressSet.everything()
    else:
        ranges = as_list(firewall.get("sourceRanges"))
        if not ranges and not firewall.get("sourceTags") and not firewall.get("sourceServiceAccounts"):
            sources = AddressSet.everything()  # GCP's default source for an ingress rule with no source
        else:
            sources = parse_sources(ranges)
    targets = [*as_list(firewall.get("targetTags")), *as_list(firewall.get("targetServiceAccounts"))]
    target_set = frozenset(str(t) for t in targets) if targets else None
    priority = as_int(firewall.get("priority"))
    entries = []
    for allow, key in ((True, "allows"), (False, "denies")):
        for item in as_list(firewall.get(key)):
            protocol = protocol_of(dig(item, "protocol"))
            if protocol is None:
                continue
            ports = ALL_PORTS if protocol == "all" else _gcp_ports(as_list(dig(item, "ports")))
            entries.append(
                Entry(firewall, "", protocol, ports, sources, allow, 1000 if priority is None else priority, target_set)
            )
    return entries


def _azure_ports(rule: Mapping) -> tuple[Interval, ...]:
    ranges: list[Interval] = []
    for port in [rule.get("destinationPortRange"), *as_list(rule.get("destinationPortRanges"))]:
        if port is None:
            continue
        if str(port).strip() == "*":
            return ALL_PORTS
        low, _, high = str(port).partition("-")
        ranges.extend(port_range(as_int(low), as_int(high or low)))
    return merge(ranges)


def _azure_entry(owner: Resource, rule: Mapping, where: str, direction: str) -> list[Entry]:
    if str(rule.get("direction", "")).lower() != ("inbound" if direction == INGRESS else "outbound"):
        return []
    access = str(rule.get("access", "")).lower()
    if access not in ("allow", "deny"):
        return []
    protocol = protocol_of(rule.get("protocol", "*"))
    if protocol is None:
        return []
    side = "source" if direction == INGRESS else "destination"
    sources = parse_sources([rule.get(f"{side}AddressPrefix"), *as_list(rule.get(f"{side}AddressPrefixes"))])
    priority = as_int(rule.get("priority"))
    return [
        Entry(
            owner,
            where,
            protocol,
            _azure_ports(rule),
            sources,
            access == "allow",
            4096 if priority is None else priority,
        )
    ]


def _azure_nsg_entries(group: Resource, direction: str) -> list[Entry]:
    entries: list[Entry] = []
    for rule in as_list(group.get("securityRules")):
        if isinstance(rule, Mapping):
            entries += _azure_entry(group, rule, f"security rule {rule.get('name', '?')} ", direction)
    return entries


def _alicloud_entries(rule: Resource, direction: str) -> list[Entry]:
    if rule.get("type") != direction:
        return []
    policy = str(rule.get("policy", "accept")).lower()
    protocol = protocol_of(rule.get("ipProtocol"))
    if protocol is None or policy not in ("accept", "drop"):
        return []
    low, _, high = str(rule.get("portRange", "-1/-1")).partition("/")
    low_port, high_port = as_int(low), as_int(high)
    ports = ALL_PORTS if protocol == "all" or low_port == -1 else port_range(low_port, high_port)
    sources = parse_sources([rule.get("cidrIp"), rule.get("ipv6CidrIp")])
    priority = as_int(rule.get("priority"))
    return [Entry(rule, "", protocol, ports, sources, policy == "accept", 1 if priority is None else priority)]


def entries_of(resource: Resource, direction: str = INGRESS) -> list[Entry]:
    """The rules of one direction (`ingress` or `egress`) that `resource` declares; for egress,
    `Entry.sources` are the destinations."""
    if resource.type in AWS_GROUPS:
        return _aws_group_entries(resource, direction)
    if resource.type in AWS_RULES:
        return _aws_rule_entries(resource, direction)
    if resource.type == GCP_FIREWALL:
        return _gcp_entries(resource, direction)
    if resource.type == AZURE_NSG:
        return _azure_nsg_entries(resource, direction)
    if resource.type == AZURE_SECURITY_RULE:
        return _azure_entry(resource, resource.props, "", direction)
    if resource.type == ALICLOUD_SG_RULE:
        return _alicloud_entries(resource, direction)
    return []


# -- groups ---------------------------------------------------------------------------------------
def _last_segment(value: str) -> str:
    return value.rstrip("/").rsplit("/", 1)[-1]


def _group_key(stack: Stack, member: Resource, prop: str, group_types: Sequence[str], name_prop: str) -> str:
    """What group a rule belongs to: the group resource it was computed from, the group of this
    stack it names by a plain string, or the string itself (rules naming one outside group)."""
    origins = [r for r in stack.origins(member, prop) if r.type in group_types]
    if origins:
        return origins[0].urn
    value = member.peek(prop)
    if value is UNKNOWN and not member.sources(prop):
        member.get(prop)  # no telling which group: the verdict that rests on it is open
        return member.urn
    if isinstance(value, str) and value:
        for group in stack.of_type(*group_types):
            if group.peek(name_prop) in (value, _last_segment(value)):
                return group.urn
        return f"{group_types[0]}={_last_segment(value)}"
    return member.urn


def _key(stack: Stack, resource: Resource) -> str:
    if resource.type in AWS_GROUPS or resource.type == AZURE_NSG:
        return resource.urn
    if resource.type in AWS_RULES:
        return _group_key(stack, resource, "securityGroupId", AWS_GROUPS, "name")
    if resource.type == GCP_FIREWALL:
        return _group_key(stack, resource, "network", (GCP_NETWORK,), "name")
    if resource.type == AZURE_SECURITY_RULE:
        return _group_key(stack, resource, "networkSecurityGroupName", (AZURE_NSG,), "networkSecurityGroupName")
    if resource.type == ALICLOUD_SG_RULE:
        return _group_key(stack, resource, "securityGroupId", (ALICLOUD_SECURITY_GROUP,), "securityGroupName")
    return resource.urn


def group_members(stack: Stack, resource: Resource) -> list[Resource]:
    """`resource` and every resource whose ingress rules apply to the same group."""
    key = _key(stack, resource)
    members = [resource]
    for other in stack.of_type(*RULE_TYPES):
        if other is not resource and other.cloud == resource.cloud and _key(stack, other) == key:
            members.append(other)
    return members


# -- the sweep ------------------------------------------------------------------------------------
def _segments(entries: Iterable[Entry], protocol: str) -> list[Interval]:
    cuts = {0, 65536}
    for entry in entries:
        if entry.applies(protocol):
            for low, high in entry.ports:
                cuts.update((low, high + 1))
    points = sorted(cuts)
    return [(a, b - 1) for a, b in itertools.pairwise(points)]


def _covers(entry: Entry, segment: Interval) -> bool:
    return any(low <= segment[0] and segment[1] <= high for low, high in entry.ports)


def _overlaps(a: Entry, b: Entry) -> bool:
    return a.targets is None or b.targets is None or bool(a.targets & b.targets)


def exposures(entries: Sequence[Entry], owner: Resource, v4_prefix: int, v6_prefix: int) -> list[Exposure]:
    """What `owner`'s allow rules open to the internet, with every other rule in `entries` (its
    group) taken into account: unions of allows, and denies of higher precedence."""
    own = [e for e in entries if e.owner is owner and e.allow]
    found: dict[tuple[int, str], list[Interval]] = {}
    reaches: dict[tuple[int, str], tuple[AddressSet, set[str]]] = {}
    for protocol in ("tcp", "udp"):
        for segment in _segments(entries, protocol):
            for index, mine in enumerate(own):
                if not mine.applies(protocol) or not _covers(mine, segment):
                    continue
                active = [e for e in entries if e.applies(protocol) and _covers(e, segment) and _overlaps(e, mine)]
                allowed, contributors = _effective(active)
                if not allowed.is_open(v4_prefix, v6_prefix):
                    continue
                if not _adds_public(contributors.get(id(mine))):
                    continue
                key = (index, protocol)
                found.setdefault(key, []).append(segment)
                others = {
                    e.owner.name for e in active if e.owner is not owner and _adds_public(contributors.get(id(e)))
                }
                previous = reaches.get(key)
                reaches[key] = (
                    allowed if previous is None else previous[0].union(allowed),
                    others | (previous[1] if previous else set()),
                )
    result = []
    for (index, protocol), segments in found.items():
        reach, others = reaches[(index, protocol)]
        result.append(Exposure(own[index], protocol, merge(segments), reach, tuple(sorted(others))))
    return result


def _adds_public(reach: AddressSet | None) -> bool:
    return reach is not None and (bool(reach.broad) or reach.public_reach() != (0, 0))


def _effective(active: Sequence[Entry]) -> tuple[AddressSet, dict[int, AddressSet]]:
    """The sources the active rules admit (in precedence order, a deny takes its sources before
    any later allow), and what each allow adds."""
    denied = AddressSet()
    allowed = AddressSet()
    contributors: dict[int, AddressSet] = {}
    for entry in sorted(active, key=lambda e: (e.priority, e.allow)):
        if not entry.allow:
            denied = denied.union(entry.sources)
            continue
        effective = entry.sources.minus(denied)
        if not effective.empty:
            contributors[id(entry)] = effective
            allowed = allowed.union(effective)
    return allowed, contributors


def group_exposures(
    resource: Resource, ctx: Context, v4_prefix: int, v6_prefix: int, direction: str = INGRESS
) -> list[Exposure]:
    """What `resource`'s rules of one direction open to (or towards) the internet. AWS security
    groups have no deny rules, so a rule that is open on its own is judged from its own values
    first (an unknown value elsewhere in the group cannot undo it); otherwise the whole group is
    judged."""
    own = entries_of(resource, direction)
    if not own:
        return []
    if resource.type in (*AWS_GROUPS, *AWS_RULES):
        alone = exposures(own, resource, v4_prefix, v6_prefix)
        if alone:
            return alone
    stack = ctx.require_stack()
    entries = [*own, *(e for m in group_members(stack, resource)[1:] for e in entries_of(m, direction))]
    return exposures(entries, resource, v4_prefix, v6_prefix)
