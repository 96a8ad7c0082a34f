"""Alibaba Cloud disaster recovery: every configured OSS bucket replicated (cross-region
replication) to a hardened replica in `dr_region`."""

from __future__ import annotations

from collections.abc import Callable

import pulumi
import pulumi_alicloud as alicloud

from catalog.costs import with_expected_size_tag
from components.alicloud.bucket import Bucket, BucketArgs, BucketTiering
from components.alicloud.bucket_replication import BucketReplication, BucketReplicationArgs
from stacks.config import EnvironmentSpec
from stacks.config.alicloud import AlicloudSpec

ACCESS_LOGS = "access-logs"


def replicate_buckets(
    env: EnvironmentSpec,
    spec: AlicloudSpec,
    buckets: dict[str, Bucket],
    bucket_name: Callable[[str], pulumi.Output[str]],
    account_id: pulumi.Output[str],
    opts: pulumi.ResourceOptions,
) -> dict[str, BucketReplication]:
    """One `BucketReplication` per configured bucket when `dr_region` is set (none otherwise).
    `bucket_name(purpose)` is the stack's global naming; replicas get `<purpose>-dr`. Replicas
    log to an access-log bucket in the DR region (OSS delivers logs within a region only)."""
    if spec.dr_region is None:
        return {}
    prefix = f"{env.environment}-alicloud"
    # A second provider pinned to the DR region: the replicas and their keys live there.
    dr_provider = alicloud.Provider("alicloud-dr", region=spec.dr_region)
    access_logs: Bucket | None = None
    if any(bucket.access_logging for bucket in spec.buckets.values()):
        access_logs = Bucket(
            f"{prefix}-{ACCESS_LOGS}-dr",
            BucketArgs(
                bucket_name=bucket_name(f"{ACCESS_LOGS}-dr"), purpose=ACCESS_LOGS, tags=env.tags, protect=env.is_prod
            ),
            opts=pulumi.ResourceOptions(provider=dr_provider),
        )
    replications: dict[str, BucketReplication] = {}
    for purpose, bucket in spec.buckets.items():
        replications[purpose] = BucketReplication(
            f"{prefix}-{purpose}-dr",
            BucketReplicationArgs(
                source=buckets[purpose],
                replica_bucket_name=bucket_name(f"{purpose}-dr"),
                replica_region=spec.dr_region,
                replica_provider=dr_provider,
                account_id=account_id,
                role_name=f"ai-infra-{env.environment}-{purpose}-replication"[:64],
                purpose=purpose,
                # The size tag prices the replica's storage like the source's.
                tags=with_expected_size_tag(env.tags, bucket.expected_size_gib),
                replica_tiering=BucketTiering(
                    infrequent_access_days=bucket.tiering.infrequent_access_days,
                    archive_days=bucket.tiering.archive_days,
                    cold_archive_days=bucket.tiering.deep_archive_days,
                ),
                noncurrent_version_days=bucket.noncurrent_version_days,
                replica_access_log_bucket=access_logs.bucket_name if access_logs and bucket.access_logging else None,
                protect=env.is_prod,
            ),
            opts=opts,
        )
    return replications
