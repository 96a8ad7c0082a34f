"""ai-infra:gcp:Budget: project (and label) filtered budget, 50/80/100% + forecast, e-mail channels."""

from __future__ import annotations

import pytest

from components.gcp import Budget, BudgetArgs

CHANNEL = "gcp:monitoring/notificationChannel:NotificationChannel"


def make(**overrides):
    args = {
        "display_name": "ai-infra test (gcp)",
        "billing_account": "012345-6789AB-CDEF01",
        "project": "acme-test",
        "project_number": "123456789012",
        "monthly_amount": 2500.5,
        "alert_emails": ["a@example.com", "b@example.com"],
        "label_filter": {"environment": "test"},
        "labels": {"environment": "test"},
        **overrides,
    }
    return lambda: Budget("budget", BudgetArgs(**args))


def test_budget_on_the_billing_account_filtered_to_the_project_and_environment(declare):
    budget = declare(make()).one("gcp:billing/budget:Budget")
    assert budget.inputs["billingAccount"] == "012345-6789AB-CDEF01"
    assert budget.inputs["budgetFilter"]["projects"] == ["projects/123456789012"]
    assert budget.inputs["budgetFilter"]["labels"] == {"environment": "test"}
    assert budget.inputs["amount"]["specifiedAmount"] == {"currencyCode": "USD", "units": "2500", "nanos": 500000000}


def test_thresholds_at_50_80_100_percent_and_forecast_100(declare):
    rules = declare(make()).one("gcp:billing/budget:Budget").inputs["thresholdRules"]
    assert [(r["thresholdPercent"], r["spendBasis"]) for r in rules] == [
        (0.5, "CURRENT_SPEND"),
        (0.8, "CURRENT_SPEND"),
        (1, "CURRENT_SPEND"),
        (1, "FORECASTED_SPEND"),
    ]


def test_every_email_gets_a_channel_the_budget_notifies(declare):
    run = declare(make())
    channels = run.of_type(CHANNEL)
    assert sorted(c.inputs["labels"]["email_address"] for c in channels) == ["a@example.com", "b@example.com"]
    assert all(c.inputs["type"] == "email" and c.inputs["userLabels"] == {"environment": "test"} for c in channels)
    notified = run.one("gcp:billing/budget:Budget").inputs["allUpdatesRule"]["monitoringNotificationChannels"]
    assert len(notified) == 2 and all(n.startswith("projects/acme-test/notificationChannels/") for n in notified)


def test_no_label_filter_counts_all_project_spend(declare):
    budget = declare(make(label_filter=None)).one("gcp:billing/budget:Budget")
    assert "labels" not in budget.inputs["budgetFilter"]


def test_cloud_billing_filters_on_one_label_only():
    with pytest.raises(ValueError, match="exactly one label"):
        make(label_filter={"a": "1", "b": "2"})()


def test_the_alert_route_channels_get_every_alert_too(declare):
    route = ["projects/acme-test/notificationChannels/9"]
    budget = declare(make(alert_emails=["finops@example.com"], notification_channels=route)).one(
        "gcp:billing/budget:Budget"
    )
    channels = budget.inputs["allUpdatesRule"]["monitoringNotificationChannels"]
    assert len(channels) == 2 and channels[-1] == route[0]


def test_more_than_five_channels_are_refused():
    with pytest.raises(ValueError, match="at most 5"):
        make(alert_emails=[f"{i}@example.com" for i in range(4)], notification_channels=["a", "b"])()
