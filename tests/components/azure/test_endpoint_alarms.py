"""ai-infra:azure:EndpointAlarms: metric alerts on an Azure ML online endpoint (5xx a minute,
latency percentile) and its deployment's GPUs, scoped by ARM id and acting through the route."""

from __future__ import annotations

import pytest

from components.alert_rules import EndpointThresholds
from components.azure.endpoint_alarms import EndpointAlarms, EndpointAlarmsArgs, window

ALERT = "azure-native:monitor:MetricAlert"
GROUP = "/subscriptions/s/resourceGroups/rg-test/providers/Microsoft.Insights/actionGroups/ag"
ENDPOINT = (
    "/subscriptions/s/resourceGroups/rg-test/providers/Microsoft.MachineLearningServices"
    "/workspaces/mlw-test/onlineEndpoints/test-chat"
)


def make(**overrides):
    args = {
        "subscription_id": "s",
        "resource_group_name": "rg-test",
        "workspace_name": "mlw-test",
        "endpoint_name": "test-chat",
        "action_group_id": GROUP,
        "alert_name_prefix": "ai-infra-test-chat",
        "thresholds": EndpointThresholds(errors_per_minute=3, latency_ms=1500, saturation_percent=80),
        **overrides,
    }
    return lambda: EndpointAlarms("chat-alarms", EndpointAlarmsArgs(**args))


def alerts(run):
    return {a.inputs["ruleName"].rsplit("-", 1)[-1]: a.inputs for a in run.of_type(ALERT)}


def criterion(alert):
    [only] = alert["criteria"]["allOf"]
    return only


def test_errors_count_5xx_responses_of_the_endpoint(declare):
    errors = alerts(declare(make()))["errors"]
    assert errors["scopes"] == [ENDPOINT]
    assert errors["criteria"]["odataType"] == "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria"
    rule = criterion(errors)
    assert (rule["metricName"], rule["threshold"], rule["operator"]) == ("RequestsPerMinute", 3, "GreaterThan")
    assert rule["dimensions"] == [{"name": "statusCodeClass", "operator": "Include", "values": ["5xx"]}]


def test_latency_percentile_and_deployment_gpu_saturation(declare):
    found = alerts(declare(make()))
    assert (criterion(found["latency"])["metricName"], criterion(found["latency"])["threshold"]) == (
        "RequestLatency_P99",
        1500,
    )
    assert found["saturation"]["scopes"] == [f"{ENDPOINT}/deployments/primary"]
    assert criterion(found["saturation"])["metricName"] == "GpuUtilizationPercentage"


def test_every_alert_acts_through_the_route_and_resolves_itself(declare):
    for alert in alerts(declare(make())).values():
        assert alert["actions"] == [{"actionGroupId": GROUP}]
        assert (alert["enabled"], alert["autoMitigate"], alert["location"]) == (True, True, "global")
        assert alert["windowSize"] == "PT5M"


@pytest.mark.parametrize(("minutes", "size"), [(1, "PT1M"), (5, "PT5M"), (10, "PT15M"), (60, "PT1H"), (600, "PT12H")])
def test_the_window_is_the_smallest_azure_accepts(minutes, size):
    assert window(minutes) == size
