"""`ai-infra:clouds.gcp`: the Google Cloud part of an environment: cluster, GPU pools,
buckets and the `GcpSpec` that ties them together with its cross-checks. The VPC and its address
plan live in stacks/config/gcp_network.py, TPU pools in stacks/config/gcp_tpu.py and Vertex AI
endpoints in stacks/config/gcp_endpoints.py; all are re-exported here."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from catalog import MachineType, load_catalog
from catalog.tpu import TpuError, tpu_zone
from stacks.config.base import ConfigModel
from stacks.config.commitments import check_gke_reservation, check_pool_commitments
from stacks.config.common import (
    BucketSpec,
    BudgetSpec,
    GpuPoolSpec,
    Name,
    check_bucket_key,
    check_zone_count,
    known_region,
    kubernetes_api_allow_list,
    machine_in_catalog,
)
from stacks.config.dr import check_dr_region
from stacks.config.errors import config_problem
from stacks.config.file_systems import GcpFileSystemSpec, check_file_systems
from stacks.config.gcp_endpoints import (
    ENDPOINT_PREFIX,
    MODEL_GARDEN_MODEL,
    VERTEX_MISMATCH,
    GcpEndpointSpec,
    ModelGardenSpec,
    NetworkAccess,
    endpoint_machine,
)
from stacks.config.gcp_network import SMALLEST_DERIVED_PODS_PREFIX, GcpNetworkSpec, GcpRanges, plan_ranges
from stacks.config.gcp_tpu import TpuForm, TpuPoolSpec
from stacks.config.serverless import check_endpoint_mode
from stacks.config.teams import TeamSpec, check_teams, pool_capacity
from stacks.config.workloads import WorkloadSpec, check_workload_buckets

__all__ = [
    "BILLING_ACCOUNT",
    "ENDPOINT_PREFIX",
    "GKE_NODE_MISMATCH",
    "MODEL_GARDEN_MODEL",
    "PROJECT_ID",
    "RESOURCE_NAME",
    "SMALLEST_DERIVED_PODS_PREFIX",
    "VERTEX_MISMATCH",
    "GcpBucketSpec",
    "GcpClusterSpec",
    "GcpEndpointSpec",
    "GcpGpuPoolSpec",
    "GcpNetworkSpec",
    "GcpRanges",
    "GcpSpec",
    "ModelGardenSpec",
    "NetworkAccess",
    "TpuForm",
    "TpuPoolSpec",
    "endpoint_machine",
    "gpu_machine",
    "plan_ranges",
]

PROJECT_ID = r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$"
BILLING_ACCOUNT = r"^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$"
RESOURCE_NAME = r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$"
GKE_NODE_MISMATCH = "{given!r} is a {found.role} type with {found.accelerator}, not a GKE node type with {accelerator}"


# -- cluster and pools --------------------------------------------------------------------------


class GcpClusterSpec(ConfigModel):
    """The GKE Standard control plane and its small CPU system node pool."""

    location_type: Literal["regional", "zonal"] = "regional"
    """`regional` (default): control plane replicated across the region's zones. `zonal`: one zone
    (the first of `zones`); same fee, less availability: fine for dev."""
    release_channel: str = "regular"
    """`rapid`, `regular` (default) or `stable`: GKE keeps the cluster on supported versions."""
    master_authorized_networks: list[str] = Field(default_factory=list)
    """Default empty: the API server has only a private endpoint (reachable from the VPC). CIDRs
    here turn on the public endpoint for exactly those ranges; 0.0.0.0/0 is refused."""
    system_machine_type: str = "e2-standard-4"
    """Machine of the system pool (DNS, controllers, add-ons)."""
    system_nodes: int = Field(default=2, ge=1, le=10)
    """System pool size over all zones (the autoscaler may double it)."""

    @field_validator("release_channel")
    @classmethod
    def _supported_channel(cls, value: str) -> str:
        if value not in ("rapid", "regular", "stable"):
            extra = (
                "; the extended channel bills extended support on top of the cluster fee" if value == "extended" else ""
            )
            raise config_problem(f"{value!r} is not a release channel (allowed: rapid, regular, stable){extra}")
        return value

    @field_validator("master_authorized_networks")
    @classmethod
    def _narrow_cidrs(cls, cidrs: list[str]) -> list[str]:
        return kubernetes_api_allow_list(cidrs)


class GcpGpuPoolSpec(GpuPoolSpec):
    """A GPU node pool on GKE (`clouds.gcp.gpu_pools.<name>`): the shared pool shape plus a reservation."""

    reservation: str | None = Field(default=None, pattern=RESOURCE_NAME)
    """Default none. A Compute Engine reservation name: nodes consume only that reservation."""

    @model_validator(mode="after")
    def _reservation_not_spot(self) -> GcpGpuPoolSpec:
        if self.reservation is not None and self.spot:
            raise config_problem(
                "spot VMs cannot consume a reservation; remove 'reservation' or set spot: false",
                key="reservation",
            )
        check_gke_reservation(self.reservation, self.capacity_reservation, self.max_nodes)
        return self


# -- buckets ------------------------------------------------------------------------------------


class GcpBucketSpec(BucketSpec):
    """A Cloud Storage bucket: the shared bucket shape plus Autoclass and soft delete.

    Tiering maps to GCS classes: `infrequent_access_days` -> NEARLINE, `archive_days` -> COLDLINE,
    `deep_archive_days` -> ARCHIVE."""

    autoclass: bool = False
    """Let Autoclass move objects by access pattern instead of `tiering` (not both). Default false."""
    soft_delete_days: int = Field(default=7, ge=0, le=90)
    """Days deleted objects stay restorable: 0 (off) or 7-90. Default 7."""

    @model_validator(mode="after")
    def _gcs_rules(self) -> GcpBucketSpec:
        if self.autoclass and "tiering" in self.model_fields_set:
            raise config_problem(
                "autoclass and tiering exclude each other (GCS refuses storage-class rules with Autoclass); remove one",
                key="autoclass",
            )
        if 0 < self.soft_delete_days < 7:
            raise config_problem(
                f"{self.soft_delete_days} is not allowed (allowed: 0 to turn soft delete off, or 7-90)",
                key="soft_delete_days",
            )
        return self


# -- the cloud ----------------------------------------------------------------------------------


class GcpSpec(ConfigModel):
    """Everything the environment declares on Google Cloud."""

    project: str
    """Project id (not number) everything lives in; the provider is pinned to it."""
    region: str
    """Region of the network, cluster, buckets and endpoints (one of catalog/data/gcp.yaml)."""
    zones: list[str] | None = Field(default=None, min_length=1)
    """Zones node pools run in. Default: the first `network.zones` zones of the region."""
    billing_account: str
    """Billing account id (`012345-6789AB-CDEF01`) the budget is set on."""
    network: GcpNetworkSpec
    cluster: GcpClusterSpec = Field(default_factory=GcpClusterSpec)
    gpu_pools: dict[Name, GcpGpuPoolSpec] = Field(default_factory=dict)
    tpu_pools: dict[Name, TpuPoolSpec] = Field(default_factory=dict)
    buckets: dict[Name, GcpBucketSpec] = Field(default_factory=dict)
    workloads: dict[Name, WorkloadSpec] = Field(default_factory=dict)
    """Kubernetes service accounts that get keyless Google identities (Workload Identity)."""
    endpoints: dict[Name, GcpEndpointSpec] = Field(default_factory=dict)
    teams: dict[Name, TeamSpec] = Field(default_factory=dict)
    """Teams and their accelerator quotas on the GKE cluster (Kueue queues). Default none."""
    file_systems: dict[Name, GcpFileSystemSpec] = Field(default_factory=dict)
    """Shared file systems for training, linked to buckets and mounted into the cluster
    (stacks/config/file_systems.py). Default none."""
    budget: BudgetSpec
    dr_region: str | None = None
    """Second region the environment's buckets replicate to (disaster recovery; see README
    "Disaster recovery"). Default None: buckets live in one region only (dev). A region of the same
    multi-region: the buckets become dual-region with turbo replication."""
    provider_kind: Literal["gcp"] = Field(default="gcp", exclude=True)

    @field_validator("project")
    @classmethod
    def _project_id(cls, value: str) -> str:
        if not re.match(PROJECT_ID, value):
            raise config_problem(
                f"{value!r} is not a project id (allowed: 6-30 lowercase letters, digits and hyphens, "
                "starting with a letter, e.g. 'acme-ml-dev')"
            )
        return value

    @field_validator("billing_account")
    @classmethod
    def _billing_account_id(cls, value: str) -> str:
        if not re.match(BILLING_ACCOUNT, value):
            raise config_problem(
                f"{value!r} is not a billing account id (allowed: three groups of six upper-case hex digits, "
                "e.g. '012345-6789AB-CDEF01')"
            )
        return value

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        return known_region("gcp", value)

    @model_validator(mode="after")
    def _cross_checks(self) -> GcpSpec:
        region_zones = load_catalog().zones("gcp", self.region)
        if self.zones is not None:
            for zone in self.zones:
                if zone not in region_zones:
                    raise config_problem(
                        f"{zone!r} is not a zone of {self.region} (zones: {', '.join(region_zones)})", key="zones"
                    )
            if len(set(self.zones)) != len(self.zones):
                raise config_problem("lists a zone twice", key="zones")
        else:
            check_zone_count(self.network.zones, self.region, region_zones)
        for name, pool in self.gpu_pools.items():
            _check_gpu_pool(pool, f"gpu_pools.{name}")
        for name, tpu_pool in self.tpu_pools.items():
            try:
                zone = tpu_zone(tpu_pool.generation, self.region, tpu_pool.zone)
            except TpuError as exc:
                where = "zone" if tpu_pool.zone is not None else "generation"
                raise config_problem(str(exc), key=f"tpu_pools.{name}.{where}") from None
            cluster_zone = self.node_zones[0]
            if tpu_pool.form == "gke-node-pool" and self.cluster.location_type == "zonal" and zone != cluster_zone:
                raise config_problem(
                    f"the slice would run in {zone} but the zonal cluster is in {cluster_zone}; set zone: "
                    f"{cluster_zone} (if it offers {tpu_pool.generation}), list {zone} first under zones, "
                    "or use a regional cluster",
                    key=f"tpu_pools.{name}.zone",
                )
        self._check_node_pool_names()
        check_teams(self.teams, self._cluster_capacity())
        for name, endpoint in self.endpoints.items():
            check_endpoint_mode("gcp", self.region, name, endpoint, self.buckets)
            if endpoint.mode == "realtime":
                endpoint_machine(endpoint, f"endpoints.{name}")
            if endpoint.model is not None:
                check_bucket_key(endpoint.model.bucket, self.buckets, f"endpoints.{name}.model.bucket")
        check_pool_commitments("gcp", self.gpu_pools)
        check_workload_buckets(self.workloads, self.buckets)
        check_file_systems(self.file_systems, self.buckets, self.teams)
        return self

    def _cluster_capacity(self) -> dict[str, int]:
        """Accelerators the cluster's GPU pools and GKE TPU pools hold at full size (TPU VMs are
        not part of the cluster)."""
        gpus = (
            (p.accelerator, gpu_machine(p, f"gpu_pools.{n}").accelerator_count, p.max_nodes)
            for n, p in self.gpu_pools.items()
        )
        tpus = ((p.generation, p.tpu.chips, p.slices) for p in self.tpu_pools.values() if p.form == "gke-node-pool")
        return pool_capacity([*gpus, *tpus])

    def _check_node_pool_names(self) -> None:
        taken = {"system": "the system pool"}
        pools = [(name, f"gpu_pools.{name}", [name]) for name in self.gpu_pools]
        pools += [(name, f"tpu_pools.{name}", pool.node_pool_names(name)) for name, pool in self.tpu_pools.items()]
        for _name, where, node_pools in pools:
            for node_pool in node_pools:
                if node_pool in taken:
                    raise config_problem(
                        f"becomes GKE node pool {node_pool!r}, which {taken[node_pool]} already uses; rename one",
                        key=where,
                    )
                taken[node_pool] = where

    # -- resolved values the stack uses -------------------------------------------------------------
    @property
    def node_zones(self) -> list[str]:
        """Zones node pools run in (zonal clusters: just the first)."""
        zones = self.zones or list(load_catalog().zones("gcp", self.region)[: self.network.zones])
        return zones[:1] if self.cluster.location_type == "zonal" else zones

    @property
    def cluster_location(self) -> str:
        return self.region if self.cluster.location_type == "regional" else self.node_zones[0]

    def tpu_zone(self, pool_name: str) -> str:
        pool = self.tpu_pools[pool_name]
        return tpu_zone(pool.generation, self.region, pool.zone)

    @property
    def needs_private_services_access(self) -> bool:
        # Managed Lustre and Filestore are reached over the same peering (private services access).
        return bool(self.file_systems) or any(
            endpoint.network_access == "private" for endpoint in self.endpoints.values()
        )

    @model_validator(mode="after")
    def _dr_region(self) -> GcpSpec:
        check_dr_region("gcp", self.region, self.dr_region)
        return self


def gpu_machine(pool: GpuPoolSpec, where: str) -> MachineType:
    """The GKE machine of the GPU pool at `where`: its override (a GPU machine carrying the pool's
    accelerator) or the catalog's default for the accelerator."""
    return machine_in_catalog(
        "gcp",
        pool.accelerator,
        pool.machine_type,
        "node",
        where,
        multi_node=pool.multi_node,
        mismatch=GKE_NODE_MISMATCH,
        requires_accelerator_type=True,
    )


def _check_gpu_pool(pool: GpuPoolSpec, where: str) -> None:
    kind = load_catalog().accelerator(pool.accelerator).kind
    if kind != "gpu":
        hint = "; TPUs go under tpu_pools" if kind == "tpu" else ""
        raise config_problem(f"{pool.accelerator!r} is not a GPU{hint}", key=f"{where}.accelerator")
    gpu_machine(pool, where)
