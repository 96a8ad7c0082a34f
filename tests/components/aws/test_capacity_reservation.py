"""ai-infra:aws:GpuNodePool with a capacity reservation and a commitment: an open On-Demand
Capacity Reservation of the pool's type in the first subnet's zone (in the placement group of a
multi-node pool), the pool kept to that zone, and the tags the cost estimate reads back."""

from __future__ import annotations

import pytest

from catalog.commitments import (
    COMMITMENT_TAG,
    COMMITTED_NODES_TAG,
    RESERVED_NODES_TAG,
    PoolCommitment,
    pool_commitment,
    reserved_nodes,
)
from components.aws import CapacityReservationArgs
from tests.components.aws.test_gpu_node_pool import NODE_GROUP, SUBNETS, make

RESERVATION = "aws:ec2/capacityReservation:CapacityReservation"


def test_reservation_of_the_pools_type_in_the_first_zone_and_the_pool_kept_there(declare):
    run = declare(
        make(
            accelerator="nvidia-h100",
            multi_node=True,
            max_nodes=4,
            capacity_reservation=CapacityReservationArgs(nodes=2, availability_zone="us-east-1a"),
        )
    )
    reservation = run.one(RESERVATION)
    assert reservation.name == "pool-reservation"
    assert {k: reservation.inputs[k] for k in ("instanceType", "availabilityZone", "instanceCount")} == {
        "instanceType": "p5.48xlarge",
        "availabilityZone": "us-east-1a",
        "instanceCount": 2,
    }
    # open: the pool's instances use it without naming it and the pool can still grow past it.
    assert reservation.inputs["instanceMatchCriteria"] == "open"
    assert reservation.inputs["endDateType"] == "unlimited"
    assert reservation.inputs["instancePlatform"] == "Linux/UNIX"
    assert reservation.inputs["placementGroupArn"]  # the multi-node pool's cluster placement group
    group = run.one(NODE_GROUP).inputs
    assert group["subnetIds"] == SUBNETS[:1]
    assert reserved_nodes(group["tags"]) == 2 and group["tags"][RESERVED_NODES_TAG] == "2"


def test_a_single_node_pool_with_a_reservation_is_kept_to_its_zone_without_a_placement_group(declare):
    run = declare(make(capacity_reservation=CapacityReservationArgs(nodes=1, availability_zone="us-east-1a")))
    assert "placementGroupArn" not in run.one(RESERVATION).inputs
    assert run.one(NODE_GROUP).inputs["subnetIds"] == SUBNETS[:1]


def test_no_reservation_and_no_cost_tags_by_default(declare):
    run = declare(make())
    assert run.of_type(RESERVATION) == []
    tags = run.one(NODE_GROUP).inputs["tags"]
    assert not {COMMITMENT_TAG, COMMITTED_NODES_TAG, RESERVED_NODES_TAG} & set(tags)
    assert run.one(NODE_GROUP).inputs["subnetIds"] == SUBNETS


def test_a_commitment_is_recorded_on_the_node_group_only(declare):
    run = declare(make(min_nodes=1, commitment=PoolCommitment("reserved-instance", "1y", 1)))
    group = run.one(NODE_GROUP).inputs
    assert pool_commitment(group["tags"]) == PoolCommitment("reserved-instance", "1y", 1)
    assert COMMITMENT_TAG not in run.one("aws:ec2/launchTemplate:LaunchTemplate").inputs["tags"]


@pytest.mark.parametrize(
    "extra",
    [
        {"capacity_reservation": CapacityReservationArgs(nodes=1, availability_zone="us-east-1a")},
        {"commitment": PoolCommitment("reserved-instance", "1y", 1)},
    ],
)
def test_spot_capacity_is_never_reserved_or_committed(declare, extra):
    with pytest.raises(ValueError, match="spot capacity cannot be reserved or committed"):
        declare(make(spot=True, **extra))
