"""`ai-infra:alicloud:Dashboard`: the environment's dashboard on Alibaba Cloud, as a generated
Grafana dashboard (JSON model) for the shared Grafana of ARMS.

The Alibaba Cloud provider has no dashboard resource (no CloudMonitor dashboard, and Grafana
dashboards are not cloud resources), so this component declares no cloud resource: it carries
the generated JSON as its `dashboardJson` input and output, for import into the ARMS Grafana
that `GpuMonitoring`'s Prometheus instance comes with, and says so (`providerSupport: none`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi

from components.alert_rules import GPU_MEMORY_USED_METRIC, GPU_UTIL_METRIC
from components.alicloud.endpoint_alarms import ERROR_METRIC, LATENCY_METRICS, NAMESPACE, SERVICE_DIMENSION

PROVIDER_SUPPORT = "none"
GAP_MESSAGE = (
    "alicloud: the provider has no dashboard resource; the generated Grafana dashboard is the stack output "
    "alicloud_dashboard_json: import it into the ARMS Grafana of the cluster's Prometheus instance."
)
PANEL_WIDTH = 12
PANEL_HEIGHT = 8


@dataclass(frozen=True, kw_only=True)
class DashboardArgs:
    """Inputs of `Dashboard`."""

    title: str
    services: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Endpoint key -> EAS service name (CloudMonitor data source panels)."""
    gpu_pools: Mapping[str, str] = field(default_factory=dict)
    """Pool name -> instance type (Prometheus data source panels when any)."""
    monthly_budget_usd: float | None = None


class Dashboard(pulumi.ComponentResource):
    """No children. Inputs (wire names): `dashboardJson`, `providerSupport: "none"`."""

    dashboard_json: pulumi.Output[str]
    gap_message: str

    def __init__(self, name: str, args: DashboardArgs, opts: pulumi.ResourceOptions | None = None):
        dashboard_json = pulumi.Output.json_dumps(grafana_dashboard(args))
        super().__init__(
            "ai-infra:alicloud:Dashboard",
            name,
            {"dashboardJson": dashboard_json, "providerSupport": PROVIDER_SUPPORT},
            opts,
        )
        self.dashboard_json = dashboard_json
        self.gap_message = GAP_MESSAGE
        self.register_outputs({"dashboard_json": self.dashboard_json, "provider_support": PROVIDER_SUPPORT})


def grafana_dashboard(args: DashboardArgs) -> dict[str, Any]:
    panels: list[dict[str, Any]] = []
    for key, service in sorted(args.services.items()):
        for title, metric in (("5xx responses (%)", ERROR_METRIC), ("p99 response time (ms)", LATENCY_METRICS["p99"])):
            panels.append(
                _panel(
                    f"{key}: {title}",
                    {"datasource": "CloudMonitor", "namespace": NAMESPACE, "metric": metric,
                     "dimensions": [{SERVICE_DIMENSION: service}]},
                )
            )  # fmt: skip
    if args.gpu_pools:
        pools = ", ".join(f"{pool} ({machine})" for pool, machine in sorted(args.gpu_pools.items()))
        for title, expr in (
            (f"GPU nodes running ({pools})", f"count(count by (Hostname) ({GPU_UTIL_METRIC}))"),
            ("GPU utilisation per node (%)", f"avg by (Hostname) ({GPU_UTIL_METRIC})"),
            ("GPU memory used per node (MiB)", f"sum by (Hostname) ({GPU_MEMORY_USED_METRIC})"),
        ):
            panels.append(_panel(title, {"datasource": "Prometheus", "expr": expr}))
    if args.monthly_budget_usd is not None:
        panels.append(
            {
                "type": "text",
                "title": "Spend vs budget",
                "options": {
                    "mode": "markdown",
                    "content": f"Monthly budget: {args.monthly_budget_usd:,.0f} USD. The provider has no budget "
                    "resource: track spend in Billing Management > Cost Analysis.",
                },
            }
        )
    for index, panel in enumerate(panels):
        panel["id"] = index + 1
        panel["gridPos"] = {
            "x": (index % 2) * PANEL_WIDTH,
            "y": (index // 2) * PANEL_HEIGHT,
            "w": PANEL_WIDTH,
            "h": PANEL_HEIGHT,
        }
    return {"title": args.title, "schemaVersion": 39, "time": {"from": "now-24h", "to": "now"}, "panels": panels}


def _panel(title: str, target: dict[str, Any]) -> dict[str, Any]:
    return {"type": "timeseries", "title": title, "targets": [{"refId": "A", **target}]}
