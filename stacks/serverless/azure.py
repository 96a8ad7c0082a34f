"""Azure endpoints in the `serverless` mode: Container Apps on serverless GPU workload profiles,
each in its own internal environment and delegated subnet of the environment's VNet."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

import pulumi

from catalog.serverless import serverless_platform
from components.azure.bucket import Bucket
from components.azure.container_app_endpoint import ContainerAppEndpoint, ContainerAppEndpointArgs
from components.azure.naming import dashed_name
from components.azure.network import Network
from stacks.config.azure import AzureSpec
from stacks.config.serverless import CPU

APPS_SUBNET_PREFIX = 27
"""The smallest subnet a Container Apps environment with workload profiles accepts."""


def apps_subnets(vnet_cidr: str, count: int) -> list[str]:
    """`count` /27 ranges from the last eighth of the VNet, which components/azure/network.py
    leaves free (`10.30.0.0/16` -> 10.30.224.0/27, 10.30.224.32/27, ...)."""
    vnet = ipaddress.IPv4Network(vnet_cidr, strict=True)
    free = list(vnet.subnets(prefixlen_diff=3))[-1]
    ranges = list(free.subnets(new_prefix=APPS_SUBNET_PREFIX)) if free.prefixlen <= APPS_SUBNET_PREFIX else []
    if count > len(ranges):
        raise ValueError(f"{vnet_cidr} has room for {len(ranges)} Container Apps environments, not {count}")
    return [str(r) for r in ranges[:count]]


def declare_serverless_endpoints(
    spec: AzureSpec,
    *,
    prefix: str,
    environment: str,
    network: Network,
    resource_group_name: pulumi.Input[str],
    buckets: Mapping[str, Bucket],
    tags: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> dict[str, pulumi.Output[str]]:
    """One `ContainerAppEndpoint` per endpoint with `mode: serverless` (in key order, each on
    its own subnet, created after the network's subnets); their app names by key."""
    subscription_id = spec.subscription_id
    platform = serverless_platform("azure")
    keys = sorted(k for k, e in spec.endpoints.items() if e.mode == "serverless")
    names: dict[str, pulumi.Output[str]] = {}
    for key, cidr in zip(keys, apps_subnets(spec.network.cidr, len(keys)), strict=True):
        endpoint = spec.endpoints[key]
        gpu = platform.gpus.get(endpoint.accelerator) if endpoint.accelerator != CPU else None
        bucket = buckets[endpoint.model.bucket]
        memory_mb = endpoint.serverless.memory_mb or platform.memory_default_mb
        created = ContainerAppEndpoint(
            f"{prefix}-{key}",
            ContainerAppEndpointArgs(
                app_name=dashed_name("ca", environment, key, salt=subscription_id, max_length=32),
                environment_name=dashed_name("cae", environment, key, salt=subscription_id, max_length=60),
                subscription_id=subscription_id,
                resource_group_name=resource_group_name,
                location=spec.location,
                vnet_name=network.vnet_name,
                subnet_cidr=cidr,
                image=endpoint.image,
                port=endpoint.port,
                model_container_id=bucket.container_id,
                model_uri=pulumi.Output.concat(
                    "https://",
                    bucket.account_name,
                    ".blob.core.windows.net/",
                    bucket.container_name,
                    "/",
                    endpoint.model.key,
                ),
                gpu_profile=gpu.name if gpu is not None else None,
                # Consumption profile sizes: 0.5 vCPU per GiB.
                cpu=memory_mb / 2048,
                memory_gib=memory_mb / 1024,
                min_replicas=endpoint.min_replicas,
                max_replicas=endpoint.max_replicas,
                max_concurrency=endpoint.serverless.max_concurrency,
                depends_on=(network,),
                tags=tags,
            ),
            opts=opts,
        )
        names[key] = created.app_name
    return names
