"""`ai-infra:azure:GpuMonitoring`: GPU telemetry and alerts for one AKS cluster on an Azure
Monitor workspace (managed Prometheus): the data collection endpoint, rule and associations that
send the cluster's metrics there, and a Prometheus rule group with the GPU cost and health
rules acting through the environment's action group.

The cluster's metrics add-on (`azureMonitorProfile.metrics`, set by `GpuCluster` with
`managed_prometheus`) scrapes kube-state-metrics itself and the DCGM exporter through the
in-cluster GPU layer's ServiceMonitor / PodMonitor objects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import alertsmanagement, monitor

from components.alert_rules import GpuRule, GpuThresholds, gpu_rules, iso_duration
from components.azure.resource_ids import provider_id
from components.options import child_options

STREAM = "Microsoft-PrometheusMetrics"
DESTINATION = "MonitoringAccount"
SEVERITY = {"critical": 1, "warning": 3}
"""Prometheus rule severity -> Azure alert severity (0 critical .. 4 verbose)."""


@dataclass(frozen=True, kw_only=True)
class GpuMonitoringArgs:
    """Inputs of `GpuMonitoring`."""

    subscription_id: str
    resource_group_name: pulumi.Input[str]
    location: str
    cluster_name: pulumi.Input[str]
    """The AKS cluster (from `GpuCluster.cluster_name`); its metrics add-on must be enabled."""
    workspace_name: str
    """Name of the Azure Monitor workspace (and prefix of the collection resources)."""
    action_group_id: pulumi.Input[str]
    """The action group every rule acts through (from `AlertRoute.action_group_id`)."""
    thresholds: GpuThresholds = field(default_factory=GpuThresholds)
    """Idle and health thresholds. Default: 10% for 4 h; NotReady 10 min."""
    tags: Mapping[str, str] = field(default_factory=dict)


class GpuMonitoring(pulumi.ComponentResource):
    """Children: the Azure Monitor workspace, a data collection endpoint and rule (Prometheus
    metrics -> workspace), their two associations with the cluster, and the rule group."""

    workspace_id: pulumi.Output[str]
    rules: list[GpuRule]

    def __init__(self, name: str, args: GpuMonitoringArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:azure:GpuMonitoring", name, None, opts)
        placement = {"resource_group_name": args.resource_group_name, "location": args.location}
        tags = dict(args.tags)

        def arm_id(path: str, *names: pulumi.Input[str]) -> pulumi.Output[str]:
            return provider_id(args.subscription_id, args.resource_group_name, path, *names)

        workspace = monitor.AzureMonitorWorkspace(
            f"{name}-workspace",
            azure_monitor_workspace_name=args.workspace_name,
            tags=tags,
            **placement,
            opts=child_options(self),
        )
        endpoint = monitor.DataCollectionEndpoint(
            f"{name}-dce",
            data_collection_endpoint_name=f"dce-{args.workspace_name}",
            kind="Linux",
            tags=tags,
            **placement,
            opts=child_options(self),
        )
        self.workspace_id = arm_id("Microsoft.Monitor/accounts/{}", workspace.name)
        endpoint_id = arm_id("Microsoft.Insights/dataCollectionEndpoints/{}", endpoint.name)
        rule = monitor.DataCollectionRule(
            f"{name}-dcr",
            data_collection_rule_name=f"dcr-{args.workspace_name}",
            kind="Linux",
            data_collection_endpoint_id=endpoint_id,
            data_sources={
                "prometheus_forwarder": [
                    {"name": "PrometheusDataSource", "streams": [STREAM], "label_include_filter": {}}
                ]
            },
            destinations={"monitoring_accounts": [{"name": DESTINATION, "account_resource_id": self.workspace_id}]},
            data_flows=[{"streams": [STREAM], "destinations": [DESTINATION]}],
            tags=tags,
            **placement,
            opts=child_options(self),
        )
        cluster_id = arm_id("Microsoft.ContainerService/managedClusters/{}", args.cluster_name)
        monitor.DataCollectionRuleAssociation(
            f"{name}-dcra",
            association_name=f"dcra-{args.workspace_name}",
            resource_uri=cluster_id,
            data_collection_rule_id=arm_id("Microsoft.Insights/dataCollectionRules/{}", rule.name),
            opts=child_options(self),
        )
        monitor.DataCollectionRuleAssociation(
            f"{name}-dcea",
            # The metrics add-on reads its configuration through this exact association name.
            association_name="configurationAccessEndpoint",
            resource_uri=cluster_id,
            data_collection_endpoint_id=endpoint_id,
            opts=child_options(self),
        )
        self.rules = gpu_rules(args.thresholds)
        alertsmanagement.PrometheusRuleGroup(
            f"{name}-rules",
            rule_group_name=f"{args.workspace_name}-gpu",
            description="GPU idle (cost), XID error and NotReady (health) alerts",
            # Scoped to the cluster: Azure adds its `cluster` label to every query.
            scopes=[self.workspace_id, cluster_id],
            cluster_name=args.cluster_name,
            enabled=True,
            interval="PT1M",
            rules=[
                {
                    "alert": rule.name,
                    "expression": rule.expression,
                    "for_": iso_duration(rule.for_minutes),
                    "severity": SEVERITY[rule.severity],
                    "labels": {"kind": rule.kind},
                    "annotations": {"summary": rule.summary},
                    "enabled": True,
                    "actions": [{"action_group_id": args.action_group_id}],
                    "resolve_configuration": {"auto_resolved": True, "time_to_resolve": "PT10M"},
                }
                for rule in self.rules
            ],
            tags=tags,
            **placement,
            opts=child_options(self),
        )
        self.register_outputs({"workspace_id": self.workspace_id})
