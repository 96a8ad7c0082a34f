"""Cost: a monthly budget with alerts for every cloud the stack uses, enforced by a provider
resource where the cloud has one."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import (
    Context,
    Example,
    Finding,
    Resource,
    Rule,
    Stack,
)

# -- budgets --------------------------------------------------------------------------------------
BUDGET_TYPES = {
    "aws": ("aws:budgets/budget:Budget",),
    "gcp": ("gcp:billing/budget:Budget",),
    "azure": ("azure-native:consumption:Budget",),
    "alicloud": ("ai-infra:alicloud:Budget",),
}
"""Per cloud, what counts as its budget. Alibaba Cloud has no budget resource: its budget is a
component that carries the figures (`monthlyUsd`, `alertEmails`, `providerSupport: none`)."""
UNENFORCED_BUDGETS = ("ai-infra:alicloud:Budget",)


def _budget_totals(stack: Stack, ctx: Context) -> Iterator[Finding]:
    for cloud in sorted(stack.clouds()):
        if not stack.of_type(*BUDGET_TYPES.get(cloud, ())):
            yield Finding(
                stack.stack_urn or ctx.env.stack_urn,
                f"the stack has {cloud} resources but no {cloud} budget ({', '.join(BUDGET_TYPES.get(cloud, ('?',)))})",
            )


BUDGET_DEFINED = Rule(
    id="budget-defined",
    ref="",
    domain="cost",
    description="Every cloud the stack uses has a monthly budget with alerts.",
    severity="medium",
    tags=("cost",),
    remediation="Configure clouds.<cloud>.budget (monthly_usd, alert_emails) in the stack config.",
    rationale="A budget is the one control that notices spend from every source, including resources created "
    "outside this program; without one per cloud, a runaway pool or a forgotten endpoint is found on the invoice "
    "a month later.",
    # A presence rule: no change to a budget's own inputs makes it fail, so the violating variant is
    # empty, meaning absent (tests/policies/test_rule_examples.py judges the stack without it).
    examples=(
        Example(
            type="aws:budgets/budget:Budget",
            compliant={
                "budgetType": "COST",
                "limitAmount": "3000",
                "limitUnit": "USD",
                "timeUnit": "MONTHLY",
                "notifications": [
                    {
                        "comparisonOperator": "GREATER_THAN",
                        "threshold": 80,
                        "thresholdType": "PERCENTAGE",
                        "notificationType": "FORECASTED",
                        "subscriberEmailAddresses": ["ml-platform@example.com"],
                    }
                ],
            },
            violating={},
            note="a stack with AWS resources (an EKS cluster) needs an AWS budget",
        ),
    ),
    needs_stack=True,
    totals=_budget_totals,
    covers=tuple(t for types in BUDGET_TYPES.values() for t in types),
)


def _unenforced(budget: Resource, ctx: Context) -> Iterator[str]:
    if budget.get("providerSupport") == "none":
        amount = budget.get("monthlyUsd")
        yield (
            f"no provider resource enforces this budget ({amount} USD a month): nothing alerts when it is exceeded; "
            "set up an alert in the cloud's billing console"
        )


BUDGET_ENFORCED = Rule(
    id="budget-enforced-by-provider",
    ref="",
    domain="cost",
    description="Budgets are enforced by a provider resource (a budget that is only recorded is a gap, not a control).",
    severity="low",
    tags=("cost",),
    remediation="Alibaba Cloud has no budget resource in the provider: create the budget alert in the Billing "
    "console (or CloudMonitor) and suppress this finding with that alert as the reason.",
    rationale="A budget recorded only in the program warns nobody when it is exceeded. Alibaba Cloud's provider "
    "has no budget resource, so the gap is reported (advisory) until an alert set up by hand closes it and a "
    "suppression names that alert.",
    examples=(
        Example(
            type="ai-infra:alicloud:Budget",
            compliant={"monthlyUsd": 500, "alertEmails": ["ml-platform@example.com"], "providerSupport": "native"},
            violating={"monthlyUsd": 500, "alertEmails": ["ml-platform@example.com"], "providerSupport": "none"},
            note="providerSupport none, what the component declares today (native: a provider-side budget, should "
            "the provider gain one)",
        ),
    ),
    checks=dict.fromkeys(UNENFORCED_BUDGETS, _unenforced),
)
