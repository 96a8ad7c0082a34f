"""`AcceleratorPool`: what the in-cluster layer needs to know about one accelerator node pool,
whatever cloud it runs on (its nodes' labels and taints, what it advertises, how big it gets)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from catalog import load_catalog
from components.kubernetes.scheduling import ACCELERATOR_LABEL, POOL_LABEL, Taint

AcceleratorKind = Literal["gpu", "tpu", "neuron"]


@dataclass(frozen=True, kw_only=True)
class AcceleratorPool:
    """One accelerator node pool of a cluster, as device plugins, telemetry and queues see it."""

    name: str
    """Pool key from config: its nodes carry `ai-infra/pool=<name>`."""
    accelerator: str
    """Neutral accelerator name (`nvidia-h100`)."""
    per_node: int
    """Accelerators (GPUs, TPU chips, Neuron devices) per node."""
    max_nodes: int
    """Most nodes the pool can grow to."""
    taints: Sequence[Taint]
    """Every taint the pool's nodes carry (accelerator taint first; spot taints too)."""
    node_labels: Mapping[str, str] = field(default_factory=dict)
    """Labels that select the pool's nodes besides `ai-infra/pool` and `ai-infra/accelerator`
    (which every pool's nodes carry). Default none. Extra labels (GKE's TPU accelerator and
    topology labels) are copied into the pods Kueue admits."""
    efa: bool = False
    """Default False. True: the nodes have EFA interfaces (AWS), which the EFA device plugin advertises."""

    @property
    def kind(self) -> AcceleratorKind:
        kind = load_catalog().accelerator(self.accelerator).kind
        if kind not in ("gpu", "tpu", "neuron"):
            raise ValueError(f"{self.accelerator} has kind {kind!r}, not an accelerator the cluster layer knows")
        return kind  # type: ignore[return-value]

    @property
    def resource(self) -> str:
        """The extended resource pods request (`nvidia.com/gpu`, `google.com/tpu`, `aws.amazon.com/neuron`):
        the catalog's taint key, which is the resource name too."""
        return load_catalog().accelerator(self.accelerator).taint_key

    @property
    def capacity(self) -> int:
        """Accelerators the pool brings at full size."""
        return self.per_node * self.max_nodes

    @property
    def selector(self) -> dict[str, str]:
        """Labels that select exactly this pool's nodes. A job that names an accelerator
        (`nodeSelector: {ai-infra/accelerator: nvidia-l4}`) is admitted only on flavors that match."""
        return {POOL_LABEL: self.name, ACCELERATOR_LABEL: self.accelerator, **self.node_labels}
