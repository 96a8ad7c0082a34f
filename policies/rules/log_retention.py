"""Cost: logs are kept for a bounded time (C9): CloudWatch log groups, EKS and SageMaker logs,
GCS log buckets, Log Analytics workspaces, ACK log stores."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import (
    Check,
    Context,
    Example,
    Resource,
    Rule,
    Stack,
    as_int,
    as_list,
)

# -- C9 -------------------------------------------------------------------------------------------
AWS_LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def _retention(days: int | None, maximum: int, unset: str) -> Iterator[str]:
    if days is None or days <= 0:
        if unset:
            yield unset
    elif days > maximum:
        yield f"keeps logs {days} days; at most {maximum}"


def _c9_aws(group: Resource, ctx: Context) -> Iterator[str]:
    yield from _retention(
        as_int(group.get("retentionInDays")),
        ctx.config["maxRetentionDays"],
        "retentionInDays is not set: logs never expire",
    )


def _aws_log_group_named(stack: Stack, name: str) -> bool:
    return any(g.get("name") == name for g in stack.of_type(AWS_LOG_GROUP))


def _c9_eks(cluster: Resource, ctx: Context) -> Iterator[str]:
    name = cluster.get("name")
    logged = as_list(cluster.get("enabledClusterLogTypes")) and isinstance(name, str)
    if logged and not _aws_log_group_named(ctx.require_stack(), f"/aws/eks/{name}/cluster"):
        yield f"no LogGroup /aws/eks/{name}/cluster in the stack: EKS creates it with logs kept forever"


def _c9_sagemaker(endpoint: Resource, ctx: Context) -> Iterator[str]:
    name = endpoint.get("name")
    if isinstance(name, str) and not _aws_log_group_named(ctx.require_stack(), f"/aws/sagemaker/Endpoints/{name}"):
        yield f"no LogGroup /aws/sagemaker/Endpoints/{name} in the stack: SageMaker creates it with logs kept forever"


def _c9_prop(prop: str) -> Check:
    def check(resource: Resource, ctx: Context) -> Iterator[str]:
        yield from _retention(as_int(resource.get(prop)), ctx.config["maxRetentionDays"], "")

    return check


def _c9_ack(cluster: Resource, ctx: Context) -> Iterator[str]:
    if as_list(cluster.get("controlPlaneLogComponents")):
        yield from _retention(as_int(cluster.get("controlPlaneLogTtl")), ctx.config["maxRetentionDays"], "")


LOG_RETENTION = Rule(
    id="log-retention-set",
    ref="C9",
    domain="cost",
    description="Log groups, buckets and workspaces keep logs for a bounded time.",
    severity="low",
    tags=("cost",),
    remediation="Set a retention (CloudWatch retentionInDays, Cloud Logging bucket retentionDays, Log Analytics "
    "retentionInDays, SLS retentionPeriod) no longer than maxRetentionDays, and pre-create the log groups EKS and "
    "SageMaker would otherwise create without one.",
    rationale="Log storage is billed per GB kept, every month: a log group that never expires grows the bill "
    "for as long as the account exists. EKS and SageMaker create their log groups with no expiry unless the "
    "program declares them first. The lower bound, for investigations, is log-retention-minimum.",
    examples=(
        Example(
            type=AWS_LOG_GROUP,
            compliant={
                "name": "/aws/eks/ai-infra-prod/cluster",
                "retentionInDays": 365,
                "kmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/logs",
            },
            violating={
                "name": "/aws/eks/ai-infra-prod/cluster",
                "kmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/logs",
            },
            note="no retentionInDays: the logs never expire",
        ),
    ),
    checks={
        AWS_LOG_GROUP: _c9_aws,
        "aws:eks/cluster:Cluster": _c9_eks,
        "aws:sagemaker/endpoint:Endpoint": _c9_sagemaker,
        "gcp:logging/projectBucketConfig:ProjectBucketConfig": _c9_prop("retentionDays"),
        "azure-native:operationalinsights:Workspace": _c9_prop("retentionInDays"),
        "alicloud:log/store:Store": _c9_prop("retentionPeriod"),
        "alicloud:cs/managedKubernetes:ManagedKubernetes": _c9_ack,
    },
    needs_stack=True,
    properties={
        "maxRetentionDays": {
            "type": "integer",
            "minimum": 1,
            "default": 3653,
            "description": "Longest retention allowed, in days.",
        }
    },
)
