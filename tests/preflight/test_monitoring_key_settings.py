"""The plan table's key settings for alarms say what each watches (metric), when it fires
(threshold) and where it notifies (route), on all four clouds; values not known yet are skipped."""

from __future__ import annotations

import pytest

from preflight.key_settings import KEY_SETTINGS, key_settings
from preflight.key_settings.monitoring import KEY_SETTINGS as MONITORING
from preflight.records import ResourceRecord

ALARM_TYPES = (
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "gcp:monitoring/alertPolicy:AlertPolicy",
    "azure-native:monitor:MetricAlert",
    "alicloud:cms/alarm:Alarm",
)


@pytest.mark.parametrize("type_", ALARM_TYPES)
def test_every_alarm_type_shows_metric_threshold_and_route(type_):
    labels = [label for label, _ in MONITORING[type_]]
    assert {"metric", "threshold", "route"} <= set(labels)


def test_prod_alarms_name_their_metric_threshold_and_route(stack_run):
    run = stack_run("prod")
    # AWS and Google Cloud alarm names coincide (`prod-chat-alarms-*`): look them up per type.
    aws = {r.name: key_settings(r) for r in run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    assert aws["prod-chat-alarms-latency"] == (
        "metric=ModelLatency stat=p99 threshold=2000000 for_min=5 route=ai-infra-prod-alerts"
    )
    assert aws["prod-chat-alarms-errors"].startswith("metric=IF(requests > 0, 100 * errors / requests, 0)")
    assert "threshold=2 " in aws["prod-chat-alarms-errors"]
    policies = {r.name: key_settings(r) for r in run.of_type("gcp:monitoring/alertPolicy:AlertPolicy")}
    assert policies["prod-chat-alarms-latency"].startswith("metric=prediction_latencies threshold=2000 for=300s route=")
    assert policies["prod-gpu-monitoring-gpu-idle"].startswith("metric=GpuIdle for=14400s route=")
    alerts = {r.name: key_settings(r) for r in run.of_type("azure-native:monitor:MetricAlert")}
    assert alerts["prod-az-chat-alarms-latency"] == (
        "metric=RequestLatency_P99 threshold=2000 window=PT5M route=ag-ai-infra-prod"
    )
    cms = {r.name: key_settings(r) for r in run.of_type("alicloud:cms/alarm:Alarm")}
    assert cms["prod-alicloud-chat-alarms-errors"] == (
        "metric=5xxResponseRatio threshold=2 times=5 route=ai-infra-prod-alerts"
    )


def test_gpu_rule_groups_list_their_alerts(stack_run):
    run = stack_run("prod")
    [amp] = run.of_type("aws:amp/ruleGroupNamespace:RuleGroupNamespace")
    assert key_settings(amp) == "alerts=GpuIdle,GpuXidErrors,GpuNodeNotReady"
    [manager] = run.of_type("aws:amp/alertManagerDefinition:AlertManagerDefinition")
    assert key_settings(manager) == "route=ai-infra-prod-alerts"
    [azure] = run.of_type("azure-native:alertsmanagement:PrometheusRuleGroup")
    assert key_settings(azure) == (
        "cluster=aks-ai-infra-prod alerts=GpuIdle,GpuXidErrors,GpuNodeNotReady route=ag-ai-infra-prod"
    )


@pytest.mark.parametrize("type_", sorted(MONITORING))
def test_values_not_known_yet_are_skipped_not_fatal(type_):
    unknown = "[unknown]"
    inputs = {path: unknown for _, path in KEY_SETTINGS[type_] if isinstance(path, str)}
    for key in ("metricQueries", "conditions", "criteria", "rules", "data", "definition", "source", "eventPattern",
                "alarmActions", "actions", "notificationChannels", "arn"):  # fmt: skip
        inputs.setdefault(key, unknown)
    record = ResourceRecord(
        type=type_,
        name="r",
        urn="urn:r",
        parent=None,
        custom=True,
        protect=False,
        retain_on_delete=False,
        provider=None,
        dependencies=[],
        property_dependencies={},
        aliases=[],
        inputs=inputs,
    )
    assert isinstance(key_settings(record), str)
