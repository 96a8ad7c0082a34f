"""`ai-infra:gcp:FileSystem`: a Managed Lustre instance (training) or a Filestore Zonal share
(small dev use) on the VPC's private services access range, encrypted with its own Cloud KMS key,
mounted into GKE through the cluster's CSI driver."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from components.gcp.encryption_key import encryption_key, service_agent
from components.kubernetes.shared_volume import SharedVolume, shared_volume
from components.options import child_options, stateful_options

Kind = Literal["lustre", "filestore"]
LUSTRE_AGENT = "gcp-sa-lustre"
FILESTORE_AGENT = "cloud-filer"
CSI_DRIVERS: dict[str, str] = {"lustre": "lustre.csi.storage.gke.io", "filestore": "filestore.csi.storage.gke.io"}
IMPORT_ROLE = "roles/storage.objectViewer"
EXPORT_ROLE = "roles/storage.objectUser"
SHARE = "share"
"""The Filestore file share's name (one share per instance)."""


@dataclass(frozen=True, kw_only=True)
class BucketLink:
    """A directory of the file system and the bucket prefix it is imported from (and, with
    `export`, exported to) by the Managed Lustre import/export jobs."""

    directory: str
    bucket_name: pulumi.Input[str]
    prefix: str = ""
    """Object prefix, empty or ending in `/`. Default: the whole bucket."""
    export: bool = False
    """Default False: the service agent may only read the bucket. True: it may also write."""


@dataclass(frozen=True, kw_only=True)
class FileSystemArgs:
    """Inputs of `FileSystem`."""

    file_system_name: str
    """The config key (`train`): names the instance (`<cluster>-<key>`), the volume and its labels."""
    kind: Kind
    project: str
    project_number: pulumi.Input[str]
    """Names the service agent that encrypts with the key (and reads/writes linked buckets)."""
    region: str
    """The key's location (CMEK keys live where the data is)."""
    zone: str
    """The instance's zone: the cluster's first node zone."""
    network: pulumi.Input[str]
    """`projects/<p>/global/networks/<name>`: clients reach it over private services access only."""
    client_ranges: Sequence[pulumi.Input[str]]
    """The cluster's node and pod ranges: the only clients granted root (Lustre) or any access
    (Filestore export options)."""
    private_services_connection: pulumi.Resource
    """The VPC's service networking connection: the instance waits for the peering."""
    capacity_gib: int
    throughput_mbps_per_tib: int | None = None
    """Managed Lustre tier (MB/s per TiB). Required for `lustre`; None for Filestore."""
    kubernetes_provider: k8s.Provider
    namespace: str
    claim: str
    links: Sequence[BucketLink] = ()
    """Managed Lustre only. Default none."""
    read_only: bool = False
    cluster_ready: Sequence[pulumi.Resource] = ()
    """What the volume waits for: the platform (team namespaces) and the cluster (its CSI driver)."""
    protect: bool = False
    """True (prod): instance and key protected and retained, and the provider refuses to delete
    the instance (`deletion_policy=PREVENT` / Filestore deletion protection). False: can be torn down."""
    labels: Mapping[str, str] = field(default_factory=dict)


class FileSystem(pulumi.ComponentResource):
    """Key ring + key (+ the Lustre or Filestore service agent's grant) + a Managed Lustre instance
    (GKE support on, root squashed outside the cluster's ranges) or a Filestore Zonal instance
    (NFS export to the cluster's ranges only) + for each bucket link the agent's read (or
    read/write) grant on the bucket + a static PersistentVolume and its claim."""

    instance_name: pulumi.Output[str]
    mount_point: pulumi.Output[str]
    """`<ip>@tcp:/<fs>` (Lustre) or `<ip>:/share` (Filestore)."""
    claim_name: str
    instance: gcp.lustre.Instance | gcp.filestore.Instance
    """The native instance, for escape hatches."""

    def __init__(self, name: str, args: FileSystemArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:gcp:FileSystem", name, None, opts)
        labels = {**args.labels, "ai-infra-file-system": args.file_system_name}
        agent = service_agent(args.project_number, LUSTRE_AGENT if args.kind == "lustre" else FILESTORE_AGENT)
        key = encryption_key(
            self,
            name,
            project=args.project,
            location=args.region,
            service_agent=agent,
            labels=labels,
            protect=args.protect,
        )
        instance_id = f"{args.file_system_name}-{args.kind}"
        waits = [key.grant, args.private_services_connection]
        if args.kind == "lustre":
            self.instance = self._lustre(name, args, instance_id, key.key_id, labels, waits)
            for link in args.links:
                gcp.storage.BucketIAMMember(
                    f"{name}-link-{link.directory}",
                    bucket=link.bucket_name,
                    role=EXPORT_ROLE if link.export else IMPORT_ROLE,
                    member=pulumi.Output.concat("serviceAccount:", agent),
                    opts=child_options(self),
                )
            self.mount_point = self.instance.mount_point
            volume_handle = pulumi.Output.concat(args.project, "/", args.zone, "/", self.instance.instance_id)
            attributes: dict[str, pulumi.Input[str]] = {
                "ip": self.instance.mount_point.apply(lambda point: point.split("@")[0]),
                "filesystem": self.instance.filesystem,
            }
            self.instance_name = self.instance.instance_id
        else:
            filestore = self._filestore(name, args, instance_id, key.key_id, labels, waits)
            self.instance = filestore
            ip = filestore.networks.apply(lambda networks: networks[0].ip_addresses[0])  # type: ignore[index]
            self.mount_point = pulumi.Output.concat(ip, ":/", SHARE)
            volume_handle = pulumi.Output.concat("modeInstance/", args.zone, "/", filestore.name, "/", SHARE)
            attributes = {"ip": ip, "volume": SHARE}
            self.instance_name = filestore.name

        self.claim_name = args.claim
        shared_volume(
            f"{name}-volume",
            SharedVolume(
                name=args.file_system_name,
                driver=CSI_DRIVERS[args.kind],
                volume_handle=volume_handle,
                attributes=attributes,
                capacity_gib=args.capacity_gib,
                namespace=args.namespace,
                claim=args.claim,
                read_only=args.read_only,
            ),
            parent=self,
            provider=args.kubernetes_provider,
            depends_on=[self.instance, *args.cluster_ready],
        )
        self.register_outputs(
            {"instance_name": self.instance_name, "mount_point": self.mount_point, "claim_name": self.claim_name}
        )

    def _lustre(
        self,
        name: str,
        args: FileSystemArgs,
        instance_id: str,
        key_id: pulumi.Output[str],
        labels: Mapping[str, str],
        waits: list[pulumi.Resource],
    ) -> gcp.lustre.Instance:
        return gcp.lustre.Instance(
            f"{name}-lustre",
            instance_id=instance_id,
            project=args.project,
            location=args.zone,
            network=args.network,
            capacity_gib=str(args.capacity_gib),
            per_unit_storage_throughput=str(args.throughput_mbps_per_tib),
            # The Lustre file system name clients mount (at most 8 characters).
            filesystem=args.file_system_name.replace("-", "")[:8],
            gke_support_enabled=True,
            kms_key=key_id,
            # Root outside the cluster's own ranges is squashed to nobody.
            access_rules_options={
                "default_squash_mode": "ROOT_SQUASH",
                "access_rules": [
                    {"name": "cluster", "ip_address_ranges": list(args.client_ranges), "squash_mode": "NO_SQUASH"}
                ],
            },
            deletion_policy="PREVENT" if args.protect else "DELETE",
            labels=dict(labels),
            opts=stateful_options(self, args.protect, depends_on=waits),
        )

    def _filestore(
        self,
        name: str,
        args: FileSystemArgs,
        instance_id: str,
        key_id: pulumi.Output[str],
        labels: Mapping[str, str],
        waits: list[pulumi.Resource],
    ) -> gcp.filestore.Instance:
        return gcp.filestore.Instance(
            f"{name}-filestore",
            name=instance_id,
            project=args.project,
            location=args.zone,
            tier="ZONAL",
            file_shares={
                "name": SHARE,
                "capacity_gb": args.capacity_gib,
                # Only the cluster's nodes and pods may mount, and root from there only.
                "nfs_export_options": [
                    {
                        "ip_ranges": list(args.client_ranges),
                        "access_mode": "READ_WRITE",
                        "squash_mode": "NO_ROOT_SQUASH",
                    }
                ],
            },
            networks=[{"network": args.network, "modes": ["MODE_IPV4"], "connect_mode": "PRIVATE_SERVICE_ACCESS"}],
            kms_key_name=key_id,
            deletion_protection_enabled=args.protect,
            deletion_protection_reason="prod training data" if args.protect else None,
            labels=dict(labels),
            opts=stateful_options(self, args.protect, depends_on=waits),
        )
