"""`ai-infra:kubernetes:DevicePlugins`: the DaemonSets that make a node's accelerators schedulable
(advertise `nvidia.com/gpu`, `aws.amazon.com/neuron`, `vpc.amazonaws.com/efa` to the kubelet),
for clouds whose node images carry the driver but not the device plugin (EKS, AKS)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from components.kubernetes.charts import EFA_DEVICE_PLUGIN, NEURON_DEVICE_PLUGIN, NVIDIA_DEVICE_PLUGIN
from components.kubernetes.helm import HelmChart, helm_release
from components.kubernetes.namespace import NODE_AGENTS_NAMESPACE
from components.kubernetes.pools import AcceleratorPool
from components.kubernetes.scheduling import POOL_LABEL, require_node_label_in, tolerations

NODE_CRITICAL = "system-node-critical"
"""Device plugins are what make a node's accelerators usable: evicting them strands the node."""


def _pool_tolerations(pools: Sequence[AcceleratorPool]) -> list[dict[str, str]]:
    return tolerations(taint.toleration() for pool in pools for taint in pool.taints)


@dataclass(frozen=True)
class NvidiaDevicePluginValues:
    """Values of the `nvidia-device-plugin` chart: run on the given pools' nodes only (the
    chart's default affinity waits for Node Feature Discovery labels, which these nodes lack)."""

    pools: Sequence[AcceleratorPool]

    def to_values(self) -> dict[str, Any]:
        return {
            "affinity": require_node_label_in(POOL_LABEL, [p.name for p in self.pools]),
            "tolerations": _pool_tolerations(self.pools),
            "priorityClassName": NODE_CRITICAL,
            # GPU feature discovery and its NFD dependency are not needed for whole-GPU scheduling.
            "gfd": {"enabled": False},
        }


@dataclass(frozen=True)
class NeuronDevicePluginValues:
    """Values of the Neuron chart: only the device plugin (its default affinity already selects
    Inferentia/Trainium instance types and tolerates `aws.amazon.com/neuron`). Its node problem
    detector is off: it creates a namespace without Pod Security labels, and EKS node repair
    already replaces nodes with failed accelerators."""

    def to_values(self) -> dict[str, Any]:
        return {"npd": {"enabled": False}, "scheduler": {"enabled": False}}


@dataclass(frozen=True)
class EfaDevicePluginValues:
    """Values of the EFA chart: tolerate the EFA pools' taints (its affinity selects EFA-capable
    instance types by itself)."""

    pools: Sequence[AcceleratorPool]

    def to_values(self) -> dict[str, Any]:
        return {"tolerations": _pool_tolerations(self.pools)}


@dataclass(frozen=True, kw_only=True)
class DevicePluginsArgs:
    """Inputs of `DevicePlugins`. A plugin is installed only when its list of pools is not empty."""

    nvidia_pools: Sequence[AcceleratorPool] = ()
    """GPU pools whose node image has the NVIDIA driver but no device plugin (EKS AL2023 NVIDIA
    AMI, AKS with the AKS-installed driver). Default none: nothing installed."""
    neuron_pools: Sequence[AcceleratorPool] = ()
    """Inferentia/Trainium pools (EKS Neuron AMI). Default none."""
    efa_pools: Sequence[AcceleratorPool] = ()
    """Pools whose nodes have EFA interfaces. Default none."""


class DevicePlugins(pulumi.ComponentResource):
    """One Helm release per needed device plugin, in `kube-system` (they mount the kubelet's
    device-plugin socket directory from the host)."""

    releases: dict[str, pulumi.Output[str]]
    """Plugin (`nvidia`, `neuron`, `efa`) -> Helm release name."""

    def __init__(self, name: str, args: DevicePluginsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:kubernetes:DevicePlugins", name, None, opts)
        wanted: list[tuple[str, HelmChart, Sequence[AcceleratorPool], dict[str, Any]]] = [
            (
                "nvidia",
                NVIDIA_DEVICE_PLUGIN,
                args.nvidia_pools,
                NvidiaDevicePluginValues(args.nvidia_pools).to_values(),
            ),
            ("neuron", NEURON_DEVICE_PLUGIN, args.neuron_pools, NeuronDevicePluginValues().to_values()),
            ("efa", EFA_DEVICE_PLUGIN, args.efa_pools, EfaDevicePluginValues(args.efa_pools).to_values()),
        ]
        self.releases = {}
        for plugin, chart, pools, values in wanted:
            if not pools:
                continue
            release = helm_release(
                f"{name}-{plugin}",
                chart=chart,
                release_name=chart.short_name,
                namespace=NODE_AGENTS_NAMESPACE,
                values=values,
                parent=self,
            )
            self.releases[plugin] = release.name
        self.register_outputs({"releases": self.releases})
