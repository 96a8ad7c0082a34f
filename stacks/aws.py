"""The AWS part of an environment: network -> cluster -> pools -> buckets -> identities ->
endpoints -> budget, each step handed the Outputs of the steps before it."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from components.aws import Bucket, BucketArgs, BucketTiering
from stacks.config import EnvironmentSpec
from stacks.config.aws import AwsSpec


def declare_aws(env: EnvironmentSpec, spec: AwsSpec) -> dict[str, Any]:
    # An explicit provider: the region comes from typed stack config, never from ambient
    # AWS_REGION / profiles on whichever machine runs `pulumi up`.
    provider = aws.Provider("aws", region=spec.region)
    opts = pulumi.ResourceOptions(provider=provider)
    prefix = f"{env.environment}"
    account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOptions(provider=provider)).account_id

    buckets: dict[str, Bucket] = {}
    for purpose, bucket in spec.buckets.items():
        buckets[purpose] = Bucket(
            f"{prefix}-{purpose}",
            BucketArgs(
                bucket_name=pulumi.Output.concat("ai-infra-", prefix, "-", purpose, "-", account_id),
                purpose=purpose,
                tags=env.tags,
                tiering=BucketTiering(
                    infrequent_access_days=bucket.tiering.infrequent_access_days,
                    archive_days=bucket.tiering.archive_days,
                    deep_archive_days=bucket.tiering.deep_archive_days,
                ),
                noncurrent_version_days=bucket.noncurrent_version_days,
                protect=env.is_prod,
            ),
            opts=opts,
        )

    return {"bucket_names": {purpose: b.bucket_name for purpose, b in buckets.items()}}
