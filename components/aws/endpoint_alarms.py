"""`ai-infra:aws:EndpointAlarms`: CloudWatch alarms on one SageMaker endpoint's `AWS/SageMaker`
metrics (error rate, latency percentile) and its instances' GPU utilisation, all notifying the
environment's alert route."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.alert_rules import EndpointThresholds
from components.options import child_options

NAMESPACE = "AWS/SageMaker"
"""Invocation metrics of real-time endpoints (per endpoint and variant)."""
INSTANCE_NAMESPACE = "/aws/sagemaker/Endpoints"
"""Instance metrics of real-time endpoints (CPU, GPU, memory, disk)."""
ERRORS_METRIC = "Invocation5XXErrors"
INVOCATIONS_METRIC = "Invocations"
LATENCY_METRIC = "ModelLatency"
"""Model response time in microseconds."""
GPU_METRIC = "GPUUtilization"
"""Sum over the instance's GPUs (0-100% each), averaged over instances."""


@dataclass(frozen=True, kw_only=True)
class EndpointAlarmsArgs:
    """Inputs of `EndpointAlarms`."""

    endpoint_name: pulumi.Input[str]
    """The endpoint's name (from `ModelEndpoint.endpoint_name`)."""
    alarm_topic_arn: pulumi.Input[str]
    """SNS topic every alarm notifies on ALARM and OK (from `AlertRoute.topic_arn`)."""
    alarm_name_prefix: str
    """Alarm names are `<prefix>-errors`, `<prefix>-latency`, `<prefix>-saturation`."""
    variant_name: str = "primary"
    """Production variant the metrics are read for. Default `primary` (what `ModelEndpoint` creates)."""
    gpus_per_instance: int = 1
    """GPUs on each serving instance: SageMaker sums utilisation over them. Default 1."""
    thresholds: EndpointThresholds = field(default_factory=EndpointThresholds)
    """Which alarms and when they fire. Default: all three at the production defaults."""
    tags: Mapping[str, str] = field(default_factory=dict)


class EndpointAlarms(pulumi.ComponentResource):
    """Children (each only if listed in `thresholds.alarms`): `errors`, a metric-math alarm on
    100 x Invocation5XXErrors / Invocations; `latency`, ModelLatency at the configured percentile;
    `saturation`, the instances' average GPUUtilization. Missing data (no traffic) is not a breach."""

    alarm_names: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: EndpointAlarmsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:aws:EndpointAlarms", name, None, opts)
        limits = args.thresholds
        if args.gpus_per_instance < 1:
            raise ValueError("gpus_per_instance must be at least 1")
        dimensions = {"EndpointName": args.endpoint_name, "VariantName": args.variant_name}
        common: dict[str, Any] = {
            "evaluation_periods": limits.evaluation_minutes,
            "datapoints_to_alarm": limits.evaluation_minutes,
            "comparison_operator": "GreaterThanThreshold",
            "treat_missing_data": "notBreaching",
            "alarm_actions": [args.alarm_topic_arn],
            "ok_actions": [args.alarm_topic_arn],
            "tags": dict(args.tags),
        }
        self.alarm_names = {}
        if "errors" in limits.alarms:
            alarm = aws.cloudwatch.MetricAlarm(
                f"{name}-errors",
                name=f"{args.alarm_name_prefix}-errors",
                alarm_description=f"More than {limits.error_rate_percent:g}% of requests failed (5xx)",
                threshold=limits.error_rate_percent,
                metric_queries=[
                    _metric_query("errors", ERRORS_METRIC, dimensions),
                    _metric_query("requests", INVOCATIONS_METRIC, dimensions),
                    {
                        "id": "error_rate",
                        "expression": "IF(requests > 0, 100 * errors / requests, 0)",
                        "label": "5xx error rate (%)",
                        "return_data": True,
                    },
                ],
                **common,
                opts=child_options(self),
            )
            self.alarm_names["errors"] = alarm.name
        if "latency" in limits.alarms:
            alarm = aws.cloudwatch.MetricAlarm(
                f"{name}-latency",
                name=f"{args.alarm_name_prefix}-latency",
                alarm_description=f"{limits.latency_percentile} model latency above {limits.latency_ms:g} ms",
                namespace=NAMESPACE,
                metric_name=LATENCY_METRIC,
                dimensions=dimensions,
                extended_statistic=limits.latency_percentile,
                period=60,
                # ModelLatency is reported in microseconds.
                threshold=limits.latency_ms * 1000,
                **common,
                opts=child_options(self),
            )
            self.alarm_names["latency"] = alarm.name
        if "saturation" in limits.alarms:
            alarm = aws.cloudwatch.MetricAlarm(
                f"{name}-saturation",
                name=f"{args.alarm_name_prefix}-saturation",
                alarm_description=f"Serving GPUs busier than {limits.saturation_percent:g}% on average",
                namespace=INSTANCE_NAMESPACE,
                metric_name=GPU_METRIC,
                dimensions=dimensions,
                statistic="Average",
                period=60,
                threshold=limits.saturation_percent * args.gpus_per_instance,
                **common,
                opts=child_options(self),
            )
            self.alarm_names["saturation"] = alarm.name
        self.register_outputs({"alarm_names": self.alarm_names})


def _metric_query(query_id: str, metric: str, dimensions: Mapping[str, pulumi.Input[str]]) -> dict[str, Any]:
    return {
        "id": query_id,
        "return_data": False,
        "metric": {
            "namespace": NAMESPACE,
            "metric_name": metric,
            "dimensions": dict(dimensions),
            "period": 60,
            "stat": "Sum",
        },
    }
