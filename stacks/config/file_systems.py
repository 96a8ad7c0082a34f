"""`clouds.<cloud>.file_systems.<name>`: shared high-throughput file storage for training, linked
to the cloud's buckets and mounted into its cluster as a PersistentVolumeClaim.

Each cloud offers its own managed parallel file system, and each sizes it its own way: the limits
below are the providers' published ones (cited next to each table), so that an impossible
capacity / throughput combination is a config error naming the key and the allowed values, not
a failed `pulumi up` an hour later."""

from __future__ import annotations

import ipaddress
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Literal

from pydantic import Field, field_validator, model_validator

from stacks.config.base import ConfigModel
from stacks.config.common import Name
from stacks.config.errors import config_problem
from stacks.config.teams import TeamSpec
from stacks.config.workloads import K8S_NAME

PREFIX_PATTERN = r"^([A-Za-z0-9!_.*'()-]+/)*$"
"""An object key prefix: empty (the whole bucket) or path segments each ending in `/`."""
GUID = r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$"


# -- shared shapes --------------------------------------------------------------------------------


class BucketLink(ConfigModel):
    """A bucket of the same cloud, linked to a directory of the file system
    (`file_systems.<name>.links.<directory>`)."""

    bucket: Name
    """Key of a bucket configured under the same cloud (`datasets`, `checkpoints`)."""
    prefix: str = Field(default="", pattern=PREFIX_PATTERN, max_length=1024)
    """Object key prefix the directory mirrors. Default empty: the whole bucket. Otherwise
    segments each ending in `/` (`imagenet/`, `runs/2026/`)."""
    export: bool = False
    """Default false: objects are imported (new, changed and deleted objects follow the bucket)
    and files written in the directory stay on the file system. True: files written there are
    also exported to the bucket (checkpoints)."""


class VolumeClaim(ConfigModel):
    """How the cluster's pods reach the file system (`file_systems.<name>.mount`): a static
    PersistentVolume bound to one PersistentVolumeClaim."""

    namespace: str = Field(pattern=K8S_NAME)
    """Namespace of the claim: one of this cloud's team namespaces (the platform creates them)."""
    claim: str | None = Field(default=None, pattern=K8S_NAME)
    """Name of the PersistentVolumeClaim pods mount. Default: the file system's key."""
    read_only: bool = False
    """Default false: pods mount it read-write (ReadWriteMany). True: ReadOnlyMany."""


class FileSystemSpec(ConfigModel):
    """What every cloud's file system has: its size, its bucket links and its claim."""

    capacity_gib: int = Field(ge=1)
    """Provisioned capacity in GiB; each cloud allows its own steps (see its kind)."""
    links: dict[Name, BucketLink] = Field(default_factory=dict)
    """Directory name -> linked bucket. Default none: an empty file system."""
    mount: VolumeClaim

    def claim_name(self, key: str) -> str:
        return self.mount.claim or key


@dataclass(frozen=True)
class Tier:
    """Capacity rules of one throughput tier: `minimum`..`maximum` GiB in multiples of `step`;
    above `threshold` (when set) in multiples of `large_step`."""

    minimum: int
    maximum: int | None
    step: int
    threshold: int | None = None
    large_step: int | None = None

    def allows(self, capacity: int) -> bool:
        if capacity < self.minimum or (self.maximum is not None and capacity > self.maximum):
            return False
        if self.threshold is not None and self.large_step is not None and capacity > self.threshold:
            return capacity % self.large_step == 0
        return capacity % self.step == 0

    def describe(self, unit: str = "GiB") -> str:
        top = f"{self.maximum:,}" if self.maximum is not None else "the account quota"
        text = f"{self.minimum:,} to {top} {unit} in steps of {self.step:,}"
        if self.threshold is not None and self.large_step is not None:
            text += f" (above {self.threshold:,}: steps of {self.large_step:,})"
        return text


def _check_tier(capacity: int, throughput: int, tiers: Mapping[int, Tier], *, unit: str = "GiB") -> None:
    tier = tiers.get(throughput)
    if tier is None:
        raise config_problem(
            f"{throughput} is not a throughput tier (allowed: {', '.join(map(str, tiers))} MB/s per TiB)",
            key="throughput_mbps_per_tib",
        )
    if not tier.allows(capacity):
        raise config_problem(
            f"{capacity:,} GiB is not a capacity of the {throughput} MB/s per TiB tier "
            f"(allowed: {tier.describe(unit)})",
            key="capacity_gib",
        )


# -- AWS: FSx for Lustre ---------------------------------------------------------------------------

FSX_SMALLEST = 1200
FSX_STEP = 2400
"""PERSISTENT_2 SSD capacity: 1,200 GiB, 2,400 GiB, then increments of 2,400 GiB (FSx API
reference, CreateFileSystem StorageCapacity:
https://docs.aws.amazon.com/fsx/latest/APIReference/API_CreateFileSystem.html)."""
FSX_PERSISTENT_2_THROUGHPUT = (125, 250, 500, 1000)
"""MB/s per TiB of PERSISTENT_2 SSD (FSx for Lustre guide, Managing throughput capacity:
https://docs.aws.amazon.com/fsx/latest/LustreGuide/managing-throughput-capacity.html)."""
FSX_MAX_BACKUP_DAYS = 90
"""AutomaticBackupRetentionDays accepts 0 (off) to 90."""


class AwsFileSystemSpec(FileSystemSpec):
    """An FSx for Lustre file system (`clouds.aws.file_systems.<name>`), PERSISTENT_2 on SSD."""

    kind: Literal["lustre"] = "lustre"
    """`lustre`: Amazon FSx for Lustre, PERSISTENT_2 (replicated in one zone, S3 data repository
    associations, customer-managed KMS key)."""
    throughput_mbps_per_tib: int = 250
    """Throughput per TiB of storage: 125, 250 (default), 500 or 1000."""
    backup_retention_days: int = Field(default=0, ge=0, le=FSX_MAX_BACKUP_DAYS)
    """Daily automatic backups kept this many days. Default 0: none (dev); prod sets 7 or more."""

    @model_validator(mode="after")
    def _fsx_sizes(self) -> AwsFileSystemSpec:
        if self.throughput_mbps_per_tib not in FSX_PERSISTENT_2_THROUGHPUT:
            raise config_problem(
                f"{self.throughput_mbps_per_tib} is not a PERSISTENT_2 throughput "
                f"(allowed: {', '.join(map(str, FSX_PERSISTENT_2_THROUGHPUT))} MB/s per TiB)",
                key="throughput_mbps_per_tib",
            )
        capacity = self.capacity_gib
        if capacity != FSX_SMALLEST and (capacity < FSX_STEP or capacity % FSX_STEP):
            raise config_problem(
                f"{capacity:,} GiB is not an FSx for Lustre PERSISTENT_2 capacity "
                "(allowed: 1,200, 2,400, or a multiple of 2,400 GiB)",
                key="capacity_gib",
            )
        return self


# -- Google Cloud: Managed Lustre, Filestore -------------------------------------------------------

MANAGED_LUSTRE_TIERS: dict[int, Tier] = {
    1000: Tier(9_000, 10_008_000, 9_000, threshold=1_530_000, large_step=72_000),
    500: Tier(18_000, 20_016_000, 18_000, threshold=3_060_000, large_step=144_000),
    250: Tier(36_000, 40_032_000, 36_000, threshold=6_120_000, large_step=288_000),
    125: Tier(72_000, 12_240_000, 72_000),
}
"""Managed Lustre performance tiers (MB/s per TiB -> capacity rules), from "Performance tiers":
https://cloud.google.com/managed-lustre/docs/performance-tiers. The tier cannot change later."""
FILESTORE_ZONAL = Tier(1_024, 102_400, 256, threshold=10_239, large_step=2_560)
"""Filestore Zonal: 1 TiB to 9.75 TiB in 256 GiB steps, 10 TiB to 100 TiB in 2.5 TiB steps
(https://cloud.google.com/filestore/docs/service-tiers). Zonal is the smallest tier that takes a
customer-managed key."""


class GcpFileSystemSpec(FileSystemSpec):
    """A Google Cloud file system (`clouds.gcp.file_systems.<name>`) in the cluster's first zone."""

    kind: Literal["lustre", "filestore"] = "lustre"
    """`lustre` (default): Managed Lustre, for training. `filestore`: Filestore Zonal (NFS), for
    small dev use; it cannot link buckets and has no throughput tier."""
    throughput_mbps_per_tib: int | None = None
    """Managed Lustre tier: 125, 250, 500 or 1000 MB/s per TiB (required for `lustre`)."""

    @model_validator(mode="after")
    def _gcp_sizes(self) -> GcpFileSystemSpec:
        if self.kind == "lustre":
            if self.throughput_mbps_per_tib is None:
                raise config_problem(
                    "required for kind lustre (allowed: 125, 250, 500, 1000 MB/s per TiB)",
                    key="throughput_mbps_per_tib",
                )
            _check_tier(self.capacity_gib, self.throughput_mbps_per_tib, MANAGED_LUSTRE_TIERS)
            return self
        if self.throughput_mbps_per_tib is not None:
            raise config_problem(
                "Filestore has no throughput tier (it follows capacity); remove it", key="throughput_mbps_per_tib"
            )
        if self.links:
            raise config_problem(
                "Filestore cannot link buckets (allowed: none; use kind lustre for bucket-linked storage)",
                key="links",
            )
        if not FILESTORE_ZONAL.allows(self.capacity_gib):
            raise config_problem(
                f"{self.capacity_gib:,} GiB is not a Filestore Zonal capacity (allowed: {FILESTORE_ZONAL.describe()})",
                key="capacity_gib",
            )
        return self


# -- Azure: Azure Managed Lustre -------------------------------------------------------------------

AMLFS_TIERS_TIB: dict[int, Tier] = {
    40: Tier(48, 768, 48),
    125: Tier(16, 128, 16),
    250: Tier(8, 128, 8),
    500: Tier(4, 128, 4),
}
"""Azure Managed Lustre throughput per TiB -> capacity rules in TiB ("Throughput configurations",
https://learn.microsoft.com/azure/azure-managed-lustre/create-file-system-portal); larger sizes
need a support request. The SKU is `AMLFS-Durable-Premium-<throughput>`."""
AMLFS_SUBNET_PREFIX = ((16, 27), (40, 26), (92, 25), (196, 24), (400, 23))
"""Capacity (TiB, up to) -> widest subnet prefix it needs (AMLFS prerequisites, network size
requirements: https://learn.microsoft.com/azure/azure-managed-lustre/amlfs-prerequisites)."""
GIB_PER_TIB = 1024


def amlfs_free_range(vnet_cidr: str) -> ipaddress.IPv4Network:
    """The last eighth of the VNet, which `components.azure.network.plan_subnets` leaves free
    (nodes take the first half, private endpoints, ML and the API server the next three eighths)."""
    return list(ipaddress.IPv4Network(vnet_cidr).subnets(prefixlen_diff=3))[-1]


def plan_amlfs_subnets(vnet_cidr: str, capacities_tib: Mapping[str, int]) -> dict[str, str]:
    """File system key -> its subnet: consecutive blocks of the VNet's free range, each as wide as
    its capacity needs, in config order. ValueError when they do not fit."""
    free = amlfs_free_range(vnet_cidr)
    cursor = int(free.network_address)
    end = int(free.broadcast_address) + 1
    plan: dict[str, str] = {}
    for name, capacity in capacities_tib.items():
        prefix = amlfs_subnet_prefix(capacity)
        size = 2 ** (32 - prefix)
        start = -(-cursor // size) * size  # aligned to its own size
        if start + size > end:
            raise ValueError(
                f"a {capacity} TiB file system needs a /{prefix} subnet, and the VNet's free range {free} has no room "
                "left for it (allowed: a wider network.cidr, or smaller file systems)"
            )
        plan[name] = str(ipaddress.IPv4Network((start, prefix)))
        cursor = start + size
    return plan


def amlfs_subnet_prefix(capacity_tib: int) -> int:
    """The prefix length the AMLFS subnet needs for `capacity_tib` (at most this long)."""
    for up_to, prefix in AMLFS_SUBNET_PREFIX:
        if capacity_tib <= up_to:
            return prefix
    return AMLFS_SUBNET_PREFIX[-1][1]


class AzureFileSystemSpec(FileSystemSpec):
    """An Azure Managed Lustre file system (`clouds.azure.file_systems.<name>`) in a subnet of its
    own, with blob integration (HSM) to one bucket."""

    kind: Literal["lustre"] = "lustre"
    """`lustre`: Azure Managed Lustre (AMLFS), durable SSD, customer-managed key."""
    throughput_mbps_per_tib: int = 250
    """40, 125, 250 (default) or 500 MB/s per TiB; `capacity_gib` must be whole TiB of its steps."""
    storage_cache_principal_id: str | None = Field(default=None, pattern=GUID)
    """Object id, in your tenant, of the "HPC Cache Resource Provider" service principal
    (`az ad sp show --id 4392ab71-2ce2-4b0d-8770-b352745c73f5 --query id -o tsv`). Required with
    `links`: it is granted the linked storage account (Storage Account Contributor and Storage
    Blob Data Contributor, as blob integration requires)."""

    @model_validator(mode="after")
    def _amlfs_sizes(self) -> AzureFileSystemSpec:
        tier = AMLFS_TIERS_TIB.get(self.throughput_mbps_per_tib)
        if tier is None:
            raise config_problem(
                f"{self.throughput_mbps_per_tib} is not an Azure Managed Lustre throughput "
                f"(allowed: {', '.join(map(str, AMLFS_TIERS_TIB))} MB/s per TiB)",
                key="throughput_mbps_per_tib",
            )
        whole_tib = self.capacity_gib % GIB_PER_TIB == 0
        if not whole_tib or not tier.allows(self.capacity_gib // GIB_PER_TIB):
            steps = tier.step * GIB_PER_TIB
            raise config_problem(
                f"{self.capacity_gib:,} GiB is not a capacity of the {self.throughput_mbps_per_tib} MB/s per TiB tier "
                f"(allowed: {tier.describe('TiB')}, i.e. multiples of {steps:,} GiB from "
                f"{tier.minimum * GIB_PER_TIB:,} to {(tier.maximum or 0) * GIB_PER_TIB:,} GiB)",
                key="capacity_gib",
            )
        if len(self.links) > 1:
            raise config_problem(
                f"{len(self.links)} links given; Azure Managed Lustre integrates one blob container "
                "(allowed: one link; export writes back to the same container)",
                key="links",
            )
        if self.links and self.storage_cache_principal_id is None:
            raise config_problem(
                "required with links: the object id of the 'HPC Cache Resource Provider' service principal "
                "(az ad sp show --id 4392ab71-2ce2-4b0d-8770-b352745c73f5 --query id -o tsv)",
                key="storage_cache_principal_id",
            )
        return self

    @property
    def capacity_tib(self) -> int:
        return self.capacity_gib // GIB_PER_TIB


# -- Alibaba Cloud: Extreme NAS --------------------------------------------------------------------

EXTREME_NAS_CAPACITY = (100, 262_144)
"""Extreme NAS: 100 GiB (the smallest the purchase page and the provider's example take) to
256 TiB, the largest version-2 file system (NAS limits:
https://www.alibabacloud.com/help/en/nas/product-overview/limits)."""


class AlicloudFileSystemSpec(FileSystemSpec):
    """An Extreme NAS file system (`clouds.alicloud.file_systems.<name>`) with a mount target in
    the cluster's VPC, encrypted with a customer KMS key.

    Extreme NAS has no data link to OSS (CPFS dataflows do, on the China site only): `links` are
    recorded on the file system (tags, stack outputs) for the job that syncs them."""

    kind: Literal["nas-extreme"] = "nas-extreme"
    """`nas-extreme`: Extreme NAS (NFS), the NAS type that takes a customer-managed KMS key."""
    tier: Literal["standard", "advance"] = "standard"
    """Extreme NAS storage type: `standard` (default) or `advance` (higher throughput per TiB)."""

    @field_validator("capacity_gib")
    @classmethod
    def _extreme_nas_size(cls, value: int) -> int:
        low, high = EXTREME_NAS_CAPACITY
        if not low <= value <= high:
            raise config_problem(f"{value:,} GiB is not an Extreme NAS capacity (allowed: {low:,} to {high:,} GiB)")
        return value


# -- checks against the rest of the cloud's section -----------------------------------------------


def check_file_systems(
    file_systems: Mapping[str, FileSystemSpec],
    buckets: Collection[str],
    teams: Mapping[str, TeamSpec],
) -> None:
    """Every link names a configured bucket, every claim a team namespace, and claim names are
    unique per namespace. Problems name `file_systems.<name>.<key>`."""
    namespaces = sorted(team.namespace_for(name) for name, team in teams.items())
    claims: dict[tuple[str, str], str] = {}
    for name, spec in file_systems.items():
        for directory, link in spec.links.items():
            if link.bucket not in buckets:
                configured = ", ".join(sorted(buckets)) or "none"
                raise config_problem(
                    f"{link.bucket!r} is not a bucket of this cloud (configured: {configured})",
                    key=f"file_systems.{name}.links.{directory}.bucket",
                )
        if spec.mount.namespace not in namespaces:
            raise config_problem(
                f"{spec.mount.namespace!r} is not a team namespace of this cloud (allowed: "
                f"{', '.join(namespaces) or 'none; configure teams first'})",
                key=f"file_systems.{name}.mount.namespace",
            )
        claim = (spec.mount.namespace, spec.claim_name(name))
        if claim in claims:
            raise config_problem(
                f"{claim[1]!r} in namespace {claim[0]!r} is already file system {claims[claim]!r}'s claim",
                key=f"file_systems.{name}.mount.claim",
            )
        claims[claim] = name


def check_amlfs_subnets(file_systems: Mapping[str, AzureFileSystemSpec], vnet_cidr: str) -> None:
    """Every Azure Managed Lustre file system gets a subnet of the size its capacity needs in the
    VNet's free range."""
    try:
        plan_amlfs_subnets(vnet_cidr, {name: spec.capacity_tib for name, spec in file_systems.items()})
    except ValueError as exc:
        raise config_problem(str(exc), key="network.cidr") from None
