"""`ai-infra:gcp:Dashboard`: one Cloud Monitoring dashboard per environment: Vertex AI endpoints
(traffic, errors, latency, accelerators), GPU pools from Managed Prometheus (nodes, utilisation,
memory) and the budget. The JSON is generated here, never pasted."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_gcp as gcp

from components.alert_rules import GPU_MEMORY_USED_METRIC, GPU_UTIL_METRIC
from components.gcp.endpoint_alarms import (
    DUTY_CYCLE_METRIC,
    ERRORS_METRIC,
    LATENCY_METRIC,
    PREDICTIONS_METRIC,
    RESOURCE_TYPE,
    endpoint_id,
)
from components.options import child_options

COLUMNS = 48
TILE_WIDTH = 24
TILE_HEIGHT = 16


@dataclass(frozen=True, kw_only=True)
class DashboardArgs:
    """Inputs of `Dashboard`."""

    project: str
    display_name: str
    endpoints: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Endpoint key -> Vertex AI endpoint resource name. Default none: no endpoint section."""
    cluster_name: pulumi.Input[str] | None = None
    """GKE cluster whose GPU pools are charted. Default None: no GPU section."""
    gpu_pools: Mapping[str, str] = field(default_factory=dict)
    """Pool name -> machine type, listed in the GPU section."""
    monthly_budget_usd: float | None = None
    currency: str = "USD"


class Dashboard(pulumi.ComponentResource):
    """Children: one `monitoring.Dashboard`. Cloud Monitoring has no billing metrics, so the
    spend section states the budget and where actual spend is reported."""

    dashboard_id: pulumi.Output[str]

    def __init__(self, name: str, args: DashboardArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:gcp:Dashboard", name, None, opts)
        dashboard = gcp.monitoring.Dashboard(
            f"{name}-dashboard",
            project=args.project,
            dashboard_json=pulumi.Output.json_dumps(
                {
                    "displayName": args.display_name,
                    "mosaicLayout": {"columns": COLUMNS, "tiles": _tiles(_widgets(args))},
                }
            ),
            opts=child_options(self),
        )
        self.dashboard_id = dashboard.id
        self.register_outputs({"dashboard_id": self.dashboard_id})


def _widgets(args: DashboardArgs) -> list[dict[str, Any]]:
    widgets: list[dict[str, Any]] = []
    if args.endpoints:
        widgets += [
            _endpoint_chart(args, "Predictions per second", PREDICTIONS_METRIC, "ALIGN_RATE", "REDUCE_SUM"),
            _endpoint_chart(args, "Prediction errors per second", ERRORS_METRIC, "ALIGN_RATE", "REDUCE_SUM"),
            _endpoint_chart(args, "Prediction latency p99 (ms)", LATENCY_METRIC, "ALIGN_PERCENTILE_99", "REDUCE_MAX"),
            _endpoint_chart(args, "Accelerator duty cycle", DUTY_CYCLE_METRIC, "ALIGN_MEAN", "REDUCE_MEAN"),
        ]
    if args.cluster_name is not None:
        selector = pulumi.Output.concat('{cluster="', args.cluster_name, '"}')
        widgets += [
            _promql(
                "GPU nodes running",
                pulumi.Output.concat("count(count by (Hostname) (", GPU_UTIL_METRIC, selector, "))"),
            ),
            _promql(
                "GPU utilisation per node (%)",
                pulumi.Output.concat("avg by (Hostname) (", GPU_UTIL_METRIC, selector, ")"),
            ),
            _promql(
                "GPU memory used per node (MiB)",
                pulumi.Output.concat("sum by (Hostname) (", GPU_MEMORY_USED_METRIC, selector, ")"),
            ),
        ]
        pools = ", ".join(f"`{pool}` ({machine})" for pool, machine in sorted(args.gpu_pools.items()))
        widgets.append(_text("GPU pools", f"Pools: {pools or 'none'}. Idle and health alerts reach the alert route."))
    if args.monthly_budget_usd is not None:
        widgets.append(
            _text(
                "Spend vs budget",
                f"Monthly budget: {args.monthly_budget_usd:,.0f} {args.currency} (Cloud Billing budget with alerts at "
                "50/80/100% actual and 100% forecast, sent to the alert route). Cloud Monitoring has no spend "
                "metric: actual spend is in Billing > Reports, filtered by the `environment` label.",
            )
        )
    return widgets


def _endpoint_chart(args: DashboardArgs, title: str, metric: str, aligner: str, reducer: str) -> dict[str, Any]:
    data_sets = [
        {
            "plotType": "LINE",
            "legendTemplate": key,
            "timeSeriesQuery": {
                "timeSeriesFilter": {
                    "filter": pulumi.Output.from_input(endpoint).apply(
                        lambda n: (
                            f'resource.type = "{RESOURCE_TYPE}" AND resource.labels.endpoint_id = '
                            f'"{endpoint_id(n)}" AND metric.type = "{metric}"'
                        )
                    ),
                    "aggregation": {
                        "alignmentPeriod": "60s",
                        "perSeriesAligner": aligner,
                        "crossSeriesReducer": reducer,
                    },
                }
            },
        }
        for key, endpoint in sorted(args.endpoints.items())
    ]
    return {"title": title, "xyChart": {"dataSets": data_sets}}


def _promql(title: str, query: pulumi.Output[str]) -> dict[str, Any]:
    return {
        "title": title,
        "xyChart": {"dataSets": [{"plotType": "LINE", "timeSeriesQuery": {"prometheusQuery": query}}]},
    }


def _text(title: str, content: str) -> dict[str, Any]:
    return {"title": title, "text": {"content": content, "format": "MARKDOWN"}}


def _tiles(widgets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Two tiles per row, in order."""
    return [
        {
            "xPos": (index % 2) * TILE_WIDTH,
            "yPos": (index // 2) * TILE_HEIGHT,
            "width": TILE_WIDTH,
            "height": TILE_HEIGHT,
            "widget": widget,
        }
        for index, widget in enumerate(widgets)
    ]
