"""`ai-infra:azure:Budget`: a monthly cost budget on the environment's resource group with e-mail
alerts on actual and forecast spend."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import consumption

from components.options import child_options

ACTUAL_THRESHOLDS = (50, 80, 100)
FORECAST_THRESHOLDS = (100,)


@dataclass(frozen=True, kw_only=True)
class BudgetArgs:
    """Inputs of `Budget`."""

    scope: pulumi.Input[str]
    """ARM id of the resource group the budget watches."""
    budget_name: str
    monthly_usd: float
    alert_emails: Sequence[str]
    action_group_ids: Sequence[pulumi.Input[str]] = ()
    """Action groups that also get every alert (the environment's alert route). Default none."""
    start_date: str
    """First day of the first budgeted month (`2026-11-01`). Azure wants the first of a month
    no earlier than the current one at creation; later changes are ignored (see `Budget`)."""


class Budget(pulumi.ComponentResource):
    """Children: one `consumption.Budget` (monthly, cost) with notifications at 50/80/100 % of
    actual spend and 100 % of forecast spend, all to `alert_emails`.

    The start date only matters when the budget is created, so it is in `ignore_changes`: the
    stack passes the current month without the budget drifting every month."""

    budget_name: pulumi.Output[str]

    def __init__(self, name: str, args: BudgetArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:azure:Budget", name, None, opts)
        notifications = {
            f"{kind.lower()}-{threshold}": {
                "enabled": True,
                "operator": "GreaterThanOrEqualTo",
                "threshold": threshold,
                "threshold_type": kind,
                "contact_emails": list(args.alert_emails),
                **({"contact_groups": list(args.action_group_ids)} if args.action_group_ids else {}),
            }
            for kind, thresholds in (("Actual", ACTUAL_THRESHOLDS), ("Forecasted", FORECAST_THRESHOLDS))
            for threshold in thresholds
        }
        budget = consumption.Budget(
            f"{name}-budget",
            budget_name=args.budget_name,
            scope=args.scope,
            amount=args.monthly_usd,
            category="Cost",
            time_grain="Monthly",
            time_period={"start_date": args.start_date},
            notifications=notifications,
            opts=child_options(self, ignore_changes=["timePeriod"]),
        )
        self.budget_name = budget.name
        self.register_outputs({"budget_name": self.budget_name})
