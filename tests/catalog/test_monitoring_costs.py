"""Monitoring resources are priced per alarm metric, alert condition and dashboard from sourced
figures, and usage-billed Prometheus workspaces are unknown with their reason, never $0."""

from __future__ import annotations

import pytest

from catalog.costs import estimate_resource
from catalog.estimators import monitoring as m
from catalog.prices import TIMES

ERROR_RATE_ALARM = {
    "metricQueries": [
        {"id": "errors", "metric": {"metricName": "Invocation5XXErrors"}},
        {"id": "requests", "metric": {"metricName": "Invocations"}},
        {"id": "rate", "expression": "100 * errors / requests", "returnData": True},
    ]
}


def cost(type_, inputs, region):
    result = estimate_resource(type_, "urn:test", inputs, region=region)
    assert result is not None
    return result


def test_a_cloudwatch_alarm_costs_ten_cents_per_metric_it_evaluates():
    single = cost(m.AWS_ALARM, {"metricName": "ModelLatency", "period": 60}, "us-east-1")
    assert (single.floor_usd, single.ceiling_usd) == (0.10, 0.10)
    math = cost(m.AWS_ALARM, ERROR_RATE_ALARM, "us-east-1")
    assert math.ceiling_usd == 0.20
    assert f"2 {TIMES} alarm metric $0.10/month" in math.basis


def test_a_high_resolution_alarm_is_unknown_not_standard():
    assert cost(m.AWS_ALARM, {"metricName": "ModelLatency", "period": 10}, "us-east-1").unknown_reason


def test_a_cloudwatch_dashboard_costs_three_dollars_a_month():
    assert cost(m.AWS_DASHBOARD, {"dashboardName": "d"}, "us-east-1").ceiling_usd == 3.00


def test_prices_sourced_for_one_region_are_unknown_elsewhere():
    result = cost(m.AWS_ALARM, {"metricName": "ModelLatency"}, "eu-west-1")
    assert result.floor_usd is None and "us-east-1" in (result.unknown_reason or "")


def test_gcp_alert_policies_cost_per_condition():
    conditions = [{"conditionThreshold": {}}, {"conditionPrometheusQueryLanguage": {}}]
    assert cost(m.GCP_ALERT_POLICY, {"conditions": conditions}, "us-central1").ceiling_usd == 3.00
    log_match = cost(m.GCP_ALERT_POLICY, {"conditions": [{"conditionMatchedLog": {}}]}, "us-central1")
    assert log_match.unknown_reason and "log-match" in log_match.unknown_reason


@pytest.mark.parametrize(
    ("type_", "region", "says"),
    [
        (m.AWS_AMP_SCRAPER, "us-east-1", "per hour"),
        (m.AZURE_METRIC_ALERT, "eastus", "not sourced"),
        (m.ALICLOUD_CMS_ALARM, "ap-southeast-1", "not sourced"),
        (m.ALICLOUD_ARMS_PROMETHEUS, "ap-southeast-1", "per custom metric sample"),
    ],
)
def test_usage_billed_and_unsourced_items_are_unknown_never_zero(type_, region, says):
    result = cost(type_, {}, region)
    assert (result.floor_usd, result.ceiling_usd) == (None, None)
    assert says in (result.unknown_reason or "")


@pytest.mark.parametrize("type_", [m.AWS_AMP_WORKSPACE, m.AZURE_MONITOR_WORKSPACE])
def test_managed_prometheus_workspaces_bill_usage_only(type_):
    """No standing fee, only samples ingested and queried: `usage`, never a $0 figure in the totals."""
    result = cost(type_, {}, "us-east-1" if type_.startswith("aws") else "eastus")
    assert result.usage_only and result.known
