"""ai-infra:aws:AlertRoute: one KMS-encrypted SNS topic that only this account's alerting services
may publish to, over TLS only, with a subscription per address (and the webhook, as a secret)."""

from __future__ import annotations

import json

import pytest

from components.aws.alert_route import PUBLISHERS, AlertRoute, AlertRouteArgs

ACCOUNT = "123456789012"
TOPIC_ARN = f"arn:aws:sns:us-east-1:{ACCOUNT}:ai-infra-test-alerts"


def make(**overrides):
    args = {
        "topic_name": "ai-infra-test-alerts",
        "region": "us-east-1",
        "account_id": ACCOUNT,
        "emails": ["oncall@example.com", "ml@example.com"],
        "tags": {"environment": "test"},
        **overrides,
    }
    return lambda: AlertRoute("alerts", AlertRouteArgs(**args))


def test_topic_is_encrypted_with_its_own_rotating_key(declare):
    run = declare(make())
    key = run.one("aws:kms/key:Key")
    assert key.inputs["enableKeyRotation"] is True
    assert run.one("aws:sns/topic:Topic").inputs["kmsMasterKeyId"] == key.outputs["arn"]
    statements = {s["Sid"]: s for s in json.loads(key.inputs["policy"])["Statement"]}
    publishers = statements["AlertPublishersEncrypt"]
    assert publishers["Principal"] == {"Service": list(PUBLISHERS)}
    assert publishers["Action"] == ["kms:GenerateDataKey", "kms:Decrypt"]
    assert publishers["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


def test_only_this_accounts_alerting_services_publish_and_only_over_tls(declare):
    policy = json.loads(declare(make()).one("aws:sns/topicPolicy:TopicPolicy").inputs["policy"])
    allow, deny = policy["Statement"]
    assert set(allow["Principal"]["Service"]) == {
        "cloudwatch.amazonaws.com",
        "budgets.amazonaws.com",
        "events.amazonaws.com",
        "aps.amazonaws.com",
    }
    assert allow["Resource"] == TOPIC_ARN, "the policy names the topic, known before it exists"
    assert allow["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    assert (deny["Effect"], deny["Principal"], deny["Condition"]) == (
        "Deny",
        "*",
        {"Bool": {"aws:SecureTransport": "false"}},
    )


def test_every_address_is_subscribed_and_the_webhook_is_a_secret(declare):
    run = declare(make(webhook_url="https://hooks.example.com/T0K3N"))
    subscriptions = {
        (s.inputs["protocol"], s.inputs["endpoint"]) for s in run.of_type("aws:sns/topicSubscription:TopicSubscription")
    }
    assert subscriptions == {("email", "oncall@example.com"), ("email", "ml@example.com"), ("https", "[secret]")}


def test_protected_in_prod(declare):
    key = declare(make(protect=True)).one("aws:kms/key:Key")
    assert key.protect and key.retain_on_delete


def test_a_route_that_reaches_nobody_is_refused(declare):
    with pytest.raises(ValueError, match="at least one"):
        declare(make(emails=[]))
