"""`ai-infra:gcp:Budget`: a monthly Cloud Billing budget for one project, with e-mail alerts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_gcp as gcp

from components.options import child_options

MAX_CHANNELS = 5
"""Cloud Billing budgets notify at most five Cloud Monitoring channels."""


@dataclass(frozen=True, kw_only=True)
class BudgetArgs:
    """Inputs of `Budget`."""

    display_name: str
    billing_account: str
    """Billing account id (`012345-6789AB-CDEF01`)."""
    project: str
    """Project that owns the notification channels."""
    project_number: pulumi.Input[str]
    """Numeric id of the project whose spend counts (budget filters take numbers)."""
    monthly_amount: float
    currency: str = "USD"
    alert_emails: Sequence[str] = ()
    """One e-mail notification channel each; all get every alert."""
    notification_channels: Sequence[pulumi.Input[str]] = ()
    """Existing channels that also get every alert (the environment's alert route). Default none.
    Cloud Billing accepts at most 5 channels in all, these and the e-mail ones together."""
    label_filter: Mapping[str, str] | None = None
    """Count only spend on resources with this one label (`environment: dev`). Default None: all
    of the project's spend. Cloud Billing accepts a single label pair."""
    thresholds: Sequence[float] = (0.5, 0.8, 1.0)
    """Alert when actual spend reaches these shares of the amount. Default 50%, 80%, 100%."""
    forecast_threshold: float | None = 1.0
    """Alert when forecast spend for the month reaches this share. Default 100%; None: off."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """GCP labels (user labels) for the notification channels."""

    def __post_init__(self) -> None:
        channels = len(self.alert_emails) + len(self.notification_channels)
        if channels > MAX_CHANNELS:
            raise ValueError(
                f"{self.display_name}: {channels} notification channels; a budget accepts at most {MAX_CHANNELS}"
            )
        if self.label_filter is not None and len(self.label_filter) != 1:
            raise ValueError(
                f"{self.display_name}: a budget filters on exactly one label, got {dict(self.label_filter)}"
            )


class Budget(pulumi.ComponentResource):
    """`billing.Budget` on the billing account, filtered to the project (and one label), with
    threshold rules on actual and forecast spend, notifying e-mail channels.

    Children: one `monitoring.NotificationChannel` per e-mail, the budget."""

    budget_name: pulumi.Output[str]

    def __init__(self, name: str, args: BudgetArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:gcp:Budget", name, None, opts)
        channels = [
            gcp.monitoring.NotificationChannel(
                f"{name}-email-{index}",
                project=args.project,
                type="email",
                display_name=f"{args.display_name} alerts: {email}",
                labels={"email_address": email},
                user_labels=dict(args.labels),
                opts=child_options(self),
            )
            for index, email in enumerate(args.alert_emails)
        ]
        budget_filter: dict[str, Any] = {
            "projects": [pulumi.Output.concat("projects/", args.project_number)],
            "calendar_period": "MONTH",
            "credit_types_treatment": "INCLUDE_ALL_CREDITS",
        }
        if args.label_filter:
            budget_filter["labels"] = dict(args.label_filter)
        rules: list[dict[str, Any]] = [
            {"threshold_percent": share, "spend_basis": "CURRENT_SPEND"} for share in args.thresholds
        ]
        if args.forecast_threshold is not None:
            rules.append({"threshold_percent": args.forecast_threshold, "spend_basis": "FORECASTED_SPEND"})
        units = int(args.monthly_amount)
        budget = gcp.billing.Budget(
            f"{name}-budget",
            billing_account=args.billing_account,
            display_name=args.display_name[:60],
            budget_filter=budget_filter,
            amount={
                "specified_amount": {
                    "currency_code": args.currency,
                    "units": str(units),
                    "nanos": round((args.monthly_amount - units) * 1e9),
                }
            },
            threshold_rules=rules,
            all_updates_rule={
                "monitoring_notification_channels": [
                    *(channel.name for channel in channels),
                    *args.notification_channels,
                ],
                "disable_default_iam_recipients": False,
            },
            opts=child_options(self),
        )
        self.budget_name = budget.name
        self.register_outputs({"budget_name": self.budget_name})
