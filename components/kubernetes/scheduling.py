"""Typed scheduling building blocks (taints, tolerations, node affinity) that every in-cluster
component turns into Kubernetes (or Helm values) dicts the same way."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

TaintEffect = Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]

POOL_LABEL = "ai-infra/pool"
"""Node label every pool of the project carries (`ai-infra/pool=<pool key>`)."""
ACCELERATOR_LABEL = "ai-infra/accelerator"
"""Node label with the neutral accelerator name (`nvidia-l4`, `tpu-v5p`)."""


@dataclass(frozen=True)
class Taint:
    """A node taint, as the pool's nodes carry it (`nvidia.com/gpu=present:NoSchedule`)."""

    key: str
    value: str
    effect: TaintEffect = "NoSchedule"

    def to_k8s(self) -> dict[str, str]:
        return {"key": self.key, "value": self.value, "effect": self.effect}

    def toleration(self) -> Toleration:
        """The toleration that lets a pod onto nodes with this taint, whatever its value."""
        return Toleration(key=self.key, operator="Exists", effect=self.effect)


@dataclass(frozen=True)
class Toleration:
    """A pod toleration."""

    key: str
    operator: Literal["Exists", "Equal"] = "Exists"
    value: str | None = None
    effect: TaintEffect | None = None

    def to_k8s(self) -> dict[str, str]:
        found: dict[str, str] = {"key": self.key, "operator": self.operator}
        if self.value is not None:
            found["value"] = self.value
        if self.effect is not None:
            found["effect"] = self.effect
        return found


CRITICAL_ADDONS_ONLY = Toleration(key="CriticalAddonsOnly", operator="Exists")
"""AKS taints its system pool `CriticalAddonsOnly=true:NoSchedule`; platform controllers (Kueue,
JobSet, the cluster autoscaler) tolerate it so that they can run there."""


def tolerations(items: Iterable[Toleration]) -> list[dict[str, str]]:
    """Tolerations as Kubernetes dicts, without duplicates, in first-seen order."""
    seen: list[Toleration] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return [t.to_k8s() for t in seen]


def require_node_label_in(key: str, values: Sequence[str]) -> dict[str, Any]:
    """A required node affinity: the pod runs only on nodes whose label `key` is one of `values`."""
    return {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": [{"key": key, "operator": "In", "values": list(values)}]}]
            }
        }
    }


def node_selector(labels: Mapping[str, str]) -> dict[str, str]:
    return dict(sorted(labels.items()))
