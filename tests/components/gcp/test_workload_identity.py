"""ai-infra:gcp:WorkloadIdentity: one KSA, one Google account, bucket roles on exactly the listed buckets."""

from __future__ import annotations

import pytest

from components.gcp import BucketGrant, WorkloadIdentity, WorkloadIdentityArgs

PROJECT = "acme-test"
BUCKET_MEMBER = "gcp:storage/bucketIAMMember:BucketIAMMember"


def make(grants=None, **overrides):
    args = {
        "account_name": "test-trainer",
        "project": PROJECT,
        "workload_pool": f"{PROJECT}.svc.id.goog",
        "namespace": "ml",
        "kubernetes_service_account": "trainer",
        "grants": grants
        if grants is not None
        else [
            BucketGrant(key="datasets", bucket_name="b-datasets", mode="read"),
            BucketGrant(key="checkpoints", bucket_name="b-checkpoints", mode="write"),
        ],
        **overrides,
    }
    return lambda: WorkloadIdentity("trainer", WorkloadIdentityArgs(**args))


def test_only_the_one_kubernetes_service_account_may_impersonate(declare):
    run = declare(make())
    account = run.one("gcp:serviceaccount/account:Account")
    binding = run.one("gcp:serviceaccount/iAMMember:IAMMember")
    assert binding.inputs["role"] == "roles/iam.workloadIdentityUser"
    assert binding.inputs["member"] == f"serviceAccount:{PROJECT}.svc.id.goog[ml/trainer]"
    assert binding.inputs["serviceAccountId"] == (
        f"projects/{PROJECT}/serviceAccounts/{account.inputs['accountId']}@{PROJECT}.iam.gserviceaccount.com"
    )


def test_bucket_roles_on_exactly_the_listed_buckets(declare):
    run = declare(make())
    grants = {(g.inputs["bucket"], g.inputs["role"]) for g in run.of_type(BUCKET_MEMBER)}
    assert grants == {("b-datasets", "roles/storage.objectViewer"), ("b-checkpoints", "roles/storage.objectUser")}
    email = f"{run.one('gcp:serviceaccount/account:Account').inputs['accountId']}@{PROJECT}.iam.gserviceaccount.com"
    assert {g.inputs["member"] for g in run.of_type(BUCKET_MEMBER)} == {f"serviceAccount:{email}"}


def test_no_project_roles_no_primitive_roles_no_keys(declare):
    run = declare(make())
    assert run.of_type("gcp:projects/iAMMember:IAMMember") == []
    assert run.of_type("gcp:serviceaccount/key:Key") == []
    roles = {r.inputs["role"] for r in run.resources if "role" in r.inputs}
    assert not roles & {"roles/owner", "roles/editor", "roles/viewer"}


def test_a_workload_with_no_buckets_gets_only_its_identity(declare):
    run = declare(make(grants=[]))
    assert run.of_type(BUCKET_MEMBER) == []


def test_one_grant_per_bucket():
    with pytest.raises(ValueError, match="one grant per bucket"):
        WorkloadIdentityArgs(
            account_name="x-trainer",
            project=PROJECT,
            workload_pool="p",
            namespace="ml",
            kubernetes_service_account="trainer",
            grants=[
                BucketGrant(key="models", bucket_name="b", mode="read"),
                BucketGrant(key="models", bucket_name="b", mode="write"),
            ],
        )
