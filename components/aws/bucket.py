"""`ai-infra:aws:Bucket`: an S3 bucket hardened the way model and dataset storage should be."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_aws as aws

from components.options import child_options, stateful_options

AccessMode = Literal["read", "write"]

_READ_ACTIONS = ["s3:GetObject", "s3:GetObjectVersion"]
_WRITE_ACTIONS = [*_READ_ACTIONS, "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
_LIST_ACTIONS = ["s3:ListBucket", "s3:GetBucketLocation"]


@dataclass(frozen=True, kw_only=True)
class BucketTiering:
    """Days after creation at which current objects move to cheaper S3 storage classes.
    A step left as None is skipped."""

    infrequent_access_days: int | None = 30
    """To STANDARD_IA. Default 30 days."""
    archive_days: int | None = None
    """To GLACIER (Flexible Retrieval). Default: never."""
    deep_archive_days: int | None = None
    """To DEEP_ARCHIVE. Default: never."""


@dataclass(frozen=True, kw_only=True)
class BucketArgs:
    """Inputs of `Bucket`."""

    bucket_name: pulumi.Input[str]
    """Globally unique S3 bucket name (the stack derives it from environment, purpose, account)."""
    purpose: str
    """What the bucket holds (`datasets`, `models`, ...); becomes the `purpose` tag."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for the bucket and its KMS key (cost allocation, ownership)."""
    tiering: BucketTiering = field(default_factory=BucketTiering)
    """Lifecycle transitions. Default: STANDARD_IA after 30 days, nothing colder."""
    noncurrent_version_days: int = 30
    """Replaced object versions are deleted after this many days. Default 30."""
    abort_incomplete_upload_days: int = 7
    """Unfinished multipart uploads (which bill silently) are aborted after this many days."""
    customer_managed_key: bool = True
    """Default True: SSE-KMS with a dedicated customer key (rotation on, S3 bucket key on).
    False: SSE-S3; only for access-log target buckets, which S3 cannot write with SSE-KMS."""
    access_log_bucket: pulumi.Input[str] | None = None
    """Name of a bucket to receive server access logs. Default None: no access logging."""
    protect: bool = False
    """True (prod): bucket and key are protected and retained if removed from the program.
    False (dev): `force_destroy` is set so that tearing the environment down deletes objects."""


class Bucket(pulumi.ComponentResource):
    """Private, encrypted, versioned S3 bucket with lifecycle tiering and a TLS-only policy.

    Children: KMS key (+ alias) unless `customer_managed_key=False`, the bucket, ownership
    controls (ACLs disabled), public access block (all four), SSE configuration, versioning,
    lifecycle configuration, a bucket policy that denies non-TLS requests, and optional logging.
    """

    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]
    kms_key_arn: pulumi.Output[str] | None
    bucket: aws.s3.Bucket
    """The native bucket, for escape hatches."""

    def __init__(self, name: str, args: BucketArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:aws:Bucket", name, None, opts)
        tags = {**args.tags, "purpose": args.purpose}

        self.kms_key: aws.kms.Key | None = None
        if args.customer_managed_key:
            self.kms_key = aws.kms.Key(
                f"{name}-key",
                description=f"S3 encryption key for the {args.purpose} bucket",
                enable_key_rotation=True,
                deletion_window_in_days=30,
                tags=tags,
                opts=stateful_options(self, args.protect),
            )
            aws.kms.Alias(
                f"{name}-key-alias",
                name=pulumi.Output.concat("alias/", args.bucket_name),
                target_key_id=self.kms_key.key_id,
                opts=child_options(self),
            )

        self.bucket = aws.s3.Bucket(
            f"{name}-bucket",
            bucket=args.bucket_name,
            force_destroy=not args.protect,
            tags=tags,
            opts=stateful_options(self, args.protect),
        )
        bucket_id = self.bucket.id

        # ACLs off: access is decided by IAM and the bucket policy only.
        ownership = aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=bucket_id,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=child_options(self),
        )
        public_access_block = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access-block",
            bucket=bucket_id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child_options(self),
        )
        if self.kms_key is not None:
            sse_rule = {
                "apply_server_side_encryption_by_default": {
                    "sse_algorithm": "aws:kms",
                    "kms_master_key_id": self.kms_key.arn,
                },
                # The bucket key cuts KMS request costs by ~99% for object-heavy workloads.
                "bucket_key_enabled": True,
            }
        else:
            sse_rule = {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption", bucket=bucket_id, rules=[sse_rule], opts=child_options(self)
        )
        versioning = aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=bucket_id,
            versioning_configuration={"status": "Enabled"},
            opts=child_options(self),
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=bucket_id,
            rules=_lifecycle_rules(args),
            # Lifecycle rules on noncurrent versions need versioning to exist first.
            opts=child_options(self, depends_on=[versioning]),
        )
        # The ARN from the bucket's name (known at preview, unlike the `arn` output), so that the
        # policies built from it can be judged before anything exists.
        partition = aws.get_partition_output(opts=pulumi.InvokeOptions(parent=self)).partition
        self.bucket_arn = pulumi.Output.concat("arn:", partition, ":s3:::", self.bucket.bucket)
        aws.s3.BucketPolicy(
            f"{name}-policy",
            bucket=bucket_id,
            policy=self.bucket_arn.apply(_deny_insecure_transport),
            # A policy put before the public access block could be judged public and refused.
            opts=child_options(self, depends_on=[public_access_block, ownership]),
        )
        if args.access_log_bucket is not None:
            aws.s3.BucketLogging(
                f"{name}-logging",
                bucket=bucket_id,
                target_bucket=args.access_log_bucket,
                target_prefix=pulumi.Output.concat(args.bucket_name, "/"),
                opts=child_options(self),
            )

        self.bucket_name = self.bucket.bucket
        self.kms_key_arn = self.kms_key.arn if self.kms_key is not None else None
        self.register_outputs(
            {"bucket_name": self.bucket_name, "bucket_arn": self.bucket_arn, "kms_key_arn": self.kms_key_arn}
        )

    def access_statements(self, mode: AccessMode) -> pulumi.Output[list[dict]]:
        """IAM policy statements granting exactly `read` or `write` (read + write) object access
        to this bucket, plus use of its KMS key. For identities (`WorkloadIdentity`, endpoints)."""
        object_actions = _READ_ACTIONS if mode == "read" else _WRITE_ACTIONS
        key_actions = ["kms:Decrypt"] if mode == "read" else ["kms:Decrypt", "kms:GenerateDataKey"]
        key_arn: pulumi.Input[str | None] = self.kms_key_arn if self.kms_key_arn is not None else None

        def build(arn: str, key: str | None) -> list[dict]:
            statements = [
                {"Effect": "Allow", "Action": _LIST_ACTIONS, "Resource": [arn]},
                {"Effect": "Allow", "Action": object_actions, "Resource": [f"{arn}/*"]},
            ]
            if key:
                statements.append({"Effect": "Allow", "Action": key_actions, "Resource": [key]})
            return statements

        return pulumi.Output.all(self.bucket_arn, key_arn).apply(lambda v: build(v[0], v[1]))


def _lifecycle_rules(args: BucketArgs) -> list[dict]:
    transitions = [
        {"days": days, "storage_class": storage_class}
        for days, storage_class in (
            (args.tiering.infrequent_access_days, "STANDARD_IA"),
            (args.tiering.archive_days, "GLACIER"),
            (args.tiering.deep_archive_days, "DEEP_ARCHIVE"),
        )
        if days is not None
    ]
    rules: list[dict] = [
        {
            "id": "abort-incomplete-uploads",
            "status": "Enabled",
            "filter": {},
            "abort_incomplete_multipart_upload": {"days_after_initiation": args.abort_incomplete_upload_days},
        },
        {
            "id": "expire-noncurrent-versions",
            "status": "Enabled",
            "filter": {},
            "noncurrent_version_expiration": {"noncurrent_days": args.noncurrent_version_days},
        },
    ]
    if transitions:
        rules.append({"id": "tiering", "status": "Enabled", "filter": {}, "transitions": transitions})
    return rules


def _deny_insecure_transport(bucket_arn: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [bucket_arn, f"{bucket_arn}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
    )
