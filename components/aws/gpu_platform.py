"""`ai-infra:aws:GpuPlatform`: what an EKS cluster needs to run GPU and Neuron work, in the cluster.

Chain from a Pending pod to a running node: the Cluster Autoscaler sees the pod, picks the node
group whose node template (ASG tags) fits, raises its desired size; the EKS accelerated AMI boots
with the driver; the NVIDIA / Neuron / EFA device plugin advertises the devices; the pod starts.
Around it: the DCGM exporter publishes GPU metrics, and Kueue queues teams' jobs by quota."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.aws.cluster_autoscaler import ClusterAutoscaler, ClusterAutoscalerArgs
from components.kubernetes import (
    AcceleratorPool,
    BatchQueues,
    BatchQueuesArgs,
    DcgmExporter,
    DcgmExporterArgs,
    DevicePlugins,
    DevicePluginsArgs,
    TeamQueue,
    cluster_provider,
)
from components.kubernetes.chain import platform_chain
from components.kubernetes.scheduling import POOL_LABEL
from components.options import child_options

SYSTEM_NODES = {POOL_LABEL: "system"}
"""The system node group's label: controllers run there, never on accelerator nodes."""


@dataclass(frozen=True, kw_only=True)
class GpuPlatformArgs:
    """Inputs of `GpuPlatform`."""

    cluster_name: str
    """The EKS cluster's name, as the stack set it."""
    cluster_name_output: pulumi.Input[str]
    """`GpuCluster.cluster_name`: the same name as an Output (so that EKS resources wait for the cluster)."""
    kubeconfig: pulumi.Input[str]
    """`GpuCluster.kubeconfig` (secret; authenticates with `aws eks get-token`)."""
    kubernetes_version: str
    """The cluster's version: picks the Cluster Autoscaler image of the same minor version."""
    region: str
    """The cluster's region (the autoscaler calls the regional Auto Scaling API)."""
    account_id: pulumi.Input[str]
    """The AWS account: scopes the autoscaler's role to this account's cluster and groups."""
    pools: Sequence[AcceleratorPool]
    """The cluster's GPU and Neuron pools."""
    autoscaling_groups: Sequence[pulumi.Input[str]]
    """Auto Scaling groups of the cluster's node groups (system and accelerator pools): the
    only groups the Cluster Autoscaler may resize."""
    teams: Sequence[TeamQueue] = ()
    """Teams with accelerator quotas. Default none: Kueue and flavors only."""
    jobset: bool = False
    """Default False. True (multi-node pools): install JobSet."""
    ready: Sequence[pulumi.Resource] = ()
    """What must exist before anything runs in the cluster (its system node group)."""
    high_availability: bool = False
    """True (prod): two replicas of each controller. Default False: one."""
    protect: bool = False
    """True (prod): the platform's namespaces are protected and retained. Default False."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for the AWS children (role, Pod Identity association, add-on). Default none."""


class GpuPlatform(pulumi.ComponentResource):
    """Kubernetes provider of the cluster + EKS Pod Identity agent + `ClusterAutoscaler` +
    `DevicePlugins` (NVIDIA / Neuron / EFA as the pools need) + `DcgmExporter` (GPU pools) +
    `BatchQueues` (Kueue, JobSet when asked)."""

    gpu_metrics: pulumi.Output[dict] | None
    """`{namespace, service, port, path}` of the DCGM exporter (None without GPU pools)."""
    cluster_queues: dict[str, pulumi.Output[str]]
    kubernetes_provider: k8s.Provider
    """The cluster's Kubernetes provider, for objects other layers put in the cluster (shared volumes)."""

    def __init__(self, name: str, args: GpuPlatformArgs, opts: pulumi.ResourceOptions | None = None):
        gpu = [p for p in args.pools if p.kind == "gpu"]
        neuron = [p for p in args.pools if p.kind == "neuron"]
        efa = [p for p in args.pools if p.efa]
        chain = platform_chain(
            args.pools,
            args.teams,
            autoscaling=lambda p: "cluster-autoscaler (EKS managed node group, ASG node-template tags)",
            device=lambda p: " + ".join(
                [f"{'nvidia' if p.kind == 'gpu' else 'neuron'}-device-plugin"]
                + (["efa-device-plugin"] if p.efa else [])
            ),
            telemetry=lambda p: "dcgm-exporter" if p.kind == "gpu" else "none (Neuron: neuron-monitor not installed)",
        )
        super().__init__("ai-infra:aws:GpuPlatform", name, {"chain": chain}, opts)
        provider = cluster_provider(f"{name}-k8s", kubeconfig=args.kubeconfig, parent=self, depends_on=args.ready)
        self.kubernetes_provider = provider
        in_cluster = pulumi.ResourceOptions(parent=self, providers={"kubernetes": provider})
        replicas = 2 if args.high_availability else 1

        # The agent that hands Pod Identity credentials to pods (the autoscaler's among them).
        agent = aws.eks.Addon(
            f"{name}-pod-identity-agent",
            cluster_name=args.cluster_name_output,
            addon_name="eks-pod-identity-agent",
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="OVERWRITE",
            tags=dict(args.tags),
            opts=child_options(self, depends_on=list(args.ready)),
        )
        ClusterAutoscaler(
            f"{name}-autoscaler",
            ClusterAutoscalerArgs(
                cluster_name=args.cluster_name,
                cluster_name_output=args.cluster_name_output,
                kubernetes_version=args.kubernetes_version,
                region=args.region,
                account_id=args.account_id,
                autoscaling_groups=args.autoscaling_groups,
                replicas=replicas,
                node_selector=SYSTEM_NODES,
                tags=args.tags,
            ),
            opts=pulumi.ResourceOptions.merge(in_cluster, pulumi.ResourceOptions(depends_on=[agent])),
        )
        DevicePlugins(
            f"{name}-devices",
            DevicePluginsArgs(nvidia_pools=gpu, neuron_pools=neuron, efa_pools=efa),
            opts=in_cluster,
        )
        self.gpu_metrics = None
        if gpu:
            exporter = DcgmExporter(f"{name}-gpu-metrics", DcgmExporterArgs(pools=gpu), opts=in_cluster)
            self.gpu_metrics = pulumi.Output.all(
                namespace=exporter.namespace,
                service=exporter.service_name,
                port=exporter.metrics_port,
                path=exporter.metrics_path,
            )
        queues = BatchQueues(
            f"{name}-queues",
            BatchQueuesArgs(
                pools=args.pools,
                teams=args.teams,
                jobset=args.jobset,
                replicas=replicas,
                controller_node_selector=SYSTEM_NODES,
                protect=args.protect,
            ),
            opts=in_cluster,
        )
        self.cluster_queues = queues.cluster_queues
        self.register_outputs({"gpu_metrics": self.gpu_metrics, "cluster_queues": self.cluster_queues})
