"""`ai-infra:alicloud:FileSystem`: an Extreme NAS file system encrypted with its own KMS key, whose
only mount target is in the cluster's VPC behind a permission group that admits the cluster's
node and pod vSwitches only, mounted into ACK as a static volume of the NAS CSI plugin.

Extreme NAS has no data link to OSS (CPFS data flows have one, but CPFS is sold on the China
site only): bucket links are recorded as tags for the job that syncs them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_alicloud as alicloud
import pulumi_kubernetes as k8s

from components.alicloud.kms_key import customer_key
from components.kubernetes.shared_volume import SharedVolume, shared_volume
from components.options import child_options, stateful_options

CSI_DRIVER = "nasplugin.csi.alibabacloud.com"
EXTREME_ROOT = "/share"
"""Extreme NAS exports its file system under `/share`."""
KMS_BYOK = 2
"""`encrypt_type` 2: encrypted with a customer-managed KMS key (1 would be the NAS-managed key)."""


@dataclass(frozen=True, kw_only=True)
class FileSystemArgs:
    """Inputs of `FileSystem`."""

    file_system_name: str
    """The config key (`train`): names the permission group, the volume and the `Name` tag."""
    cluster_name: str
    zone_id: str
    """Extreme NAS is zonal: the zone of the cluster's first vSwitch."""
    vpc_id: pulumi.Input[str]
    vswitch_id: pulumi.Input[str]
    """The node vSwitch of that zone: where the mount target lives."""
    client_cidrs: Sequence[str]
    """The cluster's node and pod vSwitch ranges: the only sources the permission group admits."""
    capacity_gib: int
    tier: Literal["standard", "advance"] = "standard"
    """Extreme NAS storage type. Default `standard`."""
    kubernetes_provider: k8s.Provider
    namespace: str
    claim: str
    links: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Directory -> `oss://<bucket>/<prefix>` it mirrors, recorded as tags. Default none."""
    read_only: bool = False
    cluster_ready: Sequence[pulumi.Resource] = ()
    """What the volume waits for: the platform, which creates the team namespaces."""
    protect: bool = False
    """True (prod): file system and key protected and retained (KMS deletion protection on)."""
    tags: Mapping[str, str] = field(default_factory=dict)


class FileSystem(pulumi.ComponentResource):
    """KMS key + Extreme NAS file system (NFS, customer key) + VPC permission group + one
    read-write rule per cluster range (nothing else admitted) + a mount target in the cluster's
    vSwitch + a static PersistentVolume and its claim."""

    file_system_id: pulumi.Output[str]
    mount_domain: pulumi.Output[str]
    claim_name: str
    file_system: alicloud.nas.FileSystem
    """The native file system, for escape hatches."""

    def __init__(self, name: str, args: FileSystemArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:alicloud:FileSystem", name, None, opts)
        link_tags = {f"ai-infra-link-{directory}": target for directory, target in args.links.items()}
        tags = {**args.tags, "Name": f"{args.cluster_name}-{args.file_system_name}"}
        key = customer_key(
            f"{name}-key",
            parent=self,
            description=f"Extreme NAS {args.file_system_name} of {args.cluster_name}",
            tags=tags,
            protect=args.protect,
        )
        self.file_system = alicloud.nas.FileSystem(
            f"{name}-nas",
            file_system_type="extreme",
            protocol_type="NFS",
            storage_type=args.tier,
            capacity=args.capacity_gib,
            zone_id=args.zone_id,
            encrypt_type=KMS_BYOK,
            kms_key_id=key.id,
            description=f"{args.cluster_name} {args.file_system_name}",
            tags={**tags, **link_tags},
            opts=stateful_options(self, args.protect),
        )
        group = alicloud.nas.AccessGroup(
            f"{name}-access",
            access_group_name=f"{args.cluster_name}-{args.file_system_name}",
            access_group_type="Vpc",
            file_system_type="extreme",
            description="The cluster's node and pod vSwitches only",
            opts=child_options(self),
        )
        for index, cidr in enumerate(args.client_cidrs):
            alicloud.nas.AccessRule(
                f"{name}-access-{index}",
                access_group_name=group.access_group_name,
                file_system_type="extreme",
                source_cidr_ip=cidr,
                rw_access_type="RDONLY" if args.read_only else "RDWR",
                user_access_type="no_squash",
                priority=1,
                opts=child_options(self),
            )
        target = alicloud.nas.MountTarget(
            f"{name}-mount",
            file_system_id=self.file_system.id,
            access_group_name=group.access_group_name,
            network_type="Vpc",
            vpc_id=args.vpc_id,
            vswitch_id=args.vswitch_id,
            opts=child_options(self),
        )
        self.mount_domain = target.mount_target_domain
        self.claim_name = args.claim
        shared_volume(
            f"{name}-volume",
            SharedVolume(
                name=args.file_system_name,
                driver=CSI_DRIVER,
                # The NAS plugin names a static volume by its PersistentVolume.
                volume_handle=f"{args.file_system_name}-{args.namespace}",
                attributes={"server": self.mount_domain, "path": EXTREME_ROOT, "vers": "3"},
                capacity_gib=args.capacity_gib,
                namespace=args.namespace,
                claim=args.claim,
                read_only=args.read_only,
                mount_options=("nolock", "tcp", "noresvport"),
            ),
            parent=self,
            provider=args.kubernetes_provider,
            depends_on=[target, *args.cluster_ready],
        )
        self.file_system_id = self.file_system.id
        self.register_outputs(
            {"file_system_id": self.file_system_id, "mount_domain": self.mount_domain, "claim_name": self.claim_name}
        )
