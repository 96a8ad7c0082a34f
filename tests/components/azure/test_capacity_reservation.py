"""ai-infra:azure:CapacityReservation and its use by a GpuCluster pool: a regional capacity
reservation group with one reservation of the pool's VM size, a custom role that allows only
deploying into that group, granted to the control-plane identity on the group alone, and the
pool associated with the group and tagged for the cost estimate."""

from __future__ import annotations

import dataclasses

import pytest

from catalog.commitments import PoolCommitment, pool_commitment, reserved_nodes
from components.azure import CapacityReservation, CapacityReservationArgs, GpuCluster, GpuClusterArgs
from components.azure.gpu_pool import ReservationUse
from tests.components.azure.test_gpu_cluster import H100, POOL, T4_SPOT, make

GROUP = "azure-native:compute:CapacityReservationGroup"
RESERVATION = "azure-native:compute:CapacityReservation"
ROLE_DEFINITION = "azure-native:authorization:RoleDefinition"
ROLE = "azure-native:authorization:RoleAssignment"
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
RG_ID = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-test"


def reservation_args(**overrides) -> CapacityReservationArgs:
    values = {
        "subscription_id": SUBSCRIPTION,
        "resource_group_name": "rg-test",
        "resource_group_id": RG_ID,
        "location": "eastus",
        "group_name": "crg-test-train",
        "vm_size": "Standard_ND96isr_H100_v5",
        "nodes": 2,
        **overrides,
    }
    return CapacityReservationArgs(**values)


def test_a_regional_group_with_one_reservation_and_a_deploy_only_role(declare):
    run = declare(lambda: CapacityReservation("train", reservation_args()))
    group = run.one(GROUP)
    assert group.inputs["capacityReservationGroupName"] == "crg-test-train" and "zones" not in group.inputs
    reservation = run.one(RESERVATION)
    assert reservation.inputs["sku"] == {"name": "Standard_ND96isr_H100_v5", "capacity": 2}
    assert "zones" not in reservation.inputs
    role = run.one(ROLE_DEFINITION).inputs
    assert role["assignableScopes"] == [RG_ID]
    (permissions,) = role["permissions"]
    assert sorted(permissions["actions"]) == [
        "Microsoft.Compute/capacityReservationGroups/capacityReservations/deploy/action",
        "Microsoft.Compute/capacityReservationGroups/capacityReservations/read",
        "Microsoft.Compute/capacityReservationGroups/deploy/action",
        "Microsoft.Compute/capacityReservationGroups/read",
    ]
    assert not any("*" in action for action in permissions["actions"])


def test_at_least_one_vm(declare):
    with pytest.raises(ValueError, match="at least 1 VM"):
        declare(lambda: CapacityReservation("train", reservation_args(nodes=0)))


def test_the_pool_uses_the_group_and_the_cluster_identity_may_deploy_into_it_only(declare):
    def program():
        reservation = CapacityReservation("train", reservation_args())
        use = ReservationUse(group_id=reservation.group_id, deploy_role_id=reservation.deploy_role_id, nodes=2)
        pool = dataclasses.replace(H100, capacity_reservation=use, commitment=PoolCommitment("reservation", "1y", 1))
        make(gpu_pools=[pool])()

    run = declare(program)
    group = run.one(GROUP)
    train = next(r for r in run.of_type(POOL) if r.inputs["agentPoolName"] == "train")
    assert train.inputs["capacityReservationGroupID"] == run.id_of(group.name)
    assert reserved_nodes(train.inputs["tags"]) == 2
    assert pool_commitment(train.inputs["tags"]) == PoolCommitment("reservation", "1y", 1)
    grant = next(r for r in run.of_type(ROLE) if r.name.endswith("-train-reservation-access"))
    assert grant.inputs["scope"] == run.id_of(group.name)
    assert grant.inputs["roleDefinitionId"] == run.id_of(run.one(ROLE_DEFINITION).name)
    assert grant.urn in train.dependencies


def test_spot_pools_cannot_use_a_reservation(declare):
    use = ReservationUse(group_id="crg-id", deploy_role_id="role-id", nodes=1)
    with pytest.raises(ValueError, match="spot VMs cannot use a capacity reservation"):
        declare(make(gpu_pools=[dataclasses.replace(T4_SPOT, capacity_reservation=use)]))


def test_no_reservation_by_default(declare):
    run = declare(lambda: GpuCluster("test", GpuClusterArgs(**_default_args())))
    assert run.of_type(GROUP) == [] and all("capacityReservationGroupID" not in r.inputs for r in run.of_type(POOL))


def _default_args() -> dict:
    from tests.components.azure.test_gpu_cluster import NODE_SUBNET, SUBSCRIPTION_ID, TAGS, TENANT_ID

    return {
        "subscription_id": SUBSCRIPTION_ID,
        "tenant_id": TENANT_ID,
        "resource_group_name": "rg-test",
        "location": "eastus",
        "cluster_name": "aks-test",
        "node_subnet_id": NODE_SUBNET,
        "tags": TAGS,
        "gpu_pools": [T4_SPOT, H100],
    }
