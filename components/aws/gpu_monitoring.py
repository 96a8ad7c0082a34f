"""`ai-infra:aws:GpuMonitoring`: GPU telemetry and alerts for one EKS cluster on Amazon Managed
Service for Prometheus (AMP), plus EC2 spot interruption warnings, all to the alert route.

The AMP collector (a managed scraper: no agent in the cluster) scrapes the DCGM exporter and
kube-state-metrics services that the in-cluster GPU layer installs (any Service whose name
contains `dcgm-exporter` / `kube-state-metrics`); AMP evaluates `components.alert_rules` and its
alert manager publishes to the SNS topic."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws
import yaml

from components.alert_rules import GpuRule, GpuThresholds, gpu_rules, prometheus_duration
from components.options import child_options, stateful_options

SCRAPE_INTERVAL = "30s"
SCRAPED_SERVICES = {"dcgm-exporter": ".*dcgm-exporter.*", "kube-state-metrics": ".*kube-state-metrics.*"}
"""Scrape job -> regex on the Kubernetes Service name whose endpoints it scrapes."""
YAML_WIDTH = 10_000
"""Keep PromQL expressions on one line in the generated YAML."""
SPOT_WARNING = "EC2 Spot Instance Interruption Warning"
"""EventBridge detail-type of the two-minute notice before EC2 reclaims a spot instance."""


@dataclass(frozen=True, kw_only=True)
class GpuMonitoringArgs:
    """Inputs of `GpuMonitoring`."""

    cluster_name: pulumi.Input[str]
    cluster_arn: pulumi.Input[str]
    """The EKS cluster the collector scrapes (its access entry is created by AMP for clusters in
    API authentication mode)."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """Private subnets (two or more zones) for the collector's network interfaces."""
    security_group_ids: Sequence[pulumi.Input[str]]
    """Security groups that let the collector reach the exporters (the cluster security group)."""
    alarm_topic_arn: pulumi.Input[str]
    """SNS topic of the alert route."""
    region: str
    workspace_alias: str
    thresholds: GpuThresholds = field(default_factory=GpuThresholds)
    """Idle and health thresholds. Default: 10% for 4 h; NotReady 10 min."""
    spot_interruption_alerts: bool = False
    """Default False. True (the environment runs spot pools): an EventBridge rule sends EC2 spot
    interruption warnings of this account and region to the route."""
    protect: bool = False
    """True (prod): the workspace's KMS key is protected and retained (the workspace holds
    operational metrics only and may be recreated)."""
    tags: Mapping[str, str] = field(default_factory=dict)


class GpuMonitoring(pulumi.ComponentResource):
    """Children: a KMS key for the workspace, the AMP workspace, the managed scraper, a rule group
    namespace with the GPU cost and health rules, the alert manager definition (SNS receiver),
    and, with spot pools, an EventBridge rule and its SNS target."""

    workspace_id: pulumi.Output[str]
    rules: list[GpuRule]

    def __init__(self, name: str, args: GpuMonitoringArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:aws:GpuMonitoring", name, None, opts)
        tags = {**args.tags, "purpose": "gpu-monitoring"}
        key = aws.kms.Key(
            f"{name}-key",
            description=f"Encrypts metrics in AMP workspace {args.workspace_alias}",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            tags=tags,
            opts=stateful_options(self, args.protect),
        )
        workspace = aws.amp.Workspace(
            f"{name}-workspace",
            alias=args.workspace_alias,
            kms_key_arn=key.arn,
            tags=tags,
            opts=child_options(self),
        )
        aws.amp.Scraper(
            f"{name}-scraper",
            alias=args.workspace_alias,
            source={
                "eks": {
                    "cluster_arn": args.cluster_arn,
                    "subnet_ids": list(args.subnet_ids),
                    "security_group_ids": list(args.security_group_ids),
                }
            },
            destination={"amp": {"workspace_arn": workspace.arn}},
            scrape_configuration=scrape_configuration(),
            tags=tags,
            opts=child_options(self),
        )
        self.rules = gpu_rules(args.thresholds)
        aws.amp.RuleGroupNamespace(
            f"{name}-rules",
            name="gpu",
            workspace_id=workspace.id,
            data=pulumi.Output.from_input(args.cluster_name).apply(lambda c: rule_groups(self.rules, c)),
            tags=tags,
            opts=child_options(self),
        )
        aws.amp.AlertManagerDefinition(
            f"{name}-alertmanager",
            workspace_id=workspace.id,
            definition=pulumi.Output.from_input(args.alarm_topic_arn).apply(
                lambda arn: alert_manager_definition(arn, args.region)
            ),
            opts=child_options(self),
        )
        if args.spot_interruption_alerts:
            rule = aws.cloudwatch.EventRule(
                f"{name}-spot-interruption",
                description="EC2 spot interruption warnings (two minutes before a spot GPU node is reclaimed)",
                event_pattern=json.dumps({"source": ["aws.ec2"], "detail-type": [SPOT_WARNING]}),
                tags=tags,
                opts=child_options(self),
            )
            aws.cloudwatch.EventTarget(
                f"{name}-spot-interruption-route",
                rule=rule.name,
                target_id="alert-route",
                arn=args.alarm_topic_arn,
                opts=child_options(self),
            )
        self.workspace_id = workspace.id
        self.register_outputs({"workspace_id": self.workspace_id})


def scrape_configuration() -> str:
    """The collector's Prometheus scrape configuration: one job per exporter Service, each
    series labelled with the node it came from."""
    jobs: list[dict[str, Any]] = []
    for job, pattern in SCRAPED_SERVICES.items():
        relabel: list[dict[str, Any]] = [
            {"source_labels": ["__meta_kubernetes_service_name"], "regex": pattern, "action": "keep"}
        ]
        scrape: dict[str, Any] = {"job_name": job, "kubernetes_sd_configs": [{"role": "endpoints"}]}
        if job == "kube-state-metrics":
            # Its series name the node they describe (`node`): keep that label as exported.
            scrape["honor_labels"] = True
        else:
            relabel.append({"source_labels": ["__meta_kubernetes_pod_node_name"], "target_label": "node"})
        jobs.append({**scrape, "relabel_configs": relabel})
    return _yaml({"global": {"scrape_interval": SCRAPE_INTERVAL}, "scrape_configs": jobs})


def rule_groups(rules: Sequence[GpuRule], cluster_name: str) -> str:
    """AMP rule group namespace data: the rules as one Prometheus rule group."""
    return _yaml(
        {
            "groups": [
                {
                    "name": "gpu",
                    "rules": [
                        {
                            "alert": rule.name,
                            "expr": rule.expression,
                            "for": prometheus_duration(rule.for_minutes),
                            "labels": {"severity": rule.severity, "kind": rule.kind, "cluster": cluster_name},
                            "annotations": {"summary": rule.summary},
                        }
                        for rule in rules
                    ],
                }
            ]
        }
    )


def alert_manager_definition(topic_arn: str, region: str) -> str:
    """The workspace's alert manager: every alert to the SNS topic, grouped per alert and node."""
    config = {
        "route": {"receiver": "alert-route", "group_by": ["alertname", "Hostname", "node"], "repeat_interval": "4h"},
        "receivers": [
            {
                "name": "alert-route",
                "sns_configs": [{"topic_arn": topic_arn, "sigv4": {"region": region}, "send_resolved": True}],
            }
        ],
    }
    # AMP wants the Alertmanager configuration as a string inside the definition document.
    return "alertmanager_config: |\n" + textwrap.indent(_yaml(config), "  ")


def _yaml(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, sort_keys=False, width=YAML_WIDTH)
