"""Commitments and capacity reservations through the stacks: prod declares its reservation and
commitment and the estimate shows them; a GCP or Azure training pool that asks for a reservation
gets one it can use, priced, with its nodes counted once."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from catalog.commitments import PoolCommitment, pool_commitment, reserved_nodes
from catalog.costs import estimate_resources
from preflight.costs.inputs import resource_inputs
from preflight.records import ProgramRun
from stacks.azure import declare_azure
from stacks.config import parse_environment
from stacks.gcp import declare_gcp
from tests.catalog.test_free_types import UNSOURCED_STANDING_CHARGES
from tests.stacks.test_commitment_config import prod


def costs_by_name(run: ProgramRun, config: dict[str, str]) -> dict[str, Any]:
    return {c.urn.rsplit("::", 1)[1]: c for c in estimate_resources(resource_inputs(run, config))}


def test_prod_reserves_a_training_node_and_commits_an_inference_node(stack_run: Callable[[str], ProgramRun]) -> None:
    run = stack_run("prod")
    (reservation,) = run.of_type("aws:ec2/capacityReservation:CapacityReservation")
    assert reservation.inputs["instanceType"] == "p5.48xlarge" and reservation.inputs["instanceCount"] == 1
    assert reservation.inputs["availabilityZone"] == "us-east-1a"
    groups = {r.name: r.inputs for r in run.of_type("aws:eks/nodeGroup:NodeGroup")}
    assert reserved_nodes(groups["prod-train-nodes"]["tags"]) == 1
    assert pool_commitment(groups["prod-inference-nodes"]["tags"]) == PoolCommitment("reserved-instance", "1y", 1)
    costs = costs_by_name(run, {"aws:region": "us-east-1"})
    reserved = costs["prod-train-reservation"]
    assert (reserved.floor_usd, reserved.ceiling_usd) == (40179.2, 40179.2)  # 730 h x $55.04
    assert costs["prod-train-nodes"].ceiling_usd == round(730 * 3 * 55.04, 2)  # the fourth is the reservation
    inference = costs["prod-inference-nodes"]
    assert (inference.floor_usd, inference.list_floor_usd) == (1031.13, 1636.72)


def unsourced(cost) -> bool:
    """An unknown price the project accepts (tests/catalog/test_free_types.py says why)."""
    reason = UNSOURCED_STANDING_CHARGES.get(cost.type)
    return reason is not None and reason in (cost.unknown_reason or "")


def test_a_gcp_training_pool_declares_and_consumes_its_reservation(declare) -> None:
    values = copy.deepcopy(prod())
    values["clouds"]["gcp"]["gpu_pools"]["train"]["capacity_reservation"] = {"nodes": 4}
    values["clouds"] = {"gcp": values["clouds"]["gcp"]}
    env = parse_environment(values)
    assert env.clouds.gcp is not None
    run = declare(lambda: declare_gcp(env, env.clouds.gcp))
    (reservation,) = run.of_type("gcp:compute/reservation:Reservation")
    assert reservation.inputs["zone"] == "us-central1-a"
    train = next(r for r in run.of_type("gcp:container/nodePool:NodePool") if r.inputs["name"] == "train")
    assert train.inputs["nodeLocations"] == ["us-central1-a"]
    assert train.inputs["nodeConfig"]["reservationAffinity"]["values"] == [reservation.inputs["name"]]
    costs = costs_by_name(run, {"gcp:region": "us-central1"})
    assert [c.urn for c in costs.values() if not c.known and not unsourced(c)] == []
    assert costs[reservation.name].floor_usd == round(730 * 4 * 88.49, 2)
    assert costs[train.name].ceiling_usd == 0.0  # all four nodes are the reservation's


def test_an_azure_training_pool_uses_a_reservation_group(declare) -> None:
    values = copy.deepcopy(prod())
    values["clouds"]["azure"]["gpu_pools"]["train"]["capacity_reservation"] = {"nodes": 1}
    values["clouds"] = {"azure": values["clouds"]["azure"]}
    env = parse_environment(values)
    assert env.clouds.azure is not None
    run = declare(lambda: declare_azure(env, env.clouds.azure))
    (group,) = run.of_type("azure-native:compute:CapacityReservationGroup")
    (reserved,) = run.of_type("azure-native:compute:CapacityReservation")
    assert reserved.inputs["sku"] == {"name": "Standard_ND96isr_H100_v5", "capacity": 1}
    pool = next(
        r for r in run.of_type("azure-native:containerservice:AgentPool") if r.inputs["agentPoolName"] == "train"
    )
    assert pool.inputs["capacityReservationGroupID"] == run.id_of(group.name)
    costs = costs_by_name(run, {})
    unpriced = [c for c in costs.values() if not c.known]
    # The group and the role are listed as free; what stays unknown is only what no source prices
    # (metric alerts, storage in the DR redundancy).
    assert [c.type for c in unpriced if not unsourced(c)] == []
    assert costs[reserved.name].floor_usd == round(730 * 98.32, 2)
    assert costs[pool.name].ceiling_usd == round(730 * 3 * 98.32, 2)
