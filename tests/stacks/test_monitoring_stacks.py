"""The dev and prod stacks' monitoring on every cloud: one route, error and latency alarms per
endpoint that reach it, an idle-GPU alert per GPU cluster, a dashboard, budgets on the route; dev
has fewer alarms (no saturation) and reports idle GPUs sooner, as Pulumi.dev.yaml says."""

from __future__ import annotations

import json

import pytest

STACKS = ["dev", "prod"]
_ROUTED = {"dev": "alerts", "prod": "oncall"}
"""Who `ai-infra:alerts.emails` names in each stack (ml-platform-<...>@example.com)."""


def children(run, component_type):
    [component] = run.of_type(component_type)
    return run.children_of(component.urn)


@pytest.mark.parametrize("stack", STACKS)
def test_aws_alarms_reach_the_route_and_budgets_use_it(stack_run, stack):
    run = stack_run(stack)
    topic_arn = f"arn:aws:sns:us-east-1:123456789012:ai-infra-{stack}-alerts"
    assert f"ai-infra-{stack}-alerts" in {t.inputs["name"] for t in run.of_type("aws:sns/topic:Topic")}
    alarms = {a.inputs["name"]: a.inputs for a in run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    # Dev's asynchronous endpoint also has the alarm that wakes it from zero (it acts on a scaling policy).
    alarms.pop(f"ai-infra-{stack}-chat-wake", None)
    expected = {"errors", "latency"} | ({"saturation"} if stack == "prod" else set())
    assert set(alarms) == {f"ai-infra-{stack}-chat-{kind}" for kind in expected}
    assert all(a["alarmActions"] == [topic_arn] for a in alarms.values())
    assert all(a["dimensions" if "dimensions" in a else "metricQueries"] for a in alarms.values())
    notifications = run.one("aws:budgets/budget:Budget").inputs["notifications"]
    assert all(n["subscriberSnsTopicArns"] == [topic_arn] for n in notifications)
    run.one("aws:cloudwatch/dashboard:Dashboard")


@pytest.mark.parametrize(("stack", "idle", "hours"), [("dev", 5, "1h"), ("prod", 10, "4h")])
def test_aws_gpu_cluster_has_an_idle_alert_at_the_environments_thresholds(stack_run, stack, idle, hours):
    run = stack_run(stack)
    rules = run.one("aws:amp/ruleGroupNamespace:RuleGroupNamespace").inputs["data"]
    assert f"avg by (Hostname) (DCGM_FI_DEV_GPU_UTIL) < {idle}\n    for: {hours}" in rules
    assert run.one("aws:amp/scraper:Scraper").inputs["source"]["eks"]["clusterArn"].endswith(f"/ai-infra-{stack}")
    spot_rules = [r for r in run.of_type("aws:cloudwatch/eventRule:EventRule") if "EventBatchInference" not in r.urn]
    assert len(spot_rules) == (1 if stack == "dev" else 0), "spot interruption warnings where pools are spot"


@pytest.mark.parametrize("stack", STACKS)
def test_gcp_policies_notify_the_route_channels_which_the_budget_shares(stack_run, stack):
    run = stack_run(stack)
    route = children(run, "ai-infra:gcp:AlertRoute")
    assert [c.inputs["labels"]["email_address"] for c in route] == [f"ml-platform-{_ROUTED[stack]}@example.com"]
    policies = run.of_type("gcp:monitoring/alertPolicy:AlertPolicy")
    route_channels = sorted(policies[0].inputs["notificationChannels"])
    assert len(route_channels) == len(route)
    assert all(sorted(p.inputs["notificationChannels"]) == route_channels for p in policies)
    budget = run.one("gcp:billing/budget:Budget").inputs["allUpdatesRule"]["monitoringNotificationChannels"]
    assert set(route_channels) <= set(budget)
    kinds = {p.inputs["displayName"].rsplit(" ", 1)[-1] for p in policies if "chat" in p.inputs["displayName"]}
    # Endpoint alarms watch Vertex AI endpoints: prod's (dev serves on Cloud Run).
    assert kinds == ({"errors", "latency", "saturation"} if stack == "prod" else set())
    idle = [p for p in policies if p.inputs["displayName"].endswith("GpuIdle")]
    assert len(idle) == 1
    assert 'cluster="ai-infra-' in idle[0].inputs["conditions"][0]["conditionPrometheusQueryLanguage"]["query"]
    run.one("gcp:monitoring/dashboard:Dashboard")


@pytest.mark.parametrize("stack", STACKS)
def test_azure_alerts_act_through_the_action_group_which_the_budget_shares(stack_run, stack):
    run = stack_run(stack)
    group = (
        f"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ai-infra-{stack}"
        f"/providers/Microsoft.Insights/actionGroups/ag-ai-infra-{stack}"
    )
    alerts = run.of_type("azure-native:monitor:MetricAlert")
    # Endpoint alerts watch Azure ML endpoints: prod's (dev serves on Container Apps).
    assert {a.inputs["ruleName"].rsplit("-", 1)[-1] for a in alerts} == (
        {"errors", "latency", "saturation"} if stack == "prod" else set()
    )
    assert all(a.inputs["actions"] == [{"actionGroupId": group}] for a in alerts)
    budget = run.one("azure-native:consumption:Budget").inputs["notifications"]
    assert all(n["contactGroups"] == [group] for n in budget.values())
    rules = run.one("azure-native:alertsmanagement:PrometheusRuleGroup").inputs
    assert rules["clusterName"] == f"aks-ai-infra-{stack}"
    assert any(r["alert"] == "GpuIdle" for r in rules["rules"])
    cluster = run.one("azure-native:containerservice:ManagedCluster").inputs
    assert cluster["azureMonitorProfile"] == {"metrics": {"enabled": True}}
    run.one("azure-native:applicationinsights:Workbook")


@pytest.mark.parametrize("stack", STACKS)
def test_alicloud_alarms_and_gpu_rules_reach_the_route(stack_run, stack):
    run = stack_run(stack)
    group = run.one("alicloud:cms/alarmContactGroup:AlarmContactGroup").inputs["alarmContactGroupName"]
    alarms = run.of_type("alicloud:cms/alarm:Alarm")
    # Endpoint alarms watch PAI-EAS services: prod's (dev serves on Function Compute).
    assert {a.inputs["metric"] for a in alarms} >= ({"5xxResponseRatio"} if stack == "prod" else set())
    assert all(a.inputs["contactGroups"] == [group] for a in alarms)
    assert all(json.loads(a.inputs["metricDimensions"]) == [{"serviceName": f"{stack}_chat"}] for a in alarms)
    dispatch = run.one("alicloud:arms/dispatchRule:DispatchRule")
    rules = run.of_type("alicloud:arms/prometheusAlertRule:PrometheusAlertRule")
    assert {r.inputs["prometheusAlertRuleName"] for r in rules} >= {f"ai-infra-{stack}-gpu-idle"}
    assert all(r.inputs["dispatchRuleId"] == run.id_of(dispatch.name) for r in rules)
    dashboard = run.one("ai-infra:alicloud:Dashboard")
    assert dashboard.inputs["providerSupport"] == "none"
    assert json.loads(dashboard.inputs["dashboardJson"])["panels"]
    assert "alicloud_dashboard_json" in run.outputs
