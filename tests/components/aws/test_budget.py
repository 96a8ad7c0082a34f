"""ai-infra:aws:Budget: a monthly cost budget for one environment with the standard alerts."""

from __future__ import annotations

import pytest

from components.aws import Budget, BudgetArgs

TAGS = {"environment": "test", "owner": "ml", "cost-center": "cc-1"}
EMAILS = ["ml@example.com", "finops@example.com"]


def make(**overrides):
    values = {"environment": "test", "monthly_usd": 2500, "alert_emails": EMAILS, "tags": TAGS, **overrides}
    return lambda: Budget("budget", BudgetArgs(**values))


def test_monthly_cost_budget_in_usd(declare):
    budget = declare(make()).one("aws:budgets/budget:Budget").inputs
    assert budget["budgetType"] == "COST"
    assert budget["timeUnit"] == "MONTHLY"
    assert (budget["limitAmount"], budget["limitUnit"]) == ("2500.00", "USD")
    assert TAGS.items() <= budget["tags"].items()


def test_counts_only_the_environments_tagged_cost(declare):
    budget = declare(make(environment="prod")).one("aws:budgets/budget:Budget").inputs
    assert budget["costFilters"] == [{"name": "TagKeyValue", "values": ["user:environment$prod"]}]


def test_alerts_at_50_80_100_actual_and_100_forecast(declare):
    notifications = declare(make()).one("aws:budgets/budget:Budget").inputs["notifications"]
    got = sorted((n["notificationType"], n["threshold"]) for n in notifications)
    assert got == [("ACTUAL", 50), ("ACTUAL", 80), ("ACTUAL", 100), ("FORECASTED", 100)]
    for notification in notifications:
        assert notification["thresholdType"] == "PERCENTAGE"
        assert notification["comparisonOperator"] == "GREATER_THAN"
        assert notification["subscriberEmailAddresses"] == EMAILS


def test_a_budget_nobody_hears_about_is_refused(declare):
    with pytest.raises(ValueError, match="e-mail"):
        declare(make(alert_emails=[]))


def test_every_alert_also_goes_to_the_alert_route(declare):
    topic = "arn:aws:sns:us-east-1:123456789012:ai-infra-test-alerts"
    notifications = declare(make(alert_topic_arn=topic)).one("aws:budgets/budget:Budget").inputs["notifications"]
    assert all(n["subscriberSnsTopicArns"] == [topic] for n in notifications)
    assert all(n["subscriberEmailAddresses"] == EMAILS for n in notifications)
