"""`ai-infra:azure:Dashboard`: one Azure Monitor workbook per environment: ML online endpoints
(traffic, errors, latency, GPU), GPU pools from the Azure Monitor workspace (nodes, utilisation,
memory) and the budget. The workbook JSON is generated here, never pasted."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi_azure_native import applicationinsights

from components.alert_rules import GPU_MEMORY_USED_METRIC, GPU_UTIL_METRIC
from components.azure.endpoint_alarms import ENDPOINT_NAMESPACE, LATENCY_METRICS, REQUESTS_METRIC
from components.options import child_options

TEXT, QUERY, METRICS = 1, 3, 10
"""Workbook item types."""
PROMETHEUS_QUERY = 16
"""Workbook query type of an Azure Monitor workspace (PromQL) query."""
AVERAGE = 4
"""Workbook metric aggregation code for Average."""
DAY_MS = 24 * 3600 * 1000


@dataclass(frozen=True, kw_only=True)
class DashboardArgs:
    """Inputs of `Dashboard`."""

    resource_group_name: pulumi.Input[str]
    location: str
    display_name: str
    endpoint_ids: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Endpoint key -> ARM id of the online endpoint. Default none: no endpoint section."""
    prometheus_workspace_id: pulumi.Input[str] | None = None
    """Azure Monitor workspace with the cluster's GPU metrics. Default None: no GPU section."""
    gpu_pools: Mapping[str, str] = field(default_factory=dict)
    """Pool name -> VM size, listed in the GPU section."""
    monthly_budget_usd: float | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


class Dashboard(pulumi.ComponentResource):
    """Children: one shared `applicationinsights.Workbook` (its name a GUID derived from the
    display name, so it is stable). Azure Monitor has no spend metric: the spend section states
    the budget and points to Cost Management."""

    workbook_id: pulumi.Output[str]

    def __init__(self, name: str, args: DashboardArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:azure:Dashboard", name, None, opts)
        workbook = applicationinsights.Workbook(
            f"{name}-workbook",
            resource_name_=str(uuid.uuid5(uuid.NAMESPACE_URL, f"ai-infra/workbook/{args.display_name}")),
            resource_group_name=args.resource_group_name,
            location=args.location,
            kind="shared",
            category="workbook",
            display_name=args.display_name,
            source_id="Azure Monitor",
            serialized_data=pulumi.Output.json_dumps(
                {"version": "Notebook/1.0", "items": _items(args), "fallbackResourceIds": ["Azure Monitor"]}
            ),
            # The portal lists a workbook under this tag's value.
            tags={**args.tags, "hidden-title": args.display_name},
            opts=child_options(self),
        )
        self.workbook_id = workbook.id
        self.register_outputs({"workbook_id": self.workbook_id})


def _items(args: DashboardArgs) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = [_text("title", f"# {args.display_name}\nEndpoints, GPU pools and spend.")]
    if args.endpoint_ids:
        items += [
            _metric_chart(args, "requests", "Requests per minute", REQUESTS_METRIC),
            _metric_chart(args, "latency", "Request latency p99 (ms)", LATENCY_METRICS["p99"]),
        ]
    if args.prometheus_workspace_id is not None:
        pools = ", ".join(f"`{pool}` ({size})" for pool, size in sorted(args.gpu_pools.items()))
        items += [
            _text("pools", f"## GPU pools\n{pools or 'none'}. Idle and health alerts reach the action group."),
            _promql(args, "gpu-nodes", "GPU nodes running", f"count(count by (Hostname) ({GPU_UTIL_METRIC}))"),
            _promql(args, "gpu-util", "GPU utilisation per node (%)", f"avg by (Hostname) ({GPU_UTIL_METRIC})"),
            _promql(
                args, "gpu-memory", "GPU memory used per node (MiB)", f"sum by (Hostname) ({GPU_MEMORY_USED_METRIC})"
            ),
        ]
    if args.monthly_budget_usd is not None:
        items.append(
            _text(
                "spend",
                f"## Spend vs budget\nMonthly budget: {args.monthly_budget_usd:,.0f} USD on the resource group, with "
                "alerts at 50/80/100% actual and 100% forecast to the action group. Actual spend: Cost Management > "
                "Cost analysis for the resource group.",
            )
        )
    return items


def _text(name: str, markdown: str) -> dict[str, Any]:
    return {"type": TEXT, "name": name, "content": {"json": markdown}}


def _metric_chart(args: DashboardArgs, name: str, title: str, metric: str) -> dict[str, Any]:
    resource_type = ENDPOINT_NAMESPACE.lower()
    return {
        "type": METRICS,
        "name": name,
        "content": {
            "version": "MetricsItem/2.0",
            "title": title,
            "chartType": 2,
            "resourceType": resource_type,
            "resourceIds": [args.endpoint_ids[key] for key in sorted(args.endpoint_ids)],
            "timeContext": {"durationMs": DAY_MS},
            "metrics": [{"namespace": resource_type, "metric": f"{resource_type}--{metric}", "aggregation": AVERAGE}],
        },
    }


def _promql(args: DashboardArgs, name: str, title: str, query: str) -> dict[str, Any]:
    return {
        "type": QUERY,
        "name": name,
        "content": {
            "version": "KqlItem/1.0",
            "title": title,
            "query": query,
            "queryType": PROMETHEUS_QUERY,
            "resourceType": "microsoft.monitor/accounts",
            "crossComponentResources": [args.prometheus_workspace_id],
            "visualization": "timechart",
            "timeContext": {"durationMs": DAY_MS},
        },
    }
