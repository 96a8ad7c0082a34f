"""`ai-infra:alicloud:Bucket`: an OSS bucket hardened the way model and dataset storage should be."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_alicloud as alicloud

from components.alicloud.kms_key import customer_key
from components.options import child_options, stateful_options

AccessMode = Literal["read", "write"]

READ_ACTIONS = ("oss:GetObject", "oss:GetObjectVersion")
WRITE_ACTIONS = (*READ_ACTIONS, "oss:PutObject", "oss:DeleteObject", "oss:AbortMultipartUpload", "oss:ListParts")
LIST_ACTIONS = ("oss:ListObjects", "oss:GetBucketInfo")
KEY_READ_ACTIONS = ("kms:Decrypt",)
KEY_WRITE_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")


@dataclass(frozen=True, kw_only=True)
class BucketTiering:
    """Days after creation at which current objects move to colder OSS storage classes.
    A step left as None is skipped."""

    infrequent_access_days: int | None = 30
    """To IA (Infrequent Access). Default 30 days."""
    archive_days: int | None = None
    """To Archive. Default: never."""
    cold_archive_days: int | None = None
    """To ColdArchive. Default: never."""


@dataclass(frozen=True, kw_only=True)
class BucketArgs:
    """Inputs of `Bucket`."""

    bucket_name: pulumi.Input[str]
    """Globally unique OSS bucket name (the stack derives it from environment, purpose, account)."""
    purpose: str
    """What the bucket holds (`datasets`, `models`, ...); becomes the `purpose` tag."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for the bucket and its KMS key (cost allocation, ownership). OSS allows 10 per bucket."""
    tiering: BucketTiering = field(default_factory=BucketTiering)
    """Lifecycle transitions. Default: IA after 30 days, nothing colder."""
    noncurrent_version_days: int = 30
    """Replaced object versions are deleted after this many days. Default 30."""
    abort_incomplete_upload_days: int = 7
    """Unfinished multipart uploads (which bill silently) are aborted after this many days."""
    access_log_bucket: pulumi.Input[str] | None = None
    """Name of a bucket to receive access logs. Default None: no access logging."""
    protect: bool = False
    """True (prod): bucket and key are protected and retained if removed from the program.
    False (dev): `force_destroy` is set so that tearing the environment down deletes objects."""


class Bucket(pulumi.ComponentResource):
    """Private, encrypted, versioned OSS bucket with lifecycle tiering and an HTTPS-only policy.

    Children: a KMS key, the bucket (with its lifecycle rule), a private ACL (`oss.BucketAcl`),
    a public access block, SSE-KMS with that key, versioning, a bucket policy that denies requests
    without TLS, and optional access logging.

    Every bucket gets its own customer key, the access-log target bucket included: unlike S3
    server access logs, OSS documents no encryption restriction on the log destination (only
    same account and same region; PutBucketLogging API reference and the "Log storage" guide).
    """

    bucket_name: pulumi.Output[str]
    kms_key_arn: pulumi.Output[str]
    kms_key: alicloud.kms.Key
    """The bucket's customer-managed key (SSE-KMS default encryption)."""
    bucket: alicloud.oss.Bucket
    """The native bucket, for escape hatches."""

    def __init__(self, name: str, args: BucketArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:alicloud:Bucket", name, None, opts)
        tags = {**args.tags, "purpose": args.purpose}

        self.kms_key = customer_key(
            f"{name}-key",
            parent=self,
            description=f"OSS encryption key for the {args.purpose} bucket",
            tags=tags,
            protect=args.protect,
        )

        self.bucket = alicloud.oss.Bucket(
            f"{name}-bucket",
            bucket=args.bucket_name,
            storage_class="Standard",
            force_destroy=not args.protect,
            lifecycle_rules=[_lifecycle_rule(args)],
            tags=tags,
            opts=stateful_options(self, args.protect),
        )
        bucket = self.bucket.bucket
        # The owner's account UID from the caller identity (known at preview, unlike the
        # bucket's `owner` output), so the TLS-only policy can be judged before anything exists.
        self._owner = alicloud.get_caller_identity_output(opts=pulumi.InvokeOptions(parent=self)).account_id

        acl = alicloud.oss.BucketAcl(f"{name}-acl", bucket=bucket, acl="private", opts=child_options(self))
        public_access_block = alicloud.oss.BucketPublicAccessBlock(
            f"{name}-public-access-block", bucket=bucket, block_public_access=True, opts=child_options(self)
        )
        alicloud.oss.BucketServerSideEncryption(
            f"{name}-encryption",
            bucket=bucket,
            sse_algorithm="KMS",
            kms_master_key_id=self.kms_key.id,
            opts=child_options(self),
        )
        alicloud.oss.BucketVersioning(f"{name}-versioning", bucket=bucket, status="Enabled", opts=child_options(self))
        alicloud.oss.BucketPolicy(
            f"{name}-policy",
            bucket=bucket,
            policy=pulumi.Output.all(self._owner, bucket).apply(lambda v: _deny_insecure_transport(v[0], v[1])),
            # A policy put before the ACL and the public access block could be judged public.
            opts=child_options(self, depends_on=[acl, public_access_block]),
        )
        if args.access_log_bucket is not None:
            alicloud.oss.BucketLogging(
                f"{name}-logging",
                bucket=bucket,
                target_bucket=args.access_log_bucket,
                target_prefix=pulumi.Output.concat(bucket, "/"),
                opts=child_options(self),
            )

        self.bucket_name = bucket
        self.kms_key_arn = self.kms_key.arn
        self.register_outputs({"bucket_name": self.bucket_name, "kms_key_arn": self.kms_key_arn})

    def access_statements(self, mode: AccessMode) -> pulumi.Output[list[dict]]:
        """RAM policy statements granting exactly `read` or `write` (read + write) object access
        to this bucket, plus use of its KMS key. For identities (`WorkloadIdentity`). Every
        action is named; no statement uses a wildcard action or a `*` resource."""
        object_actions = list(READ_ACTIONS if mode == "read" else WRITE_ACTIONS)
        key_actions = list(KEY_READ_ACTIONS if mode == "read" else KEY_WRITE_ACTIONS)

        def build(owner: str, bucket: str, key: str) -> list[dict]:
            arn = _bucket_arn(owner, bucket)
            return [
                {"Effect": "Allow", "Action": list(LIST_ACTIONS), "Resource": [arn]},
                {"Effect": "Allow", "Action": object_actions, "Resource": [f"{arn}/*"]},
                {"Effect": "Allow", "Action": key_actions, "Resource": [key]},
            ]

        return pulumi.Output.all(self._owner, self.bucket_name, self.kms_key_arn).apply(
            lambda v: build(v[0], v[1], v[2])
        )


def _bucket_arn(owner: str, bucket: str) -> str:
    # Region is `*`: OSS resource ARNs are matched by owner UID and bucket name.
    return f"acs:oss:*:{owner}:{bucket}"


def _lifecycle_rule(args: BucketArgs) -> dict:
    """One rule for the whole bucket (OSS refuses overlapping rules for the same action)."""
    transitions = [
        {"days": days, "storage_class": storage_class}
        for days, storage_class in (
            (args.tiering.infrequent_access_days, "IA"),
            (args.tiering.archive_days, "Archive"),
            (args.tiering.cold_archive_days, "ColdArchive"),
        )
        if days is not None
    ]
    rule: dict[str, object] = {
        "id": "ai-infra-lifecycle",
        "enabled": True,
        "prefix": "",
        "abort_multipart_uploads": [{"days": args.abort_incomplete_upload_days}],
        "noncurrent_version_expirations": [{"days": args.noncurrent_version_days}],
    }
    if transitions:
        rule["transitions"] = transitions
    return rule


def _deny_insecure_transport(owner: str, bucket: str) -> str:
    arn = _bucket_arn(owner, bucket)
    return json.dumps(
        {
            "Version": "1",
            "Statement": [
                {
                    "Effect": "Deny",
                    "Principal": ["*"],
                    "Action": ["oss:*"],
                    "Resource": [arn, f"{arn}/*"],
                    "Condition": {"Bool": {"acs:SecureTransport": ["false"]}},
                }
            ],
        }
    )
