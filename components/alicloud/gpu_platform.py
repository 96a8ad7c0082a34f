"""`ai-infra:alicloud:GpuPlatform`: what an ACK cluster needs to run GPU work, in the cluster.

Chain from a Pending pod to a running node: ACK's cluster autoscaler (set up by `GpuCluster`,
scale-up from zero on) grows the GPU node pool that fits the pod; the node comes up from ACK's
GPU image with the driver; the ACK component `ack-nvidia-device-plugin` advertises
`nvidia.com/gpu`; the pod starts. Around it: `ack-gpu-exporter` (DCGM-compatible GPU metrics,
which Managed Service for Prometheus scrapes) and Kueue for teams' jobs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_alicloud as alicloud
import pulumi_kubernetes as k8s

from components.kubernetes import AcceleratorPool, BatchQueues, BatchQueuesArgs, TeamQueue, cluster_provider
from components.kubernetes.chain import platform_chain
from components.kubernetes.scheduling import POOL_LABEL
from components.options import child_options

SYSTEM_NODES = {POOL_LABEL: "system"}
DEVICE_PLUGIN_ADDON = "ack-nvidia-device-plugin"
"""ACK's managed NVIDIA device plugin (a DaemonSet on nodes ACK labels `ack.node.gpu.schedule=default`)."""
GPU_EXPORTER_ADDON = "ack-gpu-exporter"
"""ACK's GPU exporter: DCGM exporter metrics (plus GPU-sharing metrics) for Prometheus."""


@dataclass(frozen=True, kw_only=True)
class GpuPlatformArgs:
    """Inputs of `GpuPlatform`."""

    cluster_id: pulumi.Input[str]
    """`GpuCluster.cluster_id`."""
    kubeconfig: pulumi.Input[str]
    """`GpuCluster.kubeconfig` (secret; a temporary credential re-issued on each run)."""
    pools: Sequence[AcceleratorPool]
    """The cluster's GPU pools."""
    teams: Sequence[TeamQueue] = ()
    """Teams with accelerator quotas. Default none: Kueue and flavors only."""
    jobset: bool = False
    """Default False. True (multi-node pools): install JobSet."""
    ready: Sequence[pulumi.Resource] = ()
    """What must exist before anything runs in the cluster (its system node pool)."""
    high_availability: bool = False
    """True (prod): two replicas of each controller. Default False: one."""
    protect: bool = False
    """True (prod): the platform's namespaces are protected and retained. Default False."""


class GpuPlatform(pulumi.ComponentResource):
    """ACK add-ons `ack-nvidia-device-plugin` and `ack-gpu-exporter` (when the cluster has GPU
    pools; versions managed by ACK) + Kubernetes provider of the cluster + `BatchQueues`."""

    cluster_queues: dict[str, pulumi.Output[str]]
    kubernetes_provider: k8s.Provider
    """The cluster's Kubernetes provider, for objects other layers put in the cluster (shared volumes)."""
    gpu_exporter: str | None
    """The ACK add-on that exports GPU metrics (None without GPU pools)."""

    def __init__(self, name: str, args: GpuPlatformArgs, opts: pulumi.ResourceOptions | None = None):
        gpu = [p for p in args.pools if p.kind == "gpu"]
        chain = platform_chain(
            args.pools,
            args.teams,
            autoscaling=lambda p: "ACK cluster-autoscaler (node pool scaling_config, scale up from zero)",
            device=lambda p: f"ACK GPU node image driver + {DEVICE_PLUGIN_ADDON} (ACK add-on)",
            telemetry=lambda p: f"{GPU_EXPORTER_ADDON} (ACK add-on, Managed Service for Prometheus)",
        )
        super().__init__("ai-infra:alicloud:GpuPlatform", name, {"chain": chain}, opts)
        self.gpu_exporter = None
        if gpu:
            for role, addon in (("device-plugin", DEVICE_PLUGIN_ADDON), ("gpu-exporter", GPU_EXPORTER_ADDON)):
                alicloud.cs.KubernetesAddon(
                    f"{name}-{role}",
                    cluster_id=args.cluster_id,
                    name=addon,
                    opts=child_options(self, depends_on=list(args.ready)),
                )
            self.gpu_exporter = GPU_EXPORTER_ADDON
        provider = cluster_provider(f"{name}-k8s", kubeconfig=args.kubeconfig, parent=self, depends_on=args.ready)
        self.kubernetes_provider = provider
        queues = BatchQueues(
            f"{name}-queues",
            BatchQueuesArgs(
                pools=args.pools,
                teams=args.teams,
                jobset=args.jobset,
                replicas=2 if args.high_availability else 1,
                protect=args.protect,
                controller_node_selector=SYSTEM_NODES,
            ),
            opts=pulumi.ResourceOptions(parent=self, providers={"kubernetes": provider}),
        )
        self.cluster_queues = queues.cluster_queues
        self.register_outputs({"cluster_queues": self.cluster_queues, "gpu_exporter": self.gpu_exporter})
