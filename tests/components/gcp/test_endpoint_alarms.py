"""ai-infra:gcp:EndpointAlarms: Cloud Monitoring policies on one Vertex AI endpoint (error share,
latency percentile, accelerator duty cycle), filtered to its id, all notifying the route."""

from __future__ import annotations

import pytest

from components.alert_rules import EndpointThresholds
from components.gcp.endpoint_alarms import EndpointAlarms, EndpointAlarmsArgs

POLICY = "gcp:monitoring/alertPolicy:AlertPolicy"
CHANNELS = ["projects/acme-test/notificationChannels/1", "projects/acme-test/notificationChannels/2"]
ENDPOINT = "projects/acme-test/locations/us-central1/endpoints/4242"


def make(**overrides):
    args = {
        "project": "acme-test",
        "endpoint_name": ENDPOINT,
        "notification_channels": CHANNELS,
        "display_name_prefix": "ai-infra test chat",
        "thresholds": EndpointThresholds(error_rate_percent=2, latency_ms=1500, saturation_percent=80),
        "labels": {"environment": "test"},
        **overrides,
    }
    return lambda: EndpointAlarms("chat-alarms", EndpointAlarmsArgs(**args))


def conditions(run):
    return {
        p.inputs["displayName"].rsplit(" ", 1)[-1]: p.inputs["conditions"][0]["conditionThreshold"]
        for p in run.of_type(POLICY)
    }


def test_errors_are_a_share_of_predictions_of_this_endpoint(declare):
    errors = conditions(declare(make()))["errors"]
    assert 'resource.labels.endpoint_id = "4242"' in errors["filter"]
    assert errors["filter"].endswith('metric.type = "aiplatform.googleapis.com/prediction/online/error_count"')
    assert errors["denominatorFilter"].endswith('"aiplatform.googleapis.com/prediction/online/prediction_count"')
    assert errors["thresholdValue"] == 0.02
    assert (errors["comparison"], errors["duration"]) == ("COMPARISON_GT", "300s")


@pytest.mark.parametrize(("percentile", "aligner"), [("p99", "ALIGN_PERCENTILE_99"), ("p90", "ALIGN_PERCENTILE_95")])
def test_latency_percentile_in_milliseconds(declare, percentile, aligner):
    run = declare(make(thresholds=EndpointThresholds(latency_percentile=percentile, latency_ms=1500)))
    latency = conditions(run)["latency"]
    assert "prediction/online/prediction_latencies" in latency["filter"]
    assert latency["aggregations"][0]["perSeriesAligner"] == aligner
    assert latency["thresholdValue"] == 1500


def test_saturation_is_the_duty_cycle_as_a_fraction(declare):
    saturation = conditions(declare(make()))["saturation"]
    assert "prediction/online/accelerator/duty_cycle" in saturation["filter"]
    assert saturation["thresholdValue"] == 0.8


def test_every_policy_notifies_the_route_and_carries_the_labels(declare):
    for policy in declare(make()).of_type(POLICY):
        assert policy.inputs["notificationChannels"] == CHANNELS
        assert policy.inputs["userLabels"] == {"environment": "test"}


def test_only_the_configured_alarms_are_created(declare):
    run = declare(make(thresholds=EndpointThresholds(alarms=("errors",))))
    assert set(conditions(run)) == {"errors"}
