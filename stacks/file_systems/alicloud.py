"""`clouds.alicloud.file_systems`: Extreme NAS file systems in the cluster's first zone, mounted
into ACK (whose managed add-ons include the NAS CSI plugin)."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from components.alicloud.bucket import Bucket
from components.alicloud.file_system import FileSystem, FileSystemArgs
from components.alicloud.gpu_platform import GpuPlatform
from components.alicloud.network import Network
from components.alicloud.vswitch_plan import VSwitchPlan
from stacks.config import EnvironmentSpec
from stacks.config.alicloud import AlicloudSpec


def declare_file_systems(
    env: EnvironmentSpec,
    spec: AlicloudSpec,
    *,
    cluster_name: str,
    network: Network,
    plan: VSwitchPlan,
    platform: GpuPlatform,
    buckets: Mapping[str, Bucket],
    opts: pulumi.ResourceOptions,
) -> dict[str, pulumi.Output[str]]:
    """File system key -> its mount target domain (a stack output)."""
    domains: dict[str, pulumi.Output[str]] = {}
    for key, fs in spec.file_systems.items():
        file_system = FileSystem(
            f"{env.environment}-alicloud-fs-{key}",
            FileSystemArgs(
                file_system_name=key,
                cluster_name=cluster_name,
                zone_id=spec.zone_ids[0],
                vpc_id=network.vpc_id,
                vswitch_id=network.node_vswitch_ids[0],
                client_cidrs=[*plan.nodes, *plan.pods],
                capacity_gib=fs.capacity_gib,
                tier=fs.tier,
                kubernetes_provider=platform.kubernetes_provider,
                namespace=fs.mount.namespace,
                claim=fs.claim_name(key),
                links={
                    directory: pulumi.Output.concat("oss://", buckets[link.bucket].bucket_name, "/", link.prefix)
                    for directory, link in fs.links.items()
                },
                read_only=fs.mount.read_only,
                cluster_ready=[platform],
                protect=env.is_prod,
                tags=env.tags,
            ),
            opts=opts,
        )
        domains[key] = file_system.mount_domain
    return domains
