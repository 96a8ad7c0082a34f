"""Source addresses judged as address space, not as strings.

A firewall rule or an API allow list names its sources as CIDRs, single addresses or service
tags. Whether they let "the internet" in is a question about the set of addresses they cover
together: `0.0.0.0/1` plus `128.0.0.0/1` is the whole IPv4 internet as surely as `0.0.0.0/0`,
and so are two hundred /8s. `AddressSet` holds such a union as integer intervals per IP family;
`public_reach` measures how much of it is publicly routable (private, shared, loopback,
link-local, documentation, multicast and reserved ranges excluded), and `is_open` compares that
with a threshold (by default: at least as many public addresses as one IPv4 /8 or one IPv6 /32).

Service tags that stand for everyone (`*`, `Internet`, `Any`) are the whole space; tags that
stand for every customer of a cloud (Azure's `AzureCloud`, GKE's Google Cloud public ranges)
count as open too: anyone can rent an address there.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

Interval = tuple[int, int]
"""An inclusive range of integers (addresses or ports)."""

_V4_BITS = 32
_V6_BITS = 128
_V4_ALL: Interval = (0, 2**32 - 1)
_V6_ALL: Interval = (0, 2**128 - 1)

# Address ranges that are not reachable from the internet (IANA special-purpose registries).
_NON_PUBLIC_V4 = (
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "240.0.0.0/4",
)
_PUBLIC_V6 = ("2000::/3",)
_NON_PUBLIC_V6 = ("2001:db8::/32",)

EVERYONE_TAGS = frozenset({"*", "internet", "any", "0.0.0.0"})
"""Source tags (compared lower-case) that mean every address. A bare `0.0.0.0` is read as
`0.0.0.0/0`, as several APIs do."""
CLOUD_CUSTOMER_TAGS = frozenset({"azurecloud"})
"""Azure service tags (`AzureCloud`, `AzureCloud.<region>`) that cover every Azure customer's
public addresses."""


def merge(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """Sorted, non-overlapping, non-adjacent intervals covering the same integers."""
    result: list[Interval] = []
    for low, high in sorted(intervals):
        if result and low <= result[-1][1] + 1:
            result[-1] = (result[-1][0], max(result[-1][1], high))
        else:
            result.append((low, high))
    return tuple(result)


def subtract(intervals: Sequence[Interval], removed: Sequence[Interval]) -> tuple[Interval, ...]:
    """`intervals` without the integers of `removed` (both merged)."""
    result: list[Interval] = []
    for low, high in intervals:
        start = low
        for r_low, r_high in removed:
            if r_high < start or r_low > high:
                continue
            if r_low > start:
                result.append((start, r_low - 1))
            start = max(start, r_high + 1)
            if start > high:
                break
        if start <= high:
            result.append((start, high))
    return tuple(result)


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> tuple[Interval, ...]:
    result = []
    for a_low, a_high in a:
        for b_low, b_high in b:
            low, high = max(a_low, b_low), min(a_high, b_high)
            if low <= high:
                result.append((low, high))
    return merge(result)


def size(intervals: Iterable[Interval]) -> int:
    return sum(high - low + 1 for low, high in intervals)


def _network_interval(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> Interval:
    return int(network.network_address), int(network.broadcast_address)


def _intervals(cidrs: Iterable[str]) -> tuple[Interval, ...]:
    return merge(_network_interval(ipaddress.ip_network(c)) for c in cidrs)


_PUBLIC_V4 = subtract((_V4_ALL,), _intervals(_NON_PUBLIC_V4))
_PUBLIC_V6_SPACE = subtract(_intervals(_PUBLIC_V6), _intervals(_NON_PUBLIC_V6))


@dataclass(frozen=True)
class AddressSet:
    """A union of IPv4 and IPv6 addresses, plus the names of broad tags it stands for."""

    v4: tuple[Interval, ...] = ()
    v6: tuple[Interval, ...] = ()
    broad: tuple[str, ...] = ()
    """Tags that cover every customer of a cloud (counted as open whatever their addresses)."""
    names: tuple[str, ...] = field(default=(), compare=False)
    """The sources as written, for messages."""

    @classmethod
    def everything(cls, name: str = "0.0.0.0/0") -> AddressSet:
        return cls(v4=(_V4_ALL,), v6=(_V6_ALL,), names=(name,))

    def union(self, *others: AddressSet) -> AddressSet:
        sets = (self, *others)
        return AddressSet(
            v4=merge(i for s in sets for i in s.v4),
            v6=merge(i for s in sets for i in s.v6),
            broad=tuple(dict.fromkeys(t for s in sets for t in s.broad)),
            names=tuple(dict.fromkeys(n for s in sets for n in s.names)),
        )

    def minus(self, other: AddressSet) -> AddressSet:
        """The addresses not in `other` (a deny that covers a broad tag removes it)."""
        broad = () if other.broad or other.v4 == (_V4_ALL,) else self.broad
        return AddressSet(subtract(self.v4, other.v4), subtract(self.v6, other.v6), broad, self.names)

    @property
    def empty(self) -> bool:
        return not self.v4 and not self.v6 and not self.broad

    def public_reach(self) -> tuple[int, int]:
        """(public IPv4 addresses, public IPv6 addresses) the set covers."""
        return size(intersect(self.v4, _PUBLIC_V4)), size(intersect(self.v6, _PUBLIC_V6_SPACE))

    def is_open(self, v4_prefix: int = 8, v6_prefix: int = 32) -> bool:
        """Whether the set lets the internet in: a tag for every customer of a cloud, or at least
        as many public addresses as one IPv4 /`v4_prefix` or one IPv6 /`v6_prefix` block."""
        if self.broad:
            return True
        v4, v6 = self.public_reach()
        return v4 >= 2 ** (_V4_BITS - v4_prefix) or v6 >= 2 ** (_V6_BITS - v6_prefix)

    def reach_text(self) -> str:
        """`every public IPv4 address`, `2.1 billion public IPv4 addresses`, `every Azure customer`."""
        parts = [f"every {_TAG_TEXT.get(t.split('.')[0].lower(), t)}" for t in self.broad]
        v4, v6 = self.public_reach()
        if v4:
            parts.append(_count_text(v4, size(_PUBLIC_V4), "IPv4"))
        if v6:
            parts.append(_count_text(v6, size(_PUBLIC_V6_SPACE), "IPv6"))
        return " and ".join(parts) or "no public address"


_TAG_TEXT = {"azurecloud": "Azure customer's address", "gcp-public": "Google Cloud customer's address"}


def _count_text(count: int, total: int, family: str) -> str:
    if count >= total:
        return f"every public {family} address"
    share = 100.0 * count / total
    if family == "IPv4":
        return f"{count:,} public {family} addresses ({share:.1f}% of them)"
    return f"{share:.1f}% of public {family} addresses"


def parse_sources(values: Iterable[object]) -> AddressSet:
    """The addresses that source strings name: CIDRs (host bits allowed), single addresses and
    the tags above. Other strings (security group ids, narrow service tags such as
    `VirtualNetwork` or `AzureLoadBalancer`, prefix list ids) name no public address."""
    v4: list[Interval] = []
    v6: list[Interval] = []
    broad: list[str] = []
    names: list[str] = []
    for value in values:
        if not isinstance(value, str) or not value.strip():
            continue
        text = value.strip()
        lowered = text.lower()
        if lowered in EVERYONE_TAGS:
            v4.append(_V4_ALL)
            v6.append(_V6_ALL)
            names.append(text)
            continue
        if lowered.split(".")[0] in CLOUD_CUSTOMER_TAGS:
            broad.append(text)
            names.append(text)
            continue
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            continue
        (v4 if network.version == 4 else v6).append(_network_interval(network))
        names.append(text)
    return AddressSet(merge(v4), merge(v6), tuple(broad), tuple(names))


GOOGLE_CLOUD_PUBLIC = AddressSet(broad=("gcp-public",), names=("Google Cloud public ranges",))
"""GKE's `gcpPublicCidrsAccessEnabled`: the public addresses of every Google Cloud customer."""


# -- ports and protocols --------------------------------------------------------------------------
ALL_PORTS: tuple[Interval, ...] = ((0, 65535),)
ALL_PROTOCOLS = frozenset({"-1", "all", "*", "any"})
_PROTOCOL_NAMES = {"6": "tcp", "17": "udp", "tcp": "tcp", "udp": "udp"}


def protocol_of(value: object) -> str | None:
    """`all`, `tcp` or `udp`; None for protocols without ports (ICMP, ESP, ...)."""
    text = "all" if value is None else str(value).strip().lower()
    if text in ALL_PROTOCOLS or text == "":
        return "all"
    return _PROTOCOL_NAMES.get(text)


def port_range(low: int | None, high: int | None) -> tuple[Interval, ...]:
    """Ports from `low` to `high`; a missing bound is open. Port 0 and 65535 are the edges."""
    start = 0 if low is None or low < 0 else low
    end = 65535 if high is None or high < 0 else high
    if start > end:
        start, end = end, start
    return ((start, min(end, 65535)),)


def covers_every_port(ports: Sequence[Interval]) -> bool:
    """Whether the ports are all of them (1-65535 counts: port 0 is not a service port)."""
    return size(intersect(ports, ((1, 65535),))) == 65535


def ports_text(ports: Sequence[Interval]) -> str:
    return ", ".join(str(low) if low == high else f"{low}-{high}" for low, high in ports)


# -- rule configuration ---------------------------------------------------------------------------
OPEN_SOURCE_PROPERTIES: dict[str, dict[str, object]] = {
    "openSourcePrefixV4": {
        "type": "integer",
        "minimum": 0,
        "maximum": 32,
        "default": 8,
        "description": "Sources that together cover at least as many public IPv4 addresses as one block of this "
        "prefix length count as the internet (private and reserved ranges are not counted).",
    },
    "openSourcePrefixV6": {
        "type": "integer",
        "minimum": 0,
        "maximum": 128,
        "default": 32,
        "description": "The same threshold for public IPv6 addresses.",
    },
}
"""Config properties of the rules that judge sources as address space."""


def open_prefixes(config: Mapping[str, object]) -> tuple[int, int]:
    """(IPv4 prefix, IPv6 prefix) thresholds from a rule's config (defaults applied)."""
    v4, v6 = config.get("openSourcePrefixV4", 8), config.get("openSourcePrefixV6", 32)
    return (v4 if isinstance(v4, int) else 8), (v6 if isinstance(v6, int) else 32)
