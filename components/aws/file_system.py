"""`ai-infra:aws:FileSystem`: an FSx for Lustre file system for training, reachable only from the
cluster's nodes, linked to S3 buckets, and mounted into EKS through the FSx CSI driver."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.aws.fsx_csi_driver import FsxCsiDriver, describe_policy
from components.kubernetes.shared_volume import SharedVolume, shared_volume
from components.options import child_options, stateful_options

LUSTRE_PORTS = ((988, 988), (1018, 1023))
"""TCP ports Lustre clients and file servers talk on; the file system's security group allows
them from itself and the clients only ("File system access control with Amazon VPC",
https://docs.aws.amazon.com/fsx/latest/LustreGuide/limit-access-security-groups.html)."""
CSI_DRIVER = "fsx.csi.aws.com"
IMPORT_EVENTS = ["NEW", "CHANGED", "DELETED"]
EXPORT_EVENTS = ["NEW", "CHANGED", "DELETED"]


@dataclass(frozen=True, kw_only=True)
class S3Link:
    """A directory of the file system mirroring a prefix of an S3 bucket (a data repository
    association)."""

    directory: str
    """Directory under the file system root (`datasets` -> `/datasets`)."""
    bucket_name: pulumi.Input[str]
    prefix: str = ""
    """Object key prefix, empty or ending in `/`. Default: the whole bucket."""
    export: bool = False
    """Default False: import only. True: files written in the directory are exported to S3."""


@dataclass(frozen=True, kw_only=True)
class FileSystemArgs:
    """Inputs of `FileSystem`."""

    file_system_name: str
    """The config key (`train`): names the volume, the claim default and the `Name` tag."""
    vpc_id: pulumi.Input[str]
    subnet_id: pulumi.Input[str]
    """One private subnet (FSx for Lustre lives in one zone): the multi-node pools' first one."""
    client_security_group_id: pulumi.Input[str]
    """The cluster security group every node carries: the only clients let in."""
    capacity_gib: int
    throughput_mbps_per_tib: int
    cluster_name: str
    """The EKS cluster's name (the key alias and `Name` tag carry it)."""
    kubernetes_provider: k8s.Provider
    """The cluster's provider (`GpuPlatform.kubernetes_provider`)."""
    namespace: str
    """Namespace of the claim (a team namespace)."""
    claim: str
    links: Sequence[S3Link] = ()
    """S3 links. Default none."""
    read_only: bool = False
    backup_retention_days: int = 0
    """Daily automatic backups kept this many days. Default 0: no automatic backups."""
    csi_driver: FsxCsiDriver
    """The cluster's FSx CSI driver: the volume waits for its add-on, and its role is granted
    describe on this file system only."""
    cluster_ready: Sequence[pulumi.Resource] = ()
    """What else the volume waits for: the platform, which creates the team namespaces."""
    protect: bool = False
    """True (prod): file system and key protected and retained, final backup kept on deletion.
    False (dev): they can be torn down, without a final backup."""
    tags: Mapping[str, str] = field(default_factory=dict)


class FileSystem(pulumi.ComponentResource):
    """KMS key (+ alias) + security group (Lustre ports from itself and the cluster nodes only) +
    FSx for Lustre PERSISTENT_2 file system + one data repository association per S3 link + the
    CSI driver role's describe grant on it + a static PersistentVolume (FSx CSI driver) and its
    claim."""

    file_system_id: pulumi.Output[str]
    file_system_arn: pulumi.Output[str]
    dns_name: pulumi.Output[str]
    mount_name: pulumi.Output[str]
    claim_name: str
    file_system: aws.fsx.LustreFileSystem
    """The native file system, for escape hatches."""

    def __init__(self, name: str, args: FileSystemArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:aws:FileSystem", name, None, opts)
        tags = {**args.tags, "Name": f"{args.cluster_name}-{args.file_system_name}"}

        key = aws.kms.Key(
            f"{name}-key",
            description=f"FSx for Lustre file system {args.file_system_name} of {args.cluster_name}",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            tags=tags,
            opts=stateful_options(self, args.protect),
        )
        aws.kms.Alias(
            f"{name}-key-alias",
            name=f"alias/fsx/{args.cluster_name}-{args.file_system_name}",
            target_key_id=key.key_id,
            opts=child_options(self),
        )

        security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            description=f"FSx for Lustre {args.file_system_name}: Lustre ports from the cluster nodes only",
            vpc_id=args.vpc_id,
            # No inline rules: each one is a resource below, and nothing else is allowed.
            tags=tags,
            opts=child_options(self),
        )
        self._lustre_rules(name, security_group.id, args.client_security_group_id, tags)

        self.file_system = aws.fsx.LustreFileSystem(
            f"{name}-fsx",
            deployment_type="PERSISTENT_2",
            storage_type="SSD",
            storage_capacity=args.capacity_gib,
            per_unit_storage_throughput=args.throughput_mbps_per_tib,
            subnet_ids=args.subnet_id,
            security_group_ids=[security_group.id],
            kms_key_id=key.arn,
            # LZ4 costs no throughput and typically halves what datasets and checkpoints occupy.
            data_compression_type="LZ4",
            file_system_type_version="2.15",
            automatic_backup_retention_days=args.backup_retention_days,
            daily_automatic_backup_start_time="03:00" if args.backup_retention_days else None,
            copy_tags_to_backups=True,
            skip_final_backup=not args.protect,
            tags=tags,
            opts=stateful_options(self, args.protect),
        )
        for link in args.links:
            self._link(name, link, tags)
        aws.iam.RolePolicy(
            f"{name}-csi-describe",
            role=args.csi_driver.role_name,
            policy=self.file_system.arn.apply(describe_policy),
            opts=child_options(self),
        )

        self.claim_name = args.claim
        shared_volume(
            f"{name}-volume",
            SharedVolume(
                name=args.file_system_name,
                driver=CSI_DRIVER,
                volume_handle=self.file_system.id,
                attributes={"dnsname": self.file_system.dns_name, "mountname": self.file_system.mount_name},
                capacity_gib=args.capacity_gib,
                namespace=args.namespace,
                claim=args.claim,
                read_only=args.read_only,
                # Lustre clients flock across nodes (checkpoint writers lock their files).
                mount_options=("flock",),
            ),
            parent=self,
            provider=args.kubernetes_provider,
            depends_on=[args.csi_driver.addon, *args.cluster_ready],
        )

        self.file_system_arn = self.file_system.arn
        self.file_system_id = self.file_system.id
        self.dns_name = self.file_system.dns_name
        self.mount_name = self.file_system.mount_name
        self.register_outputs(
            {
                "file_system_id": self.file_system_id,
                "dns_name": self.dns_name,
                "mount_name": self.mount_name,
                "claim_name": self.claim_name,
            }
        )

    def _lustre_rules(
        self, name: str, group_id: pulumi.Output[str], clients: pulumi.Input[str], tags: Mapping[str, str]
    ) -> None:
        """Ingress and egress on the Lustre ports, to and from the group itself (file servers talk
        to each other) and the cluster nodes; no CIDR rule at all."""
        for peer_name, peer in (("self", group_id), ("nodes", clients)):
            for low, high in LUSTRE_PORTS:
                ports = f"{low}" if low == high else f"{low}-{high}"
                common = {
                    "security_group_id": group_id,
                    "referenced_security_group_id": peer,
                    "ip_protocol": "tcp",
                    "from_port": low,
                    "to_port": high,
                    "tags": dict(tags),
                }
                aws.vpc.SecurityGroupIngressRule(
                    f"{name}-in-{peer_name}-{ports}",
                    description=f"Lustre {ports} from {peer_name}",
                    **common,
                    opts=child_options(self),
                )
                aws.vpc.SecurityGroupEgressRule(
                    f"{name}-out-{peer_name}-{ports}",
                    description=f"Lustre {ports} to {peer_name}",
                    **common,
                    opts=child_options(self),
                )

    def _link(self, name: str, link: S3Link, tags: Mapping[str, str]) -> None:
        s3: dict[str, object] = {"auto_import_policy": {"events": IMPORT_EVENTS}}
        if link.export:
            s3["auto_export_policy"] = {"events": EXPORT_EVENTS}
        aws.fsx.DataRepositoryAssociation(
            f"{name}-link-{link.directory}",
            file_system_id=self.file_system.id,
            file_system_path=f"/{link.directory}",
            data_repository_path=pulumi.Output.concat("s3://", link.bucket_name, "/", link.prefix),
            # Metadata of the existing objects is listed at once; contents load on first read.
            batch_import_meta_data_on_create=True,
            # Removing the link never deletes data: the bucket is the source of truth.
            delete_data_in_filesystem=False,
            s3=s3,
            tags=dict(tags),
            opts=child_options(self),
        )
