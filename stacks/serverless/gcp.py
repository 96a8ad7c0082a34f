"""Google Cloud endpoints in the `serverless` mode: Cloud Run services (L4 GPU or CPU)."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from catalog.serverless import serverless_platform
from components.gcp.cloud_run_endpoint import CloudRunEndpoint, CloudRunEndpointArgs
from components.gcp.event_batch_job import EventBatchJob, EventBatchJobArgs
from stacks.config.gcp import GcpSpec
from stacks.config.serverless import CPU


def declare_serverless_endpoints(
    spec: GcpSpec,
    *,
    prefix: str,
    project_number: pulumi.Input[str],
    network: pulumi.Input[str],
    subnetwork: pulumi.Input[str],
    bucket_names: Mapping[str, pulumi.Input[str]],
    labels: Mapping[str, str],
    protect: bool,
    opts: pulumi.ResourceOptions,
) -> dict[str, pulumi.Output[str]]:
    """One `CloudRunEndpoint` per endpoint with `mode: serverless`; their service names by key."""
    platform = serverless_platform("gcp")
    names: dict[str, pulumi.Output[str]] = {}
    for key, endpoint in spec.endpoints.items():
        if endpoint.mode != "serverless" or endpoint.image is None or endpoint.model is None:
            continue  # the config model guarantees image and model in this mode
        settings = endpoint.serverless
        gpu = platform.gpus.get(endpoint.accelerator) if endpoint.accelerator != CPU else None
        memory = settings.memory_mb or platform.memory_default_mb
        created = CloudRunEndpoint(
            f"{prefix}-{key}",
            CloudRunEndpointArgs(
                service_name=f"{prefix}-{key}",
                project=spec.project,
                project_number=project_number,
                region=spec.region,
                image=endpoint.image,
                model_bucket_name=bucket_names[endpoint.model.bucket],
                network=network,
                subnetwork=subnetwork,
                gpu=gpu.name if gpu is not None else None,
                cpu=gpu.cpu if gpu is not None else 1,
                memory_mb=max(memory, gpu.memory_mb) if gpu is not None else memory,
                min_instances=endpoint.min_replicas,
                max_instances=endpoint.max_replicas,
                max_concurrency=settings.max_concurrency,
                invokers=tuple(settings.invokers),
                labels=labels,
                protect=protect,
            ),
            opts=opts,
        )
        names[key] = created.service_name
    return names


def declare_batch_jobs(
    spec: GcpSpec,
    *,
    prefix: str,
    project_number: pulumi.Input[str],
    network: pulumi.Input[str],
    subnetwork: pulumi.Input[str],
    bucket_names: Mapping[str, pulumi.Input[str]],
    labels: Mapping[str, str],
    protect: bool,
    opts: pulumi.ResourceOptions,
) -> dict[str, pulumi.Output[str]]:
    """One `EventBatchJob` per endpoint with `mode: batch`; their job names by key."""
    platform = serverless_platform("gcp")
    names: dict[str, pulumi.Output[str]] = {}
    for key, endpoint in spec.endpoints.items():
        if endpoint.mode != "batch" or endpoint.batch is None or endpoint.image is None:
            continue
        gpu = platform.gpus.get(endpoint.accelerator) if endpoint.accelerator != CPU else None
        memory = endpoint.serverless.memory_mb or platform.memory_default_mb
        trigger = endpoint.batch
        created = EventBatchJob(
            f"{prefix}-{key}",
            EventBatchJobArgs(
                job_name=f"{prefix}-{key}",
                project=spec.project,
                project_number=project_number,
                region=spec.region,
                image=endpoint.image,
                input_bucket_name=bucket_names[trigger.input.bucket],
                input_prefix=trigger.input.prefix,
                output_bucket_name=bucket_names[trigger.output.bucket],
                output_prefix=trigger.output.prefix,
                network=network,
                subnetwork=subnetwork,
                gpu=gpu.name if gpu is not None else None,
                cpu=gpu.cpu if gpu is not None else 1,
                memory_mb=max(memory, gpu.memory_mb) if gpu is not None else memory,
                labels=labels,
                protect=protect,
            ),
            opts=opts,
        )
        names[key] = created.job_name
    return names
