"""`ai-infra:alicloud:EndpointAlarms`: CloudMonitor alarms on one PAI-EAS service (5xx share,
response-time percentile, GPU utilisation), all notifying the environment's contact group."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_alicloud as alicloud

from components.alert_rules import EndpointThresholds
from components.options import child_options

NAMESPACE = "acs_pai_eas"
"""CloudMonitor namespace of PAI-EAS services (`acs_<product>`, as `acs_pai_dsw` for DSW)."""
SERVICE_DIMENSION = "serviceName"
"""The dimension that selects one EAS service."""
ERROR_METRIC = "5xxResponseRatio"
"""Share of responses with a 5xx status, percent."""
LATENCY_METRICS = {"p90": "TP90ResponseTime", "p99": "TP99ResponseTime"}
"""Response-time percentiles, milliseconds."""
GPU_METRIC = "GPUUtilization"
"""GPU utilisation of the service's instances, percent."""
SILENCE_SECONDS = 3600
"""A firing alarm is repeated at most hourly."""


@dataclass(frozen=True, kw_only=True)
class EndpointAlarmsArgs:
    """Inputs of `EndpointAlarms`."""

    service_name: pulumi.Input[str]
    """The EAS service (from `ModelEndpoint.endpoint_name`)."""
    contact_group_name: pulumi.Input[str]
    """CloudMonitor contact group every alarm notifies (from `AlertRoute.contact_group_name`)."""
    alarm_name_prefix: str
    """Alarm names are `<prefix>-errors`, `<prefix>-latency`, `<prefix>-saturation`."""
    webhook_url: pulumi.Input[str] | None = None
    """Default None. Also call this https endpoint when an alarm fires (secret)."""
    thresholds: EndpointThresholds = field(default_factory=EndpointThresholds)
    """Which alarms and when they fire. Default: all three at the production defaults."""
    tags: Mapping[str, str] = field(default_factory=dict)


class EndpointAlarms(pulumi.ComponentResource):
    """Children (each only if listed in `thresholds.alarms`): `cms.Alarm` rules on
    5xxResponseRatio, TP90/TP99ResponseTime and GPUUtilization of the service, critical after
    `evaluation_minutes` consecutive one-minute breaches."""

    alarm_ids: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: EndpointAlarmsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:alicloud:EndpointAlarms", name, None, opts)
        limits = args.thresholds
        watched: dict[str, tuple[str, float]] = {}
        if "errors" in limits.alarms:
            watched["errors"] = (ERROR_METRIC, limits.error_rate_percent)
        if "latency" in limits.alarms:
            watched["latency"] = (LATENCY_METRICS[limits.latency_percentile], limits.latency_ms)
        if "saturation" in limits.alarms:
            watched["saturation"] = (GPU_METRIC, limits.saturation_percent)
        dimensions = pulumi.Output.from_input(args.service_name).apply(
            lambda service: json.dumps([{SERVICE_DIMENSION: service}])
        )
        self.alarm_ids = {}
        for kind, (metric, threshold) in watched.items():
            alarm = alicloud.cms.Alarm(
                f"{name}-{kind}",
                name=f"{args.alarm_name_prefix}-{kind}",
                project=NAMESPACE,
                metric=metric,
                metric_dimensions=dimensions,
                period=60,
                contact_groups=[args.contact_group_name],
                escalations_critical={
                    "statistics": "Average",
                    "comparison_operator": ">",
                    "threshold": f"{threshold:g}",
                    "times": limits.evaluation_minutes,
                },
                effective_interval="00:00-23:59",
                silence_time=SILENCE_SECONDS,
                enabled=True,
                webhook=args.webhook_url,
                tags=dict(args.tags),
                opts=child_options(self),
            )
            self.alarm_ids[kind] = alarm.id
        self.register_outputs({"alarm_ids": self.alarm_ids})
