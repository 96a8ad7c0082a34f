"""Config shapes shared by every cloud: GPU pools, buckets, endpoints, budget, network."""

from __future__ import annotations

import ipaddress
import itertools
import re
from collections.abc import Callable, Collection, Sequence
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from catalog import CatalogError, CloudName, MachineType, load_catalog
from stacks.config.base import ConfigModel
from stacks.config.catalog_choices import machine_choices
from stacks.config.commitments import CapacityReservationSpec, CommitmentSpec
from stacks.config.errors import config_problem
from stacks.config.serverless import CPU, BatchTriggerSpec, EndpointMode, ServerlessSpec

NAME_PATTERN = r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$"
"""Keys of pools, buckets and endpoints become parts of cloud resource names."""

Name = Annotated[str, Field(pattern=NAME_PATTERN)]
FIXED_SIZE_REASON = r"^[A-Za-z0-9][A-Za-z0-9 _.:/=+\-@]{2,119}$"
"""A reason that is also a valid tag value on every cloud (letters, digits, spaces and _.:/=+-@)."""
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


PRIVATE_RANGES = tuple(ipaddress.IPv4Network(r) for r in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
"""The RFC 1918 ranges: where managed Kubernetes accepts a Service range."""
MACHINE_MISMATCH = "{name!r} is a {found.role} type with {found.accelerator}, not a {role} type with {accelerator}"
"""`machine_in_catalog`'s default message for an override of the wrong role or accelerator."""

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


# -- checks every cloud's section shares ---------------------------------------------------------
# Each raises `config_problem`; the cloud's model calls it from its own validator, so the key path
# stays the cloud's (`clouds.aws.cluster.public_access_cidrs`).


def known_accelerator(value: str) -> str:
    try:
        load_catalog().accelerator(value)
    except CatalogError as exc:
        # `unknown_accelerator`: the error formatter, which knows the key path, narrows the
        # listing to what this cloud and role offer (stacks/config/catalog_choices.py).
        raise config_problem(str(exc), unknown_accelerator=value) from None
    return value


def known_region(cloud: CloudName, value: str) -> str:
    """`value` if the catalog lists it as a region of `cloud`; the problem lists the known ones."""
    try:
        load_catalog().zones(cloud, value)
    except CatalogError as exc:
        raise config_problem(str(exc)) from None
    return value


def check_zone_count(requested: int, region: str, zones: Sequence[str]) -> None:
    """`network.zones` may not ask for more zones than the catalog lists for `region`."""
    if requested > len(zones):
        raise config_problem(
            f"{requested} zones requested but {region} has {len(zones)} in the catalog", key="network.zones"
        )


def kubernetes_version_in_standard_support(cloud: CloudName, value: str, *, service: str, beyond: str) -> str:
    """`value` if the catalog lists it in `service`'s (EKS, AKS) standard support on `cloud`;
    `beyond` says what staying on an older version would cost."""
    supported = load_catalog().cloud(cloud).kubernetes_standard_support
    if value not in supported:
        raise config_problem(
            f"{value!r} is not an {service} version in standard support (allowed: {', '.join(supported)}); {beyond}"
        )
    return value


def any_network(value: str) -> IpNetwork:
    """`value` as an IPv4 or IPv6 network (host bits zero)."""
    try:
        return ipaddress.ip_network(value, strict=True)
    except ValueError:
        raise config_problem(f"{value!r} is not a valid CIDR (e.g. '203.0.113.0/24')") from None


def ipv4_network(value: str, *, example: str) -> ipaddress.IPv4Network:
    """`value` as an IPv4 network (host bits zero); the problem shows `example` as a valid one."""
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        raise config_problem(f"{value!r} is not a valid IPv4 network ({exc}); allowed: e.g. {example!r}") from None


def kubernetes_api_allow_list(cidrs: list[str], parse: Callable[[str], IpNetwork] = any_network) -> list[str]:
    """The ranges allowed to reach a public Kubernetes API server: each one a network (`parse`
    says how it is read and what a bad one is told), none of them the whole internet."""
    for cidr in cidrs:
        if parse(cidr).prefixlen == 0:
            raise config_problem(
                f"{cidr!r} opens the Kubernetes API to the whole internet; list your office or VPN ranges"
            )
    return cidrs


def kubernetes_service_range(value: str, *, widest_prefix: int, example: str) -> str:
    """A Kubernetes Service range: a /`widest_prefix` to /24 inside one of `PRIVATE_RANGES`."""
    net = ipv4_network(value, example=example)
    if not widest_prefix <= net.prefixlen <= 24 or not any(net.subnet_of(r) for r in PRIVATE_RANGES):
        raise config_problem(
            f"{value!r} is not allowed (allowed: a /{widest_prefix} to /24 inside 10/8, 172.16/12 or 192.168/16)"
        )
    return value


def check_bucket_key(bucket: str, buckets: Collection[str], key: str) -> None:
    """`bucket` (named by an endpoint or workload at `key`) must be configured on the same cloud."""
    if bucket not in buckets:
        raise config_problem(
            f"{bucket!r} is not a bucket of this cloud (configured: {', '.join(sorted(buckets)) or 'none'})",
            key=key,
        )


def machine_in_catalog(
    cloud: CloudName,
    accelerator: str,
    machine_type: str | None,
    role: str,
    where: str,
    *,
    multi_node: bool = False,
    endpoint_prefix: str = "",
    mismatch: str = MACHINE_MISMATCH,
    requires_accelerator_type: bool = False,
) -> MachineType:
    """The machine a pool or endpoint at `where` runs on: the catalog's default for `accelerator`
    in `role` (`node` or `endpoint`), or the `machine_type` override, which must be a `role`
    machine of `cloud` carrying `accelerator`. Problems name `<where>.machine_type`, or
    `<where>.accelerator` when the cloud has no default for it.

    `endpoint_prefix`: the catalog key prefix of this cloud's hosting machines (`ml:` on Azure,
    `vertex:` on Google Cloud), added to an endpoint override written without it.
    `mismatch`: the message for a wrong override, a `str.format` template over `given` (the
    override as written), `name` (the catalog key looked up), `found` (that `MachineType`),
    `role` and `accelerator`.
    `requires_accelerator_type`: the machine must also name the accelerator type attached to
    its host (Google Cloud GPU machines)."""
    name = machine_type
    if name is not None and role == "endpoint" and not name.startswith(endpoint_prefix):
        name = endpoint_prefix + name
    catalog = load_catalog()
    try:
        if name is None:
            found = catalog.machine_for(cloud, accelerator, role, multi_node=multi_node)
        else:
            found = catalog.machine(cloud, name)
    except CatalogError as exc:
        if machine_type and name not in catalog.cloud(cloud).machines:
            raise config_problem(
                machine_choices(machine_type, cloud, role, accelerator), key=f"{where}.machine_type"
            ) from None
        key = f"{where}.machine_type" if machine_type else f"{where}.accelerator"
        raise config_problem(str(exc), key=key) from None
    if (
        found.role != role
        or found.accelerator != accelerator
        or (requires_accelerator_type and found.accelerator_type is None)
    ):
        raise config_problem(
            mismatch.format(given=machine_type, name=name, found=found, role=role, accelerator=accelerator),
            key=f"{where}.machine_type",
        )
    return found


class GpuPoolSpec(ConfigModel):
    """One Kubernetes node pool of accelerator machines (`clouds.<cloud>.gpu_pools.<name>`)."""

    accelerator: str
    """Neutral accelerator name from the catalog (`nvidia-l4`, `nvidia-h100`, ...)."""
    machine_type: str | None = None
    """Override the catalog's default machine for the accelerator; it must carry that accelerator."""
    min_nodes: int = Field(default=0, ge=0, le=512)
    """Autoscaler floor. Default 0: the pool costs nothing while idle."""
    max_nodes: int = Field(ge=1, le=512)
    desired_nodes: int | None = Field(default=None, ge=0, le=512)
    """Initial size. Default: `min_nodes`."""
    spot: bool = False
    """Run on spot / preemptible capacity. Default false: on-demand."""
    multi_node: bool = False
    """Multi-node training: placement group + fabric networking (EFA on AWS) where supported."""
    disk_gib: int = Field(default=200, ge=50, le=16384)
    """Root volume size; encrypted gp3 on AWS."""
    labels: dict[str, str] = Field(default_factory=dict)
    """Extra Kubernetes node labels (pool and accelerator labels are always set)."""
    commitment: CommitmentSpec | None = None
    """Default none: every node at the on-demand (or spot) list rate. A commitment (bought in the
    cloud's billing console) prices its nodes at the sourced discount, paid whether they run or
    not, and the estimate shows the list figure next to it. Not with `spot`."""
    capacity_reservation: CapacityReservationSpec | None = None
    """Default none: capacity as the cloud has it when the autoscaler asks. Set: the stack
    reserves `nodes` machines (billed on-demand whether used or not) and keeps the pool to the
    reservation's zone. Meant for training pools; not with `spot`."""
    fixed_size_reason: str | None = Field(default=None, pattern=FIXED_SIZE_REASON)
    """Default unset: the cluster autoscaler sizes the pool between min_nodes and max_nodes. Set
    (why the size is fixed, 3-120 characters): min_nodes must equal max_nodes, and the pool is
    tagged with the reason, which the `accelerator-pool-autoscaled` policy accepts in prod."""

    @field_validator("accelerator")
    @classmethod
    def _known_accelerator(cls, value: str) -> str:
        return known_accelerator(value)

    @model_validator(mode="after")
    def _commitments_fit_the_pool(self) -> GpuPoolSpec:
        for key, nodes in (
            ("commitment", self.commitment.nodes if self.commitment else None),
            ("capacity_reservation", self.capacity_reservation.nodes if self.capacity_reservation else None),
        ):
            if nodes is None:
                continue
            if self.spot:
                raise config_problem(
                    "spot capacity cannot be committed or reserved; remove it or set spot: false", key=key
                )
            if nodes > self.max_nodes:
                raise config_problem(
                    f"{nodes} is more than max_nodes ({self.max_nodes}); allowed: 1..max_nodes", key=f"{key}.nodes"
                )
        return self

    @model_validator(mode="after")
    def _fixed_size_is_fixed(self) -> GpuPoolSpec:
        if self.fixed_size_reason is not None and self.min_nodes != self.max_nodes:
            raise config_problem(
                f"{self.min_nodes} differs from max_nodes ({self.max_nodes}); a pool with a fixed_size_reason "
                "keeps min_nodes = max_nodes",
                key="min_nodes",
            )
        return self

    @model_validator(mode="after")
    def _sizes_are_ordered(self) -> GpuPoolSpec:
        if self.min_nodes > self.max_nodes:
            raise config_problem(
                f"{self.min_nodes} is greater than max_nodes ({self.max_nodes}); allowed: 0 <= min_nodes <= max_nodes",
                key="min_nodes",
            )
        desired = self.desired_nodes
        if desired is not None and not self.min_nodes <= desired <= self.max_nodes:
            raise config_problem(
                f"{desired} is outside min_nodes..max_nodes ({self.min_nodes}..{self.max_nodes})",
                key="desired_nodes",
            )
        return self

    @property
    def initial_nodes(self) -> int:
        return self.min_nodes if self.desired_nodes is None else self.desired_nodes


class TieringSpec(ConfigModel):
    """Days after creation when objects move to cheaper storage classes. Omit a step to skip it."""

    infrequent_access_days: int | None = Field(default=30, ge=1, le=3650)
    archive_days: int | None = Field(default=None, ge=1, le=3650)
    deep_archive_days: int | None = Field(default=None, ge=1, le=3650)

    @model_validator(mode="after")
    def _ascending(self) -> TieringSpec:
        steps = [
            (k, getattr(self, k))
            for k in ("infrequent_access_days", "archive_days", "deep_archive_days")
            if getattr(self, k) is not None
        ]
        for (prev_key, prev), (key, days) in itertools.pairwise(steps):
            if days <= prev:
                raise config_problem(f"{days} must be later than {prev_key} ({prev})", key=key)
        return self


class BucketSpec(ConfigModel):
    """One object-storage bucket, keyed by purpose (`datasets`, `models`, `checkpoints`)."""

    tiering: TieringSpec = Field(default_factory=TieringSpec)
    noncurrent_version_days: int = Field(default=30, ge=1, le=3650)
    """Old object versions are deleted this many days after being replaced."""
    access_logging: bool = False
    """Server access logs to a separate log bucket. Default off (it adds a bucket and cost)."""
    expected_size_gib: float = Field(default=0, ge=0)
    """Expected stored size, used only for cost estimates."""


class ModelArtifact(ConfigModel):
    """Where the model artefact lives: a key inside one of this cloud's configured buckets."""

    bucket: Name
    """Purpose key of a bucket configured under the same cloud (`models`)."""
    key: str = Field(min_length=1, max_length=1024)


class EndpointSpec(ConfigModel):
    """One managed model endpoint (`clouds.<cloud>.endpoints.<name>`)."""

    accelerator: str
    machine_type: str | None = None
    """Override the catalog's default hosting type for the accelerator."""
    min_replicas: int = Field(default=1, ge=0, le=100)
    max_replicas: int = Field(default=1, ge=1, le=100)
    image: str = Field(min_length=1)
    """Serving container image (a private registry in the same cloud is recommended)."""
    model: ModelArtifact
    target_invocations_per_replica: int = Field(default=100, ge=1)
    """Autoscaling target: requests per replica per minute."""
    data_capture: bool = False
    """Capture request/response samples to the models bucket (SageMaker data capture)."""
    mode: EndpointMode = "realtime"
    """How the model is served (stacks/config/serverless.py): `realtime` (default, the managed
    endpoint), `serverless` (scale to zero, billed per use) or `async` (AWS); checked per cloud."""
    serverless: ServerlessSpec = Field(default_factory=ServerlessSpec)
    """Memory, concurrency and expected traffic of the `serverless` and `async` modes."""
    batch: BatchTriggerSpec | None = None
    """`mode: batch` only: the input prefix whose new objects start a job, and the output prefix."""

    @field_validator("accelerator")
    @classmethod
    def _known_accelerator(cls, value: str) -> str:
        # `cpu`: a serverless endpoint without accelerator (checked per cloud with the mode).
        return value if value == CPU else known_accelerator(value)

    @model_validator(mode="after")
    def _replicas_are_ordered(self) -> EndpointSpec:
        if self.min_replicas > self.max_replicas:
            raise config_problem(
                f"{self.min_replicas} is greater than max_replicas ({self.max_replicas})",
                key="min_replicas",
            )
        return self


class BudgetSpec(ConfigModel):
    """Monthly budget for this cloud, with alert e-mails."""

    monthly_usd: float = Field(gt=0, le=10_000_000)
    alert_emails: list[str] = Field(min_length=1)

    @field_validator("alert_emails")
    @classmethod
    def _emails(cls, emails: list[str]) -> list[str]:
        for email in emails:
            if not EMAIL_PATTERN.match(email):
                raise config_problem(f"{email!r} is not an e-mail address")
        return emails


NatStrategy = Literal["single", "per-zone", "none"]


class NetworkSpec(ConfigModel):
    """The environment's private network on one cloud."""

    cidr: str
    """IPv4 range of the VPC/VNet, a /16 to /24 private range (10/8, 172.16/12, 192.168/16)."""
    zones: int = Field(default=2, ge=2, le=6)
    """Availability zones to spread subnets across (at least 2 for availability)."""
    nat: NatStrategy = "single"
    """Egress for private subnets: `single` (one NAT, cheap), `per-zone` (survives a zone
    outage), `none` (no internet egress)."""

    @field_validator("cidr")
    @classmethod
    def _private_cidr(cls, value: str) -> str:
        net = ipv4_network(value, example="10.20.0.0/16")
        if not net.is_private:
            raise config_problem(f"{value!r} is not a private range (allowed: 10/8, 172.16/12, 192.168/16)")
        if not 16 <= net.prefixlen <= 24:
            raise config_problem(f"{value!r} has prefix /{net.prefixlen}; allowed: /16 to /24")
        return value
