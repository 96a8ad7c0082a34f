"""`ai-infra:gcp:EndpointAlarms`: Cloud Monitoring alert policies on one Vertex AI endpoint's
online prediction metrics (error share, latency percentile, accelerator duty cycle), all
notifying the environment's alert route."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_gcp as gcp

from components.alert_rules import EndpointThresholds
from components.options import child_options

RESOURCE_TYPE = "aiplatform.googleapis.com/Endpoint"
METRIC_PREFIX = "aiplatform.googleapis.com/prediction/online/"
ERRORS_METRIC = METRIC_PREFIX + "error_count"
PREDICTIONS_METRIC = METRIC_PREFIX + "prediction_count"
LATENCY_METRIC = METRIC_PREFIX + "prediction_latencies"
"""A distribution of response times in milliseconds."""
DUTY_CYCLE_METRIC = METRIC_PREFIX + "accelerator/duty_cycle"
"""Share of time the accelerators were busy, as a fraction (unit `10^2.%`: 1.0 is 100%)."""
PERCENTILE_ALIGNERS = {"p90": "ALIGN_PERCENTILE_95", "p99": "ALIGN_PERCENTILE_99"}
"""Cloud Monitoring aligns distributions at p50/p95/p99 only: p90 is watched as p95 (which
reaches a threshold no later than p90 does, so the alarm is stricter, never looser)."""


def endpoint_id(endpoint_name: str) -> str:
    """`projects/p/locations/r/endpoints/123` -> `123` (the metrics' `endpoint_id` label)."""
    return endpoint_name.rsplit("/", 1)[-1]


@dataclass(frozen=True, kw_only=True)
class EndpointAlarmsArgs:
    """Inputs of `EndpointAlarms`."""

    project: str
    endpoint_name: pulumi.Input[str]
    """The endpoint's resource name (from `ModelEndpoint.endpoint_name`)."""
    notification_channels: Sequence[pulumi.Input[str]]
    """Channels every policy notifies (from `AlertRoute.channel_names`)."""
    display_name_prefix: str
    """Policy display names are `<prefix> errors`, `<prefix> latency`, `<prefix> saturation`."""
    thresholds: EndpointThresholds = field(default_factory=EndpointThresholds)
    """Which alarms and when they fire. Default: all three at the production defaults."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """User labels of the policies."""


class EndpointAlarms(pulumi.ComponentResource):
    """Children (each only if listed in `thresholds.alarms`): `errors`, error_count over
    prediction_count; `latency`, the prediction latency percentile; `saturation`, the mean
    accelerator duty cycle. Policies close on their own once the condition clears."""

    policy_names: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: EndpointAlarmsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:gcp:EndpointAlarms", name, None, opts)
        limits = args.thresholds
        if not args.notification_channels:
            raise ValueError("endpoint alarms need at least one notification channel")
        resource = pulumi.Output.from_input(args.endpoint_name).apply(
            lambda n: f'resource.type = "{RESOURCE_TYPE}" AND resource.labels.endpoint_id = "{endpoint_id(n)}"'
        )
        duration = f"{limits.evaluation_minutes * 60}s"
        self.policy_names = {}
        conditions: dict[str, tuple[str, dict[str, Any]]] = {}
        if "errors" in limits.alarms:
            conditions["errors"] = (
                f"more than {limits.error_rate_percent:g}% of predictions failed",
                {
                    "filter": _metric_filter(resource, ERRORS_METRIC),
                    "denominator_filter": _metric_filter(resource, PREDICTIONS_METRIC),
                    "aggregations": [_sum_rate()],
                    "denominator_aggregations": [_sum_rate()],
                    "threshold_value": limits.error_rate_percent / 100,
                },
            )
        if "latency" in limits.alarms:
            conditions["latency"] = (
                f"{limits.latency_percentile} prediction latency above {limits.latency_ms:g} ms",
                {
                    "filter": _metric_filter(resource, LATENCY_METRIC),
                    "aggregations": [
                        {
                            "alignment_period": "60s",
                            "per_series_aligner": PERCENTILE_ALIGNERS[limits.latency_percentile],
                            "cross_series_reducer": "REDUCE_MAX",
                        }
                    ],
                    "threshold_value": limits.latency_ms,
                },
            )
        if "saturation" in limits.alarms:
            conditions["saturation"] = (
                f"accelerators busier than {limits.saturation_percent:g}% on average",
                {
                    "filter": _metric_filter(resource, DUTY_CYCLE_METRIC),
                    "aggregations": [
                        {
                            "alignment_period": "60s",
                            "per_series_aligner": "ALIGN_MEAN",
                            "cross_series_reducer": "REDUCE_MEAN",
                        }
                    ],
                    "threshold_value": limits.saturation_percent / 100,
                },
            )
        for kind, (summary, threshold) in conditions.items():
            policy = gcp.monitoring.AlertPolicy(
                f"{name}-{kind}",
                project=args.project,
                display_name=f"{args.display_name_prefix} {kind}",
                combiner="OR",
                severity="ERROR" if kind == "errors" else "WARNING",
                conditions=[
                    {
                        "display_name": summary,
                        "condition_threshold": {
                            **threshold,
                            "comparison": "COMPARISON_GT",
                            "duration": duration,
                            "trigger": {"count": 1},
                        },
                    }
                ],
                notification_channels=list(args.notification_channels),
                alert_strategy={"auto_close": "1800s"},
                documentation={"content": f"Vertex AI endpoint: {summary}.", "mime_type": "text/markdown"},
                user_labels=dict(args.labels),
                opts=child_options(self),
            )
            self.policy_names[kind] = policy.name
        self.register_outputs({"policy_names": self.policy_names})


def _metric_filter(resource: pulumi.Output[str], metric: str) -> pulumi.Output[str]:
    return resource.apply(lambda r: f'{r} AND metric.type = "{metric}"')


def _sum_rate() -> dict[str, str]:
    return {"alignment_period": "60s", "per_series_aligner": "ALIGN_RATE", "cross_series_reducer": "REDUCE_SUM"}
