"""`ai-infra:alicloud:AlertRoute`: the environment's one notification route on Alibaba Cloud.

CloudMonitor (endpoint alarms, ECS events) and ARMS (Prometheus alert rules) keep separate
address books, so the route holds both for the same people: a CloudMonitor contact group, and
an ARMS contact group with a dispatch rule that sends every alert of this environment's rules
(names `<rule_prefix>-*`) to it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_alicloud as alicloud

from components.options import child_options

ALERT_NAME_LABEL = "_aliyun_arms_alert_name"
"""The ARMS dispatch label that carries an alert rule's name."""


@dataclass(frozen=True, kw_only=True)
class AlertRouteArgs:
    """Inputs of `AlertRoute`."""

    name_prefix: str
    """Prefix of contact and group names (`ai-infra-prod`)."""
    emails: Sequence[str]
    """One CloudMonitor contact and one ARMS contact each."""
    rule_prefix: str
    """ARMS alerts whose rule name starts with `<rule_prefix>-` are dispatched to the group."""
    webhook_url: pulumi.Input[str] | None = None
    """Default None. An https endpoint CloudMonitor alarms also call (ARMS alerts go to the
    e-mail contacts only). Kept as a secret and handed to the alarms via `webhook_url`."""


class AlertRoute(pulumi.ComponentResource):
    """Children: CloudMonitor alarm contacts + contact group; ARMS alert contacts + contact group
    + dispatch rule (grouped by alert name, repeated every 4 hours while firing, resolved alerts
    reported)."""

    contact_group_name: pulumi.Output[str]
    """CloudMonitor contact group every CMS alarm and event rule notifies."""
    dispatch_rule_id: pulumi.Output[str]
    """ARMS dispatch rule that Prometheus alert rules name (`notify_type=DISPATCH_RULE`)."""
    webhook_url: pulumi.Output[str] | None

    def __init__(self, name: str, args: AlertRouteArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:alicloud:AlertRoute", name, None, opts)
        if not args.emails:
            raise ValueError("an Alibaba Cloud alert route needs at least one e-mail address")
        contacts = [
            alicloud.cms.AlarmContact(
                f"{name}-cms-contact-{index}",
                alarm_contact_name=f"{args.name_prefix}-{index}",
                describe=f"{args.name_prefix} alerts: {email}",
                channels_mail=email,
                lang="en",
                opts=child_options(self),
            )
            for index, email in enumerate(args.emails)
        ]
        group = alicloud.cms.AlarmContactGroup(
            f"{name}-cms-group",
            alarm_contact_group_name=f"{args.name_prefix}-alerts",
            describe=f"Everyone who gets {args.name_prefix} alerts",
            contacts=[contact.alarm_contact_name for contact in contacts],
            opts=child_options(self),
        )
        arms_contacts = [
            alicloud.arms.AlertContact(
                f"{name}-arms-contact-{index}",
                alert_contact_name=f"{args.name_prefix}-{index}",
                email=email,
                opts=child_options(self),
            )
            for index, email in enumerate(args.emails)
        ]
        arms_group = alicloud.arms.AlertContactGroup(
            f"{name}-arms-group",
            alert_contact_group_name=f"{args.name_prefix}-alerts",
            contact_ids=[contact.id for contact in arms_contacts],
            opts=child_options(self),
        )
        dispatch = alicloud.arms.DispatchRule(
            f"{name}-dispatch",
            dispatch_rule_name=f"{args.name_prefix}-alerts",
            dispatch_type="CREATE_ALERT",
            is_recover=True,
            group_rules=[
                {
                    "group_wait_time": 30,
                    "group_interval": 300,
                    "repeat_interval": 14400,
                    "grouping_fields": ["alertname"],
                }
            ],
            label_match_expression_grids=[
                {
                    "label_match_expression_groups": [
                        {
                            "label_match_expressions": [
                                {"key": ALERT_NAME_LABEL, "operator": "re", "value": f"{args.rule_prefix}-.*"}
                            ]
                        }
                    ]
                }
            ],
            notify_rules=[
                {
                    "notify_channels": ["email"],
                    "notify_start_time": "00:00",
                    "notify_end_time": "23:59",
                    "notify_objects": [
                        {
                            "name": f"{args.name_prefix}-alerts",
                            "notify_object_id": arms_group.id,
                            "notify_type": "ARMS_CONTACT_GROUP",
                        }
                    ],
                }
            ],
            opts=child_options(self),
        )
        self.contact_group_name = group.alarm_contact_group_name
        self.dispatch_rule_id = dispatch.id
        self.webhook_url = pulumi.Output.secret(args.webhook_url) if args.webhook_url is not None else None
        self.register_outputs(
            {"contact_group_name": self.contact_group_name, "dispatch_rule_id": self.dispatch_rule_id}
        )
