"""`ai-infra:gcp:AlertRoute`: the environment's one notification route on Google Cloud, a set of
Cloud Monitoring notification channels that every alert policy and the billing budget notify."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp

from components.options import child_options


@dataclass(frozen=True, kw_only=True)
class AlertRouteArgs:
    """Inputs of `AlertRoute`."""

    project: str
    """Project that owns the channels (the one the alert policies live in)."""
    display_name: str
    """Prefix of the channels' display names (`ai-infra dev alerts`)."""
    emails: Sequence[str]
    """One e-mail channel each."""
    webhook_url: pulumi.Input[str] | None = None
    """Default None. An https endpoint that gets every alert as JSON (a `webhook_tokenauth`
    channel: put the token in the URL). Passed on as a secret."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """User labels of the channels."""


class AlertRoute(pulumi.ComponentResource):
    """Children: one `monitoring.NotificationChannel` per e-mail and one for the webhook."""

    channel_names: list[pulumi.Output[str]]
    """Channel resource names (`projects/<p>/notificationChannels/<id>`) to notify."""

    def __init__(self, name: str, args: AlertRouteArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:gcp:AlertRoute", name, None, opts)
        if not args.emails and args.webhook_url is None:
            raise ValueError("an alert route needs at least one e-mail address or a webhook")
        channels = [
            gcp.monitoring.NotificationChannel(
                f"{name}-email-{index}",
                project=args.project,
                type="email",
                display_name=f"{args.display_name}: {email}",
                labels={"email_address": email},
                user_labels=dict(args.labels),
                opts=child_options(self),
            )
            for index, email in enumerate(args.emails)
        ]
        if args.webhook_url is not None:
            channels.append(
                gcp.monitoring.NotificationChannel(
                    f"{name}-webhook",
                    project=args.project,
                    type="webhook_tokenauth",
                    display_name=f"{args.display_name}: webhook",
                    labels=pulumi.Output.secret(args.webhook_url).apply(lambda url: {"url": url}),
                    user_labels=dict(args.labels),
                    opts=child_options(self),
                )
            )
        self.channel_names = [channel.name for channel in channels]
        self.register_outputs({"channel_names": self.channel_names})
