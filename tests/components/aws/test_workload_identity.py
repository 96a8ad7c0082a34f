"""ai-infra:aws:WorkloadIdentity: a role only one service account can assume (IRSA), granting
exactly the listed buckets."""

from __future__ import annotations

import json

import pytest

from components.aws import Bucket, BucketArgs, WorkloadIdentity, WorkloadIdentityArgs
from tests.components.aws.iam_documents import assert_no_wildcards

ISSUER = "https://oidc.eks.us-east-1.amazonaws.com/id/ABC123"
ISSUER_HOST = "oidc.eks.us-east-1.amazonaws.com/id/ABC123"
PROVIDER_ARN = f"arn:aws:iam::123456789012:oidc-provider/{ISSUER_HOST}"
TAGS = {"environment": "test", "owner": "ml", "cost-center": "cc-1"}


def make(read=("datasets",), write=("checkpoints",), issuer=ISSUER):
    def program():
        buckets = {
            purpose: Bucket(purpose, BucketArgs(bucket_name=f"ai-infra-test-{purpose}", purpose=purpose))
            for purpose in ("datasets", "checkpoints", "models")
        }
        WorkloadIdentity(
            "trainer",
            WorkloadIdentityArgs(
                oidc_provider_arn=PROVIDER_ARN,
                oidc_issuer=issuer,
                namespace="ml",
                service_account="trainer",
                read_buckets=[buckets[p] for p in read],
                write_buckets=[buckets[p] for p in write],
                tags=TAGS,
            ),
        )

    return program


def _policy(run):
    return json.loads(run.named("trainer-bucket-access").inputs["policy"])


@pytest.mark.parametrize("issuer", [ISSUER, ISSUER_HOST])
def test_only_the_named_service_account_can_assume_the_role(declare, issuer):
    role = declare(make(issuer=issuer)).named("trainer-role")
    [statement] = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"Federated": PROVIDER_ARN}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"] == {
        "StringEquals": {
            f"{ISSUER_HOST}:sub": "system:serviceaccount:ml:trainer",
            f"{ISSUER_HOST}:aud": "sts.amazonaws.com",
        }
    }
    assert TAGS.items() <= role.inputs["tags"].items()


def test_policy_grants_exactly_the_listed_buckets_and_keys(declare):
    run = declare(make())
    policy = _policy(run)
    resources = {r for s in policy["Statement"] for r in s["Resource"]}
    assert resources == {
        "arn:aws:s3:::ai-infra-test-datasets",
        "arn:aws:s3:::ai-infra-test-datasets/*",
        run.named("datasets-key").outputs["arn"],
        "arn:aws:s3:::ai-infra-test-checkpoints",
        "arn:aws:s3:::ai-infra-test-checkpoints/*",
        run.named("checkpoints-key").outputs["arn"],
    }
    assert not any("models" in r for r in resources)
    assert run.named("models-key").outputs["arn"] not in resources


def test_read_buckets_cannot_be_written(declare):
    run = declare(make())
    policy = _policy(run)
    writes_on = {
        r
        for s in policy["Statement"]
        if "s3:PutObject" in s["Action"] or "kms:GenerateDataKey" in s["Action"]
        for r in s["Resource"]
    }
    assert writes_on == {
        "arn:aws:s3:::ai-infra-test-checkpoints/*",
        run.named("checkpoints-key").outputs["arn"],
    }


def test_a_bucket_in_both_lists_is_granted_once_as_write(declare):
    policy = _policy(declare(make(read=("models",), write=("models",))))
    object_grants = [s for s in policy["Statement"] if s["Resource"] == ["arn:aws:s3:::ai-infra-test-models/*"]]
    [grant] = object_grants
    assert "s3:PutObject" in grant["Action"]


def test_one_inline_policy_and_no_wildcards(declare):
    run = declare(make())
    [inline] = run.of_type("aws:iam/rolePolicy:RolePolicy")
    assert inline.inputs["role"] == run.id_of("trainer-role")
    assert run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment") == []
    assert assert_no_wildcards(run) >= 2


def test_an_identity_that_grants_nothing_is_refused(declare):
    with pytest.raises(ValueError, match="grants nothing"):
        declare(make(read=(), write=()))
