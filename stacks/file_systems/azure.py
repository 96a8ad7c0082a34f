"""`clouds.azure.file_systems`: Azure Managed Lustre file systems, each in a subnet of its own in
the VNet's free range, linked to one of the stack's blob containers, mounted into AKS."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from components.azure.bucket import Bucket
from components.azure.file_system import BlobLink, FileSystem, FileSystemArgs
from components.azure.gpu_platform import GpuPlatform
from components.azure.naming import dashed_name
from components.azure.network import Network, plan_subnets
from components.azure.resource_ids import subnet_id
from stacks.config import EnvironmentSpec
from stacks.config.azure import AzureSpec
from stacks.config.file_systems import plan_amlfs_subnets


def subnet_name(key: str) -> str:
    return f"snet-amlfs-{key}"


def linked_subnet_ids(
    spec: AzureSpec, resource_group: pulumi.Input[str], vnet_name: str
) -> dict[str, list[pulumi.Output[str]]]:
    """Bucket key -> the file system subnets its account's firewall must admit (blob integration
    goes through the subnet's storage service endpoint). Ids from names: known before the subnets."""
    allowed: dict[str, list[pulumi.Output[str]]] = {}
    for key, fs in spec.file_systems.items():
        for link in fs.links.values():
            allowed.setdefault(link.bucket, []).append(
                subnet_id(spec.subscription_id, resource_group, vnet_name, subnet_name(key))
            )
    return allowed


def declare_file_systems(
    env: EnvironmentSpec,
    spec: AzureSpec,
    *,
    resource_group: pulumi.Input[str],
    zone: str,
    net: Network,
    platform: GpuPlatform,
    buckets: Mapping[str, Bucket],
    opts: pulumi.ResourceOptions,
) -> dict[str, pulumi.Output[str]]:
    """File system key -> its MGS address (a stack output)."""
    subnets = plan_amlfs_subnets(spec.network.cidr, {key: fs.capacity_tib for key, fs in spec.file_systems.items()})
    node_cidr = plan_subnets(spec.network.cidr)["nodes"]
    addresses: dict[str, pulumi.Output[str]] = {}
    for key, fs in spec.file_systems.items():
        link = None
        for directory, link_spec in fs.links.items():  # config allows at most one
            bucket = buckets[link_spec.bucket]
            link = BlobLink(
                directory=directory,
                account_name=bucket.account_name,
                container_name=bucket.container_name,
                prefix=link_spec.prefix,
                export=link_spec.export,
            )
        file_system = FileSystem(
            f"{env.environment}-az-fs-{key}",
            FileSystemArgs(
                file_system_name=key,
                subscription_id=spec.subscription_id,
                tenant_id=spec.tenant_id,
                resource_group_name=resource_group,
                location=spec.location,
                zone=zone,
                vnet_name=net.vnet_name,
                subnet_cidr=subnets[key],
                client_cidr=node_cidr,
                key_vault_name=dashed_name("kv-fs", env.environment, key, salt=spec.subscription_id, max_length=24),
                capacity_tib=fs.capacity_tib,
                throughput_mbps_per_tib=fs.throughput_mbps_per_tib,
                kubernetes_provider=platform.kubernetes_provider,
                namespace=fs.mount.namespace,
                claim=fs.claim_name(key),
                link=link,
                storage_cache_principal_id=fs.storage_cache_principal_id,
                read_only=fs.mount.read_only,
                network_ready=[net],
                cluster_ready=[platform],
                protect=env.is_prod,
                tags=env.tags,
            ),
            opts=opts,
        )
        addresses[key] = file_system.mgs_address
    return addresses
