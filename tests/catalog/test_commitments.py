"""Committed use and capacity reservations in the estimate, checked against figures computed by
hand: committed nodes at the sourced discount, paid whether they run or not; the rest of the pool
at the list rate; the list figure reported next to it; nodes on a capacity reservation priced on
the reservation (billed whether used or not), never twice."""

from __future__ import annotations

from typing import Any

import pytest

from catalog.commitments import (
    COMMITMENT_TAG,
    COMMITTED_NODES_TAG,
    PoolCommitment,
    commitment_quote,
    committed_hourly,
    pool_commitment,
    with_commitment_tags,
)
from catalog.costs import ResourceInput, estimate_resource, estimate_resources, estimate_stack, format_cost
from catalog.prices import DASH, MINUS, Unpriced, load_prices

NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
G6E_2X = 2.24208  # us-east-1 on-demand, Vantage 2026-08-26
P5 = 55.04


def node_group(instance_type: str, low: int, high: int, **tags: str) -> dict[str, Any]:
    return {
        "instanceTypes": [instance_type],
        "capacityType": "ON_DEMAND",
        "scalingConfig": {"minSize": low, "maxSize": high, "desiredSize": low},
        "tags": {"environment": "prod", **tags},
    }


def committed(kind: str, term: str, nodes: int) -> dict[str, str]:
    return with_commitment_tags({}, PoolCommitment(kind, term, nodes))


def test_the_commitment_arithmetic() -> None:
    quote = commitment_quote(load_prices(), "aws", "reserved-instance", "1y", "g6e.2xlarge")
    assert not isinstance(quote, Unpriced) and quote.percent == 37.0
    # 2 committed of 1..6 at $1.00/h, 37% off: floor 2 x 0.63 (the second is paid while idle);
    # ceiling 2 x 0.63 + 4 x 1.00.
    assert committed_hourly(1.0, 1.0, 1, 6, 2, quote) == (pytest.approx(1.26), pytest.approx(5.26))
    # A derived range: the ceiling takes the range's top for committed and uncommitted nodes.
    assert committed_hourly(1.0, 1.2, 1, 3, 1, quote) == (pytest.approx(0.63), pytest.approx(0.756 + 2.4))


def test_a_one_year_reserved_instance_shows_the_discounted_and_the_list_figure() -> None:
    inputs = node_group("g6e.2xlarge", 1, 6, **committed("reserved-instance", "1y", 1))
    cost = estimate_resource(NODE_GROUP, "urn:inference", inputs, region="us-east-1")
    assert cost is not None and cost.known
    # floor: 730 x 1 x 2.24208 x 0.63 = 1,031.13; ceiling: + 730 x 5 x 2.24208 = 9,214.72.
    assert (cost.floor_usd, cost.ceiling_usd) == (1031.13, 9214.72)
    # list: 730 x 1..6 x 2.24208 = 1,636.72 .. 9,820.31.
    assert (cost.list_floor_usd, cost.list_ceiling_usd) == (1636.72, 9820.31)
    assert f"1 committed: EC2 Reserved Instances (standard, no upfront) 1y {MINUS}37%" in cost.basis
    assert format_cost(cost) == f"$1,031{DASH}$9,215 (list $1,637{DASH}$9,820)"
    sources = {s["source"] for s in cost.sources_json()}
    assert any(s.startswith("instances.vantage.sh") for s in sources)
    totals = estimate_stack([cost])
    assert (totals.list_floor_usd, totals.list_ceiling_usd) == (1636.72, 9820.31)


def test_a_commitment_without_a_sourced_rate_is_unknown_with_the_list_figure_as_bound() -> None:
    inputs = node_group("p5.48xlarge", 0, 2, **committed("savings-plan", "3y", 1))
    cost = estimate_resource(NODE_GROUP, "urn:train", inputs, region="us-east-1")
    assert cost is not None and not cost.known and cost.floor_usd is None
    assert "Savings Plans rates were not sourced" in (cost.unknown_reason or "")
    assert "upper bound" in (cost.unknown_reason or "")


def test_without_commitment_tags_there_is_no_list_figure() -> None:
    cost = estimate_resource(NODE_GROUP, "urn:x", node_group("g6e.2xlarge", 1, 2), region="us-east-1")
    assert cost is not None and cost.list_floor_usd is None and "(list" not in format_cost(cost)
    assert estimate_stack([cost]).list_floor_usd is None


@pytest.mark.parametrize(
    "tags",
    [
        {COMMITMENT_TAG: "reserved-instance-2y", COMMITTED_NODES_TAG: "1"},
        {COMMITMENT_TAG: "reserved-instance-1y", COMMITTED_NODES_TAG: "none"},
        {COMMITMENT_TAG: "reserved-instance-1y"},
    ],
)
def test_malformed_commitment_tags_are_no_commitment(tags: dict[str, str]) -> None:
    assert pool_commitment(tags) is None


def test_a_gcp_commitment_applies_per_machine_family() -> None:
    prices = load_prices()
    a2 = commitment_quote(prices, "gcp", "cud", "3y", "a2-highgpu-1g")
    assert not isinstance(a2, Unpriced) and a2.percent == 65.0
    g2 = commitment_quote(prices, "gcp", "cud", "1y", "g2-standard-4")
    assert isinstance(g2, Unpriced) and "a2 and c2 machines only" in g2.reason
    unknown_kind = commitment_quote(prices, "gcp", "savings-plan", "1y", "a2-highgpu-1g")
    assert isinstance(unknown_kind, Unpriced) and "known: cud" in unknown_kind.reason


# -- capacity reservations --------------------------------------------------------------------------------
def test_aws_reservation_is_billed_whole_and_the_pool_leaves_its_nodes_out() -> None:
    pool = ResourceInput(
        NODE_GROUP,
        "urn:train-nodes",
        node_group("p5.48xlarge", 0, 4, **{"ai-infra-reserved-nodes": "1"}),
        region="us-east-1",
    )
    reservation = ResourceInput(
        "aws:ec2/capacityReservation:CapacityReservation",
        "urn:train-reservation",
        {"instanceType": "p5.48xlarge", "instanceCount": 1, "availabilityZone": "us-east-1a"},
        region="us-east-1",
    )
    nodes, reserved = estimate_resources([pool, reservation])
    assert (reserved.floor_usd, reserved.ceiling_usd) == (round(730 * P5, 2), round(730 * P5, 2))  # 40,179.20
    assert "billed whether used or not" in reserved.basis
    assert (nodes.floor_usd, nodes.ceiling_usd) == (0.0, round(730 * 3 * P5, 2))  # 0..3 more
    assert "1 more on a capacity reservation" in nodes.basis
    # Together: the reservation is the idle floor; at full scale 4 nodes, never 5.
    total = estimate_stack([nodes, reserved])
    assert (total.floor_usd, total.ceiling_usd) == (40179.2, round(730 * 4 * P5, 2))


def test_gcp_reservation_is_priced_as_its_machines_and_gpus() -> None:
    cost = estimate_resource(
        "gcp:compute/reservation:Reservation",
        "urn:r",
        {
            "zone": "us-central1-a",
            "specificReservation": {"count": 2, "instanceProperties": {"machineType": "a3-highgpu-8g"}},
        },
    )
    assert cost is not None and (cost.floor_usd, cost.ceiling_usd) == (round(730 * 2 * 88.49, 2),) * 2


def test_azure_reservation_is_priced_at_the_vm_rate() -> None:
    cost = estimate_resource(
        "azure-native:compute:CapacityReservation",
        "urn:r",
        {"location": "eastus", "sku": {"name": "Standard_ND96isr_H100_v5", "capacity": 1}},
    )
    assert cost is not None and (cost.floor_usd, cost.ceiling_usd) == (round(730 * 98.32, 2),) * 2
