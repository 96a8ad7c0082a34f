"""Cost: a monthly budget with alerts for every cloud the stack uses, enforced by a provider
resource where the cloud has one."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import (
    Context,
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
    checks=dict.fromkeys(UNENFORCED_BUDGETS, _unenforced),
)
