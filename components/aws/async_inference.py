"""SageMaker Asynchronous Inference pieces of `ModelEndpoint` (`async_inference`): requests queue
inside SageMaker, results land under the endpoint's own prefix in the models bucket, completions
and failures go to an encrypted SNS topic, and instances scale on the queue, down to zero when it
is empty and back from zero when a request arrives."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.options import child_options

BACKLOG_METRIC = "ApproximateBacklogSizePerInstance"
WAKE_METRIC = "HasBacklogWithoutCapacity"


@dataclass(frozen=True, kw_only=True)
class AsyncInference:
    """Asynchronous inference settings of a `ModelEndpoint`."""

    max_concurrent_invocations_per_instance: int = 4
    """Requests SageMaker hands one instance at once. Default 4."""
    backlog_per_instance: int = 5
    """Target tracking value: queued requests per instance. Default 5."""


def output_prefix(endpoint_name: str) -> str:
    """Where results (`.../out`) and failures (`.../failed`) go in the models bucket."""
    return f"async-inference/{endpoint_name}"


def notification_topic(
    parent: pulumi.Resource, name: str, endpoint_name: str, tags: Mapping[str, str]
) -> aws.sns.Topic:
    return aws.sns.Topic(
        f"{name}-notifications",
        name=f"{endpoint_name}-async",
        # Encrypted at rest with the account's SNS key.
        kms_master_key_id="alias/aws/sns",
        tags=dict(tags),
        opts=child_options(parent),
    )


def async_inference_config(
    settings: AsyncInference,
    bucket_name: pulumi.Input[str],
    endpoint_name: str,
    key_arn: pulumi.Input[str] | None,
    topic: aws.sns.Topic,
) -> dict:
    prefix = output_prefix(endpoint_name)
    return {
        "client_config": {"max_concurrent_invocations_per_instance": settings.max_concurrent_invocations_per_instance},
        "output_config": {
            "s3_output_path": pulumi.Output.concat("s3://", bucket_name, f"/{prefix}/out"),
            "s3_failure_path": pulumi.Output.concat("s3://", bucket_name, f"/{prefix}/failed"),
            "kms_key_id": key_arn,
            "notification_config": {"success_topic": topic.arn, "error_topic": topic.arn},
        },
    }


def backlog_scaling(
    parent: pulumi.Resource,
    name: str,
    target: aws.appautoscaling.Target,
    endpoint_name: str,
    settings: AsyncInference,
    tags: Mapping[str, str],
) -> None:
    """Track the queue per instance (scale in to the target's minimum, 0), and wake from zero: target
    tracking cannot divide by zero instances, so a step policy adds one instance when the
    `HasBacklogWithoutCapacity` alarm fires."""
    dimensions = [{"name": "EndpointName", "value": endpoint_name}]
    aws.appautoscaling.Policy(
        f"{name}-backlog-policy",
        policy_type="TargetTrackingScaling",
        service_namespace=target.service_namespace,
        resource_id=target.resource_id,
        scalable_dimension=target.scalable_dimension,
        target_tracking_scaling_policy_configuration={
            "target_value": float(settings.backlog_per_instance),
            "customized_metric_specification": {
                "metric_name": BACKLOG_METRIC,
                "namespace": "AWS/SageMaker",
                "dimensions": dimensions,
                "statistic": "Average",
            },
            "scale_out_cooldown": 60,
            "scale_in_cooldown": 600,
        },
        opts=child_options(parent),
    )
    wake = aws.appautoscaling.Policy(
        f"{name}-wake-policy",
        policy_type="StepScaling",
        service_namespace=target.service_namespace,
        resource_id=target.resource_id,
        scalable_dimension=target.scalable_dimension,
        step_scaling_policy_configuration={
            "adjustment_type": "ChangeInCapacity",
            "cooldown": 300,
            "metric_aggregation_type": "Average",
            "step_adjustments": [{"metric_interval_lower_bound": "0", "scaling_adjustment": 1}],
        },
        opts=child_options(parent),
    )
    aws.cloudwatch.MetricAlarm(
        f"{name}-wake-alarm",
        name=f"{endpoint_name}-wake",
        alarm_description="Requests are queued and no instance is running: start one",
        namespace="AWS/SageMaker",
        metric_name=WAKE_METRIC,
        dimensions={"EndpointName": endpoint_name},
        statistic="Average",
        period=60,
        evaluation_periods=1,
        threshold=1,
        comparison_operator="GreaterThanOrEqualToThreshold",
        treat_missing_data="missing",
        alarm_actions=[wake.arn],
        tags=dict(tags),
        opts=child_options(parent),
    )
