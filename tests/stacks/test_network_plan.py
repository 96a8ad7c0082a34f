"""stacks.network_plan: subnets inside the VPC, pairwise disjoint, one pair per zone, stable."""

from __future__ import annotations

import ipaddress
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stacks.network_plan import SMALLEST_SUBNET_PREFIX, SubnetPlanError, plan_subnets

PRIVATE_RANGES = [ipaddress.IPv4Network(r) for r in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]


@st.composite
def vpc_ranges(draw) -> str:
    """Any /16 to /24 inside the private ranges, as config allows."""
    parent = draw(st.sampled_from(PRIVATE_RANGES))
    prefix = draw(st.integers(min_value=max(16, parent.prefixlen), max_value=24))
    index = draw(st.integers(min_value=0, max_value=2 ** (prefix - parent.prefixlen) - 1))
    size = 2 ** (32 - prefix)
    return str(ipaddress.IPv4Network((int(parent.network_address) + index * size, prefix)))


zone_counts = st.integers(min_value=1, max_value=6)


def test_example_layout():
    plan = plan_subnets("10.10.0.0/16", 2)
    assert plan.private == ("10.10.0.0/19", "10.10.32.0/19")
    assert plan.public == ("10.10.224.0/22", "10.10.228.0/22")


@given(vpc=vpc_ranges(), zones=zone_counts)
def test_subnets_inside_the_vpc_disjoint_and_one_pair_per_zone(vpc, zones):
    try:
        plan = plan_subnets(vpc, zones)
    except SubnetPlanError:
        # Only small ranges may be refused: a /22 holds six zones.
        assert ipaddress.IPv4Network(vpc).prefixlen > 22
        return
    network = ipaddress.IPv4Network(vpc)
    subnets = [ipaddress.IPv4Network(s) for s in plan.private + plan.public]
    assert len(plan.private) == len(plan.public) == zones
    assert all(s.subnet_of(network) for s in subnets)
    assert all(not a.overlaps(b) for a, b in itertools.combinations(subnets, 2))
    assert all(s.prefixlen <= SMALLEST_SUBNET_PREFIX for s in subnets)
    private_size = ipaddress.IPv4Network(plan.private[0]).num_addresses
    assert all(ipaddress.IPv4Network(p).num_addresses < private_size for p in plan.public)


@given(vpc=vpc_ranges(), zones=zone_counts)
def test_deterministic(vpc, zones):
    try:
        first = plan_subnets(vpc, zones)
    except SubnetPlanError:
        return
    assert plan_subnets(vpc, zones) == first


@given(vpc=vpc_ranges(), fewer=zone_counts, more=zone_counts)
def test_adding_zones_never_moves_an_existing_subnet(vpc, fewer, more):
    fewer, more = sorted((fewer, more))
    try:
        large = plan_subnets(vpc, more)
    except SubnetPlanError:
        return
    small = plan_subnets(vpc, fewer)
    assert large.private[:fewer] == small.private
    assert large.public[:fewer] == small.public


@pytest.mark.parametrize(("vpc", "zones", "hint"), [("10.0.0.0/24", 3, "/23"), ("10.0.0.0/24", 6, "/22")])
def test_too_small_ranges_are_refused_with_a_size_that_fits(vpc, zones, hint):
    with pytest.raises(SubnetPlanError, match=f"too small for {zones} zones.*use a {hint} or larger"):
        plan_subnets(vpc, zones)


@pytest.mark.parametrize("zones", [0, 7])
def test_zone_count_outside_the_plan_is_refused(zones):
    with pytest.raises(SubnetPlanError, match="allowed: 1 to 6"):
        plan_subnets("10.0.0.0/16", zones)
