"""Alibaba Cloud endpoints in the `serverless` mode: Function Compute 3.0 GPU functions in the VPC."""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence

import pulumi

from catalog.serverless import serverless_platform
from components.alicloud.bucket import Bucket
from components.alicloud.function_endpoint import FunctionEndpoint, FunctionEndpointArgs
from stacks.config.alicloud import AlicloudSpec
from stacks.config.serverless import CPU


def declare_serverless_endpoints(
    spec: AlicloudSpec,
    *,
    prefix: str,
    environment: str,
    vpc_id: pulumi.Input[str],
    vswitch_ids: Sequence[pulumi.Input[str]],
    security_group_id: pulumi.Input[str],
    buckets: Mapping[str, Bucket],
    tags: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> dict[str, pulumi.Output[str]]:
    """One `FunctionEndpoint` per endpoint with `mode: serverless`; their function names by key."""
    platform = serverless_platform("alicloud")
    names: dict[str, pulumi.Output[str]] = {}
    for key, endpoint in spec.endpoints.items():
        if endpoint.mode != "serverless" or endpoint.image is None:
            continue  # the config model guarantees an image in this mode
        gpu = platform.gpus.get(endpoint.accelerator) if endpoint.accelerator != CPU else None
        memory = endpoint.serverless.memory_mb or platform.memory_default_mb
        created = FunctionEndpoint(
            f"{prefix}-{key}",
            FunctionEndpointArgs(
                function_name=f"ai-infra-{environment}-{key}",
                region=spec.region,
                image=endpoint.image,
                port=endpoint.port,
                command=tuple(shlex.split(endpoint.command)) if endpoint.command else (),
                model_bucket=buckets[endpoint.model.bucket],
                model_key=endpoint.model.key,
                vpc_id=vpc_id,
                vswitch_ids=vswitch_ids,
                security_group_id=security_group_id,
                gpu_type=gpu.name if gpu is not None else None,
                gpu_memory_mb=gpu.gpu_memory_mb if gpu is not None else None,
                cpu=gpu.cpu if gpu is not None else max(0.05, memory / 2048),
                memory_mb=max(memory, gpu.memory_mb) if gpu is not None else memory,
                min_instances=endpoint.min_replicas,
                max_instances=endpoint.max_replicas,
                max_concurrency=endpoint.serverless.max_concurrency,
                tags=tags,
            ),
            opts=opts,
        )
        names[key] = created.function_name
    return names
