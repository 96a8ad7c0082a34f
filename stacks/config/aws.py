"""`ai-infra:clouds.aws`: the AWS part of an environment."""

from __future__ import annotations

import ipaddress
from typing import Literal

from pydantic import Field, field_validator, model_validator

from catalog import CatalogError, load_catalog
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


class AwsClusterSpec(ConfigModel):
    """The EKS control plane and its small CPU system node group."""

    version: str = "1.35"
    """Kubernetes version; must be in EKS standard support (see catalog/data/aws.yaml)."""
    public_access_cidrs: list[str] = Field(default_factory=list)
    """Default empty: the API endpoint is private (reachable from the VPC only). Listing CIDRs
    opens the public endpoint to exactly those ranges; 0.0.0.0/0 is refused."""
    system_instance_type: str = "m6i.large"
    """CPU instance type of the system node group (CoreDNS, controllers)."""
    system_nodes: int = Field(default=2, ge=1, le=10)

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
    provider_kind: Literal["aws"] = Field(default="aws", exclude=True)

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        try:
            load_catalog().zones("aws", value)
        except CatalogError as exc:
            raise config_problem(str(exc)) from None
        return value

    @model_validator(mode="after")
    def _cross_checks(self) -> AwsSpec:
        catalog = load_catalog()
        zones = catalog.zones("aws", self.region)
        if self.network.zones > len(zones):
            raise config_problem(
                f"{self.network.zones} zones requested but {self.region} has {len(zones)} in the catalog",
                key="network",
            )
        for name, pool in self.gpu_pools.items():
            _check_machine(pool.accelerator, pool.machine_type, "node", f"gpu_pools.{name}", pool.multi_node)
        for name, endpoint in self.endpoints.items():
            _check_machine(endpoint.accelerator, endpoint.machine_type, "endpoint", f"endpoints.{name}")
            if endpoint.model.bucket not in self.buckets:
                raise config_problem(
                    f"{endpoint.model.bucket!r} is not a bucket of this cloud "
                    f"(configured: {', '.join(sorted(self.buckets)) or 'none'})",
                    key=f"endpoints.{name}.model.bucket",
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
