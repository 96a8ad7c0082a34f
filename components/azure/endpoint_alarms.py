"""`ai-infra:azure:EndpointAlarms`: Azure Monitor metric alerts on one Azure ML managed online
endpoint (5xx responses, latency percentile) and its deployment's GPU utilisation, all acting
through the environment's action group."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi_azure_native import monitor

from components.alert_rules import EndpointThresholds
from components.azure.resource_ids import provider_id
from components.options import child_options

ENDPOINT_NAMESPACE = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints"
DEPLOYMENT_NAMESPACE = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments"
REQUESTS_METRIC = "RequestsPerMinute"
"""Requests a minute, split by `statusCodeClass` (2xx, 4xx, 5xx)."""
LATENCY_METRICS = {"p90": "RequestLatency_P90", "p99": "RequestLatency_P99"}
"""Endpoint response-time percentiles in milliseconds."""
GPU_METRIC = "GpuUtilizationPercentage"
WINDOWS_MINUTES = (1, 5, 15, 30, 60, 360, 720, 1440)
"""The window sizes a metric alert accepts."""


def endpoint_id(
    subscription_id: str, resource_group: pulumi.Input[str], workspace: pulumi.Input[str], endpoint: pulumi.Input[str]
) -> pulumi.Output[str]:
    return provider_id(
        subscription_id, resource_group, "Microsoft.MachineLearningServices/workspaces/{}/onlineEndpoints/{}",
        workspace, endpoint,
    )  # fmt: skip


def window(minutes: int) -> str:
    """The smallest window Azure accepts that covers `minutes`, as an ISO 8601 duration."""
    chosen = next((w for w in WINDOWS_MINUTES if w >= minutes), WINDOWS_MINUTES[-1])
    return f"PT{chosen // 60}H" if chosen % 60 == 0 else f"PT{chosen}M"


@dataclass(frozen=True, kw_only=True)
class EndpointAlarmsArgs:
    """Inputs of `EndpointAlarms`."""

    subscription_id: str
    resource_group_name: pulumi.Input[str]
    workspace_name: pulumi.Input[str]
    endpoint_name: pulumi.Input[str]
    """From `ModelEndpoint`: the alerts' scope is built from these names."""
    action_group_id: pulumi.Input[str]
    """The action group every alert acts through (from `AlertRoute.action_group_id`)."""
    alert_name_prefix: str
    """Alert rule names are `<prefix>-errors`, `<prefix>-latency`, `<prefix>-saturation`."""
    deployment_name: str = "primary"
    """The deployment whose GPUs the saturation alert watches. Default `primary`."""
    thresholds: EndpointThresholds = field(default_factory=EndpointThresholds)
    """Which alarms and when they fire. Azure metric alerts cannot divide one metric by another,
    so the error alarm counts 5xx responses a minute (`errors_per_minute`)."""
    tags: Mapping[str, str] = field(default_factory=dict)


class EndpointAlarms(pulumi.ComponentResource):
    """Children (each only if listed in `thresholds.alarms`): `errors`, RequestsPerMinute of the
    5xx class; `latency`, RequestLatency at the configured percentile; `saturation`, the
    deployment's GpuUtilizationPercentage. Alerts resolve themselves when the metric recovers."""

    alert_ids: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: EndpointAlarmsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:azure:EndpointAlarms", name, None, opts)
        limits = args.thresholds
        endpoint = endpoint_id(args.subscription_id, args.resource_group_name, args.workspace_name, args.endpoint_name)
        criteria: dict[str, tuple[pulumi.Input[str], str, dict[str, Any]]] = {}
        if "errors" in limits.alarms:
            criteria["errors"] = (
                endpoint,
                f"More than {limits.errors_per_minute:g} server errors (5xx) a minute",
                {
                    "metric_name": REQUESTS_METRIC,
                    "metric_namespace": ENDPOINT_NAMESPACE,
                    "dimensions": [
                        monitor.MetricDimensionArgs(name="statusCodeClass", operator="Include", values=["5xx"])
                    ],
                    "threshold": limits.errors_per_minute,
                },
            )
        if "latency" in limits.alarms:
            criteria["latency"] = (
                endpoint,
                f"{limits.latency_percentile} request latency above {limits.latency_ms:g} ms",
                {
                    "metric_name": LATENCY_METRICS[limits.latency_percentile],
                    "metric_namespace": ENDPOINT_NAMESPACE,
                    "threshold": limits.latency_ms,
                },
            )
        if "saturation" in limits.alarms:
            criteria["saturation"] = (
                pulumi.Output.concat(endpoint, "/deployments/", args.deployment_name),
                f"Deployment GPUs busier than {limits.saturation_percent:g}% on average",
                {
                    "metric_name": GPU_METRIC,
                    "metric_namespace": DEPLOYMENT_NAMESPACE,
                    "threshold": limits.saturation_percent,
                },
            )
        self.alert_ids = {}
        for kind, (scope, description, criterion) in criteria.items():
            alert = monitor.MetricAlert(
                f"{name}-{kind}",
                rule_name=f"{args.alert_name_prefix}-{kind}",
                resource_group_name=args.resource_group_name,
                location="global",
                description=description,
                enabled=True,
                severity=1 if kind == "errors" else 2,
                scopes=[scope],
                evaluation_frequency="PT1M",
                window_size=window(limits.evaluation_minutes),
                auto_mitigate=True,
                # `criteria` is a union type: only the typed args are translated to the wire format.
                criteria=monitor.MetricAlertSingleResourceMultipleMetricCriteriaArgs(
                    odata_type="Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
                    all_of=[
                        monitor.MetricCriteriaArgs(
                            criterion_type="StaticThresholdCriterion",
                            name=kind,
                            operator="GreaterThan",
                            time_aggregation="Average",
                            **criterion,
                        )
                    ],
                ),
                actions=[{"action_group_id": args.action_group_id}],
                tags=dict(args.tags),
                opts=child_options(self),
            )
            self.alert_ids[kind] = alert.id
        self.register_outputs({"alert_ids": self.alert_ids})
