"""ai-infra:alicloud:Budget: no cloud resource (the provider has none), but the figures are
registered as component inputs so that policies and cost reports see them."""

from __future__ import annotations

from components.alicloud import Budget, BudgetArgs


def test_budget_figures_are_registered_inputs_and_nothing_is_created(declare):
    run = declare(lambda: Budget("budget", BudgetArgs(monthly_usd=2500.5, alert_emails=["ops@example.com"])))
    budget = run.one("ai-infra:alicloud:Budget")
    assert budget.inputs == {"monthlyUsd": 2500.5, "alertEmails": ["ops@example.com"], "providerSupport": "none"}
    assert run.children_of(budget.urn) == []
    assert [r.type for r in run.resources] == ["ai-infra:alicloud:Budget"]


def test_gap_message_says_no_provider_budget_enforces_the_figure(declare):
    captured: dict[str, str] = {}

    def program():
        captured["message"] = Budget("budget", BudgetArgs(monthly_usd=100, alert_emails=["a@example.com"])).gap_message

    declare(program)
    assert "no budget resource" in captured["message"] and "100 USD" in captured["message"]
