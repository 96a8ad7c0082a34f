"""`ai-infra:azure:AlertRoute`: the environment's one notification route on Azure, an Azure
Monitor action group that every metric alert, Prometheus rule group and budget notifies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import monitor

from components.azure.resource_ids import provider_id
from components.options import child_options

SHORT_NAME_MAX = 12
"""Azure's limit on an action group's short name (shown in SMS and e-mail subjects)."""


@dataclass(frozen=True, kw_only=True)
class AlertRouteArgs:
    """Inputs of `AlertRoute`."""

    subscription_id: str
    resource_group_name: pulumi.Input[str]
    action_group_name: str
    short_name: str
    """At most 12 characters (`ai-prod`)."""
    emails: Sequence[str]
    """One e-mail receiver each (common alert schema)."""
    webhook_url: pulumi.Input[str] | None = None
    """Default None. An https endpoint that gets every alert (common alert schema). Passed on as
    a secret."""
    tags: Mapping[str, str] = field(default_factory=dict)


class AlertRoute(pulumi.ComponentResource):
    """Children: one global `monitor.ActionGroup` with the e-mail (and webhook) receivers."""

    action_group_id: pulumi.Output[str]
    """ARM id of the action group (built from its name, so it is known before it exists)."""

    def __init__(self, name: str, args: AlertRouteArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:azure:AlertRoute", name, None, opts)
        if not args.emails and args.webhook_url is None:
            raise ValueError("an alert route needs at least one e-mail address or a webhook")
        if not 1 <= len(args.short_name) <= SHORT_NAME_MAX:
            raise ValueError(f"short_name {args.short_name!r} must be 1-{SHORT_NAME_MAX} characters")
        webhooks = []
        if args.webhook_url is not None:
            webhooks.append(
                {
                    "name": "webhook",
                    "service_uri": pulumi.Output.secret(args.webhook_url),
                    "use_common_alert_schema": True,
                }
            )
        group = monitor.ActionGroup(
            f"{name}-action-group",
            action_group_name=args.action_group_name,
            group_short_name=args.short_name,
            resource_group_name=args.resource_group_name,
            # Action groups are global resources.
            location="Global",
            enabled=True,
            email_receivers=[
                {"name": f"email-{index}", "email_address": email, "use_common_alert_schema": True}
                for index, email in enumerate(args.emails)
            ],
            webhook_receivers=webhooks,
            tags=dict(args.tags),
            opts=child_options(self),
        )
        self.action_group_id = provider_id(
            args.subscription_id, args.resource_group_name, "Microsoft.Insights/actionGroups/{}", group.name
        )
        self.register_outputs({"action_group_id": self.action_group_id})
