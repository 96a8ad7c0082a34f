"""`clouds.gcp.file_systems`: Managed Lustre (or Filestore) instances in the cluster's first node
zone, on the VPC's private services access range, mounted through GKE's CSI add-ons."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from components.gcp.bucket import Bucket
from components.gcp.file_system import BucketLink, FileSystem, FileSystemArgs
from components.gcp.gpu_cluster import GpuCluster
from components.gcp.gpu_platform import GpuPlatform
from components.gcp.network import Network
from stacks.config import EnvironmentSpec
from stacks.config.gcp import GcpSpec


def file_system_drivers(spec: GcpSpec) -> list[str]:
    """The GKE CSI add-ons the configured file systems need (`lustre`, `filestore`)."""
    return sorted({fs.kind for fs in spec.file_systems.values()})


def declare_file_systems(
    env: EnvironmentSpec,
    spec: GcpSpec,
    *,
    project_number: pulumi.Input[str],
    labels: Mapping[str, str],
    network: Network,
    cluster: GpuCluster,
    platform: GpuPlatform,
    buckets: Mapping[str, Bucket],
    opts: pulumi.ResourceOptions,
) -> dict[str, pulumi.Output[str]]:
    """File system key -> its mount point (a stack output)."""
    if not spec.file_systems:
        return {}
    # Config turns private services access on whenever there is a file system.
    assert network.private_services_connection is not None
    ranges = spec.network.ranges
    mounts: dict[str, pulumi.Output[str]] = {}
    for key, fs in spec.file_systems.items():
        file_system = FileSystem(
            f"{env.environment}-fs-{key}",
            FileSystemArgs(
                file_system_name=key,
                kind=fs.kind,
                project=spec.project,
                project_number=project_number,
                region=spec.region,
                zone=spec.node_zones[0],
                network=network.network_id,
                client_ranges=[ranges.subnet, ranges.pods],
                private_services_connection=network.private_services_connection,
                capacity_gib=fs.capacity_gib,
                throughput_mbps_per_tib=fs.throughput_mbps_per_tib,
                kubernetes_provider=platform.kubernetes_provider,
                namespace=fs.mount.namespace,
                claim=fs.claim_name(key),
                links=[
                    BucketLink(
                        directory=directory,
                        bucket_name=buckets[link.bucket].bucket_name,
                        prefix=link.prefix,
                        export=link.export,
                    )
                    for directory, link in fs.links.items()
                ],
                read_only=fs.mount.read_only,
                cluster_ready=[cluster, platform],
                protect=env.is_prod,
                labels=labels,
            ),
            opts=opts,
        )
        mounts[key] = file_system.mount_point
    return mounts
