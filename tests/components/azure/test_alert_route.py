"""ai-infra:azure:AlertRoute: one global action group with an e-mail receiver per address and the
webhook as a secret; its ARM id is built from names (known before it exists)."""

from __future__ import annotations

import pytest

from components.azure.alert_route import AlertRoute, AlertRouteArgs

GROUP = "azure-native:monitor:ActionGroup"


def make(**overrides):
    args = {
        "subscription_id": "00000000-0000-0000-0000-000000000000",
        "resource_group_name": "rg-test",
        "action_group_name": "ag-ai-infra-test",
        "short_name": "ai-test",
        "emails": ["oncall@example.com", "ml@example.com"],
        "tags": {"environment": "test"},
        **overrides,
    }
    return lambda: AlertRoute("alerts", AlertRouteArgs(**args))


def test_global_action_group_with_an_email_receiver_per_address(declare):
    group = declare(make()).one(GROUP).inputs
    assert (group["location"], group["enabled"], group["groupShortName"]) == ("Global", True, "ai-test")
    assert [(r["emailAddress"], r["useCommonAlertSchema"]) for r in group["emailReceivers"]] == [
        ("oncall@example.com", True),
        ("ml@example.com", True),
    ]
    assert group["tags"] == {"environment": "test"}


def test_the_webhook_url_is_a_secret(declare):
    group = declare(make(webhook_url="https://hooks.example.com/T")).one(GROUP).inputs
    assert group["webhookReceivers"][0]["serviceUri"] == "[secret]"


@pytest.mark.parametrize("short_name", ["", "ai-infra-production"])
def test_short_names_azure_refuses_are_refused_here(declare, short_name):
    with pytest.raises(ValueError, match="short_name"):
        declare(make(short_name=short_name))
