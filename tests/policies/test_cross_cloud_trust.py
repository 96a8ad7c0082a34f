"""`web-identity-trust-pinned`: every OIDC trust pins issuer, subject and audience. Known-good
trusts per cloud pass (an IRSA role, a role trusted by Google for one service account, an RRSA
role, an Entra federated credential, a Google pool provider); loosening any one of the three is
a finding, and the finding is mandatory in both stacks' policy configs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policies.framework import UNKNOWN
from policies.rules import cross_cloud_trust as t
from tests.policies.builders import assert_compliant, assert_flags, changed, judge, res

RULE = "web-identity-trust-pinned"
EKS = "oidc.eks.us-east-1.amazonaws.com/id/ABC123"
EKS_PROVIDER = f"arn:aws:iam::123456789012:oidc-provider/{EKS}"
GSA_UNIQUE_ID = "112233445566778899001"
GOOGLE = "accounts.google.com"


def aws_trust(federated=EKS_PROVIDER, prefix=EKS, operator="StringEquals", sub="system:serviceaccount:ml:trainer",
              aud="sts.amazonaws.com", aud_key="aud"):  # fmt: skip
    condition = {operator: {f"{prefix}:sub": sub}}
    if aud is not None:
        condition.setdefault("StringEquals", {})[f"{prefix}:{aud_key}"] = aud
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": federated},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": condition,
                }
            ],
        }
    )


def rrsa_trust(**conditions):
    pinned = {"oidc:iss": "https://oidc-ack.ap-southeast-1.aliyuncs.com/c1", "oidc:aud": "sts.aliyuncs.com",
              "oidc:sub": "system:serviceaccount:ml:trainer", **conditions}  # fmt: skip
    return json.dumps(
        {
            "Version": "1",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"Federated": ["acs:ram::5123456789012345:oidc-provider/ack-c1"]},
                    "Condition": {"StringEquals": {k: v for k, v in pinned.items() if v is not None}},
                }
            ],
        }
    )


def good():
    return [
        res(t.AWS_ROLE, "irsa", {"assumeRolePolicy": aws_trust()}),
        res(
            t.AWS_ROLE,
            "from-google",
            {"assumeRolePolicy": aws_trust(GOOGLE, GOOGLE, sub=GSA_UNIQUE_ID, aud=GSA_UNIQUE_ID)},
        ),
        res(t.ALICLOUD_ROLE, "rrsa", {"assumeRolePolicyDocument": rrsa_trust()}),
        res(
            t.AZURE_FEDERATED_CREDENTIAL,
            "federation",
            {
                "issuer": "https://eastus.oic.prod-aks.azure.com/tenant/cluster/",
                "subject": "system:serviceaccount:ml:trainer",
                "audiences": ["api://AzureADTokenExchange"],
            },
        ),
        res(
            t.GCP_POOL_PROVIDER,
            "pool-provider",
            {"aws": {"accountId": "123456789012"}, "attributeCondition": "attribute.aws_role == 'arn:aws:sts::1:x'"},
        ),
        # Not a web-identity trust: a service role is not judged.
        res(t.AWS_ROLE, "service", {"assumeRolePolicy": json.dumps({"Statement": [
            {"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sts:AssumeRole"}]})}),
    ]  # fmt: skip


def test_pinned_trusts_pass():
    assert_compliant(RULE, good())


@pytest.mark.parametrize(
    ("name", "path", "value", "says"),
    [
        ("irsa", "assumeRolePolicy", aws_trust(federated="*"), "issuer"),
        ("irsa", "assumeRolePolicy", aws_trust(operator="StringLike", sub="system:serviceaccount:ml:*"), "subject"),
        ("irsa", "assumeRolePolicy", aws_trust(aud=None), "audience"),
        ("irsa", "assumeRolePolicy", aws_trust(prefix="oidc.eks.us-east-1.amazonaws.com/id/OTHER"), "subject"),
        (
            "from-google",
            "assumeRolePolicy",
            aws_trust(GOOGLE, GOOGLE, aud=None),
            "audience",
        ),
        ("rrsa", "assumeRolePolicyDocument", rrsa_trust(**{"oidc:sub": None}), "subject"),
        ("rrsa", "assumeRolePolicyDocument", rrsa_trust(**{"oidc:iss": None}), "issuer"),
        ("rrsa", "assumeRolePolicyDocument", rrsa_trust(**{"oidc:aud": "*"}), "audience"),
        ("federation", "subject", "system:serviceaccount:ml:*", "subject"),
        ("federation", "audiences", [], "audiences"),
        ("federation", "issuer", "", "issuer"),
        ("pool-provider", "attributeCondition", "", "attributeCondition"),
    ],
)
def test_loosening_issuer_subject_or_audience_is_reported(name, path, value, says):
    assert_flags(RULE, changed(good(), name, path, value), name, contains=says)


def test_a_trust_not_known_yet_is_undecided():
    findings = judge(RULE, changed(good(), "irsa", "assumeRolePolicy", UNKNOWN))
    assert findings and all(f.undecided for f in findings)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_rule_is_mandatory_without_suppression_in_both_stacks(stack):
    config = json.loads((Path(t.__file__).parents[1] / "config" / f"{stack}.json").read_text())
    assert config[RULE] == {"enforcementLevel": "mandatory", "allowSuppression": False}
