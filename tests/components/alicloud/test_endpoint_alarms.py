"""ai-infra:alicloud:EndpointAlarms: CloudMonitor alarms on one PAI-EAS service (5xx share,
response-time percentile, GPU utilisation) notifying the route's contact group."""

from __future__ import annotations

import json

from components.alert_rules import EndpointThresholds
from components.alicloud.endpoint_alarms import NAMESPACE, EndpointAlarms, EndpointAlarmsArgs

ALARM = "alicloud:cms/alarm:Alarm"


def make(**overrides):
    args = {
        "service_name": "test_chat",
        "contact_group_name": "ai-infra-test-alerts",
        "alarm_name_prefix": "ai-infra-test-chat",
        "thresholds": EndpointThresholds(error_rate_percent=2, latency_ms=1500, saturation_percent=80),
        "tags": {"environment": "test"},
        **overrides,
    }
    return lambda: EndpointAlarms("chat-alarms", EndpointAlarmsArgs(**args))


def alarms(run):
    return {a.inputs["name"].rsplit("-", 1)[-1]: a.inputs for a in run.of_type(ALARM)}


def test_each_alarm_watches_the_service_and_notifies_the_route(declare):
    found = alarms(declare(make()))
    assert {kind: (a["metric"], a["escalationsCritical"]["threshold"]) for kind, a in found.items()} == {
        "errors": ("5xxResponseRatio", "2"),
        "latency": ("TP99ResponseTime", "1500"),
        "saturation": ("GPUUtilization", "80"),
    }
    for alarm in found.values():
        assert alarm["project"] == NAMESPACE
        assert json.loads(alarm["metricDimensions"]) == [{"serviceName": "test_chat"}]
        assert alarm["contactGroups"] == ["ai-infra-test-alerts"]
        assert (alarm["escalationsCritical"]["comparisonOperator"], alarm["escalationsCritical"]["times"]) == (">", 5)
        assert alarm["enabled"] is True


def test_p90_and_fewer_alarms(declare):
    found = alarms(declare(make(thresholds=EndpointThresholds(alarms=("latency",), latency_percentile="p90"))))
    assert list(found) == ["latency"] and found["latency"]["metric"] == "TP90ResponseTime"


def test_the_webhook_is_passed_as_a_secret(declare):
    from pulumi import Output

    found = alarms(declare(make(webhook_url=Output.secret("https://hooks.example.com/T"))))
    assert all(a["webhook"] == "[secret]" for a in found.values())
