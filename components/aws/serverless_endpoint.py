"""`ai-infra:aws:ServerlessEndpoint`: a SageMaker Serverless Inference endpoint serving one model
from a project bucket. It runs on CPU (SageMaker Serverless has no GPUs), keeps no instance while
idle unless provisioned concurrency is asked for, and is billed per request and compute second.

SageMaker Serverless takes no VPC configuration and no network isolation; the endpoint is
reachable only through the SageMaker runtime API with IAM-signed requests (no public URL)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.aws.bucket import Bucket
from components.aws.model_endpoint import ecr_repository_arn
from components.aws.sagemaker_iam import sagemaker_trust
from components.options import child_options

VARIANT = "primary"


@dataclass(frozen=True, kw_only=True)
class ServerlessEndpointArgs:
    """Inputs of `ServerlessEndpoint`."""

    endpoint_name: str
    """SageMaker endpoint name (also names its log group)."""
    account_id: pulumi.Input[str]
    image: str
    """Serving container in ECR (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>`)."""
    model_bucket: Bucket
    model_key: str
    memory_mb: int = 4096
    """Memory (and with it the vCPUs) of each invocation, 1024-6144 in 1024 steps. Default 4096."""
    max_concurrency: int = 10
    """Invocations served at once across the endpoint (1-200); the cost ceiling. Default 10."""
    provisioned_concurrency: int = 0
    """Warm capacity kept and billed while idle. Default 0: none, cold starts on first requests."""
    log_retention_days: int = 90
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 1024 <= self.memory_mb <= 6144 or self.memory_mb % 1024:
            raise ValueError(f"{self.endpoint_name}: memory {self.memory_mb} MB (allowed: 1024-6144 in 1024 steps)")
        if not 0 <= self.provisioned_concurrency <= self.max_concurrency <= 200:
            raise ValueError(f"{self.endpoint_name}: 0 <= provisioned <= max concurrency <= 200")


class ServerlessEndpoint(pulumi.ComponentResource):
    """Children: log group, execution role + policy, Model, EndpointConfiguration (serverless
    variant), Endpoint."""

    endpoint_name: pulumi.Output[str]
    role_arn: pulumi.Output[str]
    endpoint: aws.sagemaker.Endpoint

    def __init__(self, name: str, args: ServerlessEndpointArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:aws:ServerlessEndpoint", name, None, opts)
        repository_arn = ecr_repository_arn(args.image)
        if repository_arn is None:
            raise ValueError(f"{args.image!r} is not an ECR image URI")
        tags = {**args.tags, "endpoint": args.endpoint_name}
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=f"/aws/sagemaker/Endpoints/{args.endpoint_name}",
            retention_in_days=args.log_retention_days,
            tags=tags,
            opts=child_options(self),
        )
        role = aws.iam.Role(
            f"{name}-role",
            description=f"Execution role of SageMaker serverless endpoint {args.endpoint_name}",
            assume_role_policy=pulumi.Output.from_input(args.account_id).apply(sagemaker_trust),
            tags=tags,
            opts=child_options(self),
        )
        role_policy = aws.iam.RolePolicy(
            f"{name}-role-policy",
            role=role.id,
            policy=pulumi.Output.all(
                pulumi.Output.concat(args.model_bucket.bucket_arn, "/", args.model_key),
                args.model_bucket.kms_key_arn,
                log_group.arn,
            ).apply(lambda v: _policy(v[0], v[1], repository_arn, v[2])),
            opts=child_options(self),
        )
        model = aws.sagemaker.Model(
            f"{name}-model",
            execution_role_arn=role.arn,
            primary_container={
                "image": args.image,
                "mode": "SingleModel",
                "model_data_url": pulumi.Output.concat("s3://", args.model_bucket.bucket_name, "/", args.model_key),
            },
            tags=tags,
            opts=child_options(self, depends_on=[role_policy]),
        )
        serverless: dict = {"memory_size_in_mb": args.memory_mb, "max_concurrency": args.max_concurrency}
        if args.provisioned_concurrency:
            serverless["provisioned_concurrency"] = args.provisioned_concurrency
        config = aws.sagemaker.EndpointConfiguration(
            f"{name}-config",
            production_variants=[{"variant_name": VARIANT, "model_name": model.name, "serverless_config": serverless}],
            tags=tags,
            opts=child_options(self),
        )
        self.endpoint = aws.sagemaker.Endpoint(
            f"{name}-endpoint",
            name=args.endpoint_name,
            endpoint_config_name=config.name,
            tags=tags,
            opts=child_options(self, depends_on=[log_group]),
        )
        self.endpoint_name = self.endpoint.name
        self.role_arn = role.arn
        self.register_outputs({"endpoint_name": self.endpoint_name, "role_arn": self.role_arn})


def _policy(model_object_arn: str, bucket_key_arn: str | None, repository_arn: str, log_group_arn: str) -> str:
    statements: list[dict] = [
        {"Sid": "ReadModelArtifact", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": [model_object_arn]},
        {
            "Sid": "PullServingImage",
            "Effect": "Allow",
            "Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            "Resource": [repository_arn],
        },
        # Unavoidable "*": GetAuthorizationToken has no resource-level permissions.
        {"Sid": "EcrLogin", "Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": "*"},
        {
            "Sid": "WriteOwnLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            "Resource": [log_group_arn, f"{log_group_arn}:log-stream:*"],
        },
    ]
    if bucket_key_arn:
        statements.append(
            {"Sid": "UseBucketKey", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [bucket_key_arn]}
        )
    return json.dumps({"Version": "2012-10-17", "Statement": statements})
