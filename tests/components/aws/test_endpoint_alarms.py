"""ai-infra:aws:EndpointAlarms: CloudWatch alarms on a SageMaker endpoint (5xx rate, latency
percentile, GPU saturation) with the configured thresholds, all notifying the route."""

from __future__ import annotations

from components.alert_rules import EndpointThresholds
from components.aws.endpoint_alarms import EndpointAlarms, EndpointAlarmsArgs

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts"
DIMENSIONS = {"EndpointName": "ai-infra-test-chat", "VariantName": "primary"}


def make(**overrides):
    args = {
        "endpoint_name": "ai-infra-test-chat",
        "alarm_topic_arn": TOPIC,
        "alarm_name_prefix": "ai-infra-test-chat",
        "gpus_per_instance": 4,
        "thresholds": EndpointThresholds(error_rate_percent=2, latency_ms=1500, saturation_percent=80),
        **overrides,
    }
    return lambda: EndpointAlarms("chat-alarms", EndpointAlarmsArgs(**args))


def alarms(run):
    return {a.inputs["name"].rsplit("-", 1)[-1]: a.inputs for a in run.of_type(ALARM)}


def test_error_rate_is_5xx_over_invocations_in_percent(declare):
    errors = alarms(declare(make()))["errors"]
    assert errors["threshold"] == 2
    queries = {q["id"]: q for q in errors["metricQueries"]}
    assert queries["errors"]["metric"]["metricName"] == "Invocation5XXErrors"
    assert queries["requests"]["metric"]["metricName"] == "Invocations"
    assert all(queries[q]["metric"]["dimensions"] == DIMENSIONS for q in ("errors", "requests"))
    assert queries["error_rate"]["expression"] == "IF(requests > 0, 100 * errors / requests, 0)"
    assert queries["error_rate"]["returnData"] is True


def test_latency_percentile_in_microseconds(declare):
    latency = alarms(declare(make()))["latency"]
    assert (latency["namespace"], latency["metricName"], latency["extendedStatistic"]) == (
        "AWS/SageMaker",
        "ModelLatency",
        "p99",
    )
    assert latency["threshold"] == 1_500_000
    assert latency["dimensions"] == DIMENSIONS


def test_saturation_scales_with_the_gpus_of_an_instance(declare):
    saturation = alarms(declare(make()))["saturation"]
    assert (saturation["namespace"], saturation["metricName"]) == ("/aws/sagemaker/Endpoints", "GPUUtilization")
    assert saturation["threshold"] == 320


def test_every_alarm_notifies_the_route_on_alarm_and_recovery(declare):
    for alarm in alarms(declare(make())).values():
        assert alarm["alarmActions"] == [TOPIC] and alarm["okActions"] == [TOPIC]
        assert alarm["treatMissingData"] == "notBreaching"
        assert (alarm["evaluationPeriods"], alarm["datapointsToAlarm"]) == (5, 5)


def test_only_the_configured_alarms_are_created(declare):
    run = declare(make(thresholds=EndpointThresholds(alarms=("errors", "latency"), latency_percentile="p90")))
    found = alarms(run)
    assert set(found) == {"errors", "latency"}
    assert found["latency"]["extendedStatistic"] == "p90"
