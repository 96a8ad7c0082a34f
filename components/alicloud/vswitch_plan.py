"""vSwitch CIDR planning for an ACK VPC: a pure, deterministic split into per-zone node and pod
vSwitches (Terway gives every pod an address from a pod vSwitch).

The same VPC range and zone count always give the same ranges, so a plan never moves a vSwitch
(which would replace it, and every node in it) unless the config changes.

Layout, for `n` zones and `c = ceil(log2(n))`: the VPC range is cut into `2^(c+1)` equal blocks.
Blocks `0..n-1` are the pod vSwitches (large: one address per pod). The last block is cut into
node vSwitches a quarter of a pod block in size (an eighth with more than four zones, so that
every zone gets one). The blocks in between stay free for later growth.

Example: 10.40.0.0/16 with 2 zones -> pods 10.40.0.0/18, 10.40.64.0/18; nodes 10.40.192.0/20,
10.40.208.0/20 (10.40.128.0/18 free).
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass

SMALLEST_VSWITCH_PREFIX = 29
"""Alibaba Cloud refuses vSwitches smaller than /29."""
NODE_SHRINK_BITS = 2
"""A node vSwitch is (at least) a quarter of a pod vSwitch smaller."""


class VSwitchPlanError(ValueError):
    """The VPC range cannot hold the requested vSwitches."""


@dataclass(frozen=True)
class VSwitchPlan:
    """Planned vSwitch ranges; index `i` of each tuple belongs to zone `i`."""

    nodes: tuple[str, ...]
    pods: tuple[str, ...]


def plan_vswitches(vpc_cidr: str, zones: int) -> VSwitchPlan:
    """Split `vpc_cidr` into one node and one pod vSwitch per zone (see the module doc).

    Raises `VSwitchPlanError` when the range is too small for vSwitches of at least /29."""
    if zones < 1:
        raise VSwitchPlanError(f"need at least one zone, got {zones}")
    vpc = ipaddress.IPv4Network(vpc_cidr, strict=True)
    zone_bits = math.ceil(math.log2(zones))
    pod_prefix = vpc.prefixlen + zone_bits + 1
    node_prefix = pod_prefix + max(NODE_SHRINK_BITS, zone_bits)
    if node_prefix > SMALLEST_VSWITCH_PREFIX:
        largest = SMALLEST_VSWITCH_PREFIX - (node_prefix - vpc.prefixlen)
        raise VSwitchPlanError(
            f"{vpc_cidr} is too small for {zones} zones (each zone needs a node vSwitch of at least "
            f"/{SMALLEST_VSWITCH_PREFIX} and a pod vSwitch at least four times larger); use a /{largest} or larger"
        )
    blocks = list(vpc.subnets(new_prefix=pod_prefix))
    node_pool = blocks[-1].subnets(new_prefix=node_prefix)
    return VSwitchPlan(
        nodes=tuple(str(next(node_pool)) for _ in range(zones)),
        pods=tuple(str(block) for block in blocks[:zones]),
    )
