"""`ai-infra:alicloud:Budget`: the environment's Alibaba Cloud budget, carried as data.

The Alibaba Cloud provider has no budget resource (nothing in `pulumi_alicloud` creates a
spending limit or a budget alert), so this component declares no cloud resource. It registers
its figures as component inputs so that the policy pack and the cost report see the budget for
the Alibaba resources, and it says plainly that no provider-side budget enforces it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

PROVIDER_SUPPORT = "none"
"""What the provider offers for budgets: nothing."""
GAP_MESSAGE = (
    "alicloud: the provider has no budget resource; the monthly budget of {amount} USD is recorded "
    "for policies and cost reports only, and no Alibaba Cloud alert will fire when it is exceeded "
    "(set one up in the Billing console or CloudMonitor)."
)


@dataclass(frozen=True, kw_only=True)
class BudgetArgs:
    """Inputs of `Budget`."""

    monthly_usd: float
    """Monthly budget for the environment's Alibaba Cloud resources, in USD."""
    alert_emails: Sequence[str]
    """Who should be told when it is exceeded (recorded; nothing on Alibaba Cloud sends mail)."""


class Budget(pulumi.ComponentResource):
    """No children. Inputs (wire names): `monthlyUsd`, `alertEmails`, `providerSupport: "none"`."""

    monthly_usd: pulumi.Output[float]
    gap_message: str
    """One sentence stating that no provider budget enforces the figure (for logs and reports)."""

    def __init__(self, name: str, args: BudgetArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            "ai-infra:alicloud:Budget",
            name,
            {
                "monthlyUsd": args.monthly_usd,
                "alertEmails": list(args.alert_emails),
                "providerSupport": PROVIDER_SUPPORT,
            },
            opts,
        )
        self.monthly_usd = pulumi.Output.from_input(args.monthly_usd)
        self.gap_message = GAP_MESSAGE.format(amount=f"{args.monthly_usd:g}")
        self.register_outputs({"monthly_usd": self.monthly_usd, "provider_support": PROVIDER_SUPPORT})
