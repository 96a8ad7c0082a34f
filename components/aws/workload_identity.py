"""`ai-infra:aws:WorkloadIdentity`: a keyless AWS identity for exactly one Kubernetes service
account (IRSA), allowed exactly the bucket access it is given."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.aws.bucket import Bucket
from components.options import child_options


@dataclass(frozen=True, kw_only=True)
class WorkloadIdentityArgs:
    """Inputs of `WorkloadIdentity`."""

    oidc_provider_arn: pulumi.Input[str]
    """The cluster's IAM OIDC provider (`GpuCluster.oidc_provider_arn`)."""
    oidc_issuer: pulumi.Input[str]
    """The cluster's issuer URL (`GpuCluster.oidc_issuer`), with or without `https://`."""
    namespace: str
    service_account: str
    read_buckets: Sequence[Bucket] = ()
    """Buckets whose objects the workload may list and read (and decrypt). Default: none."""
    write_buckets: Sequence[Bucket] = ()
    """Buckets the workload may read and write (put, delete, abort uploads). Default: none."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for the role."""


class WorkloadIdentity(pulumi.ComponentResource):
    """IAM role trusted only by `system:serviceaccount:<namespace>:<service_account>` through the
    cluster's OIDC provider, with one inline policy built from the buckets' access statements.

    Annotate the service account with `eks.amazonaws.com/role-arn: <role_arn>`."""

    role_arn: pulumi.Output[str]
    role: aws.iam.Role
    """The native role, for escape hatches."""

    def __init__(self, name: str, args: WorkloadIdentityArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:aws:WorkloadIdentity", name, None, opts)
        if not args.read_buckets and not args.write_buckets:
            raise ValueError(f"workload identity {name} grants nothing; give it read_buckets or write_buckets")
        subject = f"system:serviceaccount:{args.namespace}:{args.service_account}"

        self.role = aws.iam.Role(
            f"{name}-role",
            description=f"IRSA role of Kubernetes service account {args.namespace}/{args.service_account}",
            assume_role_policy=pulumi.Output.all(args.oidc_provider_arn, args.oidc_issuer).apply(
                lambda v: _irsa_trust(v[0], v[1], subject)
            ),
            # Web identity sessions are short-lived; one hour is the IAM default and enough for
            # the SDKs, which refresh on their own.
            max_session_duration=3600,
            tags=dict(args.tags),
            opts=child_options(self),
        )
        # Write implies read: a bucket in both lists is granted once, as write.
        write_set = {id(b) for b in args.write_buckets}
        statements = [b.access_statements("read") for b in args.read_buckets if id(b) not in write_set]
        statements += [b.access_statements("write") for b in args.write_buckets]
        aws.iam.RolePolicy(
            f"{name}-bucket-access",
            role=self.role.id,
            policy=pulumi.Output.all(*statements).apply(_policy_document),
            opts=child_options(self),
        )

        self.role_arn = self.role.arn
        self.register_outputs({"role_arn": self.role_arn})


def _irsa_trust(provider_arn: str, issuer: str, subject: str) -> str:
    # IAM condition keys name the issuer without its scheme.
    issuer_host = issuer.removeprefix("https://")
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": provider_arn},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {
                            f"{issuer_host}:sub": subject,
                            f"{issuer_host}:aud": "sts.amazonaws.com",
                        }
                    },
                }
            ],
        }
    )


def _policy_document(statement_lists: list[list[dict]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [s for statements in statement_lists for s in statements]})
