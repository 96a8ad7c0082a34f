"""`ai-infra:aws:BucketReplication`: a `Bucket` copied to a hardened replica in a second region."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.aws.bucket import Bucket, BucketArgs, BucketTiering
from components.options import child_options

REPLICATION_MINUTES = 15
"""S3 Replication Time Control: 99.99% of objects replicated within 15 minutes (the only value S3
accepts), and the threshold after which a missed-replication event is emitted."""


@dataclass(frozen=True, kw_only=True)
class BucketReplicationArgs:
    """Inputs of `BucketReplication`."""

    source: Bucket
    """The bucket to copy (versioned and SSE-KMS encrypted, as `Bucket` makes it)."""
    replica_bucket_name: pulumi.Input[str]
    """Globally unique name of the replica bucket in the DR region."""
    replica_provider: aws.Provider
    """AWS provider pinned to the DR region: the replica bucket and its key are created there."""
    account_id: pulumi.Input[str]
    """Account that owns both buckets: the replication role trusts S3 only on its behalf."""
    purpose: str
    """What the source holds (`datasets`, ...); the replica's `purpose` tag."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for the replica, its key and the replication role."""
    replica_storage_class: str | None = None
    """Storage class replicas are written in. Default None: the source object's class (the
    replica's lifecycle then tiers them like the source's). `STANDARD_IA` halves the cost of a
    copy that is rarely read, at a per-GB retrieval charge when it is."""
    replica_tiering: BucketTiering = field(default_factory=BucketTiering)
    """Lifecycle of the replica. Default: STANDARD_IA after 30 days (the stack passes the source's)."""
    noncurrent_version_days: int = 30
    """Replaced replica versions are deleted after this many days. Default 30 (as the source)."""
    replica_access_log_bucket: pulumi.Input[str] | None = None
    """A bucket in the DR region receiving the replica's server access logs. Default None: none."""
    protect: bool = False
    """True (prod): the replica and its key are protected and retained like the source."""


class BucketReplication(pulumi.ComponentResource):
    """Replication of `source` to a replica bucket in another region, with KMS re-encryption.

    Children: the replica (`Bucket`: its own KMS key in the DR region, public access block,
    versioning, TLS-only policy), an IAM role S3 assumes (trusted for this account only) with a
    least-privilege policy (read versions of the source, replicate into the replica, decrypt with
    the source key, encrypt with the replica key), and the replication configuration: every
    object and delete marker, KMS-encrypted objects included, with Replication Time Control
    (15 minutes) and replication metrics.
    """

    replica_bucket_name: pulumi.Output[str]
    replica_bucket_arn: pulumi.Output[str]
    role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: BucketReplicationArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:aws:BucketReplication", name, None, opts)
        tags = {**args.tags, "purpose": args.purpose}
        replica = Bucket(
            f"{name}-replica",
            BucketArgs(
                bucket_name=args.replica_bucket_name,
                purpose=args.purpose,
                tags={**tags, "replica-of": args.purpose},
                tiering=args.replica_tiering,
                noncurrent_version_days=args.noncurrent_version_days,
                access_log_bucket=args.replica_access_log_bucket,
                protect=args.protect,
            ),
            opts=child_options(self, provider=args.replica_provider),
        )
        if args.source.kms_key_arn is None or replica.kms_key_arn is None:
            raise ValueError("BucketReplication needs SSE-KMS buckets (customer_managed_key=True)")

        role = aws.iam.Role(
            f"{name}-role",
            description=f"S3 replication of the {args.purpose} bucket to its DR replica",
            assume_role_policy=pulumi.Output.from_input(args.account_id).apply(_s3_trust),
            max_session_duration=3600,
            tags=tags,
            opts=child_options(self),
        )
        aws.iam.RolePolicy(
            f"{name}-role-policy",
            role=role.id,
            policy=pulumi.Output.json_dumps(
                _replication_statements(
                    args.source.bucket_arn, replica.bucket_arn, args.source.kms_key_arn, replica.kms_key_arn
                )
            ),
            opts=child_options(self),
        )
        self.configuration = aws.s3.BucketReplicationConfig(
            f"{name}-replication",
            bucket=args.source.bucket.id,
            role=role.arn,
            rules=[
                {
                    "id": "dr-copy",
                    "status": "Enabled",
                    "priority": 1,
                    "filter": {},
                    "delete_marker_replication": {"status": "Enabled"},
                    "source_selection_criteria": {"sse_kms_encrypted_objects": {"status": "Enabled"}},
                    "destination": {
                        "bucket": replica.bucket_arn,
                        **({"storage_class": args.replica_storage_class} if args.replica_storage_class else {}),
                        "encryption_configuration": {"replica_kms_key_id": replica.kms_key_arn},
                        "replication_time": {"status": "Enabled", "time": {"minutes": REPLICATION_MINUTES}},
                        "metrics": {"status": "Enabled", "event_threshold": {"minutes": REPLICATION_MINUTES}},
                    },
                }
            ],
            # S3 refuses replication until versioning is on at both ends (children of the buckets).
            opts=child_options(self, depends_on=[args.source, replica]),
        )

        self.replica = replica
        self.replica_bucket_name = replica.bucket_name
        self.replica_bucket_arn = replica.bucket_arn
        self.role_arn = role.arn
        self.register_outputs(
            {
                "replica_bucket_name": self.replica_bucket_name,
                "replica_bucket_arn": self.replica_bucket_arn,
                "role_arn": self.role_arn,
            }
        )


def _s3_trust(account_id: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "s3.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    # Only replication on behalf of this account (confused-deputy guard).
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
                }
            ],
        }
    )


def _replication_statements(
    source_arn: pulumi.Input[str],
    replica_arn: pulumi.Input[str],
    source_key_arn: pulumi.Input[str],
    replica_key_arn: pulumi.Input[str],
) -> dict:
    """The role's policy: exactly what S3 replication of KMS-encrypted objects needs."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
                "Resource": [source_arn],
            },
            {
                "Effect": "Allow",
                "Action": [
                    "s3:GetObjectVersionForReplication",
                    "s3:GetObjectVersionAcl",
                    "s3:GetObjectVersionTagging",
                ],
                "Resource": [pulumi.Output.concat(source_arn, "/*")],
            },
            {
                "Effect": "Allow",
                "Action": ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
                "Resource": [pulumi.Output.concat(replica_arn, "/*")],
            },
            {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [source_key_arn]},
            {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:GenerateDataKey"], "Resource": [replica_key_arn]},
        ],
    }
