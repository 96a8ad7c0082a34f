"""`ai-infra:gcp:GpuMonitoring`: GPU alerts for one GKE cluster from Google Managed Prometheus,
as Cloud Monitoring alert policies with PromQL conditions, plus spot preemption notices.

GKE's managed collection (on by default since GKE 1.27) stores what the in-cluster GPU layer's
PodMonitoring objects scrape (the DCGM exporter, kube-state-metrics), labelled with the
`cluster`; the rules of `components.alert_rules` are filtered to this cluster and evaluated by
Cloud Monitoring, which notifies the alert route."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp

from components.alert_rules import GpuRule, GpuThresholds, gpu_rules
from components.options import child_options

PREEMPTED = "compute.instances.preempted"
"""The Compute Engine system-event method logged when a spot / preemptible VM is reclaimed."""


@dataclass(frozen=True, kw_only=True)
class GpuMonitoringArgs:
    """Inputs of `GpuMonitoring`."""

    project: str
    cluster_name: pulumi.Input[str]
    """The GKE cluster (its name is the `cluster` label on its Prometheus series)."""
    notification_channels: Sequence[pulumi.Input[str]]
    """Channels every policy notifies (from `AlertRoute.channel_names`)."""
    display_name_prefix: str
    thresholds: GpuThresholds = field(default_factory=GpuThresholds)
    """Idle and health thresholds. Default: 10% for 4 h; NotReady 10 min."""
    spot_preemption_alerts: bool = False
    """Default False. True (the cluster has spot GPU pools): a log-based policy reports each
    preempted node of the cluster."""
    labels: Mapping[str, str] = field(default_factory=dict)


class GpuMonitoring(pulumi.ComponentResource):
    """Children: one alert policy per GPU rule (idle: cost; XID errors and NotReady nodes:
    health) and, with spot pools, a log-match policy on preemptions of the cluster's VMs."""

    rules: list[GpuRule]

    def __init__(self, name: str, args: GpuMonitoringArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:gcp:GpuMonitoring", name, None, opts)
        if not args.notification_channels:
            raise ValueError("GPU monitoring needs at least one notification channel")
        common = {
            "project": args.project,
            "combiner": "OR",
            "notification_channels": list(args.notification_channels),
            "user_labels": dict(args.labels),
        }
        cluster = pulumi.Output.from_input(args.cluster_name)
        self.rules = gpu_rules(args.thresholds)
        for rule in self.rules:
            query = _query(cluster, args.thresholds, rule.name)
            gcp.monitoring.AlertPolicy(
                f"{name}-{rule.slug}",
                display_name=f"{args.display_name_prefix} {rule.name}",
                severity="WARNING" if rule.severity == "warning" else "CRITICAL",
                conditions=[
                    {
                        "display_name": rule.summary,
                        "condition_prometheus_query_language": {
                            "query": query,
                            "duration": f"{rule.for_minutes * 60}s",
                            "evaluation_interval": "60s",
                            "alert_rule": rule.name,
                            "rule_group": "gpu",
                            "labels": {"severity": rule.severity, "kind": rule.kind},
                            # The exporters' metrics appear only once GPU nodes have run.
                            "disable_metric_validation": True,
                        },
                    }
                ],
                alert_strategy={"auto_close": "1800s"},
                documentation={"content": rule.summary, "mime_type": "text/markdown"},
                **common,
                opts=child_options(self),
            )
        if args.spot_preemption_alerts:
            gcp.monitoring.AlertPolicy(
                f"{name}-spot-preemption",
                display_name=f"{args.display_name_prefix} spot preemption",
                severity="WARNING",
                conditions=[
                    {
                        "display_name": "a spot node of the cluster was preempted",
                        "condition_matched_log": {
                            "filter": cluster.apply(
                                lambda c: (
                                    f'resource.type="gce_instance" AND protoPayload.methodName="{PREEMPTED}" '
                                    f'AND protoPayload.resourceName:"gke-{c}-"'
                                )
                            )
                        },
                    }
                ],
                # Log-match policies must rate-limit their notifications.
                alert_strategy={"notification_rate_limit": {"period": "300s"}, "auto_close": "1800s"},
                documentation={
                    "content": "Spot GPU capacity was reclaimed; jobs on it restart.",
                    "mime_type": "text/markdown",
                },
                **common,
                opts=child_options(self),
            )
        self.register_outputs({})


def _query(cluster: pulumi.Output[str], thresholds: GpuThresholds, rule_name: str) -> pulumi.Output[str]:
    """The PromQL of rule `rule_name` with every metric filtered to `cluster`."""

    def expression(cluster_name: str) -> str:
        by_name = {r.name: r for r in gpu_rules(thresholds, selector=f'cluster="{cluster_name}"')}
        return by_name[rule_name].expression

    return cluster.apply(expression)
