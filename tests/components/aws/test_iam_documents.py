"""The wildcard rule the AWS tests apply to every policy document catches what it must."""

from __future__ import annotations

import pytest

from tests.components.aws.iam_documents import wildcard_problems


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(actions, resources, sid=None):
    statement = {"Effect": "Allow", "Action": actions, "Resource": resources}
    if sid:
        statement["Sid"] = sid
    return statement


@pytest.mark.parametrize(
    "statement",
    [
        allow(["s3:*"], ["arn:aws:s3:::bucket"]),
        allow("*", ["arn:aws:s3:::bucket"]),
        allow(["s3:GetObject"], "*"),
        allow(["s3:GetObject"], ["*"]),
        allow(["s3:GetObject"], ["arn:aws:s3:::*"]),
        allow(["s3:GetObject"], ["arn:aws:s3:::bucket-*/*"]),
        allow(["ecr:GetAuthorizationToken", "ecr:BatchGetImage"], "*", sid="EcrLogin"),
        {"Effect": "Allow", "NotAction": ["iam:*"], "Resource": ["arn:aws:s3:::bucket"]},
        {"Effect": "Allow", "Action": ["s3:GetObject"], "NotResource": ["arn:aws:s3:::bucket"]},
    ],
)
def test_flags_wildcards(statement):
    assert wildcard_problems(doc(statement))


@pytest.mark.parametrize(
    "statement",
    [
        allow(["s3:GetObject"], ["arn:aws:s3:::bucket/*"]),
        allow(["logs:PutLogEvents"], ["arn:aws:logs:us-east-1:1:log-group:g:log-stream:*"]),
        allow(["ecr:GetAuthorizationToken"], "*", sid="EcrLogin"),
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::bucket/*"]},
        {"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"}, "Action": "sts:AssumeRole"},
    ],
)
def test_accepts_scoped_statements(statement):
    assert wildcard_problems(doc(statement)) == []


ROOT = {"AWS": "arn:aws:iam::123456789012:root"}


def test_key_policy_may_delegate_the_key_to_the_account():
    delegation = {"Effect": "Allow", "Principal": ROOT, "Action": "kms:*", "Resource": "*"}
    service = {
        "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
        "Resource": "*",
    }
    assert wildcard_problems(doc(delegation, service), key_policy=True) == []
    # The same statements outside a key policy are wildcards.
    assert wildcard_problems(doc(delegation, service))


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": ROOT, "Action": ["kms:GenerateDataKey*"], "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"},
    ],
)
def test_key_policy_wildcard_actions_beyond_the_delegation_are_flagged(statement):
    assert wildcard_problems(doc(statement), key_policy=True)
