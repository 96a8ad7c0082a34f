"""`ai-infra:clouds.azure`: the Azure part of an environment: network, cluster, GPU pools, buckets
and the `AzureSpec` that ties them together with its cross-checks. Azure ML endpoints and their
hosting sizes live in stacks/config/azure_endpoints.py and are re-exported here."""

from __future__ import annotations

import ipaddress
import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from catalog import MachineType, load_catalog
from stacks.config.azure_endpoints import (
    ENDPOINT_PREFIX,
    SIZE_MISMATCH,
    AzureEndpointSpec,
    endpoint_machine,
    instance_type,
)
from stacks.config.base import ConfigModel
from stacks.config.commitments import check_pool_commitments
from stacks.config.common import (
    BucketSpec,
    BudgetSpec,
    GpuPoolSpec,
    Name,
    NetworkSpec,
    check_bucket_key,
    check_zone_count,
    known_region,
    kubernetes_api_allow_list,
    kubernetes_version_in_standard_support,
    machine_in_catalog,
)
from stacks.config.dr import check_dr_region
from stacks.config.errors import config_problem
from stacks.config.file_systems import AzureFileSystemSpec, check_amlfs_subnets, check_file_systems
from stacks.config.serverless import check_endpoint_mode
from stacks.config.teams import TeamSpec, check_teams, pool_capacity
from stacks.config.workloads import WorkloadSpec, check_workload_buckets

__all__ = [
    "AKS_POOL_NAME",
    "ENDPOINT_PREFIX",
    "FLOW_LOG_BUCKET",
    "MIG_CAPABLE",
    "SIZE_MISMATCH",
    "SSH_RDP_PORTS",
    "SYSTEM_POOL_NAME",
    "UUID",
    "AzureBucketSpec",
    "AzureClusterSpec",
    "AzureEndpointSpec",
    "AzureFlowLogSpec",
    "AzureGpuPoolSpec",
    "AzureInboundRule",
    "AzureNetworkSpec",
    "AzureSpec",
    "endpoint_machine",
    "instance_type",
    "node_machine",
]

UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
AKS_POOL_NAME = re.compile(r"^[a-z][a-z0-9]{0,11}$")
"""AKS Linux node pool names: 1-12 lowercase letters and digits, starting with a letter."""
SYSTEM_POOL_NAME = "system"
MIG_CAPABLE = frozenset({"nvidia-a100", "nvidia-a100-80gb", "nvidia-h100"})
"""Accelerators whose AKS pools accept a MIG `gpu_instance_profile`."""
SSH_RDP_PORTS = frozenset({22, 3389})
FLOW_LOG_BUCKET = "flow-logs"
"""Purpose key of the storage account the stack adds for the VNet flow log."""


def _uuid(value: str, what: str) -> str:
    if not UUID.match(value):
        raise config_problem(f"{value!r} is not {what} (expected a GUID like '00000000-0000-0000-0000-000000000000')")
    return value.lower()


def _cidr(value: str) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        raise config_problem(f"{value!r} is not a valid IPv4 CIDR ({exc}); e.g. '203.0.113.0/24'") from None


class AzureInboundRule(ConfigModel):
    """One inbound flow from outside the VNet that the node subnet's security group allows.
    Everything else from the internet is denied (explicit rule plus Azure's DenyAllInBound)."""

    source_cidrs: list[str] = Field(min_length=1)
    """Source ranges. 0.0.0.0/0 is refused for SSH (22), RDP (3389)."""
    ports: list[int] = Field(min_length=1)
    """Destination ports, 1-65535."""
    protocol: Literal["Tcp", "Udp"] = "Tcp"

    @field_validator("source_cidrs")
    @classmethod
    def _valid_cidrs(cls, cidrs: list[str]) -> list[str]:
        for cidr in cidrs:
            _cidr(cidr)
        return cidrs

    @field_validator("ports")
    @classmethod
    def _valid_ports(cls, ports: list[int]) -> list[int]:
        for port in ports:
            if not 1 <= port <= 65535:
                raise config_problem(f"{port} is not a port (allowed: 1-65535)")
        return ports

    @model_validator(mode="after")
    def _no_open_admin_ports(self) -> AzureInboundRule:
        for cidr in self.source_cidrs:
            net = _cidr(cidr)
            if net.prefixlen == 0 and SSH_RDP_PORTS & set(self.ports):
                raise config_problem(
                    f"{cidr!r} would open SSH/RDP to the whole internet; list your office or VPN ranges",
                    key="source_cidrs",
                )
        return self


class AzureFlowLogSpec(ConfigModel):
    """The VNet flow log (Network Watcher), written to a storage account of its own."""

    enabled: bool = True
    """Default true."""
    retention_days: int = Field(default=30, ge=1, le=365)
    """Flow records are deleted after this many days. Default 30."""
    network_watcher_resource_group: str = "NetworkWatcherRG"
    """Resource group of the region's Network Watcher (Azure allows one per region and
    subscription and creates it there). Default `NetworkWatcherRG`."""
    network_watcher_name: str | None = None
    """Default: `NetworkWatcher_<location>`, the name Azure gives it."""


class AzureNetworkSpec(NetworkSpec):
    """The environment's VNet: subnets for nodes, private endpoints and the ML workspace.

    `nat` on Azure: `single` is one NAT gateway with a static public IP, pinned to the region's
    first zone (a Standard NAT gateway is zonal and a subnet takes only one, so egress depends on
    that zone). `none` declares no NAT gateway: the cluster is built network-isolated (outbound
    type `none`, images from the AKS artifact cache). `per-zone` is refused: it would need one
    node subnet and node pool per zone, which this project does not build."""

    allowed_inbound: dict[Name, AzureInboundRule] = Field(default_factory=dict)
    """Inbound flows from outside the VNet to the node subnet. Default none: nothing from the
    internet reaches the nodes."""
    flow_logs: AzureFlowLogSpec = Field(default_factory=AzureFlowLogSpec)

    @model_validator(mode="after")
    def _nat_strategy_exists_on_azure(self) -> AzureNetworkSpec:
        if self.nat == "per-zone":
            raise config_problem(
                "'per-zone' is not available on Azure (a subnet takes one zonal NAT gateway); allowed: single, none",
                key="nat",
            )
        return self


class AzureClusterSpec(ConfigModel):
    """The AKS control plane and its CPU system node pool."""

    kubernetes_version: str | None = None
    """AKS minor version (`"1.35"`), in standard support (see catalog/data/azure.yaml). Default:
    AKS's default version at creation; the auto-upgrade channel moves it afterwards."""
    auto_upgrade_channel: Literal["rapid", "stable", "patch", "node-image"] = "stable"
    """Cluster auto-upgrade channel. Default `stable`. `none` is not offered: unpatched clusters
    drift out of support."""
    authorized_ip_ranges: list[str] = Field(default_factory=list)
    """Default empty: a private cluster (API server reachable from the VNet only). Listing
    ranges makes the API server public to exactly those ranges; 0.0.0.0/0 is refused."""
    sku_tier: Literal["Free", "Standard"] | None = None
    """Control-plane tier. Default: `Standard` (uptime SLA, $0.10/h) in prod, `Free` in dev.
    `Free` is refused in prod."""
    admin_group_object_ids: list[str] = Field(default_factory=list)
    """Entra ID groups that are cluster admins. Default none: access only via Azure RBAC role
    assignments (local accounts are always disabled)."""
    system_vm_size: str = Field(default="Standard_D4ds_v5", pattern=r"^Standard_[A-Za-z0-9_]+$")
    """VM size of the system pool (CoreDNS, metrics, controllers). Default Standard_D4ds_v5."""
    system_nodes: int = Field(default=2, ge=1, le=10)
    """Nodes in the system pool. Default 2."""
    pod_cidr: str = "10.244.0.0/16"
    """Azure CNI Overlay pod range (not part of the VNet). Default 10.244.0.0/16."""
    service_cidr: str = "10.0.0.0/16"
    """Kubernetes Service range; must not overlap the VNet or pod range. Default 10.0.0.0/16
    (DNS service at its tenth address)."""
    encryption_at_host: bool = True
    """Encrypt node temp disks and caches at the host. Default true; the subscription needs the
    `Microsoft.Compute/EncryptionAtHost` feature registered once."""
    audit_logs: bool = True
    """Send control-plane audit logs (`kube-audit-admin`, `guard`) to the environment's Log
    Analytics workspace. Default true."""
    secrets_encryption: bool = True
    """Envelope-encrypt Kubernetes secrets (KMS) with a rotating key in a dedicated private Key
    Vault, reached through API Server VNet Integration. Default true."""

    @field_validator("kubernetes_version")
    @classmethod
    def _standard_support(cls, value: str | None) -> str | None:
        if value is None:
            return value
        return kubernetes_version_in_standard_support(
            "azure",
            value,
            service="AKS",
            beyond="long-term support needs the Premium tier at six times the control-plane fee",
        )

    @field_validator("authorized_ip_ranges")
    @classmethod
    def _narrow_ranges(cls, ranges: list[str]) -> list[str]:
        return kubernetes_api_allow_list(ranges, parse=_cidr)

    @field_validator("admin_group_object_ids")
    @classmethod
    def _group_ids(cls, ids: list[str]) -> list[str]:
        return [_uuid(value, "an Entra ID group object id") for value in ids]

    @field_validator("pod_cidr", "service_cidr")
    @classmethod
    def _private_range(cls, value: str) -> str:
        net = _cidr(value)
        if not net.is_private or not 8 <= net.prefixlen <= 24:
            raise config_problem(f"{value!r} must be a private range from /8 to /24")
        return value

    @model_validator(mode="after")
    def _ranges_disjoint(self) -> AzureClusterSpec:
        if _cidr(self.pod_cidr).overlaps(_cidr(self.service_cidr)):
            raise config_problem(f"{self.service_cidr!r} overlaps pod_cidr ({self.pod_cidr})", key="service_cidr")
        return self

    @property
    def dns_service_ip(self) -> str:
        return str(_cidr(self.service_cidr)[10])


class AzureGpuPoolSpec(GpuPoolSpec):
    """An AKS user node pool of GPU VMs (`clouds.azure.gpu_pools.<name>`; the name is the AKS
    pool name: 1-12 lowercase letters and digits)."""

    mig_profile: Literal["MIG1g", "MIG2g", "MIG3g", "MIG4g", "MIG7g"] | None = None
    """Split each A100/H100 into Multi-Instance GPU slices. Default: whole GPUs."""

    @model_validator(mode="after")
    def _mig_needs_capable_gpu(self) -> AzureGpuPoolSpec:
        if self.mig_profile is not None and self.accelerator not in MIG_CAPABLE:
            raise config_problem(
                f"{self.accelerator!r} does not support MIG (allowed with: {', '.join(sorted(MIG_CAPABLE))})",
                key="mig_profile",
            )
        return self


class AzureBucketSpec(BucketSpec):
    """A storage account with one private blob container, keyed by purpose.

    `tiering` maps to blob tiers: infrequent_access_days -> Cool, archive_days -> Cold,
    deep_archive_days -> Archive. `access_logging` sends the blob service's read, write and
    delete logs to the environment's Log Analytics workspace."""

    customer_managed_key: bool = False
    """Encrypt with a key in a dedicated Key Vault (purge protection on, so its name stays
    reserved for 90 days after deletion). Default false: Microsoft-managed keys, always with
    infrastructure (double) encryption."""
    soft_delete_days: int = Field(default=7, ge=1, le=365)
    """Deleted blobs and containers stay recoverable this many days. Default 7."""


class AzureSpec(ConfigModel):
    """Everything the environment declares on Azure (one resource group per environment)."""

    subscription_id: str
    """Subscription that holds the environment; the provider is pinned to it."""
    tenant_id: str
    """Entra ID tenant of the subscription (Key Vaults and the cluster's Entra integration)."""
    location: str
    """Azure region (`eastus`); must be in catalog/data/azure.yaml."""
    network: AzureNetworkSpec
    cluster: AzureClusterSpec = Field(default_factory=AzureClusterSpec)
    gpu_pools: dict[Name, AzureGpuPoolSpec] = Field(default_factory=dict)
    buckets: dict[Name, AzureBucketSpec] = Field(default_factory=dict)
    workloads: dict[Name, WorkloadSpec] = Field(default_factory=dict)
    """Kubernetes service accounts that get keyless Azure identities (workload identity) with
    role assignments on the named buckets' containers."""
    endpoints: dict[Name, AzureEndpointSpec] = Field(default_factory=dict)
    teams: dict[Name, TeamSpec] = Field(default_factory=dict)
    """Teams and their accelerator quotas on the AKS cluster (Kueue queues). Default none."""
    file_systems: dict[Name, AzureFileSystemSpec] = Field(default_factory=dict)
    """Shared file systems for training, linked to buckets and mounted into the cluster
    (stacks/config/file_systems.py). Default none."""
    budget: BudgetSpec
    log_retention_days: int = Field(default=30, ge=30, le=730)
    """Retention of the environment's Log Analytics workspace (audit logs, storage access logs,
    Application Insights). Default 30."""
    dr_region: str | None = None
    """Azure pair of `location` where prod storage keeps its geo copy (disaster recovery; see
    README "Disaster recovery"). Default None: zone-redundant in one region only (dev). Set: the
    storage accounts become RA-GZRS; the value must be the location's pair (Azure chooses it)."""

    @field_validator("subscription_id")
    @classmethod
    def _subscription(cls, value: str) -> str:
        return _uuid(value, "a subscription id")

    @field_validator("tenant_id")
    @classmethod
    def _tenant(cls, value: str) -> str:
        return _uuid(value, "a tenant id")

    @field_validator("location")
    @classmethod
    def _known_location(cls, value: str) -> str:
        return known_region("azure", value)

    @model_validator(mode="after")
    def _dr_region(self) -> AzureSpec:
        check_dr_region("azure", self.location, self.dr_region)
        return self

    @model_validator(mode="after")
    def _cross_checks(self) -> AzureSpec:
        check_zone_count(self.network.zones, self.location, load_catalog().zones("azure", self.location))
        vnet = _cidr(self.network.cidr)
        for key in ("pod_cidr", "service_cidr"):
            other = getattr(self.cluster, key)
            if vnet.overlaps(_cidr(other)):
                raise config_problem(
                    f"{other!r} overlaps network.cidr ({self.network.cidr}); pick a range outside the VNet",
                    key=f"cluster.{key}",
                )
        for name in self.gpu_pools:
            if not AKS_POOL_NAME.match(name) or name == SYSTEM_POOL_NAME:
                raise config_problem(
                    f"{name!r} cannot be an AKS node pool name (allowed: 1-12 lowercase letters and digits, "
                    f"starting with a letter, not '{SYSTEM_POOL_NAME}')",
                    key=f"gpu_pools.{name}",
                )
        check_teams(
            self.teams,
            pool_capacity(
                (
                    pool.accelerator,
                    node_machine(
                        pool.accelerator, pool.machine_type, f"gpu_pools.{name}", pool.multi_node
                    ).accelerator_count,
                    pool.max_nodes,
                )
                for name, pool in self.gpu_pools.items()
            ),
        )
        for name, endpoint in self.endpoints.items():
            check_endpoint_mode("azure", self.location, name, endpoint)
            if endpoint.mode == "realtime":
                endpoint_machine(endpoint.accelerator, endpoint.machine_type, f"endpoints.{name}")
            check_bucket_key(endpoint.model.bucket, self.buckets, f"endpoints.{name}.model.bucket")
        if FLOW_LOG_BUCKET in self.buckets and self.network.flow_logs.enabled:
            raise config_problem(
                f"{FLOW_LOG_BUCKET!r} is reserved for the VNet flow log's storage; pick another purpose key",
                key=f"buckets.{FLOW_LOG_BUCKET}",
            )
        check_pool_commitments("azure", self.gpu_pools)
        check_workload_buckets(self.workloads, self.buckets)
        check_file_systems(self.file_systems, self.buckets, self.teams)
        check_amlfs_subnets(self.file_systems, self.network.cidr)
        return self


def node_machine(accelerator: str, machine_type: str | None, where: str, multi_node: bool = False) -> MachineType:
    """The AKS VM size for a pool: the override if given (it must carry `accelerator`), else the
    catalog default. Raises a config problem naming `<where>.machine_type` or `.accelerator`."""
    return machine_in_catalog(
        "azure", accelerator, machine_type, "node", where, multi_node=multi_node, mismatch=SIZE_MISMATCH
    )
