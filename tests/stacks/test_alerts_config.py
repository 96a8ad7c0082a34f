"""`ai-infra:alerts`: defaults that alert the budget addresses at production thresholds, and
mistakes that name the key path, the value and what is allowed (never a webhook's token)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from stacks.config import ConfigError, parse_environment
from tests.stacks.test_config_errors import BASE


def with_alerts(alerts: Any) -> dict[str, Any]:
    values = copy.deepcopy(BASE)
    values["alerts"] = alerts
    return values


def problem(alerts: Any) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_environment(with_alerts(alerts))
    return str(caught.value)


def test_without_alerts_the_budget_addresses_get_every_alarm_at_the_defaults():
    spec = parse_environment(copy.deepcopy(BASE))
    assert spec.alerts.recipients(["finops@example.com"]) == ["finops@example.com"]
    assert spec.alerts.endpoints.alarms == ["errors", "latency", "saturation"]
    assert (spec.alerts.endpoints.error_rate_percent, spec.alerts.endpoints.latency_percentile) == (5, "p99")
    assert (spec.alerts.gpu.idle_utilization_percent, spec.alerts.gpu.idle_hours) == (10, 4)


def test_configured_addresses_replace_the_budget_addresses():
    spec = parse_environment(with_alerts({"emails": ["oncall@example.com"]}))
    assert spec.alerts.recipients(["finops@example.com"]) == ["oncall@example.com"]


@pytest.mark.parametrize(
    ("alerts", "key", "words"),
    [
        ({"emails": ["not-an-address"]}, "ai-infra:alerts.emails", ["'not-an-address'", "e-mail"]),
        ({"endpoints": {"alarms": ["errors", "errors"]}}, "ai-infra:alerts.endpoints.alarms", ["errors listed twice"]),
        ({"endpoints": {"alarms": ["errors", "throughput"]}}, "ai-infra:alerts.endpoints.alarms.1", ["throughput"]),
        ({"endpoints": {"alarms": []}}, "ai-infra:alerts.endpoints.alarms", []),
        ({"endpoints": {"error_rate_percent": 0}}, "ai-infra:alerts.endpoints.error_rate_percent", ["0"]),
        ({"endpoints": {"latency_percentile": "p95"}}, "ai-infra:alerts.endpoints.latency_percentile", ["'p95'"]),
        ({"gpu": {"idle_hours": 0}}, "ai-infra:alerts.gpu.idle_hours", ["0"]),
        ({"gpu": {"idle_utilisation_percent": 5}}, "ai-infra:alerts.gpu.idle_utilisation_percent", ["did you mean"]),
    ],
)
def test_mistakes_name_the_key_and_value(alerts, key, words):
    message = problem(alerts)
    assert f"{key}:" in message
    for word in words:
        assert word in message


def test_a_plain_http_webhook_is_refused_without_echoing_its_token():
    message = problem({"webhook": "http://hooks.example.com/SECRET-TOKEN"})
    assert "ai-infra:alerts.webhook:" in message and "https://" in message
    assert "SECRET-TOKEN" not in message
