"""AWS components (type tokens `ai-infra:aws:<Name>`), built on pulumi_aws primitives."""

from components.aws.bucket import Bucket, BucketArgs, BucketTiering

__all__ = ["Bucket", "BucketArgs", "BucketTiering"]
