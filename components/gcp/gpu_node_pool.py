"""One GPU node pool of a GKE cluster (`GpuCluster`'s children): machine and accelerator from the
catalog, spot or a reservation (declared here when the pool asks for one), autoscaling from zero,
taints and labels the platform layer matches, boot disks under the cluster's key."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_gcp as gcp

from catalog.commitments import PoolCommitment, with_commitment_tags
from components.gcp.labels import label_value
from components.gcp.node_config import node_config
from components.gcp.reservation import gpu_reservation
from components.options import child_options

if TYPE_CHECKING:
    from components.gcp.gpu_cluster import GpuClusterArgs

GPU_TAINT_KEY = "nvidia.com/gpu"
POOL_LABEL = "ai-infra/pool"
ACCELERATOR_LABEL = "ai-infra/accelerator"
FIXED_SIZE_LABEL = "ai-infra-fixed-size"
"""GCP label on a pool's VMs when its size is fixed on purpose; the value is the reason, as a label."""


@dataclass(frozen=True, kw_only=True)
class GpuNodePoolArgs:
    """One GPU node pool. Machine and accelerator come from the catalog (the stack resolves them)."""

    name: str
    """Pool key from config (`l4`, `train`); the GKE node pool's name and the `ai-infra/pool` label."""
    accelerator: str
    """Neutral accelerator name (`nvidia-l4`): the `ai-infra/accelerator` node label."""
    machine_type: str
    """`g2-standard-4`, `a2-highgpu-8g`, `a3-highgpu-8g`, `n1-standard-4`, ..."""
    accelerator_type: str
    """GKE guest accelerator type (`nvidia-l4`, `nvidia-tesla-a100`, `nvidia-h100-80gb`, `nvidia-tesla-t4`)."""
    accelerator_count: int
    """GPUs per node."""
    max_nodes: int
    """Autoscaler ceiling, over all zones of the pool."""
    min_nodes: int = 0
    """Autoscaler floor over all zones. Default 0: an idle pool costs nothing."""
    initial_nodes: int = 0
    """Nodes at creation, over all zones. Default 0. Later changes are the autoscaler's business."""
    spot: bool = False
    """Default False: on-demand VMs. True: Spot VMs (preemptible, much cheaper)."""
    compact_placement: bool = False
    """Default False. True (multi-node training): COMPACT placement policy, and the pool is kept to
    the first zone (a compact placement cannot span zones)."""
    disk_gib: int = 200
    """Boot disk (pd-balanced). Default 200 GiB: room for CUDA images."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Extra Kubernetes node labels (`ai-infra/pool` and `ai-infra/accelerator` are always set)."""
    reservation: str | None = None
    """Default None: no reservation. A name: nodes consume only that specific reservation."""
    capacity_reservation_nodes: int = 0
    """Default 0: none. More: the cluster declares a specific reservation of that many machines in
    the first zone (billed on-demand whether used or not) and the pool consumes only it, kept to
    that zone. Not with `reservation` or `spot`."""
    commitment: PoolCommitment | None = None
    """Default None. A committed use discount bought in the billing console: recorded as labels on
    the nodes so that the cost estimate prices the committed nodes at the committed rate."""
    driver_version: str = "DEFAULT"
    """NVIDIA driver GKE installs: `DEFAULT` (tested with the node version) or `LATEST`."""
    fixed_size_reason: str | None = None
    """Default None: the GKE cluster autoscaler sizes the pool. A reason (with min = max): the
    size is fixed on purpose; the VMs carry the label `ai-infra-fixed-size=<reason as a label>`."""


def gpu_node_pool(
    parent: pulumi.Resource,
    name: str,
    pool: GpuNodePoolArgs,
    *,
    args: GpuClusterArgs,
    cluster_id: pulumi.Input[str],
    node_sa: pulumi.Input[str],
    zones: list[str],
    disk_key: pulumi.Input[str],
) -> gcp.container.NodePool:
    reservation = pool.reservation
    if pool.capacity_reservation_nodes:
        if pool.spot or pool.reservation is not None:
            raise ValueError("a declared reservation excludes spot and an existing `reservation`")
        reservation = f"{args.cluster_name}-{pool.name}"
        gpu_reservation(
            f"{name}-{pool.name}-reservation",
            parent=parent,
            project=args.project,
            zone=zones[0],
            reservation_name=reservation,
            machine_type=pool.machine_type,
            accelerator_type=pool.accelerator_type,
            accelerator_count=pool.accelerator_count,
            count=pool.capacity_reservation_nodes,
        )
    one_zone = pool.compact_placement or pool.capacity_reservation_nodes > 0
    pool_zones = zones[:1] if one_zone else zones
    labels = {POOL_LABEL: pool.name, ACCELERATOR_LABEL: pool.accelerator, **pool.labels}
    resource_labels = dict(args.labels)
    if pool.fixed_size_reason is not None:
        if pool.min_nodes != pool.max_nodes:
            raise ValueError(f"GPU pool {pool.name}: a fixed_size_reason needs min_nodes = max_nodes")
        resource_labels[FIXED_SIZE_LABEL] = label_value(pool.fixed_size_reason)
    extra: dict[str, Any] = {}
    if pool.compact_placement:
        extra["placement_policy"] = {"type": "COMPACT"}
    return gcp.container.NodePool(
        f"{name}-{pool.name}",
        name=pool.name,
        project=args.project,
        cluster=cluster_id,
        location=args.location,
        node_locations=pool_zones,
        # Per zone, as GKE counts it; the autoscaler owns the size afterwards.
        initial_node_count=math.ceil(pool.initial_nodes / len(pool_zones)),
        autoscaling={
            "total_min_node_count": pool.min_nodes,
            "total_max_node_count": pool.max_nodes,
            # Spot capacity comes from wherever it is free; on-demand is kept balanced.
            "location_policy": "ANY" if pool.spot else "BALANCED",
        },
        management={"auto_repair": True, "auto_upgrade": True},
        # Upgrades replace a node at a time instead of surging: no extra GPU quota or cost.
        upgrade_settings={"max_surge": 0, "max_unavailable": 1},
        node_config=node_config(
            machine_type=pool.machine_type,
            service_account=node_sa,
            resource_labels=with_commitment_tags(resource_labels, pool.commitment, pool.capacity_reservation_nodes),
            kubernetes_labels=labels,
            taint_key=GPU_TAINT_KEY,
            spot=pool.spot,
            disk_gib=pool.disk_gib,
            guest_accelerator={
                "type": pool.accelerator_type,
                "count": pool.accelerator_count,
                "gpu_driver_installation_config": {"gpu_driver_version": pool.driver_version},
            },
            reservation=reservation,
            boot_disk_kms_key=disk_key,
        ),
        opts=child_options(parent, ignore_changes=["initial_node_count"], delete_before_replace=True),
        **extra,
    )
