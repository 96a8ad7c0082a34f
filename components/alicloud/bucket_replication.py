"""`ai-infra:alicloud:BucketReplication`: an OSS `Bucket` copied to a hardened replica in a second
region (OSS cross-region replication)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_alicloud as alicloud

from components.alicloud.bucket import Bucket, BucketArgs, BucketTiering
from components.options import child_options

SOURCE_ACTIONS = ("oss:ReplicateList", "oss:ReplicateGet")
"""What OSS needs on the source bucket to list and read the objects it copies."""
REPLICA_ACTIONS = ("oss:ReplicateList", "oss:ReplicateGet", "oss:ReplicatePut", "oss:ReplicateDelete")
"""What OSS needs on the replica bucket to write and delete copies."""


@dataclass(frozen=True, kw_only=True)
class BucketReplicationArgs:
    """Inputs of `BucketReplication`."""

    source: Bucket
    """The bucket to copy (versioned and SSE-KMS encrypted, as `Bucket` makes it)."""
    replica_bucket_name: pulumi.Input[str]
    """Globally unique name of the replica bucket in the DR region."""
    replica_region: str
    """The DR region (`ap-southeast-5`): the replication destination's location."""
    replica_provider: alicloud.Provider
    """Alibaba Cloud provider pinned to `replica_region`: the replica and its key are created there."""
    account_id: pulumi.Input[str]
    """Account UID that owns both buckets (their RAM resource ARNs)."""
    role_name: str
    """Name of the RAM role OSS assumes to replicate (unique in the account, at most 64 characters)."""
    purpose: str
    """What the source holds (`datasets`, ...); the replica's `purpose` tag."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for the replica, its key and the role."""
    replica_tiering: BucketTiering = field(default_factory=BucketTiering)
    """Lifecycle of the replica. Default: IA after 30 days (a DR copy is rarely read)."""
    noncurrent_version_days: int = 30
    """Replaced replica versions are deleted after this many days. Default 30 (as the source)."""
    replica_access_log_bucket: pulumi.Input[str] | None = None
    """A bucket in the DR region receiving the replica's access logs. Default None: none."""
    replication_time_control: bool = False
    """Default False: no RTC (OSS offers it between some regions only; objects are copied within
    minutes to hours, without a guarantee). True: RTC, most objects within seconds and 99.99%
    within 10 minutes, billed per GB replicated."""
    protect: bool = False
    """True (prod): the replica and its key are protected and retained like the source."""


class BucketReplication(pulumi.ComponentResource):
    """OSS cross-region replication of `source` to a replica bucket in `replica_region`.

    Children: the replica (`Bucket`: its own KMS key in the DR region, private ACL, public access
    block, versioning, HTTPS-only policy), a RAM role only OSS may assume with a custom policy
    that allows exactly replication (list/read the source, write/delete in the replica, decrypt
    with the source key, encrypt with the replica key), and the replication rule: every object,
    puts and deletes, existing objects included, KMS-encrypted objects re-encrypted with the
    replica's key.
    """

    replica_bucket_name: pulumi.Output[str]
    role_name: pulumi.Output[str]

    def __init__(self, name: str, args: BucketReplicationArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:alicloud:BucketReplication", name, None, opts)
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
        role = alicloud.ram.Role(
            f"{name}-role",
            role_name=args.role_name,
            description=f"OSS cross-region replication of the {args.purpose} bucket",
            assume_role_policy_document=json.dumps(_oss_trust()),
            max_session_duration=3600,
            tags=tags,
            opts=child_options(self),
        )
        policy = alicloud.ram.Policy(
            f"{name}-policy",
            policy_name=f"{args.role_name}-replication",
            description=f"Replication of the {args.purpose} bucket, nothing else",
            policy_document=pulumi.Output.all(
                args.account_id,
                args.source.bucket_name,
                replica.bucket_name,
                args.source.kms_key_arn,
                replica.kms_key_arn,
            ).apply(lambda v: json.dumps(_replication_policy(*v))),
            rotate_strategy="DeleteOldestNonDefaultVersionWhenLimitExceeded",
            tags=tags,
            opts=child_options(self),
        )
        attachment = alicloud.ram.RolePolicyAttachment(
            f"{name}-policy-attachment",
            role_name=role.role_name,
            policy_name=policy.policy_name,
            policy_type="Custom",
            opts=child_options(self),
        )
        extra: dict[str, object] = {}
        if args.replication_time_control:
            extra["rtc"] = {"enabled": True}
        self.replication = alicloud.oss.BucketReplication(
            f"{name}-replication",
            bucket=args.source.bucket_name,
            action="ALL",
            historical_object_replication="enabled",
            destination={"bucket": replica.bucket_name, "location": f"oss-{args.replica_region}"},
            sync_role=role.role_name,
            source_selection_criteria={"sse_kms_encrypted_objects": {"status": "Enabled"}},
            encryption_configuration={"replica_kms_key_id": replica.kms_key.id},
            # OSS checks the role's permissions and versioning at both ends when the rule is put.
            opts=child_options(self, depends_on=[args.source, replica, attachment]),
            **extra,  # type: ignore[arg-type]
        )

        self.replica = replica
        self.replica_bucket_name = replica.bucket_name
        self.role_name = role.role_name
        self.register_outputs({"replica_bucket_name": self.replica_bucket_name, "role_name": self.role_name})


def _oss_trust() -> dict:
    return {
        "Version": "1",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": ["oss.aliyuncs.com"]}}],
    }


def _replication_policy(owner: str, source: str, replica: str, source_key: str, replica_key: str) -> dict:
    def arns(bucket: str) -> list[str]:
        # Region `*`: OSS resource ARNs are matched by owner UID and bucket name.
        return [f"acs:oss:*:{owner}:{bucket}", f"acs:oss:*:{owner}:{bucket}/*"]

    return {
        "Version": "1",
        "Statement": [
            {"Effect": "Allow", "Action": list(SOURCE_ACTIONS), "Resource": arns(source)},
            {"Effect": "Allow", "Action": list(REPLICA_ACTIONS), "Resource": arns(replica)},
            {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [source_key]},
            {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:GenerateDataKey"], "Resource": [replica_key]},
        ],
    }
