"""AWS disaster recovery: every configured bucket replicated to a hardened replica in `dr_region`."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from catalog.costs import with_expected_size_tag
from components.aws.bucket import Bucket, BucketArgs, BucketTiering
from components.aws.bucket_replication import BucketReplication, BucketReplicationArgs
from stacks.config import EnvironmentSpec
from stacks.config.aws import AwsSpec

ACCESS_LOGS_PURPOSE = "access-logs"


def replicate_buckets(
    env: EnvironmentSpec,
    spec: AwsSpec,
    buckets: dict[str, Bucket],
    account_id: pulumi.Output[str],
    opts: pulumi.ResourceOptions,
) -> dict[str, BucketReplication]:
    """One `BucketReplication` per configured bucket when `dr_region` is set (none otherwise).
    Replicas of buckets that log their access log to an access-log bucket in the DR region (S3
    delivers server access logs within a region only)."""
    if spec.dr_region is None:
        return {}
    prefix = env.environment
    # A second provider pinned to the DR region: the replicas and their keys live there.
    dr_provider = aws.Provider("aws-dr", region=spec.dr_region)

    def name_of(purpose: str) -> pulumi.Output[str]:
        return pulumi.Output.concat("ai-infra-", prefix, "-", purpose, "-dr-", account_id)

    log_bucket: Bucket | None = None
    if any(bucket.access_logging for bucket in spec.buckets.values()):
        log_bucket = Bucket(
            f"{prefix}-{ACCESS_LOGS_PURPOSE}-dr",
            BucketArgs(
                bucket_name=name_of(ACCESS_LOGS_PURPOSE),
                purpose=ACCESS_LOGS_PURPOSE,
                tags=env.tags,
                # S3 server access logging cannot deliver into an SSE-KMS bucket.
                customer_managed_key=False,
                protect=env.is_prod,
            ),
            opts=pulumi.ResourceOptions(provider=dr_provider),
        )

    replications: dict[str, BucketReplication] = {}
    for purpose, bucket in spec.buckets.items():
        replications[purpose] = BucketReplication(
            f"{prefix}-{purpose}-dr",
            BucketReplicationArgs(
                source=buckets[purpose],
                replica_bucket_name=name_of(purpose),
                replica_provider=dr_provider,
                account_id=account_id,
                purpose=purpose,
                # The size tag prices the replica's storage like the source's.
                tags=with_expected_size_tag(env.tags, bucket.expected_size_gib),
                replica_tiering=BucketTiering(
                    infrequent_access_days=bucket.tiering.infrequent_access_days,
                    archive_days=bucket.tiering.archive_days,
                    deep_archive_days=bucket.tiering.deep_archive_days,
                ),
                noncurrent_version_days=bucket.noncurrent_version_days,
                replica_access_log_bucket=log_bucket.bucket_name if log_bucket and bucket.access_logging else None,
                protect=env.is_prod,
            ),
            opts=opts,
        )
    return replications
