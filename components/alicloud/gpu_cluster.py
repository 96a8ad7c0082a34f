"""`ai-infra:alicloud:GpuCluster`: an ACK Pro managed cluster locked down by default (private API
server, RRSA, KMS-encrypted secrets, control-plane logs to SLS), a CPU system node pool, one
autoscaled `cs.NodePool` per GPU pool and the cluster autoscaler configured to scale from zero."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_alicloud as alicloud

from catalog.commitments import PoolCommitment, with_commitment_tags
from components.alicloud.kms_key import customer_key
from components.options import child_options, stateful_options

CLUSTER_SPEC = "ack.pro.small"
"""ACK Pro: SLA-backed managed control plane, required for KMS secrets encryption."""
DEFAULT_LOG_COMPONENTS = ("apiserver", "kcm", "scheduler", "ccm")
POOL_LABEL = "ai-infra/pool"
ACCELERATOR_LABEL = "ai-infra/accelerator"
FIXED_SIZE_TAG = "ai-infra-fixed-size"
"""Tag on a pool whose size is fixed on purpose; the value is the reason."""
KUBECONFIG_MINUTES = 24 * 60
"""Lifetime of the kubeconfig the stack exports: a temporary credential, re-issued on every run."""
MAINTENANCE_MAX_UNAVAILABLE = 1
"""Nodes of one pool that auto-repair, auto-upgrade and CVE fixes may take out of service at a
time: a GPU pool (often a handful of scarce nodes) loses one node at a time, never all at once.
No surge: ACK's `surge` / `surge_percentage` are deprecated in the provider, and surge nodes in a
GPU pool would be extra GPU instances, billed and often short of capacity."""
CREATE_TIME_ADDONS = (
    # Terway: pods get VPC addresses from the pod vSwitches; NetworkPolicy support on.
    {"name": "terway-eniip", "config": json.dumps({"NetworkPolicy": "true"})},
    {"name": "csi-plugin"},
    {"name": "managed-csiprovisioner"},
    # Injects the RRSA OIDC token and role settings into pods of labelled namespaces.
    {"name": "ack-pod-identity-webhook"},
    # Node auto-repair needs both (provider docs for node pool `management.auto_repair`).
    {"name": "ack-node-problem-detector"},
    {"name": "node-lifecycle-controller"},
)


@dataclass(frozen=True, kw_only=True)
class GpuPoolArgs:
    """One autoscaled GPU node pool of a `GpuCluster`."""

    name: str
    """Pool key; the ACK node pool name and the `ai-infra/pool` node label."""
    accelerator: str
    """Neutral accelerator name; the `ai-infra/accelerator` node label."""
    instance_types: Sequence[str]
    """ECS instance types (from the catalog), tried in order when a node is created."""
    max_nodes: int
    min_nodes: int = 0
    """Autoscaler floor. Default 0: the pool costs nothing while idle; the cluster autoscaler
    scales it up from zero when a pod requests the accelerator."""
    spot: bool = False
    """Default False: pay-as-you-go instances (`NoSpot`). True: preemptible instances bid at
    most `spot_price_limit` (`SpotWithPriceLimit`)."""
    spot_price_limit: float | None = None
    """Highest hourly price per instance, in the account's billing currency; required with `spot`."""
    taint_key: str = "nvidia.com/gpu"
    """Nodes carry `<taint_key>=present:NoSchedule`, so only pods that tolerate it land there."""
    system_disk_gib: int = 200
    """Encrypted ESSD system disk. Default 200 GiB."""
    data_disk_gib: int = 200
    """Encrypted ESSD data disk for the container runtime (images, model caches). Default 200 GiB;
    0: no data disk."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Extra Kubernetes node labels (pool and accelerator labels are always set)."""
    commitment: PoolCommitment | None = None
    """Default None. A subscription bought for some nodes: recorded as tags on the node pool so
    that the cost estimate prices the committed nodes at the committed rate."""
    fixed_size_reason: str | None = None
    """Default None: the cluster autoscaler sizes the pool. A reason (with min = max): the size is
    fixed on purpose; the pool is tagged `ai-infra-fixed-size=<reason>`."""


@dataclass(frozen=True, kw_only=True)
class GpuClusterArgs:
    """Inputs of `GpuCluster`."""

    cluster_name: str
    """ACK cluster name (unique in the account)."""
    vswitch_ids: Sequence[pulumi.Input[str]]
    """Node vSwitches (two zones or more): control plane ENIs, system nodes and GPU nodes."""
    pod_vswitch_ids: Sequence[pulumi.Input[str]]
    """Terway pod vSwitches, same zones as `vswitch_ids`."""
    security_group_id: pulumi.Input[str]
    """Security group of every node (`Network.security_group_id`)."""
    kubernetes_version: str | None = None
    """Full ACK version (`1.35.1-aliyun.1`). Default None: the newest version ACK offers at
    creation; the cluster is never upgraded behind Pulumi's back either way."""
    service_cidr: str = "172.21.0.0/20"
    """Range for Kubernetes Service IPs; must not overlap the VPC or pod vSwitches."""
    api_server_public: bool = False
    """Default False: no internet-facing SLB for the API server (reachable from the VPC only).
    True: ACK also creates a public SLB endpoint for it."""
    log_components: Sequence[str] = DEFAULT_LOG_COMPONENTS
    """Control-plane components whose logs ACK ships to SLS. Default apiserver, kcm, scheduler, ccm."""
    log_ttl_days: int = 30
    """Days SLS keeps the control-plane logs. Default 30."""
    system_instance_type: str = "ecs.g7.xlarge"
    """CPU instance type of the system node pool (CoreDNS, controllers, webhooks)."""
    system_nodes: int = 2
    """Size of the system node pool. Default 2."""
    system_disk_gib: int = 120
    """Encrypted ESSD system disk of system nodes. Default 120 GiB."""
    gpu_pools: Sequence[GpuPoolArgs] = ()
    """GPU node pools, one `cs.NodePool` each. Default: none."""
    protect: bool = False
    """True (prod): cluster and key are protected and retained, and ACK deletion protection is
    on. False (dev): the cluster can be torn down."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every taggable child; ACK copies the cluster's tags onto its nodes."""


class GpuCluster(pulumi.ComponentResource):
    """KMS key (secrets and node disks) + ACK Pro managed cluster + system node pool + one node
    pool per GPU pool + cluster autoscaler settings (scale up from zero)."""

    cluster_name: pulumi.Output[str]
    cluster_id: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    """A secret: a temporary kubeconfig from the `cs.getClusterCredential` data source (valid for
    24 hours, re-issued on each run). ACK offers no exec-plugin kubeconfig like EKS/GKE."""
    oidc_provider_arn: pulumi.Output[str]
    """The RAM OIDC provider RRSA registered for the cluster (`acs:ram::<uid>:oidc-provider/...`)."""
    oidc_issuer: pulumi.Output[str]
    """The cluster's RRSA token issuer URL."""
    kms_key_id: pulumi.Output[str]
    node_pool_ids: dict[str, pulumi.Output[str]]
    """GPU pool name -> ACK node pool id."""
    cluster: alicloud.cs.ManagedKubernetes
    """The native cluster, for escape hatches."""
    system_node_pool: alicloud.cs.NodePool
    """The CPU pool that runs cluster controllers (in-cluster components wait for it)."""

    def __init__(self, name: str, args: GpuClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:alicloud:GpuCluster", name, None, opts)
        tags = dict(args.tags)

        key = customer_key(
            f"{name}-key",
            parent=self,
            description=f"ACK {args.cluster_name}: Kubernetes secrets and node disks",
            tags=tags,
            protect=args.protect,
        )

        self.cluster = alicloud.cs.ManagedKubernetes(
            f"{name}-ack",
            name=args.cluster_name,
            cluster_spec=CLUSTER_SPEC,
            version=args.kubernetes_version,
            vswitch_ids=list(args.vswitch_ids),
            pod_vswitch_ids=list(args.pod_vswitch_ids),
            security_group_id=args.security_group_id,
            service_cidr=args.service_cidr,
            # The Network component owns egress; ACK must not add a NAT gateway of its own.
            new_nat_gateway=False,
            slb_internet_enabled=args.api_server_public,
            enable_rrsa=True,
            encryption_provider_key=key.id,
            control_plane_log_components=list(args.log_components),
            control_plane_log_ttl=str(args.log_ttl_days),
            audit_log_config={"enabled": True},
            # Keep the CA out of the state; kubeconfigs come from the credential data source.
            skip_set_certificate_authority=True,
            addons=[dict(addon) for addon in CREATE_TIME_ADDONS],
            deletion_protection=args.protect,
            tags=tags,
            opts=stateful_options(self, args.protect),
        )
        cluster_id = self.cluster.id

        self.system_node_pool = self._node_pool(
            f"{name}-system",
            node_pool_name="system",
            cluster_id=cluster_id,
            args=args,
            key_id=key.id,
            instance_types=[args.system_instance_type],
            desired_size=str(args.system_nodes),
            system_disk_gib=args.system_disk_gib,
            labels={POOL_LABEL: "system"},
            tags=tags,
        )

        self.node_pool_ids = {}
        gpu_pools: list[pulumi.Resource] = []
        for pool in args.gpu_pools:
            if pool.spot and pool.spot_price_limit is None:
                raise ValueError(f"GPU pool {pool.name}: spot needs a spot_price_limit")
            if pool.fixed_size_reason is not None and pool.min_nodes != pool.max_nodes:
                raise ValueError(f"GPU pool {pool.name}: a fixed_size_reason needs min_nodes = max_nodes")
            fixed = {FIXED_SIZE_TAG: pool.fixed_size_reason} if pool.fixed_size_reason is not None else {}
            node_pool = self._node_pool(
                f"{name}-{pool.name}",
                node_pool_name=pool.name,
                cluster_id=cluster_id,
                args=args,
                key_id=key.id,
                instance_types=list(pool.instance_types),
                scaling_config={
                    "enable": True,
                    "min_size": pool.min_nodes,
                    "max_size": pool.max_nodes,
                    "type": "gpu",
                },
                system_disk_gib=pool.system_disk_gib,
                data_disk_gib=pool.data_disk_gib,
                labels={**pool.labels, POOL_LABEL: pool.name, ACCELERATOR_LABEL: pool.accelerator},
                taints=[{"key": pool.taint_key, "value": "present", "effect": "NoSchedule"}],
                spot_price_limit=pool.spot_price_limit if pool.spot else None,
                tags=with_commitment_tags({**tags, POOL_LABEL: pool.name, **fixed}, pool.commitment),
            )
            self.node_pool_ids[pool.name] = node_pool.node_pool_id
            gpu_pools.append(node_pool)

        if gpu_pools:
            alicloud.cs.AutoscalingConfig(
                f"{name}-autoscaler",
                cluster_id=cluster_id,
                scaler_type="cluster-autoscaler",
                # GPU pools idle at zero nodes; a pending GPU pod must be able to start one.
                scale_up_from_zero=True,
                scale_down_enabled=True,
                expander="least-waste",
                gpu_utilization_threshold="0.5",
                utilization_threshold="0.5",
                unneeded_duration="10m",
                # ACK installs the autoscaler with the first auto-scaling node pool.
                opts=child_options(self, depends_on=gpu_pools),
            )

        rrsa = self.cluster.rrsa_metadata
        self.cluster_name = self.cluster.name
        self.cluster_id = cluster_id
        self.oidc_provider_arn = rrsa.apply(lambda m: m.ram_oidc_provider_arn)  # type: ignore[union-attr]
        self.oidc_issuer = rrsa.apply(lambda m: m.rrsa_oidc_issuer_url)  # type: ignore[union-attr]
        self.kms_key_id = key.id
        credential = alicloud.cs.get_cluster_credential_output(
            cluster_id=cluster_id,
            temporary_duration_minutes=KUBECONFIG_MINUTES,
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        self.kubeconfig = pulumi.Output.secret(credential.kube_config)
        self.register_outputs(
            {
                "cluster_name": self.cluster_name,
                "cluster_id": self.cluster_id,
                "kubeconfig": self.kubeconfig,
                "oidc_provider_arn": self.oidc_provider_arn,
                "oidc_issuer": self.oidc_issuer,
                "node_pool_ids": self.node_pool_ids,
            }
        )

    def _node_pool(
        self,
        resource_name: str,
        *,
        node_pool_name: str,
        cluster_id: pulumi.Output[str],
        args: GpuClusterArgs,
        key_id: pulumi.Output[str],
        instance_types: list[str],
        system_disk_gib: int,
        labels: Mapping[str, str],
        tags: Mapping[str, str],
        desired_size: str | None = None,
        scaling_config: Mapping[str, object] | None = None,
        data_disk_gib: int = 0,
        taints: Sequence[Mapping[str, str]] = (),
        spot_price_limit: float | None = None,
    ) -> alicloud.cs.NodePool:
        data_disks = []
        if data_disk_gib:
            data_disks.append(
                {
                    "category": "cloud_essd",
                    "performance_level": "PL1",
                    "size": data_disk_gib,
                    "encrypted": "true",
                    "kms_key_id": key_id,
                }
            )
        spot_price_limits = None
        if spot_price_limit is not None:
            spot_price_limits = [
                {"instance_type": instance_type, "price_limit": f"{spot_price_limit:.4f}"}
                for instance_type in instance_types
            ]
        return alicloud.cs.NodePool(
            resource_name,
            cluster_id=cluster_id,
            node_pool_name=node_pool_name,
            vswitch_ids=list(args.vswitch_ids),
            security_group_ids=[args.security_group_id],
            instance_types=instance_types,
            instance_charge_type="PostPaid",
            desired_size=desired_size,
            scaling_config=scaling_config,
            image_type="AliyunLinux3",
            system_disk_category="cloud_essd",
            system_disk_performance_level="PL1",
            system_disk_size=system_disk_gib,
            system_disk_encrypted=True,
            system_disk_kms_key=key_id,
            data_disks=data_disks or None,
            # Pods cannot read node credentials through the metadata service's normal mode.
            instance_metadata_options={"http_tokens": "required"},
            labels=[{"key": k, "value": v} for k, v in sorted(labels.items())],
            taints=list(taints) or None,
            # Managed node pool: ACK repairs failed nodes, upgrades the kubelet to the control
            # plane's version (which Pulumi sets) and patches CVEs, one node per pool at a time.
            management={
                "enable": True,
                "auto_repair": True,
                "auto_repair_policy": {"restart_node": True},
                "auto_upgrade": True,
                "auto_upgrade_policy": {"auto_upgrade_kubelet": True},
                "auto_vul_fix": True,
                "max_unavailable": MAINTENANCE_MAX_UNAVAILABLE,
            },
            # Node upgrades that an update of the pool itself triggers also go one node per batch.
            rolling_policy={"max_parallelism": MAINTENANCE_MAX_UNAVAILABLE},
            install_cloud_monitor=True,
            spot_strategy="NoSpot" if spot_price_limits is None else "SpotWithPriceLimit",
            spot_price_limits=spot_price_limits,
            # When a preemptible node is about to be reclaimed, start its replacement early.
            spot_instance_remedy=True if spot_price_limits is not None else None,
            tags=dict(tags),
            opts=child_options(self),
        )
