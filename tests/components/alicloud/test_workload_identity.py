"""ai-infra:alicloud:WorkloadIdentity: a RAM role only the service account can assume via RRSA,
with a custom policy that names every action and resource (no wildcards, no keys)."""

from __future__ import annotations

import json

import pytest

from components.alicloud import Bucket, BucketArgs, WorkloadIdentity, WorkloadIdentityArgs

PROVIDER = "acs:ram::5123456789012345:oidc-provider/ack-rrsa-c1"
ISSUER = "https://oidc-ack-ap-southeast-1.oss-ap-southeast-1.aliyuncs.com/c1"
TAGS = {"environment": "test", "owner": "ml"}


def program(read=("datasets",), write=("models",)):
    def declare_all():
        buckets = {
            purpose: Bucket(purpose, BucketArgs(bucket_name=f"ai-infra-test-{purpose}", purpose=purpose))
            for purpose in {*read, *write}
        }
        WorkloadIdentity(
            "trainer",
            WorkloadIdentityArgs(
                role_name="ai-infra-test-trainer",
                oidc_provider_arn=PROVIDER,
                oidc_issuer=ISSUER,
                namespace="ml",
                service_account="trainer",
                read_buckets=[buckets[p] for p in read],
                write_buckets=[buckets[p] for p in write],
                tags=TAGS,
            ),
        )

    return declare_all


def test_role_is_trusted_only_by_the_service_account_through_rrsa(declare):
    role = declare(program()).one("alicloud:ram/role:Role").inputs
    assert role["roleName"] == "ai-infra-test-trainer" and "name" not in role and "document" not in role
    [statement] = json.loads(role["assumeRolePolicyDocument"])["Statement"]
    assert statement["Effect"] == "Allow" and statement["Action"] == "sts:AssumeRole"
    assert statement["Principal"] == {"Federated": [PROVIDER]}
    assert statement["Condition"] == {
        "StringEquals": {
            "oidc:aud": "sts.aliyuncs.com",
            "oidc:iss": ISSUER,
            "oidc:sub": "system:serviceaccount:ml:trainer",
        }
    }
    assert role["tags"] == TAGS


def test_policy_names_every_action_and_resource(declare):
    policy = declare(program()).one("alicloud:ram/policy:Policy").inputs
    document = json.loads(policy["policyDocument"])
    actions = [a for s in document["Statement"] for a in s["Action"]]
    resources = [r for s in document["Statement"] for r in s["Resource"]]
    assert actions and all("*" not in a for a in actions), actions
    assert all(a.startswith(("oss:", "kms:")) for a in actions)
    assert all(r != "*" for r in resources)
    assert {s["Effect"] for s in document["Statement"]} == {"Allow"}


def test_read_bucket_is_not_writable_and_write_bucket_is(declare):
    document = json.loads(declare(program()).one("alicloud:ram/policy:Policy").inputs["policyDocument"])

    def actions_on(bucket: str) -> set[str]:
        return {
            a
            for s in document["Statement"]
            for a in s["Action"]
            if any(r.endswith(f":{bucket}/*") for r in s["Resource"])
        }

    assert "oss:GetObject" in actions_on("ai-infra-test-datasets")
    assert "oss:PutObject" not in actions_on("ai-infra-test-datasets")
    assert {"oss:PutObject", "oss:DeleteObject"} <= actions_on("ai-infra-test-models")


def test_custom_policy_attached_and_nothing_else(declare):
    run = declare(program())
    [attachment] = run.of_type("alicloud:ram/rolePolicyAttachment:RolePolicyAttachment")
    assert attachment.inputs == {
        "roleName": "ai-infra-test-trainer",
        "policyName": "ai-infra-test-trainer-buckets",
        "policyType": "Custom",
    }
    assert run.of_type("alicloud:ram/accessKey:AccessKey") == []
    assert not any("AdministratorAccess" in json.dumps(r.inputs) for r in run.resources)


def test_an_identity_that_grants_nothing_is_refused():
    with pytest.raises(ValueError, match="grants nothing"):
        program(read=(), write=())()
