"""`ai-infra:aws:AlertRoute`: the environment's one notification route on AWS, an SNS topic that
every alarm, budget, Prometheus alert manager and EventBridge rule publishes to."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.options import child_options, stateful_options

PUBLISHERS = (
    "cloudwatch.amazonaws.com",
    "budgets.amazonaws.com",
    "events.amazonaws.com",
    "aps.amazonaws.com",
)
"""AWS services that deliver alerts to the topic: CloudWatch alarms, AWS Budgets, EventBridge
rules (spot interruption warnings) and Amazon Managed Service for Prometheus alert managers."""


@dataclass(frozen=True, kw_only=True)
class AlertRouteArgs:
    """Inputs of `AlertRoute`."""

    topic_name: str
    """SNS topic name (also the KMS alias `alias/<topic_name>`)."""
    region: str
    account_id: pulumi.Input[str]
    """Account of the topic: scopes the policies to this account's services."""
    emails: Sequence[str]
    """One e-mail subscription each (AWS sends a confirmation mail that must be accepted)."""
    webhook_url: pulumi.Input[str] | None = None
    """Default None. An https endpoint subscribed to the topic; it must confirm the subscription
    (SNS posts a SubscriptionConfirmation). Passed on as a secret."""
    partition: str = "aws"
    """ARN partition. Default `aws`."""
    protect: bool = False
    """True (prod): the topic's KMS key is protected and retained."""
    tags: Mapping[str, str] = field(default_factory=dict)


class AlertRoute(pulumi.ComponentResource):
    """Children: a rotating customer-managed KMS key (+ alias) that the publishing services may
    use, the SNS topic encrypted with it, a topic policy that lets only those services of this
    account publish and refuses any request not made over TLS, and one subscription per e-mail
    (and the webhook)."""

    topic_arn: pulumi.Output[str]
    """The topic alarms and budgets notify."""
    topic: aws.sns.Topic
    """The native topic, for escape hatches."""

    def __init__(self, name: str, args: AlertRouteArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:aws:AlertRoute", name, None, opts)
        if not args.emails and args.webhook_url is None:
            raise ValueError("an alert route needs at least one e-mail address or a webhook")
        tags = {**args.tags, "purpose": "alerts"}
        # Known before the topic exists, so both policies are complete documents at preview.
        topic_arn = pulumi.Output.concat(
            "arn:", args.partition, ":sns:", args.region, ":", args.account_id, ":", args.topic_name
        )

        key = aws.kms.Key(
            f"{name}-key",
            description=f"Encrypts alert notifications on SNS topic {args.topic_name}",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=pulumi.Output.from_input(args.account_id).apply(lambda a: _key_policy(args.partition, a)),
            tags=tags,
            opts=stateful_options(self, args.protect),
        )
        aws.kms.Alias(
            f"{name}-key-alias",
            name=f"alias/{args.topic_name}",
            target_key_id=key.key_id,
            opts=child_options(self),
        )
        self.topic = aws.sns.Topic(
            f"{name}-topic",
            name=args.topic_name,
            kms_master_key_id=key.arn,
            tags=tags,
            opts=child_options(self),
        )
        aws.sns.TopicPolicy(
            f"{name}-topic-policy",
            arn=self.topic.arn,
            policy=pulumi.Output.all(topic_arn, args.account_id).apply(lambda v: _topic_policy(v[0], v[1])),
            opts=child_options(self),
        )
        for index, email in enumerate(args.emails):
            aws.sns.TopicSubscription(
                f"{name}-email-{index}",
                topic=self.topic.arn,
                protocol="email",
                endpoint=email,
                opts=child_options(self),
            )
        if args.webhook_url is not None:
            aws.sns.TopicSubscription(
                f"{name}-webhook",
                topic=self.topic.arn,
                protocol="https",
                endpoint=pulumi.Output.secret(args.webhook_url),
                opts=child_options(self),
            )

        self.topic_arn = self.topic.arn
        self.register_outputs({"topic_arn": self.topic_arn})


def _key_policy(partition: str, account_id: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    # AWS's default key policy statement: it grants nothing by itself but lets
                    # the account's IAM policies govern the key.
                    "Sid": "AccountAdministersTheKey",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    # Services that publish to an encrypted topic need a data key for it.
                    "Sid": "AlertPublishersEncrypt",
                    "Effect": "Allow",
                    "Principal": {"Service": list(PUBLISHERS)},
                    "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
                },
            ],
        }
    )


def _topic_policy(topic_arn: str, account_id: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AlertPublishers",
                    "Effect": "Allow",
                    "Principal": {"Service": list(PUBLISHERS)},
                    "Action": ["sns:Publish", "sns:GetTopicAttributes"],
                    "Resource": topic_arn,
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
                },
                {
                    "Sid": "TlsOnly",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "sns:Publish",
                    "Resource": topic_arn,
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
            ],
        }
    )
