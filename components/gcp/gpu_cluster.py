"""`ai-infra:gcp:GpuCluster`: a private GKE Standard cluster with GPU node pools from the catalog."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_gcp as gcp

from components.gcp.encryption_key import encryption_key, service_agent
from components.gcp.gpu_node_pool import (
    ACCELERATOR_LABEL,
    FIXED_SIZE_LABEL,
    GPU_TAINT_KEY,
    POOL_LABEL,
    GpuNodePoolArgs,
    gpu_node_pool,
)
from components.gcp.node_config import node_config
from components.gcp.service_accounts import NODE_ROLES, service_account
from components.options import child_options, stateful_options

# Pool labels and args are re-exported: the TPU pool and the stacks read them from here.
__all__ = [
    "ACCELERATOR_LABEL",
    "FIXED_SIZE_LABEL",
    "GPU_TAINT_KEY",
    "POOL_LABEL",
    "GpuCluster",
    "GpuClusterArgs",
    "GpuNodePoolArgs",
]


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
            self.node_pools[pool.name] = gpu_node_pool(
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
