"""`ai-infra:aws:Budget`: a monthly AWS cost budget for one environment, with e-mail alerts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.options import child_options

ACTUAL_THRESHOLDS = (50, 80, 100)
"""Percent of the monthly limit actually spent at which an alert goes out."""
FORECAST_THRESHOLDS = (100,)
"""Percent of the monthly limit the month-end forecast must reach for an early alert."""


@dataclass(frozen=True, kw_only=True)
class BudgetArgs:
    """Inputs of `Budget`."""

    environment: str
    """Value of the `environment` cost-allocation tag the budget counts. The tag must be
    activated as a cost-allocation tag in the Billing console (a payer-account setting)."""
    monthly_usd: float
    """Monthly limit in USD."""
    alert_emails: Sequence[str]
    """Addresses that get every alert (at most 10, an AWS Budgets limit)."""
    alert_topic_arn: pulumi.Input[str] | None = None
    """Default None. The environment's alert route (an SNS topic whose policy lets
    budgets.amazonaws.com publish): every alert also goes there."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for the budget."""


class Budget(pulumi.ComponentResource):
    """A COST budget filtered by `environment` tag; alerts at 50/80/100% actual, 100% forecast."""

    budget_name: pulumi.Output[str]
    budget: aws.budgets.Budget
    """The native budget, for escape hatches."""

    def __init__(self, name: str, args: BudgetArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:aws:Budget", name, None, opts)
        if not args.alert_emails:
            raise ValueError("a budget needs at least one alert e-mail")
        notifications = [_notification("ACTUAL", threshold, args) for threshold in ACTUAL_THRESHOLDS] + [
            _notification("FORECASTED", threshold, args) for threshold in FORECAST_THRESHOLDS
        ]
        self.budget = aws.budgets.Budget(
            f"{name}-budget",
            name=f"ai-infra-{args.environment}-monthly",
            budget_type="COST",
            time_unit="MONTHLY",
            limit_amount=f"{args.monthly_usd:.2f}",
            limit_unit="USD",
            # Cost Explorer's tag filter syntax: `user:<tag key>$<tag value>`.
            cost_filters=[{"name": "TagKeyValue", "values": [f"user:environment${args.environment}"]}],
            notifications=notifications,
            tags=dict(args.tags),
            opts=child_options(self),
        )
        self.budget_name = self.budget.name
        self.register_outputs({"budget_name": self.budget_name})


def _notification(kind: str, threshold: int, args: BudgetArgs) -> dict[str, object]:
    notification: dict[str, object] = {
        "notification_type": kind,
        "comparison_operator": "GREATER_THAN",
        "threshold": threshold,
        "threshold_type": "PERCENTAGE",
        "subscriber_email_addresses": list(args.alert_emails),
    }
    if args.alert_topic_arn is not None:
        notification["subscriber_sns_topic_arns"] = [args.alert_topic_arn]
    return notification
