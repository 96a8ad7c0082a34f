"""`ai-infra:alicloud:WorkloadIdentity`: a keyless RAM identity for exactly one Kubernetes service
account (ACK RRSA), allowed exactly the bucket access it is given."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_alicloud as alicloud

from components.alicloud.bucket import Bucket
from components.options import child_options

RRSA_AUDIENCE = "sts.aliyuncs.com"


@dataclass(frozen=True, kw_only=True)
class WorkloadIdentityArgs:
    """Inputs of `WorkloadIdentity`."""

    role_name: str
    """RAM role name (unique in the account, at most 64 characters)."""
    oidc_provider_arn: pulumi.Input[str]
    """The cluster's RRSA OIDC provider (`GpuCluster.oidc_provider_arn`)."""
    oidc_issuer: pulumi.Input[str]
    """The cluster's RRSA issuer URL (`GpuCluster.oidc_issuer`)."""
    namespace: str
    service_account: str
    read_buckets: Sequence[Bucket] = ()
    """Buckets whose objects the workload may list and read (and decrypt). Default: none."""
    write_buckets: Sequence[Bucket] = ()
    """Buckets the workload may read and write (put, delete, abort uploads). Default: none."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for the role and its policy."""


class WorkloadIdentity(pulumi.ComponentResource):
    """RAM role trusted only by `system:serviceaccount:<namespace>:<service_account>` through the
    cluster's RRSA OIDC provider, one custom policy built from the buckets' access statements,
    and the attachment of that policy. No AccessKey, no system policy, no wildcard action.

    Annotate the service account with `pod-identity.alibabacloud.com/role-name: <role_name>` and
    label its namespace `pod-identity.alibabacloud.com/injection: "on"` (ack-pod-identity-webhook)."""

    role_name: pulumi.Output[str]
    role_arn: pulumi.Output[str]
    role: alicloud.ram.Role
    """The native role, for escape hatches."""

    def __init__(self, name: str, args: WorkloadIdentityArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:alicloud:WorkloadIdentity", name, None, opts)
        if not args.read_buckets and not args.write_buckets:
            raise ValueError(f"workload identity {name} grants nothing; give it read_buckets or write_buckets")
        subject = f"system:serviceaccount:{args.namespace}:{args.service_account}"
        tags = dict(args.tags)

        self.role = alicloud.ram.Role(
            f"{name}-role",
            role_name=args.role_name,
            description=f"RRSA role of Kubernetes service account {args.namespace}/{args.service_account}",
            assume_role_policy_document=pulumi.Output.all(args.oidc_provider_arn, args.oidc_issuer).apply(
                lambda v: _rrsa_trust(v[0], v[1], subject)
            ),
            # STS sessions from RRSA tokens are short-lived; the SDKs refresh them on their own.
            max_session_duration=3600,
            tags=tags,
            opts=child_options(self),
        )

        grants = [bucket.access_statements("read") for bucket in args.read_buckets]
        grants += [bucket.access_statements("write") for bucket in args.write_buckets]
        policy = alicloud.ram.Policy(
            f"{name}-policy",
            policy_name=f"{args.role_name}-buckets",
            description=f"Bucket access of {args.namespace}/{args.service_account}",
            policy_document=pulumi.Output.all(*grants).apply(_policy_document),
            # Keep the version history bounded: RAM allows five versions per policy.
            rotate_strategy="DeleteOldestNonDefaultVersionWhenLimitExceeded",
            tags=tags,
            opts=child_options(self),
        )
        alicloud.ram.RolePolicyAttachment(
            f"{name}-policy-attachment",
            role_name=self.role.role_name,
            policy_name=policy.policy_name,
            policy_type="Custom",
            opts=child_options(self),
        )

        self.role_name = self.role.role_name
        self.role_arn = self.role.arn
        self.register_outputs({"role_name": self.role_name, "role_arn": self.role_arn})


def _rrsa_trust(provider_arn: str, issuer: str, subject: str) -> str:
    return json.dumps(
        {
            "Version": "1",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"Federated": [provider_arn]},
                    "Condition": {"StringEquals": {"oidc:aud": RRSA_AUDIENCE, "oidc:iss": issuer, "oidc:sub": subject}},
                }
            ],
        }
    )


def _policy_document(grants: list[list[dict]]) -> str:
    statements = [statement for grant in grants for statement in grant]
    for statement in statements:
        wildcards = [a for a in statement["Action"] if "*" in a]
        if wildcards or "*" in statement["Resource"]:
            # Bucket.access_statements never does this; refuse rather than widen access silently.
            raise ValueError(f"refusing a wildcard grant in a workload policy: {statement}")
    return json.dumps({"Version": "1", "Statement": statements})
