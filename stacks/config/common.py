"""Config shapes shared by every cloud: GPU pools, buckets, endpoints, budget, network."""

from __future__ import annotations

import ipaddress
import itertools
import re
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from catalog import CatalogError, load_catalog
from stacks.config.base import ConfigModel
from stacks.config.errors import config_problem

NAME_PATTERN = r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$"
"""Keys of pools, buckets and endpoints become parts of cloud resource names."""

Name = Annotated[str, Field(pattern=NAME_PATTERN)]
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


def known_accelerator(value: str) -> str:
    try:
        load_catalog().accelerator(value)
    except CatalogError as exc:
        raise config_problem(str(exc)) from None
    return value


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

    @field_validator("accelerator")
    @classmethod
    def _known_accelerator(cls, value: str) -> str:
        return known_accelerator(value)

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

    @field_validator("accelerator")
    @classmethod
    def _known_accelerator(cls, value: str) -> str:
        return known_accelerator(value)

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
        try:
            net = ipaddress.IPv4Network(value, strict=True)
        except ValueError as exc:
            raise config_problem(
                f"{value!r} is not a valid IPv4 network ({exc}); allowed: e.g. '10.20.0.0/16'"
            ) from None
        if not net.is_private:
            raise config_problem(f"{value!r} is not a private range (allowed: 10/8, 172.16/12, 192.168/16)")
        if not 16 <= net.prefixlen <= 24:
            raise config_problem(f"{value!r} has prefix /{net.prefixlen}; allowed: /16 to /24")
        return value
