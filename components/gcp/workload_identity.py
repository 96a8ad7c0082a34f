"""`ai-infra:gcp:WorkloadIdentity`: a keyless Google identity for one Kubernetes service account."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.gcp.bucket import ACCESS_ROLES, AccessMode
from components.gcp.service_accounts import service_account
from components.options import child_options

WORKLOAD_IDENTITY_USER = "roles/iam.workloadIdentityUser"


@dataclass(frozen=True, kw_only=True)
class BucketGrant:
    """Object access to one bucket."""

    key: str
    """Stable key of the bucket (its purpose, `datasets`): part of the grant's resource name."""
    bucket_name: pulumi.Input[str]
    mode: AccessMode
    """`read` (roles/storage.objectViewer) or `write` (roles/storage.objectUser: read + write)."""


@dataclass(frozen=True, kw_only=True)
class WorkloadIdentityArgs:
    """Inputs of `WorkloadIdentity`."""

    account_name: str
    """What the Google service account's id is derived from (`<env>-<workload>`)."""
    project: str
    workload_pool: pulumi.Input[str]
    """The cluster's Workload Identity pool (`<project>.svc.id.goog`)."""
    namespace: str
    kubernetes_service_account: str
    grants: Sequence[BucketGrant] = ()
    """Buckets the workload may use, one grant per bucket; nothing else is granted. (Give a bucket
    that is both read and written once, as `write`: that role includes reading.)"""

    def __post_init__(self) -> None:
        keys = [grant.key for grant in self.grants]
        if len(keys) != len(set(keys)):
            raise ValueError(f"{self.account_name}: one grant per bucket, got {keys}")


class WorkloadIdentity(pulumi.ComponentResource):
    """A Google service account that exactly one Kubernetes service account (`<ns>/<ksa>` in the
    cluster's pool) may impersonate, with object roles on exactly the listed buckets. No project
    roles, no primitive roles, no keys: pods get short-lived tokens from the GKE metadata server.

    Children: the service account, its `roles/iam.workloadIdentityUser` binding for the KSA, one
    `storage.BucketIAMMember` per bucket (`<name>-<bucket key>-<mode>`)."""

    email: pulumi.Output[str]
    member: pulumi.Output[str]
    annotation: pulumi.Output[dict[str, str]]
    """The annotation the Kubernetes service account needs (`iam.gke.io/gcp-service-account`)."""

    def __init__(self, name: str, args: WorkloadIdentityArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:gcp:WorkloadIdentity", name, None, opts)
        account = service_account(
            self,
            f"{name}-sa",
            project=args.project,
            account=args.account_name,
            description=f"Workload Identity for {args.namespace}/{args.kubernetes_service_account}",
        )
        gcp.serviceaccount.IAMMember(
            f"{name}-ksa-binding",
            service_account_id=account.name,
            role=WORKLOAD_IDENTITY_USER,
            member=pulumi.Output.concat(
                "serviceAccount:", args.workload_pool, "[", args.namespace, "/", args.kubernetes_service_account, "]"
            ),
            opts=child_options(self),
        )
        for grant in args.grants:
            gcp.storage.BucketIAMMember(
                f"{name}-{grant.key}-{grant.mode}",
                bucket=grant.bucket_name,
                role=ACCESS_ROLES[grant.mode],
                member=account.member,
                opts=child_options(self),
            )

        self.email = account.email
        self.member = account.member
        self.annotation = account.email.apply(lambda email: {"iam.gke.io/gcp-service-account": email})
        self.register_outputs({"email": self.email, "member": self.member, "annotation": self.annotation})
