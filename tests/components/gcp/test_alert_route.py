"""ai-infra:gcp:AlertRoute: one e-mail notification channel per address, the webhook as a token-auth
channel whose URL is a secret."""

from __future__ import annotations

import pytest

from components.gcp.alert_route import AlertRoute, AlertRouteArgs

CHANNEL = "gcp:monitoring/notificationChannel:NotificationChannel"


def make(**overrides):
    args = {
        "project": "acme-test",
        "display_name": "ai-infra test alerts",
        "emails": ["oncall@example.com"],
        "labels": {"environment": "test"},
        **overrides,
    }
    return lambda: AlertRoute("alerts", AlertRouteArgs(**args))


def test_one_email_channel_per_address_labelled_for_the_environment(declare):
    [channel] = declare(make()).of_type(CHANNEL)
    assert channel.inputs["type"] == "email"
    assert channel.inputs["labels"] == {"email_address": "oncall@example.com"}
    assert channel.inputs["userLabels"] == {"environment": "test"}
    assert channel.inputs["project"] == "acme-test"


def test_the_webhook_is_a_token_auth_channel_with_a_secret_url(declare):
    channels = {
        c.inputs["type"]: c.inputs for c in declare(make(webhook_url="https://hooks.example.com/T")).of_type(CHANNEL)
    }
    assert set(channels) == {"email", "webhook_tokenauth"}
    assert channels["webhook_tokenauth"]["labels"] == "[secret]"


def test_a_route_that_reaches_nobody_is_refused(declare):
    with pytest.raises(ValueError, match="at least one"):
        declare(make(emails=[]))
