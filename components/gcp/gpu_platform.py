"""`ai-infra:gcp:GpuPlatform`: what a GKE cluster needs to run GPU and TPU work, in the cluster.

GKE brings most of the chain itself: the cluster autoscaler scales each node pool (from zero
too, knowing the pool's accelerators, labels and taints), GKE installs the NVIDIA driver
(`gpu_driver_installation_config`) and runs the GPU and TPU device plugins, and the cluster's
managed DCGM package exports GPU metrics to Managed Service for Prometheus. This component adds
the queue layer: Kueue with a flavor per pool (TPU flavors carry GKE's TPU accelerator and
topology labels, so admitted pods land on a slice of the right shape), team queues, and JobSet
for multi-host TPU slices and multi-node GPU training."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes import AcceleratorPool, BatchQueues, BatchQueuesArgs, TeamQueue, cluster_provider
from components.kubernetes.chain import platform_chain
from components.kubernetes.scheduling import POOL_LABEL

SYSTEM_NODES = {POOL_LABEL: "system"}
TPU_ACCELERATOR_LABEL = "cloud.google.com/gke-tpu-accelerator"
TPU_TOPOLOGY_LABEL = "cloud.google.com/gke-tpu-topology"


def tpu_node_labels(gke_accelerator: str, topology: str) -> dict[str, str]:
    """The labels GKE puts on TPU nodes, which TPU pods must select (Kueue adds them for the pool's flavor)."""
    return {TPU_ACCELERATOR_LABEL: gke_accelerator, TPU_TOPOLOGY_LABEL: topology}


@dataclass(frozen=True, kw_only=True)
class GpuPlatformArgs:
    """Inputs of `GpuPlatform`."""

    kubeconfig: pulumi.Input[str]
    """`GpuCluster.kubeconfig` (secret; authenticates with `gke-gcloud-auth-plugin`)."""
    pools: Sequence[AcceleratorPool]
    """The cluster's GPU pools and GKE TPU pools."""
    teams: Sequence[TeamQueue] = ()
    """Teams with accelerator quotas. Default none: Kueue and flavors only."""
    jobset: bool = False
    """Default False. True (multi-host TPU slices, multi-node GPU pools): install JobSet."""
    ready: Sequence[pulumi.Resource] = ()
    """What must exist before anything runs in the cluster (its system node pool)."""
    high_availability: bool = False
    """True (prod): two replicas of each controller. Default False: one."""
    protect: bool = False
    """True (prod): the platform's namespaces are protected and retained. Default False."""


class GpuPlatform(pulumi.ComponentResource):
    """Kubernetes provider of the cluster + `BatchQueues` (Kueue, JobSet when asked)."""

    cluster_queues: dict[str, pulumi.Output[str]]
    kubernetes_provider: k8s.Provider
    """The cluster's Kubernetes provider, for objects other layers put in the cluster (shared volumes)."""

    def __init__(self, name: str, args: GpuPlatformArgs, opts: pulumi.ResourceOptions | None = None):
        chain = platform_chain(
            args.pools,
            args.teams,
            autoscaling=lambda p: "GKE cluster autoscaler (node pool autoscaling)",
            device=lambda p: (
                "GKE-managed NVIDIA driver (gpu_driver_installation_config) and device plugin"
                if p.kind == "gpu"
                else "GKE-managed TPU device plugin"
            ),
            telemetry=lambda p: (
                "GKE managed DCGM metrics in Managed Service for Prometheus"
                if p.kind == "gpu"
                else "GKE TPU metrics in Cloud Monitoring"
            ),
        )
        super().__init__("ai-infra:gcp:GpuPlatform", name, {"chain": chain}, opts)
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
        self.register_outputs({"cluster_queues": self.cluster_queues})
