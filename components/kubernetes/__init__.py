"""Cloud-neutral in-cluster components (type tokens `ai-infra:kubernetes:<Name>`), built on
pulumi_kubernetes: device plugins, GPU telemetry and batch queues. Each cloud's `GpuPlatform`
composes them on its clusters."""

from components.kubernetes.batch_queues import BatchQueues, BatchQueuesArgs, TeamQueue
from components.kubernetes.dcgm_exporter import DcgmExporter, DcgmExporterArgs
from components.kubernetes.device_plugins import DevicePlugins, DevicePluginsArgs
from components.kubernetes.helm import HelmChart
from components.kubernetes.namespace import PodSecurity
from components.kubernetes.pools import AcceleratorPool
from components.kubernetes.provider import cluster_provider
from components.kubernetes.scheduling import Taint, Toleration

__all__ = [
    "AcceleratorPool",
    "BatchQueues",
    "BatchQueuesArgs",
    "DcgmExporter",
    "DcgmExporterArgs",
    "DevicePlugins",
    "DevicePluginsArgs",
    "HelmChart",
    "PodSecurity",
    "Taint",
    "TeamQueue",
    "Toleration",
    "cluster_provider",
]
