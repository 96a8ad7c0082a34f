"""vSwitch planning: disjoint, inside the VPC, one node and one pod range per zone, never
smaller than Alibaba's /29, and stable for the same input."""

from __future__ import annotations

import ipaddress
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.alicloud import VSwitchPlanError, plan_vswitches


def test_documented_example():
    plan = plan_vswitches("10.40.0.0/16", 2)
    assert plan.pods == ("10.40.0.0/18", "10.40.64.0/18")
    assert plan.nodes == ("10.40.192.0/20", "10.40.208.0/20")


@given(prefix=st.integers(min_value=16, max_value=24), zones=st.integers(min_value=2, max_value=6))
def test_ranges_are_disjoint_inside_the_vpc_and_large_enough(prefix, zones):
    vpc = ipaddress.IPv4Network(f"10.40.0.0/{prefix}")
    try:
        plan = plan_vswitches(str(vpc), zones)
    except VSwitchPlanError as exc:
        assert "too small" in str(exc)
        return
    ranges = [ipaddress.IPv4Network(c) for c in (*plan.nodes, *plan.pods)]
    assert len(plan.nodes) == len(plan.pods) == zones
    assert all(r.subnet_of(vpc) and r.prefixlen <= 29 for r in ranges)
    assert not any(a.overlaps(b) for a, b in itertools.combinations(ranges, 2))
    assert all(
        ipaddress.IPv4Network(p).num_addresses >= 4 * ipaddress.IPv4Network(n).num_addresses
        for n, p in zip(plan.nodes, plan.pods, strict=True)
    )
    assert plan_vswitches(str(vpc), zones) == plan


def test_too_small_a_range_names_the_size_that_fits():
    with pytest.raises(VSwitchPlanError, match=r"use a /22 or larger"):
        plan_vswitches("10.40.0.0/24", 6)
