"""`ai-infra:clouds.alicloud`: the Alibaba Cloud part of an environment."""

from __future__ import annotations

import ipaddress
import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from catalog import load_catalog
from components.alicloud.network import MAX_FLOW_LOG_RETENTION_DAYS
from components.alicloud.vswitch_plan import VSwitchPlanError, plan_vswitches
from stacks.config.base import ConfigModel
from stacks.config.commitments import check_no_capacity_reservation, check_pool_commitments
from stacks.config.common import (
    BucketSpec,
    BudgetSpec,
    EndpointSpec,
    GpuPoolSpec,
    Name,
    NetworkSpec,
    check_bucket_key,
    check_zone_count,
    known_region,
    kubernetes_service_range,
    machine_in_catalog,
)
from stacks.config.dr import check_dr_region
from stacks.config.errors import config_problem
from stacks.config.file_systems import AlicloudFileSystemSpec, check_file_systems
from stacks.config.serverless import check_endpoint_mode
from stacks.config.teams import TeamSpec, check_teams, pool_capacity
from stacks.config.workloads import WorkloadSpec, check_workload_buckets

ACK_VERSION = re.compile(r"^(\d+\.\d+)\.\d+-aliyun\.\d+$")
MAX_BUCKET_KEY = 29
"""OSS bucket names are at most 63 characters: `ai-infra-<environment (<=15)>-<key>-<8 hex>`."""
RESERVED_BUCKET_KEY = "access-logs"
"""The stack names the access-log target bucket with this key."""
ROLE_MISMATCH = "{name!r} is for the {found.role} role with {found.accelerator}, not the {role} role with {accelerator}"


class AlicloudFlowLogSpec(ConfigModel):
    """The VPC flow log (all traffic of every ENI in the VPC), kept in an SLS logstore."""

    retention_days: int = Field(default=30, ge=1, le=MAX_FLOW_LOG_RETENTION_DAYS)
    """Days SLS keeps the flow records. Default 30 (SLS would keep them forever at 3650)."""


class AlicloudNetworkSpec(NetworkSpec):
    """The environment's VPC. `nat`: `single` (one enhanced NAT gateway, one EIP), `per-zone`
    (the gateway deployed across zones, one EIP per zone) or `none` (no internet egress). A flow
    log is always on (`flow_logs`)."""

    flow_logs: AlicloudFlowLogSpec = Field(default_factory=AlicloudFlowLogSpec)


class AlicloudClusterSpec(ConfigModel):
    """The ACK Pro control plane and its small CPU system node pool."""

    kubernetes_version: str | None = None
    """Full ACK version, e.g. `1.35.1-aliyun.1`; its minor version must be open for creation
    (catalog/data/alicloud.yaml). Default: the newest version ACK offers when the cluster is
    created (ACK never upgrades it afterwards unless this is set higher)."""
    api_server_public: bool = False
    """Default false: the API server has no internet-facing SLB and is reachable from the VPC
    only. True: ACK also creates a public SLB endpoint (visible in the plan as `public_api=true`)."""
    service_cidr: str = "172.21.0.0/20"
    """Range for Kubernetes Service IPs: a /16 to /24 private range outside `network.cidr`."""
    system_instance_type: str = Field(default="ecs.g7.xlarge", pattern=r"^ecs\.[a-z0-9-]+\.[a-z0-9-]+$")
    """CPU instance type of the system node pool (CoreDNS, controllers, webhooks)."""
    system_nodes: int = Field(default=2, ge=1, le=10)
    """Nodes in the system pool. Default 2."""
    log_ttl_days: int = Field(default=30, ge=1, le=3650)
    """Days SLS keeps the control-plane logs (apiserver, kcm, scheduler, ccm). Default 30."""

    @field_validator("kubernetes_version")
    @classmethod
    def _supported_version(cls, value: str | None) -> str | None:
        if value is None:
            return value
        match = ACK_VERSION.match(value)
        supported = load_catalog().cloud("alicloud").kubernetes_standard_support
        if match is None:
            raise config_problem(f"{value!r} is not an ACK version (expected x.y.z-aliyun.n, e.g. '1.35.1-aliyun.1')")
        if match.group(1) not in supported:
            raise config_problem(
                f"{value!r} is not in a minor version ACK supports for new clusters (allowed: {', '.join(supported)})"
            )
        return value

    @field_validator("service_cidr")
    @classmethod
    def _service_range(cls, value: str) -> str:
        return kubernetes_service_range(value, widest_prefix=16, example="172.21.0.0/20")


class AlicloudGpuPoolSpec(GpuPoolSpec):
    """A GPU node pool on ACK (`clouds.alicloud.gpu_pools.<name>`): the shared pool keys plus
    the spot price limit and the data disk."""

    spot_price_limit: float | None = Field(default=None, gt=0, le=1000)
    """Required with `spot: true`: the highest hourly price per instance the pool bids, in the
    account's billing currency (USD on the international site). Alibaba never charges more than
    the pay-as-you-go price either way."""
    data_disk_gib: int = Field(default=200, ge=0, le=32768)
    """Encrypted ESSD data disk for the container runtime (images, model caches). Default 200;
    0: none. `disk_gib` sizes the (encrypted ESSD) system disk."""

    @model_validator(mode="after")
    def _alicloud_rules(self) -> AlicloudGpuPoolSpec:
        if self.spot and self.spot_price_limit is None:
            raise config_problem(
                "required with spot: true (the highest hourly price per instance to bid, e.g. 1.2)",
                key="spot_price_limit",
            )
        if not self.spot and self.spot_price_limit is not None:
            raise config_problem(
                f"{self.spot_price_limit} is set but spot is false; remove it or set spot: true", key="spot_price_limit"
            )
        if self.multi_node:
            raise config_problem("true is not supported on alicloud yet (allowed: false)", key="multi_node")
        if self.desired_nodes is not None:
            raise config_problem(
                f"{self.desired_nodes} is not supported on alicloud: ACK auto-scaling pools start at "
                "min_nodes and the cluster autoscaler owns their size (remove the key)",
                key="desired_nodes",
            )
        if 0 < self.data_disk_gib < 40:
            raise config_problem(f"{self.data_disk_gib} is too small (allowed: 0, or 40 to 32768)", key="data_disk_gib")
        return self


class AlicloudEndpointSpec(EndpointSpec):
    """A PAI-EAS service (`clouds.alicloud.endpoints.<name>`): the shared endpoint keys, with
    `image` optional because EAS can also serve a model with a built-in `processor`."""

    image: str | None = Field(default=None, min_length=1)  # type: ignore[assignment]
    """Serving container image (custom deployment). Give exactly one of `image` and `processor`.
    With an image, `model.key` is a directory (ending in `/`) mounted read-only at /mnt/model."""
    processor: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")
    """Built-in EAS processor (e.g. `pytorch_gpu_1.10`); `model.key` is the model EAS loads."""
    port: int = Field(default=8000, ge=1, le=65535)
    """Port the image listens on. Default 8000."""
    command: str | None = Field(default=None, min_length=1)
    """Start command of the image. Default: its entrypoint."""
    workspace_id: str | None = Field(default=None, pattern=r"^[0-9]+$")
    """PAI workspace of the service. Default: the account's default workspace."""

    @model_validator(mode="after")
    def _eas_rules(self) -> AlicloudEndpointSpec:
        if (self.image is None) == (self.processor is None):
            given = "both image and processor are set" if self.image else "neither image nor processor is set"
            raise config_problem(
                f"{given}; give exactly one of image (a serving container) and processor (a built-in EAS processor)",
                key="image",
            )
        if self.image is not None and not self.model.key.endswith("/"):
            raise config_problem(
                f"{self.model.key!r} must be a directory ending in '/' (EAS mounts it into the image)",
                key="model.key",
            )
        if self.mode != "realtime" and self.processor is not None:
            raise config_problem("Function Compute serves a container image; use image, not processor", key="processor")
        if self.processor is not None and self.command is not None:
            raise config_problem("only applies to image deployments; remove it", key="command")
        if self.mode == "realtime" and self.min_replicas < 1:
            raise config_problem(
                f"{self.min_replicas} is not allowed on EAS (allowed: 1 to max_replicas)", key="min_replicas"
            )
        if self.data_capture:
            raise config_problem("true is not supported on alicloud (allowed: false)", key="data_capture")
        return self


class AlicloudSpec(ConfigModel):
    """Everything the environment declares on Alibaba Cloud."""

    region: str
    zones: list[str] | None = None
    """Zone ids to spread vSwitches across, in order. Default: the first `network.zones` zones
    of the region in the catalog. If given, its length is the zone count."""
    network: AlicloudNetworkSpec
    cluster: AlicloudClusterSpec = Field(default_factory=AlicloudClusterSpec)
    gpu_pools: dict[Name, AlicloudGpuPoolSpec] = Field(default_factory=dict)
    buckets: dict[Name, BucketSpec] = Field(default_factory=dict)
    """OSS buckets. `tiering`: infrequent_access_days -> IA, archive_days -> Archive,
    deep_archive_days -> ColdArchive."""
    workloads: dict[Name, WorkloadSpec] = Field(default_factory=dict)
    """Kubernetes service accounts that get keyless RAM roles (RRSA) with bucket access."""
    endpoints: dict[Name, AlicloudEndpointSpec] = Field(default_factory=dict)
    teams: dict[Name, TeamSpec] = Field(default_factory=dict)
    """Teams and their accelerator quotas on the ACK cluster (Kueue queues). Default none."""
    file_systems: dict[Name, AlicloudFileSystemSpec] = Field(default_factory=dict)
    """Shared file systems for training, linked to buckets and mounted into the cluster
    (stacks/config/file_systems.py). Default none."""
    budget: BudgetSpec
    """Recorded for policies and cost reports; the provider has no budget resource (see README)."""
    dr_region: str | None = None
    """Second region the environment's buckets replicate to (disaster recovery; see README
    "Disaster recovery"). Default None: buckets live in one region only (dev). Any other catalog
    region: each bucket replicates (OSS cross-region replication) to a hardened replica there."""
    provider_kind: Literal["alicloud"] = Field(default="alicloud", exclude=True)

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        return known_region("alicloud", value)

    @model_validator(mode="after")
    def _dr_region(self) -> AlicloudSpec:
        check_dr_region("alicloud", self.region, self.dr_region)
        return self

    @property
    def zone_ids(self) -> list[str]:
        """The zones the environment uses, in order."""
        if self.zones is not None:
            return list(self.zones)
        return list(load_catalog().zones("alicloud", self.region)[: self.network.zones])

    @model_validator(mode="after")
    def _cross_checks(self) -> AlicloudSpec:
        self._check_zones()
        try:
            plan_vswitches(self.network.cidr, len(self.zone_ids))
        except VSwitchPlanError as exc:
            raise config_problem(str(exc), key="network.cidr") from None
        if ipaddress.IPv4Network(self.cluster.service_cidr).overlaps(ipaddress.IPv4Network(self.network.cidr)):
            raise config_problem(
                f"{self.cluster.service_cidr!r} overlaps network.cidr ({self.network.cidr})", key="cluster.service_cidr"
            )
        for name in self.buckets:
            if name == RESERVED_BUCKET_KEY:
                raise config_problem(
                    f"{name!r} is reserved for the bucket that receives access logs; choose another key",
                    key=f"buckets.{name}",
                )
            if len(name) > MAX_BUCKET_KEY:
                raise config_problem(
                    f"{name!r} is {len(name)} characters; OSS bucket names must fit in 63, so keys are "
                    f"at most {MAX_BUCKET_KEY} on alicloud",
                    key=f"buckets.{name}",
                )
        check_teams(
            self.teams,
            pool_capacity(
                (
                    pool.accelerator,
                    machine_in_catalog(
                        "alicloud",
                        pool.accelerator,
                        pool.machine_type,
                        "node",
                        f"gpu_pools.{name}",
                        mismatch=ROLE_MISMATCH,
                    ).accelerator_count,
                    pool.max_nodes,
                )
                for name, pool in self.gpu_pools.items()
            ),
        )
        for name, endpoint in self.endpoints.items():
            check_endpoint_mode("alicloud", self.region, name, endpoint)
            if endpoint.mode != "realtime":
                check_bucket_key(endpoint.model.bucket, self.buckets, f"endpoints.{name}.model.bucket")
                continue
            machine_in_catalog(
                "alicloud",
                endpoint.accelerator,
                endpoint.machine_type,
                "endpoint",
                f"endpoints.{name}",
                mismatch=ROLE_MISMATCH,
            )
            check_bucket_key(endpoint.model.bucket, self.buckets, f"endpoints.{name}.model.bucket")
        check_pool_commitments("alicloud", self.gpu_pools)
        check_no_capacity_reservation("alicloud", self.gpu_pools)
        check_workload_buckets(self.workloads, self.buckets)
        check_file_systems(self.file_systems, self.buckets, self.teams)
        return self

    def _check_zones(self) -> None:
        known = load_catalog().zones("alicloud", self.region)
        if self.zones is None:
            check_zone_count(self.network.zones, self.region, known)
            return
        for zone in self.zones:
            if zone not in known:
                raise config_problem(
                    f"{zone!r} is not a zone of {self.region} (known: {', '.join(known)})", key="zones"
                )
        if len(set(self.zones)) != len(self.zones) or len(self.zones) < 2:
            raise config_problem(f"{self.zones} must list at least 2 distinct zones", key="zones")
        if "zones" in self.network.model_fields_set and self.network.zones != len(self.zones):
            raise config_problem(
                f"{self.network.zones} disagrees with the {len(self.zones)} zones listed in zones; "
                "remove network.zones or make them agree",
                key="network.zones",
            )


def machine_for(accelerator: str, machine_type: str | None, role: str) -> str:
    """The catalog machine name a validated pool or endpoint uses."""
    if machine_type is not None:
        return machine_type
    return load_catalog().machine_for("alicloud", accelerator, role).name
