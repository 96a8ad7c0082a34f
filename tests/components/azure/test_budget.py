"""ai-infra:azure:Budget: a monthly cost budget on the resource group, alerting on actual and
forecast spend."""

from __future__ import annotations

from components.azure import Budget, BudgetArgs
from tests.components.azure.taggable import SUBSCRIPTION_ID

SCOPE = f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/rg-test"


def make(emails=("ops@example.com",), action_group_ids=()):
    return lambda: Budget(
        "test",
        BudgetArgs(
            scope=SCOPE,
            budget_name="budget-test",
            monthly_usd=2500,
            alert_emails=list(emails),
            action_group_ids=list(action_group_ids),
            start_date="2026-11-01T00:00:00Z",
        ),
    )


def test_monthly_cost_budget_on_the_resource_group(declare):
    budget = declare(make()).one("azure-native:consumption:Budget").inputs
    assert budget["scope"] == SCOPE
    assert (budget["amount"], budget["timeGrain"], budget["category"]) == (2500, "Monthly", "Cost")
    assert budget["timePeriod"] == {"startDate": "2026-11-01T00:00:00Z"}


def test_alerts_at_50_80_100_actual_and_100_forecast_to_every_email(declare):
    emails = ("ops@example.com", "finops@example.com")
    notifications = declare(make(emails)).one("azure-native:consumption:Budget").inputs["notifications"]
    assert sorted((n["thresholdType"], n["threshold"]) for n in notifications.values()) == [
        ("Actual", 50),
        ("Actual", 80),
        ("Actual", 100),
        ("Forecasted", 100),
    ]
    for notification in notifications.values():
        assert notification["enabled"] is True
        assert notification["operator"] == "GreaterThanOrEqualTo"
        assert notification["contactEmails"] == list(emails)


def test_the_alert_route_action_group_gets_every_alert_too(declare):
    group = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Insights/actionGroups/ag"
    budget = declare(make(action_group_ids=[group])).one("azure-native:consumption:Budget")
    assert all(n["contactGroups"] == [group] for n in budget.inputs["notifications"].values())
