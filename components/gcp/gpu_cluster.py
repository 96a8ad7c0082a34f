"""`ai-infra:gcp:GpuCluster`: a private GKE Standard cluster with GPU node pools from the catalog."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_gcp as gcp

from catalog.commitments import PoolCommitment, with_commitment_tags
from components.gcp.encryption_key import encryption_key, service_agent
from components.gcp.labels import label_value
from components.gcp.node_config import node_config
from components.gcp.reservation import gpu_reservation
from components.gcp.service_accounts import NODE_ROLES, service_account
from components.options import child_options, stateful_options

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


@dataclass(frozen=True, kw_only=True)
class GpuClusterArgs:
    """Inputs of `GpuCluster`."""

    cluster_name: str
    project: str
    project_number: pulumi.Input[str]
    """Numeric project id: names the GKE service agent that must be allowed to use the secrets key."""
    location: str
    """A region (regional control plane, replicated across zones) or a zone (zonal, dev)."""
    kms_location: str
    """Region of the secrets key (the cluster's region)."""
    node_zones: Sequence[str]
    """Zones node pools run in (GPU pools with compact placement use the first one)."""
    network: pulumi.Input[str]
    subnetwork: pulumi.Input[str]
    pods_range_name: str
    services_range_name: str
    release_channel: str = "REGULAR"
    """`RAPID`, `REGULAR` (default) or `STABLE`: GKE upgrades control plane and nodes within it."""
    master_authorized_networks: Sequence[str] = ()
    """Default empty: the control plane has only a private endpoint, reachable from the VPC.
    CIDRs here turn the public endpoint on for exactly those ranges (never 0.0.0.0/0)."""
    system_machine_type: str = "e2-standard-4"
    """Machine of the small CPU pool for cluster add-ons."""
    system_nodes: int = 2
    """System pool floor over all zones (it may grow to twice that)."""
    max_pods_per_node: int = 64
    """Default 64 (a /25 of the pods range per node): GPU nodes run few pods, so more nodes fit."""
    gpu_pools: Sequence[GpuNodePoolArgs] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    """GCP labels for the cluster, its key and every node VM."""
    gpu_metrics: bool = True
    """Default True: Managed Service for Prometheus collection on, with GKE's managed DCGM
    metrics package (GKE runs the DCGM exporter on GPU nodes with GKE-installed drivers).
    False: system component metrics only."""
    file_system_drivers: Sequence[str] = ()
    """CSI drivers of shared file systems to enable as GKE add-ons: `lustre` (Managed Lustre),
    `filestore`. Default none: only the Cloud Storage FUSE driver."""
    protect: bool = False
    """True (prod): deletion protection on, and cluster and key protected + retained."""


class GpuCluster(pulumi.ComponentResource):
    """GKE Standard cluster (default node pool removed) with private nodes and a private endpoint
    (public only to listed CIDRs), Workload Identity, a release channel, application-layer secrets
    encryption with a Cloud KMS key, shielded nodes, Dataplane V2, cost allocation; a dedicated
    least-privilege node service account; a small system pool; one node pool per GPU pool.

    Children: node service account (+ its role grants), key ring + key (+ GKE agent grant), the
    cluster, the `system` node pool, one node pool per GPU pool (+ the reservation it consumes, when
    the pool declares one)."""

    cluster_name: pulumi.Output[str]
    cluster_id: pulumi.Output[str]
    """`projects/<p>/locations/<l>/clusters/<name>`: what node pools reference."""
    endpoint: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    """A kubeconfig (secret) that authenticates with `gke-gcloud-auth-plugin`."""
    node_service_account_email: pulumi.Output[str]
    node_disk_key_id: pulumi.Output[str]
    """Cloud KMS key the node boot disks are encrypted with (pools attached later, TPU pools too)."""
    node_disk_key_grant: pulumi.Resource
    """The Compute Engine service agent's grant on that key: pools that use it depend on it."""
    workload_pool: pulumi.Output[str]
    """`<project>.svc.id.goog`: the Workload Identity pool Kubernetes service accounts live in."""
    cluster: gcp.container.Cluster
    node_pools: dict[str, gcp.container.NodePool]

    def __init__(self, name: str, args: GpuClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:gcp:GpuCluster", name, None, opts)
        if not args.node_zones:
            raise ValueError(f"{name}: node_zones must name at least one zone")
        labels = dict(args.labels)

        self.node_service_account = service_account(
            self,
            f"{name}-nodes",
            project=args.project,
            account=f"{args.cluster_name}-nodes",
            description=f"GKE nodes of {args.cluster_name} (logging, monitoring, image pulls only)",
            project_roles=NODE_ROLES,
        )
        node_sa = self.node_service_account.email

        secrets_key = encryption_key(
            self,
            f"{name}-secrets",
            project=args.project,
            location=args.kms_location,
            service_agent=service_agent(args.project_number, "container-engine-robot"),
            labels=labels,
            protect=args.protect,
        )

        # Node boot disks: the Compute Engine service agent encrypts them with this key.
        disk_key = encryption_key(
            self,
            f"{name}-node-disks",
            project=args.project,
            location=args.kms_location,
            service_agent=service_agent(args.project_number, "compute-system"),
            labels=labels,
            protect=args.protect,
        )
        self.node_disk_key_id = disk_key.key_id
        self.node_disk_key_grant = disk_key.grant

        public_endpoint = bool(args.master_authorized_networks)
        workload_pool = f"{args.project}.svc.id.goog"
        self.cluster = gcp.container.Cluster(
            f"{name}-cluster",
            name=args.cluster_name,
            project=args.project,
            location=args.location,
            network=args.network,
            subnetwork=args.subnetwork,
            networking_mode="VPC_NATIVE",
            ip_allocation_policy={
                "cluster_secondary_range_name": args.pods_range_name,
                "services_secondary_range_name": args.services_range_name,
            },
            default_max_pods_per_node=args.max_pods_per_node,
            # The default pool cannot be configured like the others: create it small, then drop it.
            remove_default_node_pool=True,
            initial_node_count=1,
            # Settings of that short-lived default pool: even it must not use the default account.
            node_config=node_config(
                machine_type=args.system_machine_type,
                service_account=node_sa,
                resource_labels=labels,
                disk_gib=50,
                boot_disk_kms_key=disk_key.key_id,
            ),
            private_cluster_config={
                "enable_private_nodes": True,
                "enable_private_endpoint": not public_endpoint,
            },
            master_authorized_networks_config={
                "cidr_blocks": [
                    {"cidr_block": cidr, "display_name": f"authorized-{index}"}
                    for index, cidr in enumerate(args.master_authorized_networks)
                ],
                "gcp_public_cidrs_access_enabled": False,
            },
            master_auth={"client_certificate_config": {"issue_client_certificate": False}},
            enable_legacy_abac=False,
            workload_identity_config={"workload_pool": workload_pool},
            release_channel={"channel": args.release_channel},
            database_encryption={"state": "ENCRYPTED", "key_name": secrets_key.key_id},
            enable_shielded_nodes=True,
            datapath_provider="ADVANCED_DATAPATH",
            logging_config={"enable_components": ["SYSTEM_COMPONENTS", "APISERVER", "WORKLOADS"]},
            addons_config=_addons(args.file_system_drivers),
            monitoring_config=_monitoring_config(args.gpu_metrics),
            cost_management_config={"enabled": True},
            deletion_protection=args.protect,
            resource_labels=labels,
            opts=stateful_options(self, args.protect, depends_on=[secrets_key.grant, disk_key.grant]),
        )
        cluster_id = pulumi.Output.concat(
            "projects/", args.project, "/locations/", args.location, "/clusters/", self.cluster.name
        )

        self.node_pools = {}
        zones = list(args.node_zones)
        self.node_pools["system"] = gcp.container.NodePool(
            f"{name}-system",
            name="system",
            project=args.project,
            cluster=cluster_id,
            location=args.location,
            node_locations=zones,
            initial_node_count=math.ceil(args.system_nodes / len(zones)),
            autoscaling={
                "total_min_node_count": args.system_nodes,
                "total_max_node_count": args.system_nodes * 2,
                "location_policy": "BALANCED",
            },
            management={"auto_repair": True, "auto_upgrade": True},
            node_config=node_config(
                machine_type=args.system_machine_type,
                service_account=node_sa,
                resource_labels=labels,
                kubernetes_labels={POOL_LABEL: "system"},
                disk_gib=100,
                boot_disk_kms_key=disk_key.key_id,
            ),
            opts=child_options(
                self, ignore_changes=["initial_node_count"], delete_before_replace=True, depends_on=[disk_key.grant]
            ),
        )
        for pool in args.gpu_pools:
            self.node_pools[pool.name] = _gpu_node_pool(
                self,
                name,
                pool,
                args=args,
                cluster_id=cluster_id,
                node_sa=node_sa,
                zones=zones,
                disk_key=disk_key.key_id,
            )

        self.cluster_name = self.cluster.name
        self.cluster_id = cluster_id
        self.endpoint = self.cluster.endpoint
        self.workload_pool = pulumi.Output.from_input(workload_pool)
        self.node_service_account_email = node_sa
        self.kubeconfig = pulumi.Output.secret(
            pulumi.Output.all(
                self.cluster.name, self.cluster.endpoint, self.cluster.master_auth.cluster_ca_certificate
            ).apply(lambda values: _kubeconfig(values[0], values[1], values[2]))
        )
        self.register_outputs(
            {
                "cluster_name": self.cluster_name,
                "cluster_id": self.cluster_id,
                "endpoint": self.endpoint,
                "kubeconfig": self.kubeconfig,
                "node_service_account_email": self.node_service_account_email,
                "node_disk_key_id": self.node_disk_key_id,
                "workload_pool": self.workload_pool,
            }
        )


def _gpu_node_pool(
    parent: GpuCluster,
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


def _monitoring_config(gpu_metrics: bool) -> dict[str, Any]:
    components = ["SYSTEM_COMPONENTS", "DCGM"] if gpu_metrics else ["SYSTEM_COMPONENTS"]
    return {"enable_components": components, "managed_prometheus": {"enabled": gpu_metrics}}


def _kubeconfig(cluster_name: str, endpoint: str, ca_certificate: str | None) -> str:
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": cluster_name,
                    "cluster": {"server": f"https://{endpoint}", "certificate-authority-data": ca_certificate or ""},
                }
            ],
            "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}],
            "current-context": cluster_name,
            "users": [
                {
                    "name": cluster_name,
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "command": "gke-gcloud-auth-plugin",
                            "installHint": "gcloud components install gke-gcloud-auth-plugin",
                            "provideClusterInfo": True,
                        }
                    },
                }
            ],
        },
        indent=2,
    )


def _addons(file_system_drivers: Sequence[str]) -> dict[str, object]:
    """Cloud Storage FUSE always; the Lustre and Filestore CSI drivers when file systems need them."""
    addons: dict[str, object] = {"gcs_fuse_csi_driver_config": {"enabled": True}}
    if "lustre" in file_system_drivers:
        addons["lustre_csi_driver_config"] = {"enabled": True}
    if "filestore" in file_system_drivers:
        addons["gcp_filestore_csi_driver_config"] = {"enabled": True}
    return addons
