"""The GPU user pools of `GpuCluster` (`ai-infra:azure:GpuCluster`): their arguments and the
`AgentPool` each becomes, with its optional capacity reservation and commitment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
from pulumi_azure_native import containerservice

from catalog.commitments import PoolCommitment, with_commitment_tags
from components.azure.roles import assign_role
from components.kubernetes.scheduling import Taint
from components.options import child_options

if TYPE_CHECKING:
    from components.azure.gpu_cluster import GpuClusterArgs

SPOT_TAINT = Taint("kubernetes.azure.com/scalesetpriority", "spot")
"""AKS adds this taint to every spot pool; declaring it too keeps plans free of phantom diffs."""
FIXED_SIZE_TAG = "ai-infra-fixed-size"
"""Tag on a pool whose size is fixed on purpose; the value is the reason."""


@dataclass(frozen=True, kw_only=True)
class ReservationUse:
    """How a pool uses a `CapacityReservation`."""

    group_id: pulumi.Input[str]
    deploy_role_id: pulumi.Input[str]
    nodes: int
    """VMs the group reserves for the pool (recorded as a tag for the cost estimate)."""


@dataclass(frozen=True, kw_only=True)
class GpuPoolArgs:
    """One AKS user pool of GPU VMs."""

    name: str
    """AKS pool name: 1-12 lowercase letters and digits."""
    vm_size: str
    """VM size from the catalog (`Standard_NC4as_T4_v3`)."""
    accelerator: str
    """Neutral accelerator name; becomes the `ai-infra/accelerator` node label."""
    taint_key: str = "nvidia.com/gpu"
    """Taint key (from the catalog): the pool is tainted `<key>=present:NoSchedule` so that only
    pods tolerating it (GPU workloads) land on these expensive nodes."""
    min_nodes: int = 0
    """Autoscaler floor. Default 0: the pool costs nothing while idle."""
    max_nodes: int
    initial_nodes: int | None = None
    """Node count at creation. Default: `min_nodes`."""
    spot: bool = False
    """Default false: regular priority. True: Spot VMs, evicted VMs deleted (not deallocated, so
    they stop billing for disks), paying at most the on-demand price (`spot_max_price=-1`)."""
    disk_gib: int = 200
    """OS disk size. Default 200 GiB."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Extra node labels; pool and accelerator labels are always set."""
    mig_profile: str | None = None
    """Multi-Instance GPU profile (`MIG1g` ... `MIG7g`) for A100/H100. Default: whole GPUs."""
    capacity_reservation: ReservationUse | None = None
    """Default None. A capacity reservation group (`CapacityReservation`): the pool is associated
    with it and the control-plane identity gets its deploy role on that group only. Not with `spot`."""
    commitment: PoolCommitment | None = None
    """Default None. A reservation or savings plan bought in the billing console: recorded as tags
    on the pool so that the cost estimate prices the committed nodes at the committed rate."""
    fixed_size_reason: str | None = None
    """Default None: the cluster autoscaler sizes the pool. A reason (with min = max): the size is
    fixed on purpose; the pool is tagged `ai-infra-fixed-size=<reason>`."""

    @property
    def taints(self) -> list[Taint]:
        """The accelerator taint, and AKS's spot taint on spot pools."""
        return [Taint(self.taint_key, "present"), *([SPOT_TAINT] if self.spot else [])]


def gpu_agent_pool(
    parent: pulumi.Resource,
    name: str,
    pool: GpuPoolArgs,
    args: GpuClusterArgs,
    cluster_name: pulumi.Output[str],
    tags: dict[str, str],
    principal_id: pulumi.Input[str],
) -> containerservice.AgentPool:
    """One autoscaling user `AgentPool` of the cluster `cluster_name` (a child of `parent`):
    tainted for the accelerator, spot when asked (evicted VMs deleted), associated with its
    capacity reservation group (granting `principal_id` the group's deploy role), tagged with its
    commitment and reserved nodes for the cost estimate."""
    taints = [f"{t.key}={t.value}:{t.effect}" for t in pool.taints]
    if pool.fixed_size_reason is not None and pool.min_nodes != pool.max_nodes:
        raise ValueError(f"GPU pool {pool.name}: a fixed_size_reason needs min_nodes = max_nodes")
    fixed = {FIXED_SIZE_TAG: pool.fixed_size_reason} if pool.fixed_size_reason is not None else {}
    spot: dict[str, object] = {}
    grants: list[pulumi.Resource] = []
    reservation = pool.capacity_reservation
    if reservation is not None:
        if pool.spot:
            raise ValueError(f"pool {pool.name}: spot VMs cannot use a capacity reservation")
        # AKS deploys the pool's VMs into the group as the control-plane identity.
        grants.append(
            assign_role(
                f"{name}-{pool.name}-reservation-access",
                parent=parent,
                subscription_id=args.subscription_id,
                custom_role_id=reservation.deploy_role_id,
                principal_id=principal_id,
                scope=reservation.group_id,
                description=f"AKS {args.cluster_name} deploys pool {pool.name} into its capacity reservation",
            )
        )
    if pool.spot:
        spot = {"scale_set_priority": "Spot", "scale_set_eviction_policy": "Delete", "spot_max_price": -1}
    return containerservice.AgentPool(
        f"{name}-{pool.name}",
        resource_group_name=args.resource_group_name,
        resource_name_=cluster_name,
        agent_pool_name=pool.name,
        mode="User",
        vm_size=pool.vm_size,
        os_type="Linux",
        os_sku="Ubuntu",
        type="VirtualMachineScaleSets",
        vnet_subnet_id=args.node_subnet_id,
        enable_node_public_ip=False,
        enable_encryption_at_host=args.encryption_at_host,
        os_disk_size_gb=pool.disk_gib,
        enable_auto_scaling=True,
        min_count=pool.min_nodes,
        max_count=pool.max_nodes,
        count=pool.min_nodes if pool.initial_nodes is None else pool.initial_nodes,
        node_taints=taints,
        node_labels={**pool.labels, "ai-infra/pool": pool.name, "ai-infra/accelerator": pool.accelerator},
        gpu_profile={"driver": "Install"},
        gpu_instance_profile=pool.mig_profile,
        capacity_reservation_group_id=reservation.group_id if reservation is not None else None,
        tags=with_commitment_tags(
            {**tags, "ai-infra-pool": pool.name, **fixed}, pool.commitment, reservation.nodes if reservation else 0
        ),
        **spot,  # type: ignore[arg-type]
        opts=child_options(parent, depends_on=grants),
    )
