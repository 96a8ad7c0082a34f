"""Cloud-neutral alert definitions: endpoint alarm thresholds, GPU alert thresholds, and the
Prometheus rules every cloud's managed Prometheus evaluates for GPU clusters.

The GPU rules read the DCGM exporter's metrics (`DCGM_FI_DEV_GPU_UTIL`, `DCGM_FI_DEV_XID_ERRORS`,
labelled with the node's `Hostname`) and kube-state-metrics (`kube_node_status_condition`,
`kube_node_status_capacity`), so the same PromQL works on Amazon Managed Service for
Prometheus, Google Managed Prometheus, Azure Monitor workspaces and ARMS. Installing the
exporters in the clusters is the in-cluster GPU layer's job; these rules only need their metrics."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

EndpointAlarm = Literal["errors", "latency", "saturation"]
ALL_ENDPOINT_ALARMS: tuple[EndpointAlarm, ...] = ("errors", "latency", "saturation")

GPU_UTIL_METRIC = "DCGM_FI_DEV_GPU_UTIL"
"""DCGM exporter: GPU utilisation in percent, one series per GPU."""
GPU_XID_METRIC = "DCGM_FI_DEV_XID_ERRORS"
"""DCGM exporter: the last XID error code a GPU reported (0: none)."""
GPU_MEMORY_USED_METRIC = "DCGM_FI_DEV_FB_USED"
"""DCGM exporter: GPU frame-buffer memory used, MiB."""
GPU_MEMORY_FREE_METRIC = "DCGM_FI_DEV_FB_FREE"
"""DCGM exporter: GPU frame-buffer memory free, MiB."""


@dataclass(frozen=True, kw_only=True)
class EndpointThresholds:
    """When an endpoint's alarms fire (see `alerts.endpoints` in the stack config)."""

    alarms: Sequence[EndpointAlarm] = ALL_ENDPOINT_ALARMS
    """Which alarms to create. Default all three."""
    error_rate_percent: float = 5
    """Failed (5xx) share of requests above which the error alarm fires. Default 5%."""
    errors_per_minute: float = 5
    """5xx responses a minute above which the error alarm fires where a rate cannot be computed
    (Azure ML metric alerts). Default 5."""
    latency_percentile: Literal["p90", "p99"] = "p99"
    """The response-time percentile the latency alarm watches. Default p99."""
    latency_ms: float = 2000
    """Latency threshold in milliseconds. Default 2000."""
    saturation_percent: float = 90
    """Average GPU utilisation of the serving instances above which the saturation alarm fires.
    Default 90%."""
    evaluation_minutes: int = 5
    """How long a condition must hold before firing. Default 5 minutes."""

    def __post_init__(self) -> None:
        unknown = [a for a in self.alarms if a not in ALL_ENDPOINT_ALARMS]
        if unknown or not self.alarms:
            raise ValueError(f"alarms must be a non-empty subset of {ALL_ENDPOINT_ALARMS}, got {list(self.alarms)}")
        if self.evaluation_minutes < 1:
            raise ValueError("evaluation_minutes must be at least 1")

    @property
    def percentile_number(self) -> int:
        """90 or 99."""
        return int(self.latency_percentile[1:])


@dataclass(frozen=True, kw_only=True)
class GpuThresholds:
    """When a GPU cluster's alerts fire (see `alerts.gpu` in the stack config)."""

    idle_utilization_percent: float = 10
    """A node is idle while its GPUs average below this utilisation. Default 10%."""
    idle_hours: float = 4
    """How long a node must stay idle before the cost alert fires. Default 4 hours."""
    not_ready_minutes: int = 10
    """How long a GPU node must be NotReady before the health alert fires. Default 10 minutes."""

    @property
    def idle_minutes(self) -> int:
        return max(1, round(self.idle_hours * 60))


@dataclass(frozen=True)
class GpuRule:
    """One Prometheus alerting rule for a GPU cluster."""

    name: str
    """Rule name, CamelCase as Prometheus rules are named (`GpuIdle`)."""
    kind: Literal["cost", "health"]
    expression: str
    for_minutes: int
    severity: Literal["warning", "critical"]
    summary: str

    @property
    def slug(self) -> str:
        """`GpuNodeNotReady` -> `gpu-node-not-ready`: the rule in resource names."""
        return "".join(f"-{c.lower()}" if c.isupper() else c for c in self.name).lstrip("-")


IDLE_RULE = "GpuIdle"
XID_RULE = "GpuXidErrors"
NOT_READY_RULE = "GpuNodeNotReady"


def gpu_rules(thresholds: GpuThresholds, selector: str = "") -> list[GpuRule]:
    """The cost and health rules of one GPU cluster. `selector`: extra label matchers for every
    metric (`cluster="ai-infra-prod"` where one Prometheus holds several clusters' metrics)."""
    extra = f",{selector}" if selector else ""
    plain = f"{{{selector}}}" if selector else ""
    idle = thresholds.idle_utilization_percent
    return [
        GpuRule(
            name=IDLE_RULE,
            kind="cost",
            # DCGM series exist only while a GPU node runs, so "below X% for N hours" is
            # "idle for N hours while running"; a node scaled to zero stops the alert.
            expression=f"avg by (Hostname) ({GPU_UTIL_METRIC}{plain}) < {idle:g}",
            for_minutes=thresholds.idle_minutes,
            severity="warning",
            summary=f"GPU node idle: GPUs below {idle:g}% for {thresholds.idle_hours:g} h while the node runs "
            "(scale the pool down or stop the job holding it)",
        ),
        GpuRule(
            name=XID_RULE,
            kind="health",
            expression=f"max by (Hostname, gpu) ({GPU_XID_METRIC}{plain}) > 0",
            for_minutes=1,
            severity="critical",
            summary="GPU reported an XID error (driver or hardware fault): drain the node and check dmesg",
        ),
        GpuRule(
            name=NOT_READY_RULE,
            kind="health",
            expression=(
                f'max by (node) (kube_node_status_condition{{condition="Ready",status="true"{extra}}}) == 0 '
                f'and on (node) max by (node) (kube_node_status_capacity{{resource="nvidia_com_gpu"{extra}}}) > 0'
            ),
            for_minutes=thresholds.not_ready_minutes,
            severity="critical",
            summary=f"GPU node NotReady for {thresholds.not_ready_minutes} min",
        ),
    ]


def prometheus_duration(minutes: int) -> str:
    """`240` -> `4h`, `90` -> `90m` (Prometheus rule `for:` syntax)."""
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"


def iso_duration(minutes: int) -> str:
    """`240` -> `PT4H`, `90` -> `PT90M` (ISO 8601, as Azure wants it)."""
    return f"PT{minutes // 60}H" if minutes % 60 == 0 else f"PT{minutes}M"
