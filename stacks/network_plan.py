"""Subnet CIDR planning: a pure, deterministic split of one VPC range into per-zone subnets.

The same VPC range always gives the same subnet for the same zone index, whatever the zone
count: growing from 2 to 3 zones adds subnets and never moves one (moving a subnet replaces it
and everything running in it).

Layout: the VPC range is cut into 8 equal blocks. Blocks 0-5 are the private subnets of zones
0-5 (large: with the VPC CNI every pod takes a VPC address); block 6 stays free for later use
(dedicated pod ranges, more tiers); block 7 is cut into public subnets one eighth of a private
block in size (never smaller than /28, the smallest subnet AWS allows), which only hold NAT
gateways and load balancers.

Example: 10.10.0.0/16 with 2 zones -> private 10.10.0.0/19, 10.10.32.0/19; public
10.10.224.0/22, 10.10.228.0/22.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

MAX_ZONES = 6
"""Zones a VPC range is planned for (private blocks 0-5)."""
BLOCK_BITS = 3
"""The VPC range is cut into 2^3 = 8 blocks."""
PUBLIC_SHRINK_BITS = 3
"""A public subnet is 1/2^3 of a private one."""
SMALLEST_SUBNET_PREFIX = 28
"""AWS refuses subnets smaller than /28 (16 addresses, 5 of them reserved)."""


class SubnetPlanError(ValueError):
    """The VPC range cannot hold the requested subnets."""


@dataclass(frozen=True)
class SubnetPlan:
    """Planned subnet ranges; index `i` of each tuple belongs to zone `i`."""

    private: tuple[str, ...]
    public: tuple[str, ...]


def plan_subnets(vpc_cidr: str, zones: int) -> SubnetPlan:
    """One private and one public subnet per zone inside `vpc_cidr` (layout: module doc).

    Raises `SubnetPlanError` for a zone count outside 1..6 or a range too small to give every
    zone a public subnet of at least /28."""
    if not 1 <= zones <= MAX_ZONES:
        raise SubnetPlanError(f"{zones} zones cannot be planned (allowed: 1 to {MAX_ZONES})")
    vpc = ipaddress.IPv4Network(vpc_cidr, strict=True)
    prefixes = _subnet_prefixes(vpc.prefixlen, zones)
    if prefixes is None:
        larger = next((p for p in range(vpc.prefixlen - 1, 0, -1) if _subnet_prefixes(p, zones)), None)
        hint = f"; use a /{larger} or larger" if larger else ""
        raise SubnetPlanError(
            f"{vpc_cidr} is too small for {zones} zones (each zone needs a private and a public subnet "
            f"of at least /{SMALLEST_SUBNET_PREFIX}){hint}"
        )
    private_prefix, public_prefix = prefixes
    blocks = list(vpc.subnets(new_prefix=private_prefix))
    public_pool = blocks[-1].subnets(new_prefix=public_prefix)
    return SubnetPlan(
        private=tuple(str(block) for block in blocks[:zones]),
        public=tuple(str(next(public_pool)) for _ in range(zones)),
    )


def _subnet_prefixes(vpc_prefix: int, zones: int) -> tuple[int, int] | None:
    """(private, public) prefix lengths in a `/vpc_prefix` range, or None if they do not fit."""
    private_prefix = vpc_prefix + BLOCK_BITS
    public_prefix = min(private_prefix + PUBLIC_SHRINK_BITS, SMALLEST_SUBNET_PREFIX)
    if private_prefix > SMALLEST_SUBNET_PREFIX or 2 ** (public_prefix - private_prefix) < zones:
        return None
    return private_prefix, public_prefix
