"""Cloud Storage buckets of the Google Cloud stack: their global names (`bucket_name`) and their
declaration (`declare_buckets`): the optional access-log bucket plus one bucket per purpose key.
Called from stacks/gcp.py; resource names and options are those that module always used."""

from __future__ import annotations

import hashlib

import pulumi

from catalog.costs import with_expected_size_tag
from components.gcp import Bucket, BucketArgs, BucketTiering
from stacks.config import EnvironmentSpec
from stacks.config.gcp import GcpSpec
from stacks.dr import gcp as dr

BUCKET_NAME_MAX = 63
LOG_BUCKET_PURPOSE = "access-logs"


def bucket_name(project: str, environment: str, purpose: str) -> str:
    """`<project>-<environment>-<purpose>`: globally unique through the project id. Names longer
    than GCS's 63 characters are cut and given a short hash, so they stay unique and stable."""
    name = f"{project}-{environment}-{purpose}"
    if len(name) <= BUCKET_NAME_MAX:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: BUCKET_NAME_MAX - 9].rstrip('-')}-{digest}"


def declare_buckets(
    env: EnvironmentSpec,
    spec: GcpSpec,
    *,
    prefix: str,
    labels: dict[str, str],
    storage_agent: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
) -> dict[str, Bucket]:
    """The environment's buckets by purpose key; with access logging on any of them, also the
    `access-logs` bucket they write to (not in the result)."""
    log_bucket: Bucket | None = None
    if any(bucket.access_logging for bucket in spec.buckets.values()):
        log_bucket = Bucket(
            f"{prefix}-{LOG_BUCKET_PURPOSE}",
            BucketArgs(
                bucket_name=bucket_name(spec.project, prefix, LOG_BUCKET_PURPOSE),
                project=spec.project,
                location=spec.region,
                purpose=LOG_BUCKET_PURPOSE,
                storage_service_agent=storage_agent,
                labels=labels,
                tiering=BucketTiering(nearline_days=30, coldline_days=90),
                receives_access_logs=True,
                protect=env.is_prod,
            ),
            opts=opts,
        )
    buckets: dict[str, Bucket] = {}
    for purpose, bucket in spec.buckets.items():
        buckets[purpose] = Bucket(
            f"{prefix}-{purpose}",
            BucketArgs(
                bucket_name=bucket_name(spec.project, prefix, purpose),
                project=spec.project,
                location=spec.region,
                purpose=purpose,
                storage_service_agent=storage_agent,
                labels=with_expected_size_tag(labels, bucket.expected_size_gib),
                tiering=BucketTiering(
                    nearline_days=bucket.tiering.infrequent_access_days,
                    coldline_days=bucket.tiering.archive_days,
                    archive_days=bucket.tiering.deep_archive_days,
                ),
                autoclass=bucket.autoclass,
                noncurrent_version_days=bucket.noncurrent_version_days,
                soft_delete_days=bucket.soft_delete_days,
                access_log_bucket=log_bucket.bucket_name if bucket.access_logging and log_bucket else None,
                protect=env.is_prod,
                dual_region=dr.dual_region(spec),
            ),
            opts=opts,
        )
    return buckets
