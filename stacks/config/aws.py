"""`ai-infra:clouds.aws`: the AWS part of an environment."""

from __future__ import annotations

import ipaddress
from typing import Literal

from pydantic import Field, field_validator, model_validator

from catalog import CatalogError, load_catalog
from components.aws.model_endpoint import ecr_repository_arn
from stacks.config.base import ConfigModel
from stacks.config.common import (
    BucketSpec,
    BudgetSpec,
    EndpointSpec,
    GpuPoolSpec,
    Name,
    NetworkSpec,
)
from stacks.config.errors import config_problem
from stacks.config.workloads import WorkloadSpec, check_workload_buckets
from stacks.network_plan import SubnetPlanError, plan_subnets

LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip
"""The retention periods CloudWatch Logs accepts (anything else is refused by the API)."""
MAX_BUDGET_SUBSCRIBERS = 10
"""AWS Budgets allows at most 10 e-mail subscribers per notification."""
RESERVED_BUCKET_KEYS = ("access-logs",)
"""Bucket keys the stack uses itself (the access-log target bucket)."""
EKS_SERVICE_RANGES = tuple(ipaddress.IPv4Network(r) for r in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))


class AwsClusterSpec(ConfigModel):
    """The EKS control plane and its small CPU system node group."""

    version: str = "1.35"
    """Kubernetes version; must be in EKS standard support (see catalog/data/aws.yaml)."""
    public_access_cidrs: list[str] = Field(default_factory=list)
    """Default empty: the API endpoint is private (reachable from the VPC only). Listing CIDRs
    opens the public endpoint to exactly those ranges; 0.0.0.0/0 is refused."""
    system_instance_type: str = Field(default="m6i.large", pattern=r"^[a-z][a-z0-9-]*\.[a-z0-9]+$")
    """CPU instance type of the system node group (CoreDNS, controllers). Default m6i.large."""
    system_nodes: int = Field(default=2, ge=1, le=10)
    """Nodes in the system group (it may grow to twice this). Default 2."""
    service_cidr: str | None = None
    """IPv4 range for Kubernetes Service IPs. Default: EKS picks 10.100.0.0/16 or 172.20.0.0/16,
    whichever does not overlap the VPC. If set: a /12 to /24 inside 10/8, 172.16/12 or
    192.168/16 that does not overlap `network.cidr`."""

    @field_validator("version")
    @classmethod
    def _standard_support(cls, value: str) -> str:
        supported = load_catalog().cloud("aws").kubernetes_standard_support
        if value not in supported:
            raise config_problem(
                f"{value!r} is not an EKS version in standard support (allowed: {', '.join(supported)}); "
                "extended support costs six times the control-plane fee"
            )
        return value

    @field_validator("public_access_cidrs")
    @classmethod
    def _narrow_cidrs(cls, cidrs: list[str]) -> list[str]:
        for cidr in cidrs:
            try:
                net = ipaddress.ip_network(cidr, strict=True)
            except ValueError:
                raise config_problem(f"{cidr!r} is not a valid CIDR (e.g. '203.0.113.0/24')") from None
            if net.prefixlen == 0:
                raise config_problem(
                    f"{cidr!r} opens the Kubernetes API to the whole internet; list your office or VPN ranges"
                )
        return cidrs

    @field_validator("service_cidr")
    @classmethod
    def _service_range(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            net = ipaddress.IPv4Network(value, strict=True)
        except ValueError as exc:
            raise config_problem(
                f"{value!r} is not a valid IPv4 network ({exc}); allowed: e.g. '172.20.0.0/16'"
            ) from None
        if not 12 <= net.prefixlen <= 24 or not any(net.subnet_of(r) for r in EKS_SERVICE_RANGES):
            raise config_problem(
                f"{value!r} is not allowed (allowed: a /12 to /24 inside 10/8, 172.16/12 or 192.168/16)"
            )
        return value


class AwsSpec(ConfigModel):
    """Everything the environment declares on AWS."""

    region: str
    network: NetworkSpec
    cluster: AwsClusterSpec = Field(default_factory=AwsClusterSpec)
    gpu_pools: dict[Name, GpuPoolSpec] = Field(default_factory=dict)
    buckets: dict[Name, BucketSpec] = Field(default_factory=dict)
    workloads: dict[Name, WorkloadSpec] = Field(default_factory=dict)
    """Kubernetes service accounts that get keyless AWS identities (IRSA) with bucket access."""
    endpoints: dict[Name, EndpointSpec] = Field(default_factory=dict)
    budget: BudgetSpec
    log_retention_days: int = 90
    """Retention of every CloudWatch log group the environment creates (VPC flow logs, EKS
    control-plane logs, endpoint logs). Default 90 days; one of the values CloudWatch accepts."""
    provider_kind: Literal["aws"] = Field(default="aws", exclude=True)

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        try:
            load_catalog().zones("aws", value)
        except CatalogError as exc:
            raise config_problem(str(exc)) from None
        return value

    @field_validator("log_retention_days")
    @classmethod
    def _cloudwatch_retention(cls, value: int) -> int:
        if value not in LOG_RETENTION_DAYS:
            raise config_problem(
                f"{value} is not a CloudWatch Logs retention (allowed: {', '.join(map(str, LOG_RETENTION_DAYS))})"
            )
        return value

    @field_validator("budget")
    @classmethod
    def _budget_subscribers(cls, budget: BudgetSpec) -> BudgetSpec:
        if len(budget.alert_emails) > MAX_BUDGET_SUBSCRIBERS:
            raise config_problem(
                f"{len(budget.alert_emails)} addresses given; AWS Budgets allows at most {MAX_BUDGET_SUBSCRIBERS} "
                "(use a mailing list)",
                key="alert_emails",
            )
        return budget

    @model_validator(mode="after")
    def _cross_checks(self) -> AwsSpec:
        catalog = load_catalog()
        zones = catalog.zones("aws", self.region)
        if self.network.zones > len(zones):
            raise config_problem(
                f"{self.network.zones} zones requested but {self.region} has {len(zones)} in the catalog",
                key="network.zones",
            )
        try:
            plan_subnets(self.network.cidr, self.network.zones)
        except SubnetPlanError as exc:
            raise config_problem(str(exc), key="network.cidr") from None
        service_cidr = self.cluster.service_cidr
        if service_cidr is not None and ipaddress.IPv4Network(service_cidr).overlaps(
            ipaddress.IPv4Network(self.network.cidr)
        ):
            raise config_problem(
                f"{service_cidr!r} overlaps network.cidr ({self.network.cidr}); Service IPs must not collide "
                "with VPC addresses",
                key="cluster.service_cidr",
            )
        for name, pool in self.gpu_pools.items():
            _check_machine(pool.accelerator, pool.machine_type, "node", f"gpu_pools.{name}", pool.multi_node)
        for name, endpoint in self.endpoints.items():
            _check_machine(endpoint.accelerator, endpoint.machine_type, "endpoint", f"endpoints.{name}")
            if endpoint.min_replicas < 1:
                raise config_problem(
                    f"{endpoint.min_replicas} is not allowed on SageMaker real-time endpoints (allowed: 1 or more)",
                    key=f"endpoints.{name}.min_replicas",
                )
            if ecr_repository_arn(endpoint.image) is None:
                raise config_problem(
                    f"{endpoint.image!r} is not an ECR image (allowed: "
                    "<account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag]); SageMaker pulls from ECR",
                    key=f"endpoints.{name}.image",
                )
            if endpoint.model.bucket not in self.buckets:
                raise config_problem(
                    f"{endpoint.model.bucket!r} is not a bucket of this cloud "
                    f"(configured: {', '.join(sorted(self.buckets)) or 'none'})",
                    key=f"endpoints.{name}.model.bucket",
                )
        for reserved in RESERVED_BUCKET_KEYS:
            if reserved in self.buckets:
                raise config_problem(
                    f"{reserved!r} is reserved for the bucket that receives S3 access logs; choose another key",
                    key=f"buckets.{reserved}",
                )
        check_workload_buckets(self.workloads, self.buckets)
        return self


def _check_machine(accelerator: str, machine_type: str | None, role: str, where: str, multi_node: bool = False) -> None:
    catalog = load_catalog()
    try:
        if machine_type is None:
            catalog.machine_for("aws", accelerator, role, multi_node=multi_node)
            return
        machine = catalog.machine("aws", machine_type)
    except CatalogError as exc:
        key = f"{where}.machine_type" if machine_type else f"{where}.accelerator"
        raise config_problem(str(exc), key=key) from None
    if machine.role != role or machine.accelerator != accelerator:
        raise config_problem(
            f"{machine_type!r} is a {machine.role} type with {machine.accelerator}, "
            f"not a {role} type with {accelerator}",
            key=f"{where}.machine_type",
        )
