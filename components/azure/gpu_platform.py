"""`ai-infra:azure:GpuPlatform`: what an AKS cluster needs to run GPU work, in the cluster.

Chain from a Pending pod to a running node: the AKS cluster autoscaler (profile tuned in
`GpuCluster`) grows the GPU pool that fits the pod, from zero too; AKS installs the NVIDIA driver
on the new VM (`gpu_profile.driver=Install`); the NVIDIA device plugin installed here advertises
`nvidia.com/gpu`; the pod starts. Around it: the DCGM exporter with the ServiceMonitor the AKS
managed Prometheus add-on reads, and Kueue for teams' jobs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

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
from components.kubernetes.scheduling import CRITICAL_ADDONS_ONLY

SYSTEM_NODES = {"kubernetes.azure.com/mode": "system"}
"""AKS labels system-mode pool nodes so; the system pool is tainted `CriticalAddonsOnly`, which
the platform's controllers tolerate."""


@dataclass(frozen=True, kw_only=True)
class GpuPlatformArgs:
    """Inputs of `GpuPlatform`."""

    kubeconfig: pulumi.Input[str]
    """`GpuCluster.kubeconfig` (secret; Entra ID through `kubelogin`)."""
    pools: Sequence[AcceleratorPool]
    """The cluster's GPU pools."""
    teams: Sequence[TeamQueue] = ()
    """Teams with accelerator quotas. Default none: Kueue and flavors only."""
    jobset: bool = False
    """Default False. True (multi-node pools): install JobSet."""
    ready: Sequence[pulumi.Resource] = ()
    """What must exist before anything runs in the cluster (the cluster and its system pool)."""
    high_availability: bool = False
    """True (prod): two replicas of each controller. Default False: one."""
    protect: bool = False
    """True (prod): the platform's namespaces are protected and retained. Default False."""


class GpuPlatform(pulumi.ComponentResource):
    """Kubernetes provider of the cluster + `DevicePlugins` (NVIDIA) + `DcgmExporter` (with an
    Azure managed Prometheus ServiceMonitor) + `BatchQueues`."""

    gpu_metrics: pulumi.Output[dict] | None
    """`{namespace, service, port, path}` of the DCGM exporter (None without GPU pools)."""
    cluster_queues: dict[str, pulumi.Output[str]]
    kubernetes_provider: k8s.Provider
    """The cluster's Kubernetes provider, for objects other layers put in the cluster (shared volumes)."""

    def __init__(self, name: str, args: GpuPlatformArgs, opts: pulumi.ResourceOptions | None = None):
        gpu = [p for p in args.pools if p.kind == "gpu"]
        chain = platform_chain(
            args.pools,
            args.teams,
            autoscaling=lambda p: "AKS cluster autoscaler (pool autoscaling, tuned autoscaler profile)",
            device=lambda p: "AKS-installed NVIDIA driver + nvidia-device-plugin",
            telemetry=lambda p: "dcgm-exporter + azmonitoring ServiceMonitor (AKS managed Prometheus)",
        )
        super().__init__("ai-infra:azure:GpuPlatform", name, {"chain": chain}, opts)
        provider = cluster_provider(f"{name}-k8s", kubeconfig=args.kubeconfig, parent=self, depends_on=args.ready)
        self.kubernetes_provider = provider
        in_cluster = pulumi.ResourceOptions(parent=self, providers={"kubernetes": provider})

        DevicePlugins(f"{name}-devices", DevicePluginsArgs(nvidia_pools=gpu), opts=in_cluster)
        self.gpu_metrics = None
        if gpu:
            exporter = DcgmExporter(
                f"{name}-gpu-metrics",
                DcgmExporterArgs(pools=gpu, scrape="azure-managed-prometheus"),
                opts=in_cluster,
            )
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
                replicas=2 if args.high_availability else 1,
                protect=args.protect,
                controller_node_selector=SYSTEM_NODES,
                controller_tolerations=[CRITICAL_ADDONS_ONLY],
            ),
            opts=in_cluster,
        )
        self.cluster_queues = queues.cluster_queues
        self.register_outputs({"gpu_metrics": self.gpu_metrics, "cluster_queues": self.cluster_queues})
