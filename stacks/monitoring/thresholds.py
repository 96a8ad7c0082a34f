"""`ai-infra:alerts` as the components' threshold types."""

from __future__ import annotations

import pulumi

from components.alert_rules import EndpointThresholds, GpuThresholds
from stacks.config.alerts import AlertsSpec


def endpoint_thresholds(alerts: AlertsSpec) -> EndpointThresholds:
    spec = alerts.endpoints
    return EndpointThresholds(
        alarms=tuple(spec.alarms),
        error_rate_percent=spec.error_rate_percent,
        errors_per_minute=spec.errors_per_minute,
        latency_percentile=spec.latency_percentile,
        latency_ms=spec.latency_ms,
        saturation_percent=spec.saturation_percent,
        evaluation_minutes=spec.evaluation_minutes,
    )


def gpu_thresholds(alerts: AlertsSpec) -> GpuThresholds:
    spec = alerts.gpu
    return GpuThresholds(
        idle_utilization_percent=spec.idle_utilization_percent,
        idle_hours=spec.idle_hours,
        not_ready_minutes=spec.not_ready_minutes,
    )


def webhook(alerts: AlertsSpec) -> pulumi.Output[str] | None:
    """The webhook URL as a secret (it usually embeds a token), or None."""
    return pulumi.Output.secret(alerts.webhook) if alerts.webhook else None
