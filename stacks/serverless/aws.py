"""AWS endpoints in the `serverless` mode: SageMaker Serverless Inference."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from catalog.serverless import serverless_platform
from components.aws import Bucket, Network
from components.aws.async_inference import AsyncInference
from components.aws.event_batch_inference import EventBatchInference, EventBatchInferenceArgs
from components.aws.serverless_endpoint import ServerlessEndpoint, ServerlessEndpointArgs
from stacks.config.aws import AwsSpec
from stacks.config.common import EndpointSpec, machine_in_catalog


def declare_serverless_endpoints(
    spec: AwsSpec,
    *,
    prefix: str,
    account_id: pulumi.Input[str],
    buckets: Mapping[str, Bucket],
    tags: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> dict[str, pulumi.Output[str]]:
    """One `ServerlessEndpoint` per endpoint with `mode: serverless`; their names by config key."""
    platform = serverless_platform("aws")
    names: dict[str, pulumi.Output[str]] = {}
    for key, endpoint in spec.endpoints.items():
        if endpoint.mode != "serverless":
            continue
        settings = endpoint.serverless
        created = ServerlessEndpoint(
            f"{prefix}-{key}",
            ServerlessEndpointArgs(
                endpoint_name=f"ai-infra-{prefix}-{key}",
                account_id=account_id,
                image=endpoint.image,
                model_bucket=buckets[endpoint.model.bucket],
                model_key=endpoint.model.key,
                memory_mb=settings.memory_mb or platform.memory_default_mb,
                max_concurrency=settings.max_concurrency,
                provisioned_concurrency=settings.provisioned_concurrency,
                log_retention_days=spec.log_retention_days,
                tags=tags,
            ),
            opts=opts,
        )
        names[key] = created.endpoint_name
    return names


def async_settings(endpoint: EndpointSpec) -> AsyncInference | None:
    """The asynchronous inference settings of an endpoint with `mode: async`; None otherwise."""
    if endpoint.mode != "async":
        return None
    return AsyncInference(max_concurrent_invocations_per_instance=endpoint.serverless.max_concurrency)


def declare_batch_triggers(
    spec: AwsSpec,
    *,
    prefix: str,
    account_id: pulumi.Input[str],
    network: Network,
    buckets: Mapping[str, Bucket],
    tags: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> dict[str, pulumi.Output[str]]:
    """One `EventBatchInference` per endpoint with `mode: batch`; their state machine ARNs by key."""
    machines: dict[str, pulumi.Output[str]] = {}
    for key, endpoint in spec.endpoints.items():
        if endpoint.mode != "batch" or endpoint.batch is None:
            continue
        machine = machine_in_catalog("aws", endpoint.accelerator, endpoint.machine_type, "endpoint", f"endpoints.{key}")
        trigger = endpoint.batch
        created = EventBatchInference(
            f"{prefix}-{key}",
            EventBatchInferenceArgs(
                job_prefix=f"ai-infra-{prefix}-{key}"[:26].rstrip("-"),
                region=spec.region,
                account_id=account_id,
                image=endpoint.image,
                instance_type=machine.name,
                model_bucket=buckets[endpoint.model.bucket],
                model_key=endpoint.model.key,
                vpc_id=network.vpc_id,
                vpc_cidr=network.vpc_cidr,
                subnet_ids=network.private_subnet_ids,
                input_bucket=buckets[trigger.input.bucket],
                input_prefix=trigger.input.prefix,
                output_bucket=buckets[trigger.output.bucket],
                output_prefix=trigger.output.prefix,
                max_concurrent_transforms=endpoint.serverless.max_concurrency,
                tags=tags,
            ),
            opts=opts,
        )
        machines[key] = created.state_machine_arn
    return machines
