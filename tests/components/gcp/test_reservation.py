"""ai-infra:gcp:GpuCluster with a pool that declares its capacity reservation: a specific
Compute Engine reservation of the pool's machines in the first zone, consumed by the pool
through its reservation affinity (SPECIFIC_RESERVATION by name), the pool kept to that zone, and
the labels the cost estimate reads back."""

from __future__ import annotations

import dataclasses

import pytest

from catalog.commitments import PoolCommitment, pool_commitment, reserved_nodes
from tests.components.gcp.test_gpu_cluster import H100, L4, make, pool

RESERVATION = "gcp:compute/reservation:Reservation"
TRAIN = dataclasses.replace(H100, reservation=None, capacity_reservation_nodes=4)


def test_the_pool_consumes_the_reservation_it_declares_in_its_zone(declare):
    run = declare(make(gpu_pools=[TRAIN]))
    reservation = run.one(RESERVATION)
    assert reservation.name == "gke-train-reservation"
    assert reservation.inputs["name"] == "ai-infra-test-train"
    assert reservation.inputs["zone"] == "us-central1-a"
    assert reservation.inputs["specificReservationRequired"] is True
    # a3 machines carry their GPUs: only the machine type is reserved.
    assert reservation.inputs["specificReservation"] == {
        "count": 4,
        "instanceProperties": {"machineType": "a3-highgpu-8g"},
    }
    train = pool(run, "train").inputs
    assert train["nodeLocations"] == ["us-central1-a"]
    assert train["nodeConfig"]["reservationAffinity"] == {
        "consumeReservationType": "SPECIFIC_RESERVATION",
        "key": "compute.googleapis.com/reservation-name",
        "values": ["ai-infra-test-train"],
    }
    assert reserved_nodes(train["nodeConfig"]["resourceLabels"]) == 4


def test_attached_gpus_are_reserved_with_their_n1_host(declare):
    t4 = dataclasses.replace(
        L4,
        name="t4",
        accelerator="nvidia-t4",
        machine_type="n1-standard-4",
        accelerator_type="nvidia-tesla-t4",
        spot=False,
        capacity_reservation_nodes=3,
    )
    properties = declare(make(gpu_pools=[t4])).one(RESERVATION).inputs["specificReservation"]["instanceProperties"]
    assert properties["guestAccelerators"] == [{"acceleratorType": "nvidia-tesla-t4", "acceleratorCount": 1}]


def test_no_reservation_by_default_and_commitments_are_labels(declare):
    committed = dataclasses.replace(L4, spot=False, min_nodes=1, commitment=PoolCommitment("cud", "1y", 1))
    run = declare(make(gpu_pools=[committed]))
    assert run.of_type(RESERVATION) == []
    assert pool_commitment(pool(run, "l4").inputs["nodeConfig"]["resourceLabels"]) == PoolCommitment("cud", "1y", 1)
    assert pool(run, "l4").inputs["nodeLocations"] == ["us-central1-a", "us-central1-b"]


def test_a_declared_reservation_excludes_spot(declare):
    with pytest.raises(ValueError, match="excludes spot"):
        declare(make(gpu_pools=[dataclasses.replace(L4, capacity_reservation_nodes=1)]))
