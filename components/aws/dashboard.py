"""`ai-infra:aws:Dashboard`: one CloudWatch dashboard per environment: endpoints (traffic,
errors, latency, GPU), GPU pools, and spend against the budget. The body is generated here from
the environment's endpoints and pools, never pasted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.alert_rules import GPU_MEMORY_USED_METRIC, GPU_UTIL_METRIC
from components.aws.endpoint_alarms import INSTANCE_NAMESPACE, NAMESPACE
from components.options import child_options

WIDTH = 12
HEIGHT = 6
BILLING_REGION = "us-east-1"
"""CloudWatch publishes AWS/Billing metrics in us-east-1 only."""


@dataclass(frozen=True)
class PoolPanel:
    """One GPU pool as the dashboard describes it."""

    name: str
    instance_type: str
    min_nodes: int
    max_nodes: int
    spot: bool


@dataclass(frozen=True, kw_only=True)
class DashboardArgs:
    """Inputs of `Dashboard`."""

    dashboard_name: str
    region: str
    endpoints: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Endpoint key -> SageMaker endpoint name. Default none: no endpoint section."""
    pools: Sequence[PoolPanel] = ()
    """The cluster's GPU pools. Default none: no GPU pool section."""
    prometheus_workspace_id: pulumi.Input[str] | None = None
    """AMP workspace holding the pools' DCGM metrics (named in the GPU pool section)."""
    monthly_budget_usd: float | None = None
    """Drawn as a line on the spend chart. Default None: no budget line."""
    variant_name: str = "primary"


class Dashboard(pulumi.ComponentResource):
    """Children: one `cloudwatch.Dashboard`. CloudWatch cannot chart AMP data, so the GPU pool
    section lists the pools and the PromQL to run against the AMP workspace (or Grafana)."""

    dashboard_name: pulumi.Output[str]

    def __init__(self, name: str, args: DashboardArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:aws:Dashboard", name, None, opts)
        dashboard = aws.cloudwatch.Dashboard(
            f"{name}-dashboard",
            dashboard_name=args.dashboard_name,
            dashboard_body=pulumi.Output.json_dumps({"widgets": _layout(_widgets(args))}),
            opts=child_options(self),
        )
        self.dashboard_name = dashboard.dashboard_name
        self.register_outputs({"dashboard_name": self.dashboard_name})


def _widgets(args: DashboardArgs) -> list[dict[str, Any]]:
    widgets: list[dict[str, Any]] = [_text(f"# {args.dashboard_name}\nEndpoints, GPU pools and spend.", height=2)]
    if args.endpoints:
        widgets += [
            _chart(args, "Requests per minute", "Invocations", "Sum", NAMESPACE),
            _chart(args, "Server errors (5xx) per minute", "Invocation5XXErrors", "Sum", NAMESPACE),
            _chart(args, "Model latency p99 (microseconds)", "ModelLatency", "p99", NAMESPACE),
            _chart(args, "Serving GPU utilisation (%)", "GPUUtilization", "Average", INSTANCE_NAMESPACE),
            _chart(args, "Serving GPU memory (%)", "GPUMemoryUtilization", "Average", INSTANCE_NAMESPACE),
        ]
    if args.pools:
        widgets.append(_pools_text(args))
    widgets.append(_spend(args))
    return widgets


def _chart(args: DashboardArgs, title: str, metric: str, stat: str, namespace: str) -> dict[str, Any]:
    metrics = [
        [namespace, metric, "EndpointName", endpoint, "VariantName", args.variant_name, {"stat": stat, "label": key}]
        for key, endpoint in sorted(args.endpoints.items())
    ]
    return {
        "type": "metric",
        "properties": {"title": title, "metrics": metrics, "view": "timeSeries", "region": args.region, "period": 60},
    }


def _pools_text(args: DashboardArgs) -> dict[str, Any]:
    rows = [
        f"| {p.name} | {p.instance_type} | {p.min_nodes}..{p.max_nodes} | {'spot' if p.spot else 'on-demand'} |"
        for p in args.pools
    ]
    markdown = pulumi.Output.concat(
        "## GPU pools\n| pool | instance | nodes | capacity |\n|---|---|---|---|\n",
        "\n".join(rows),
        "\n\nDCGM metrics are in AMP workspace `",
        args.prometheus_workspace_id or "(none)",
        "`. Nodes: `count by (node) (",
        GPU_UTIL_METRIC,
        ")`; utilisation: `avg by (Hostname) (",
        GPU_UTIL_METRIC,
        ")`; memory: `sum by (Hostname) (",
        GPU_MEMORY_USED_METRIC,
        ")` MiB. Alerts on these reach the alert route.",
    )
    return {"type": "text", "height": 8, "properties": {"markdown": markdown}}


def _spend(args: DashboardArgs) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "title": "Estimated charges this month, USD (whole account; the budget counts this environment's tag)",
        "metrics": [["AWS/Billing", "EstimatedCharges", "Currency", "USD", {"stat": "Maximum"}]],
        "view": "timeSeries",
        "region": BILLING_REGION,
        "period": 21600,
    }
    if args.monthly_budget_usd is not None:
        properties["annotations"] = {"horizontal": [{"label": "monthly budget", "value": args.monthly_budget_usd}]}
    return {"type": "metric", "properties": properties}


def _text(markdown: str, height: int = HEIGHT) -> dict[str, Any]:
    return {"type": "text", "height": height, "properties": {"markdown": markdown}}


def _layout(widgets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Two columns, top to bottom; text widgets span the full width."""
    placed: list[dict[str, Any]] = []
    x, y = 0, 0
    for widget in widgets:
        height = widget.pop("height", HEIGHT)
        width = 24 if widget["type"] == "text" else WIDTH
        if x + width > 24:
            x, y = 0, y + HEIGHT
        placed.append({**widget, "x": x, "y": y, "width": width, "height": height})
        x += width
        if x >= 24:
            x, y = 0, y + height
    return placed
