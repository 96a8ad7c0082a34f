"""`clouds.aws.file_systems`: FSx for Lustre file systems in the first private subnet, reachable
from the cluster's nodes only, linked to the stack's buckets, mounted through the FSx CSI add-on."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from components.aws.bucket import Bucket
from components.aws.file_system import FileSystem, FileSystemArgs, S3Link
from components.aws.fsx_csi_driver import FsxCsiDriver, FsxCsiDriverArgs
from components.aws.gpu_cluster import GpuCluster
from components.aws.gpu_platform import GpuPlatform
from components.aws.network import Network
from stacks.config import EnvironmentSpec
from stacks.config.aws import AwsSpec


def declare_file_systems(
    env: EnvironmentSpec,
    spec: AwsSpec,
    *,
    account_id: pulumi.Input[str],
    cluster_name: str,
    network: Network,
    cluster: GpuCluster,
    platform: GpuPlatform,
    buckets: Mapping[str, Bucket],
    opts: pulumi.ResourceOptions,
) -> dict[str, pulumi.Output[str]]:
    """The file systems and, when there is at least one, the CSI driver add-on. Returns file system
    key -> its id (a stack output)."""
    if not spec.file_systems:
        return {}
    prefix = env.environment
    # The driver first: every volume waits for it, and each file system grants its role.
    driver = FsxCsiDriver(
        f"{prefix}-fsx-csi",
        FsxCsiDriverArgs(
            cluster_name=cluster_name,
            cluster_name_output=cluster.cluster_name,
            region=spec.region,
            account_id=account_id,
            ready=[cluster.system_node_group, platform],
            tags=env.tags,
        ),
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(parent=cluster)),
    )
    file_systems: dict[str, FileSystem] = {}
    for key, fs in spec.file_systems.items():
        file_systems[key] = FileSystem(
            f"{prefix}-fs-{key}",
            FileSystemArgs(
                file_system_name=key,
                vpc_id=network.vpc_id,
                # Lustre lives in one zone; the first is where multi-node pools place first too.
                subnet_id=network.private_subnet_ids[0],
                client_security_group_id=cluster.cluster_security_group_id,
                capacity_gib=fs.capacity_gib,
                throughput_mbps_per_tib=fs.throughput_mbps_per_tib,
                cluster_name=cluster_name,
                kubernetes_provider=platform.kubernetes_provider,
                namespace=fs.mount.namespace,
                claim=fs.claim_name(key),
                links=[
                    S3Link(
                        directory=directory,
                        bucket_name=buckets[link.bucket].bucket_name,
                        prefix=link.prefix,
                        export=link.export,
                    )
                    for directory, link in fs.links.items()
                ],
                read_only=fs.mount.read_only,
                backup_retention_days=fs.backup_retention_days,
                # The platform creates the team namespaces the claims live in.
                csi_driver=driver,
                cluster_ready=[platform],
                protect=env.is_prod,
                tags=env.tags,
            ),
            opts=opts,
        )
    return {key: fs.file_system_id for key, fs in file_systems.items()}
