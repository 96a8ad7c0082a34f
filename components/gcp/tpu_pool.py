"""`ai-infra:gcp:TpuPool`: TPU slices for training, as GKE TPU node pools or as Cloud TPU VMs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import pulumi_gcp as gcp

from catalog.tpu import TpuSlice
from components.gcp.gpu_cluster import ACCELERATOR_LABEL, POOL_LABEL
from components.gcp.node_config import CLOUD_PLATFORM_SCOPE, node_config
from components.gcp.service_accounts import service_account
from components.options import child_options, stateful_options

TPU_TAINT_KEY = "google.com/tpu"
TOPOLOGY_LABEL = "ai-infra/tpu-topology"
TPU_VM_ROLES = ("roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/artifactregistry.reader")
"""What a TPU VM needs: write logs and metrics, pull images. Data access is granted per bucket."""

TpuForm = Literal["gke-node-pool", "tpu-vm"]


@dataclass(frozen=True, kw_only=True)
class TpuPoolArgs:
    """Inputs of `TpuPool`. `tpu` (from `catalog.tpu.tpu_slice`) says what one slice is made of."""

    pool_name: str
    """Pool key from config: node pool name (`<key>-<i>` per slice when there are several)."""
    tpu: TpuSlice
    project: str
    zone: str
    """The one zone every slice runs in (a slice never spans zones)."""
    form: TpuForm = "gke-node-pool"
    """`gke-node-pool` (default): GKE TPU node pools on the cluster, which scale to zero.
    `tpu-vm`: standalone Cloud TPU VMs (`tpu.V2Vm`), which bill for as long as they exist."""
    slices: int = 1
    """Slices at most (node pools: autoscaler ceiling; TPU VMs: how many exist). Default 1."""
    min_slices: int = 0
    """GKE form only: slices kept running. Default 0: the pool costs nothing while idle."""
    spot: bool = False
    """Default False: on-demand. True: Spot TPUs (preemptible, much cheaper)."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """GCP labels for node VMs / TPU VMs."""
    disk_gib: int = 100
    """GKE form: boot disk of each host. Default 100 GiB."""
    cluster_id: pulumi.Input[str] | None = None
    """GKE form: the cluster (`GpuCluster.cluster_id`)."""
    cluster_location: str | None = None
    """GKE form: the cluster's location (region or zone)."""
    node_service_account: pulumi.Input[str] | None = None
    """GKE form: e-mail of the cluster's node service account."""
    boot_disk_kms_key: pulumi.Input[str] | None = None
    """GKE form: Cloud KMS key for the nodes' boot disks (`GpuCluster.node_disk_key_id`). Default
    none: Google-managed keys (the policy pack flags it)."""
    network: pulumi.Input[str] | None = None
    """TPU VM form: the VPC."""
    subnetwork: pulumi.Input[str] | None = None
    """TPU VM form: the subnetwork (no external IPs: egress through Cloud NAT)."""
    runtime_version: str | None = None
    """TPU VM form: software version. Default: the generation's version in catalog/data/tpu.yaml."""
    service_account_name: str | None = None
    """TPU VM form: name the dedicated service account is derived from. Default `<pool_name>-tpu`."""
    protect: bool = False
    """TPU VM form, True (prod): the VMs are protected and retained."""


class TpuPool(pulumi.ComponentResource):
    """TPU slices of one generation and topology.

    GKE form: one node pool for single-host slices (autoscaling `min_slices..slices` hosts), or one
    node pool per multi-host slice with a COMPACT placement policy carrying the TPU topology and an
    all-or-nothing autoscaler (0 or all hosts). Nodes: the TPU machine type, spot if asked, taint
    `google.com/tpu=present:NoSchedule`, pool/accelerator/topology labels, the hardened node config.

    TPU VM form: a dedicated service account (logs, metrics, image pulls), a firewall rule letting
    the slice's workers reach each other (multi-host only), and one `tpu.V2Vm` per slice with no
    external IPs, OS Login, spot scheduling if asked.
    """

    chips: int
    """Chips over all slices at full size."""
    node_pools: list[gcp.container.NodePool]
    vms: list[gcp.tpu.V2Vm]

    def __init__(self, name: str, args: TpuPoolArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:gcp:TpuPool", name, None, opts)
        self.chips = args.tpu.chips * args.slices
        self.node_pools = []
        self.vms = []
        self.service_account: gcp.serviceaccount.Account | None = None
        if not 0 <= args.min_slices <= args.slices:
            raise ValueError(f"{name}: need 0 <= min_slices <= slices, got {args.min_slices} and {args.slices}")
        if args.form == "gke-node-pool":
            self._gke_node_pools(name, args)
        else:
            self._tpu_vms(name, args)

        self.node_pool_names = pulumi.Output.all(*(pool.name for pool in self.node_pools))
        self.vm_names = pulumi.Output.all(*(vm.name for vm in self.vms))
        self.register_outputs({"chips": self.chips, "node_pool_names": self.node_pool_names, "vm_names": self.vm_names})

    def _gke_node_pools(self, name: str, args: TpuPoolArgs) -> None:
        if args.cluster_id is None or args.cluster_location is None or args.node_service_account is None:
            raise ValueError(f"{name}: the gke-node-pool form needs cluster_id, cluster_location, node_service_account")
        tpu = args.tpu
        labels = {POOL_LABEL: args.pool_name, ACCELERATOR_LABEL: tpu.generation, TOPOLOGY_LABEL: tpu.topology}
        config = node_config(
            machine_type=tpu.machine_type,
            service_account=args.node_service_account,
            resource_labels=args.labels,
            kubernetes_labels=labels,
            taint_key=TPU_TAINT_KEY,
            spot=args.spot,
            disk_gib=args.disk_gib,
            # Not every TPU machine takes Persistent Disk (newer ones boot from Hyperdisk only):
            # GKE picks the boot disk type each machine supports.
            disk_type=None,
            boot_disk_kms_key=args.boot_disk_kms_key,
        )
        common: dict[str, Any] = {
            "project": args.project,
            "cluster": args.cluster_id,
            "location": args.cluster_location,
            "node_locations": [args.zone],
            "management": {"auto_repair": True, "auto_upgrade": True},
            "node_config": config,
        }
        options = child_options(self, ignore_changes=["initial_node_count"], delete_before_replace=True)
        if not tpu.multi_host:
            # Every host is a whole slice: one pool, scaled like any other.
            self.node_pools.append(
                gcp.container.NodePool(
                    f"{name}-pool",
                    name=args.pool_name,
                    initial_node_count=args.min_slices,
                    autoscaling={"total_min_node_count": args.min_slices, "total_max_node_count": args.slices},
                    opts=options,
                    **common,
                )
            )
            return
        # A multi-host slice is one node pool whose hosts are placed together in the slice's
        # topology; GKE creates and removes it as a whole (0 or all hosts).
        for index in range(args.slices):
            suffix = "" if args.slices == 1 else f"-{index}"
            floor = tpu.hosts if index < args.min_slices else 0
            self.node_pools.append(
                gcp.container.NodePool(
                    f"{name}-pool{suffix}",
                    name=f"{args.pool_name}{suffix}",
                    initial_node_count=floor,
                    autoscaling={"total_min_node_count": floor, "total_max_node_count": tpu.hosts},
                    placement_policy={"type": "COMPACT", "tpu_topology": tpu.topology},
                    opts=options,
                    **common,
                )
            )

    def _tpu_vms(self, name: str, args: TpuPoolArgs) -> None:
        if args.network is None or args.subnetwork is None:
            raise ValueError(f"{name}: the tpu-vm form needs network and subnetwork")
        tpu = args.tpu
        self.service_account = service_account(
            self,
            f"{name}-sa",
            project=args.project,
            account=args.service_account_name or f"{args.pool_name}-tpu",
            description=f"TPU VMs of pool {args.pool_name} (logs, metrics, image pulls only)",
            project_roles=TPU_VM_ROLES,
        )
        network_tag = f"ai-infra-tpu-{args.pool_name}"[:63]
        if tpu.multi_host:
            # Workers of one slice exchange data over the data-center network (JAX/XLA
            # coordination): allow it between the slice's own VMs only.
            gcp.compute.Firewall(
                f"{name}-workers",
                project=args.project,
                network=args.network,
                direction="INGRESS",
                priority=1000,
                allows=[{"protocol": "tcp"}, {"protocol": "udp"}, {"protocol": "icmp"}],
                source_tags=[network_tag],
                target_tags=[network_tag],
                log_config={"metadata": "EXCLUDE_ALL_METADATA"},
                description=f"TPU pool {args.pool_name}: traffic between its own workers",
                opts=child_options(self),
            )
        accelerator: dict[str, Any]
        if tpu.vm_uses_accelerator_config:
            accelerator = {"accelerator_config": {"type": tpu.vm_accelerator_config_type, "topology": tpu.topology}}
        else:
            accelerator = {"accelerator_type": tpu.vm_accelerator_type}
        for index in range(args.slices):
            suffix = "" if args.slices == 1 else f"-{index}"
            self.vms.append(
                gcp.tpu.V2Vm(
                    f"{name}-vm{suffix}",
                    project=args.project,
                    zone=args.zone,
                    runtime_version=args.runtime_version or tpu.runtime_version,
                    network_config={
                        "network": args.network,
                        "subnetwork": args.subnetwork,
                        "enable_external_ips": False,
                    },
                    scheduling_config={"spot": args.spot},
                    service_account={"email": self.service_account.email, "scopes": [CLOUD_PLATFORM_SCOPE]},
                    metadata={"enable-oslogin": "TRUE"},
                    tags=[network_tag],
                    labels=dict(args.labels),
                    description=f"TPU {tpu.generation} {tpu.topology} slice of pool {args.pool_name}",
                    opts=stateful_options(self, args.protect),
                    **accelerator,
                )
            )
