"""`ai-infra:clouds.gcp`: the Google Cloud part of an environment."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Literal

from pydantic import Field, field_validator, model_validator

from catalog import MachineType, load_catalog
from catalog.tpu import TpuError, TpuSlice, tpu_slice, tpu_zone
from stacks.config.base import ConfigModel
from stacks.config.commitments import check_gke_reservation, check_pool_commitments
from stacks.config.common import (
    BucketSpec,
    BudgetSpec,
    EndpointSpec,
    GpuPoolSpec,
    ModelArtifact,
    Name,
    NetworkSpec,
    check_bucket_key,
    check_zone_count,
    known_region,
    kubernetes_api_allow_list,
    machine_in_catalog,
)
from stacks.config.dr import check_dr_region
from stacks.config.errors import config_problem
from stacks.config.file_systems import GcpFileSystemSpec, check_file_systems
from stacks.config.serverless import check_endpoint_mode
from stacks.config.teams import TeamSpec, check_teams, pool_capacity
from stacks.config.workloads import WorkloadSpec, check_workload_buckets

PROJECT_ID = r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$"
BILLING_ACCOUNT = r"^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$"
RESOURCE_NAME = r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$"
SMALLEST_DERIVED_PODS_PREFIX = 21
"""A derived pods range must be a /21 or larger: 32 nodes at 64 pods per node."""
ENDPOINT_PREFIX = "vertex:"
"""Catalog keys of Vertex AI hosting machines (`vertex:g2-standard-8`); see catalog/data/gcp.yaml."""
GKE_NODE_MISMATCH = "{given!r} is a {found.role} type with {found.accelerator}, not a GKE node type with {accelerator}"
VERTEX_MISMATCH = "{given!r} is not a Vertex AI machine with {accelerator}"


# -- network ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GcpRanges:
    """The address plan of the environment's VPC, all inside `network.cidr`."""

    subnet: str
    pods: str
    services: str
    private_services: str


def plan_ranges(cidr: str) -> GcpRanges:
    """Split `cidr` (prefix p): pods get the first half (/p+1), nodes the third quarter (/p+2),
    services and Private Services Access one eighth each (/p+3). Deterministic: the same range
    always gives the same plan. Example: 10.20.0.0/16 -> pods 10.20.0.0/17, subnet 10.20.128.0/18,
    services 10.20.192.0/19, private services 10.20.224.0/19."""
    net = ipaddress.IPv4Network(cidr, strict=True)
    halves = list(net.subnets(prefixlen_diff=1))
    quarters = list(halves[1].subnets(prefixlen_diff=1))
    eighths = list(quarters[1].subnets(prefixlen_diff=1))
    return GcpRanges(
        pods=str(halves[0]), subnet=str(quarters[0]), services=str(eighths[0]), private_services=str(eighths[1])
    )


class GcpNetworkSpec(NetworkSpec):
    """The VPC (`clouds.gcp.network`). Ranges not given are carved out of `cidr` (`plan_ranges`);
    ranges given must lie inside `cidr` and not overlap, so clouds never overlap each other."""

    subnet_cidr: str | None = None
    """Primary range of the subnetwork (nodes, TPU VMs). Default: the third quarter of `cidr`."""
    pods_cidr: str | None = None
    """GKE pod range. Default: the first half of `cidr`."""
    services_cidr: str | None = None
    """GKE service range. Default: the seventh eighth of `cidr`."""
    private_services_cidr: str | None = None
    """Range peered with Google services (Vertex endpoints with `network_access: private`).
    Default: the last eighth of `cidr`; reserved only when an endpoint needs it."""
    iap_ssh: bool = False
    """Default false: no SSH ingress at all. True: SSH from Identity-Aware Proxy's range only."""
    flow_log_sampling: float = Field(default=0.5, gt=0, le=1)
    """Share of flows recorded by VPC flow logs (always on). Default 0.5."""

    @field_validator("nat")
    @classmethod
    def _regional_nat(cls, value: str) -> str:
        if value == "per-zone":
            raise config_problem(
                "'per-zone' has no meaning on Google Cloud: Cloud NAT is regional and zone-redundant "
                "(allowed: single, none)"
            )
        return value

    @model_validator(mode="after")
    def _ranges_fit(self) -> GcpNetworkSpec:
        net = ipaddress.IPv4Network(self.cidr)
        derived = plan_ranges(self.cidr)
        if self.pods_cidr is None and ipaddress.IPv4Network(derived.pods).prefixlen > SMALLEST_DERIVED_PODS_PREFIX:
            raise config_problem(
                f"{self.cidr!r} is too small to carve GKE pod addresses from (the pods range would be "
                f"{derived.pods}; at least a /{SMALLEST_DERIVED_PODS_PREFIX} is needed); use a /20 or larger, "
                "or set pods_cidr",
                key="cidr",
            )
        seen: list[tuple[str, ipaddress.IPv4Network]] = []
        for key in ("subnet_cidr", "pods_cidr", "services_cidr", "private_services_cidr"):
            value = getattr(self, key)
            if value is None:
                continue
            try:
                sub = ipaddress.IPv4Network(value, strict=True)
            except ValueError as exc:
                raise config_problem(f"{value!r} is not a valid IPv4 network ({exc})", key=key) from None
            if not sub.subnet_of(net):
                raise config_problem(f"{value!r} is not inside network.cidr ({self.cidr})", key=key)
            for other_key, other in seen:
                if sub.overlaps(other):
                    raise config_problem(f"{value!r} overlaps {other_key} ({other})", key=key)
            seen.append((key, sub))
        # A range given explicitly may still collide with one derived from `cidr`: blame the given one.
        ranges = self.ranges
        chosen = [(f"{k}_cidr", ipaddress.IPv4Network(getattr(ranges, k))) for k in ("subnet", "pods", "services")]
        for key, sub in chosen:
            if getattr(self, key) is None:
                continue
            for other_key, other in chosen:
                if other_key != key and getattr(self, other_key) is None and sub.overlaps(other):
                    raise config_problem(
                        f"{str(sub)!r} overlaps {other_key} ({other}, derived from cidr); "
                        f"set {other_key} too, or pick a range outside it",
                        key=key,
                    )
        return self

    @property
    def ranges(self) -> GcpRanges:
        derived = plan_ranges(self.cidr)
        return GcpRanges(
            subnet=self.subnet_cidr or derived.subnet,
            pods=self.pods_cidr or derived.pods,
            services=self.services_cidr or derived.services,
            private_services=self.private_services_cidr or derived.private_services,
        )


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


TpuForm = Literal["gke-node-pool", "tpu-vm"]


class TpuPoolSpec(ConfigModel):
    """TPU slices for training (`clouds.gcp.tpu_pools.<name>`)."""

    generation: str
    """`tpu-v5e`, `tpu-v5p` or `tpu-v6e` (accelerators of kind tpu in the catalog)."""
    topology: str
    """Slice shape in chips: `2x2`, `4x4` (v5e, v6e) or `2x2x2` (v5p). The catalog lists what is valid."""
    form: TpuForm = "gke-node-pool"
    """`gke-node-pool` (default): node pools on the GKE cluster, scaled to zero while idle.
    `tpu-vm`: standalone Cloud TPU VMs, which run (and bill) for as long as they exist."""
    spot: bool = False
    """Run on Spot TPUs (preemptible, much cheaper). Default false: on-demand."""
    slices: int = Field(default=1, ge=1, le=64)
    """How many slices at most (node pools) or exactly (TPU VMs). Default 1."""
    min_slices: int = Field(default=0, ge=0, le=64)
    """GKE form only: slices kept running. Default 0: nothing runs while idle."""
    zone: str | None = None
    """Default: the first zone of the region that offers the generation (catalog/data/tpu.yaml)."""
    runtime_version: str | None = Field(default=None, min_length=1)
    """TPU VM form only: TPU software version. Default: the generation's version in the catalog."""

    @field_validator("generation")
    @classmethod
    def _tpu_generation(cls, value: str) -> str:
        catalog = load_catalog()
        tpus = sorted(name for name, acc in catalog.accelerators.items() if acc.kind == "tpu")
        if value not in tpus:
            raise config_problem(f"{value!r} is not a TPU generation (allowed: {', '.join(tpus)})")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> TpuPoolSpec:
        try:
            tpu_slice(self.generation, self.topology)
        except TpuError as exc:
            raise config_problem(str(exc), key="topology") from None
        if self.min_slices > self.slices:
            raise config_problem(
                f"{self.min_slices} is greater than slices ({self.slices}); allowed: 0 <= min_slices <= slices",
                key="min_slices",
            )
        if self.form == "tpu-vm" and "min_slices" in self.model_fields_set:
            raise config_problem(
                "TPU VMs do not scale: every configured slice runs and bills while it exists; "
                "set 'slices' and remove 'min_slices', or use form: gke-node-pool",
                key="min_slices",
            )
        if self.form == "gke-node-pool" and self.runtime_version is not None:
            raise config_problem(
                "only TPU VMs take a runtime version (GKE picks the TPU software); remove it or use form: tpu-vm",
                key="runtime_version",
            )
        return self

    @property
    def tpu(self) -> TpuSlice:
        return tpu_slice(self.generation, self.topology)

    def node_pool_names(self, key: str) -> list[str]:
        """GKE node pool names this pool becomes: one per multi-host slice, else one."""
        if self.form != "gke-node-pool":
            return []
        if self.tpu.multi_host and self.slices > 1:
            return [f"{key}-{index}" for index in range(self.slices)]
        return [key]


# -- buckets and endpoints ----------------------------------------------------------------------


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


MODEL_GARDEN_MODEL = re.compile(r"^(publishers/[a-z0-9-]+/models/[A-Za-z0-9._-]+(@[A-Za-z0-9._-]+)?|[\w.-]+/[\w.-]+)$")


class ModelGardenSpec(ConfigModel):
    """A model Vertex AI deploys declaratively: Model Garden or Hugging Face."""

    model: str
    """`publishers/<publisher>/models/<model>@<version>` (Model Garden) or `<org>/<name>` (Hugging Face)."""
    accept_eula: bool = False
    """Accept the model's licence, which some publishers require. Default false."""

    @field_validator("model")
    @classmethod
    def _model_name(cls, value: str) -> str:
        if not MODEL_GARDEN_MODEL.match(value):
            raise config_problem(
                f"{value!r} is not a model name (allowed: 'publishers/<publisher>/models/<model>@<version>' "
                "or a Hugging Face id '<org>/<name>')"
            )
        return value


NetworkAccess = Literal["psc", "private", "public"]


class GcpEndpointSpec(EndpointSpec):
    """A Vertex AI endpoint (`clouds.gcp.endpoints.<name>`): the shared endpoint shape, where either a
    custom model (`image` + `model` in a bucket) or a `model_garden` model is served."""

    # Both optional here (the shared shape requires them): a Model Garden model needs neither.
    image: str | None = Field(default=None, min_length=1)  # type: ignore[assignment]
    """Custom model: serving container image. Model Garden: optional override of its container."""
    model: ModelArtifact | None = None  # type: ignore[assignment]
    """Custom model: the artefact in one of this cloud's buckets."""
    model_garden: ModelGardenSpec | None = None
    """A Model Garden / Hugging Face model, deployed declaratively (instead of `model`)."""
    network_access: NetworkAccess = "psc"
    """`psc` (default): reachable only through Private Service Connect. `private`: peered into
    the VPC (custom models only). `public`: the shared public endpoint, guarded by IAM only."""
    spot: bool = False
    """Serve on Spot VMs (Model Garden form only). Default false."""
    accelerator_duty_cycle_target: int = Field(default=60, ge=1, le=100)
    """Autoscaling target: average accelerator duty cycle, percent. Default 60."""

    @model_validator(mode="after")
    def _vertex_rules(self) -> GcpEndpointSpec:
        if self.mode != "realtime":
            # Cloud Run serves a container with the model mounted from a bucket.
            if self.model is None or self.image is None:
                raise config_problem("a serverless endpoint needs 'image' and 'model' (in a bucket)", key="model")
            return self
        if (self.model is None) == (self.model_garden is None):
            raise config_problem(
                "give either 'model' (a custom model in a bucket, with 'image') or 'model_garden'", key="model"
            )
        if self.model is not None and self.image is None:
            raise config_problem("a custom model needs its serving container image", key="image")
        if self.min_replicas < 1:
            raise config_problem(
                f"{self.min_replicas} is not allowed: Vertex AI dedicated resources keep at least one replica "
                "(allowed: 1-100)",
                key="min_replicas",
            )
        if self.spot and self.model is not None:
            raise config_problem(
                "spot serving is declarable only with 'model_garden' (pulumi-gcp's deployment resource pool "
                "has no spot setting); set spot: false",
                key="spot",
            )
        if self.network_access == "private" and self.model_garden is not None:
            raise config_problem(
                "Model Garden deployments support 'psc' or 'public', not VPC peering", key="network_access"
            )
        if "target_invocations_per_replica" in self.model_fields_set:
            raise config_problem(
                "Vertex AI autoscales on accelerator duty cycle, not requests; use accelerator_duty_cycle_target",
                key="target_invocations_per_replica",
            )
        if self.data_capture:
            raise config_problem(
                "Vertex AI request-response logging writes to BigQuery, which this project does not declare; "
                "set data_capture: false",
                key="data_capture",
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


def endpoint_machine(endpoint: EndpointSpec, where: str) -> MachineType:
    """The Vertex machine of the endpoint at `where`: its override (with or without `vertex:`) or
    the catalog's default for the accelerator."""
    return machine_in_catalog(
        "gcp",
        endpoint.accelerator,
        endpoint.machine_type,
        "endpoint",
        where,
        endpoint_prefix=ENDPOINT_PREFIX,
        mismatch=VERTEX_MISMATCH,
    )


def _check_gpu_pool(pool: GpuPoolSpec, where: str) -> None:
    kind = load_catalog().accelerator(pool.accelerator).kind
    if kind != "gpu":
        hint = "; TPUs go under tpu_pools" if kind == "tpu" else ""
        raise config_problem(f"{pool.accelerator!r} is not a GPU{hint}", key=f"{where}.accelerator")
    gpu_machine(pool, where)
