"""`ai-infra:alicloud:GpuMonitoring`: GPU telemetry and alerts for one ACK cluster on ARMS
Managed Service for Prometheus, plus ECS spot interruption events, all to the alert route.

The ARMS instance of type `aliyun-cs` installs ARMS's collector in the cluster; it scrapes
kube-state-metrics and, through the in-cluster GPU layer's ServiceMonitor / PodMonitor objects,
the DCGM exporter. ARMS evaluates the rules of `components.alert_rules` and dispatches their
alerts through the route's dispatch rule."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_alicloud as alicloud

from components.alert_rules import GpuRule, GpuThresholds, gpu_rules
from components.options import child_options

SPOT_INTERRUPTION = "Instance:PreemptibleInstanceInterruption"
"""The ECS system event sent about five minutes before a spot instance is released."""
EMAIL_LEVEL = "4"
"""CloudMonitor event-rule notification level that sends e-mail (and DingTalk)."""


@dataclass(frozen=True, kw_only=True)
class GpuMonitoringArgs:
    """Inputs of `GpuMonitoring`."""

    cluster_id: pulumi.Input[str]
    """The ACK cluster (from `GpuCluster.cluster_id`)."""
    rule_prefix: str
    """Alert rule names are `<rule_prefix>-<rule>`; the route dispatches on this prefix."""
    dispatch_rule_id: pulumi.Input[str]
    """ARMS dispatch rule of the route (from `AlertRoute.dispatch_rule_id`)."""
    contact_group_name: pulumi.Input[str]
    """CloudMonitor contact group of the route, for the spot interruption events."""
    thresholds: GpuThresholds = field(default_factory=GpuThresholds)
    """Idle and health thresholds. Default: 10% for 4 h; NotReady 10 min."""
    spot_interruption_alerts: bool = False
    """Default False. True (the cluster has spot pools): ECS spot interruption events of the
    account and region go to the contact group."""
    tags: Mapping[str, str] = field(default_factory=dict)


class GpuMonitoring(pulumi.ComponentResource):
    """Children: the ARMS Prometheus instance of the cluster (shared Grafana, pay per metric
    ingested), one ARMS Prometheus alert rule per GPU rule, and, with spot pools, a CloudMonitor
    event rule."""

    rules: list[GpuRule]

    def __init__(self, name: str, args: GpuMonitoringArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:alicloud:GpuMonitoring", name, None, opts)
        prometheus = alicloud.arms.Prometheus(
            f"{name}-prometheus",
            cluster_type="aliyun-cs",
            cluster_id=args.cluster_id,
            grafana_instance_id="free",
            tags=dict(args.tags),
            opts=child_options(self),
        )
        self.rules = gpu_rules(args.thresholds)
        for rule in self.rules:
            alicloud.arms.PrometheusAlertRule(
                f"{name}-{rule.slug}",
                prometheus_alert_rule_name=f"{args.rule_prefix}-{rule.slug}",
                cluster_id=args.cluster_id,
                expression=rule.expression,
                # ARMS counts the pending period in minutes.
                duration=str(rule.for_minutes),
                message=rule.summary,
                notify_type="DISPATCH_RULE",
                dispatch_rule_id=args.dispatch_rule_id,
                labels=[{"name": "severity", "value": rule.severity}, {"name": "kind", "value": rule.kind}],
                annotations=[{"name": "summary", "value": rule.summary}],
                opts=child_options(self, depends_on=[prometheus]),
            )
        if args.spot_interruption_alerts:
            alicloud.cms.EventRule(
                f"{name}-spot-interruption",
                rule_name=f"{args.rule_prefix}-spot-interruption",
                description="ECS spot interruption notices (a spot GPU node is about to be released)",
                event_pattern={
                    "product": "ecs",
                    "event_type_lists": ["StatusNotification"],
                    "name_lists": [SPOT_INTERRUPTION],
                },
                contact_parameters=[{"contact_group_name": args.contact_group_name, "level": EMAIL_LEVEL}],
                status="ENABLED",
                opts=child_options(self),
            )
        self.register_outputs({})
