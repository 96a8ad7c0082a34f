"""`clouds.<cloud>.teams`: who may use how many accelerators of the cloud's cluster at once.

Each team gets a namespace, a Kueue ClusterQueue holding its quota and a LocalQueue `default`.
A quota names a neutral accelerator (`nvidia-h100: 16`, `tpu-v5p: 16`) that the cluster's pools
carry, in GPUs / TPU chips / Neuron devices, and at most what those pools hold at full size."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Literal

from pydantic import Field, field_validator

from catalog import load_catalog
from stacks.config.base import ConfigModel
from stacks.config.errors import config_problem
from stacks.config.workloads import K8S_NAME

RESERVED_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease", "kueue-system", "jobset-system")
"""Namespaces the cluster or the platform owns; no team may take one."""

Quota = Annotated[int, Field(ge=1, le=100_000)]


class TeamSpec(ConfigModel):
    """One team (`clouds.<cloud>.teams.<team>`)."""

    namespace: str | None = Field(default=None, pattern=K8S_NAME)
    """Namespace the team submits jobs in (created by the stack). Default: the team key."""
    quotas: dict[str, Quota] = Field(min_length=1)
    """Accelerator name -> how many (GPUs, TPU chips, Neuron devices) the team may use at once
    without borrowing idle quota from other teams."""
    pod_security: Literal["baseline", "restricted"] = "baseline"
    """Pod Security Standard the namespace enforces. Default `baseline` (no privileged pods or
    host access; images may run as root). `restricted` also requires non-root, no capabilities."""

    @field_validator("quotas")
    @classmethod
    def _known_accelerators(cls, quotas: dict[str, int]) -> dict[str, int]:
        known = load_catalog().accelerators
        for accelerator in quotas:
            if accelerator not in known:
                raise config_problem(
                    f"{accelerator!r} is not a catalog accelerator (known: {', '.join(sorted(known))})", key=accelerator
                )
        return quotas

    def namespace_for(self, key: str) -> str:
        return self.namespace or key


def pool_capacity(pools: Iterable[tuple[str, int, int]]) -> dict[str, int]:
    """Accelerator -> how many the pools hold at full size, from (accelerator, per node, max nodes)."""
    capacity: dict[str, int] = {}
    for accelerator, per_node, max_nodes in pools:
        capacity[accelerator] = capacity.get(accelerator, 0) + per_node * max_nodes
    return capacity


def check_teams(teams: Mapping[str, TeamSpec], capacity: Mapping[str, int]) -> None:
    """Every quota names an accelerator the cluster's pools carry and fits in them; namespaces are
    distinct and not the cluster's own. Problems name `teams.<team>.<key>`."""
    seen: dict[str, str] = {}
    for name, team in teams.items():
        namespace = team.namespace_for(name)
        if namespace in RESERVED_NAMESPACES:
            raise config_problem(
                f"{namespace!r} belongs to the cluster or the platform; choose another namespace",
                key=f"teams.{name}.namespace",
            )
        if namespace in seen:
            raise config_problem(
                f"{namespace!r} is already team {seen[namespace]!r}'s namespace; each team needs its own",
                key=f"teams.{name}.namespace",
            )
        seen[namespace] = name
        for accelerator, quota in team.quotas.items():
            where = f"teams.{name}.quotas.{accelerator}"
            if accelerator not in capacity:
                carried = ", ".join(sorted(capacity)) or "none"
                raise config_problem(
                    f"no pool of this cloud's cluster carries {accelerator} (pools carry: {carried})", key=where
                )
            if quota > capacity[accelerator]:
                raise config_problem(
                    f"{quota} is more than the {capacity[accelerator]} {accelerator} the pools hold at full size "
                    "(max_nodes x accelerators per node); raise max_nodes or lower the quota",
                    key=where,
                )
