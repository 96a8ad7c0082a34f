"""`ai-infra:clouds.aws`: the AWS part of an environment."""

from __future__ import annotations

import ipaddress
from typing import Literal

from pydantic import Field, field_validator, model_validator

from catalog import load_catalog
from components.aws.model_endpoint import ecr_repository_arn
from stacks.config.base import ConfigModel
from stacks.config.commitments import check_pool_commitments
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
    kubernetes_api_allow_list,
    kubernetes_service_range,
    kubernetes_version_in_standard_support,
    machine_in_catalog,
)
from stacks.config.dr import check_dr_region
from stacks.config.errors import config_problem
from stacks.config.file_systems import AwsFileSystemSpec, check_file_systems
from stacks.config.serverless import check_endpoint_mode
from stacks.config.teams import TeamSpec, check_teams, pool_capacity
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
        return kubernetes_version_in_standard_support(
            "aws", value, service="EKS", beyond="extended support costs six times the control-plane fee"
        )

    @field_validator("public_access_cidrs")
    @classmethod
    def _narrow_cidrs(cls, cidrs: list[str]) -> list[str]:
        return kubernetes_api_allow_list(cidrs)

    @field_validator("service_cidr")
    @classmethod
    def _service_range(cls, value: str | None) -> str | None:
        if value is None:
            return value
        return kubernetes_service_range(value, widest_prefix=12, example="172.20.0.0/16")


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
    teams: dict[Name, TeamSpec] = Field(default_factory=dict)
    """Teams and their accelerator quotas on the EKS cluster (Kueue queues). Default none."""
    file_systems: dict[Name, AwsFileSystemSpec] = Field(default_factory=dict)
    """Shared file systems for training, linked to buckets and mounted into the cluster
    (stacks/config/file_systems.py). Default none."""
    budget: BudgetSpec
    log_retention_days: int = 90
    """Retention of every CloudWatch log group the environment creates (VPC flow logs, EKS
    control-plane logs, endpoint logs). Default 90 days; one of the values CloudWatch accepts."""
    dr_region: str | None = None
    """Second region the environment's buckets replicate to (disaster recovery; see README
    "Disaster recovery"). Default None: buckets live in one region only (dev). Any other catalog region:
    each bucket replicates to a hardened replica bucket there."""
    provider_kind: Literal["aws"] = Field(default="aws", exclude=True)

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        return known_region("aws", value)

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
        check_zone_count(self.network.zones, self.region, load_catalog().zones("aws", self.region))
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
        machines = {
            name: machine_in_catalog(
                "aws", pool.accelerator, pool.machine_type, "node", f"gpu_pools.{name}", multi_node=pool.multi_node
            )
            for name, pool in self.gpu_pools.items()
        }
        check_teams(
            self.teams,
            pool_capacity(
                (pool.accelerator, machines[name].accelerator_count, pool.max_nodes)
                for name, pool in self.gpu_pools.items()
            ),
        )
        for name, endpoint in self.endpoints.items():
            check_endpoint_mode("aws", self.region, name, endpoint, self.buckets)
            if endpoint.mode != "serverless":
                machine_in_catalog("aws", endpoint.accelerator, endpoint.machine_type, "endpoint", f"endpoints.{name}")
            if endpoint.mode == "realtime" and endpoint.min_replicas < 1:
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
            check_bucket_key(endpoint.model.bucket, self.buckets, f"endpoints.{name}.model.bucket")
        for reserved in RESERVED_BUCKET_KEYS:
            if reserved in self.buckets:
                raise config_problem(
                    f"{reserved!r} is reserved for the bucket that receives S3 access logs; choose another key",
                    key=f"buckets.{reserved}",
                )
        check_pool_commitments("aws", self.gpu_pools)
        check_workload_buckets(self.workloads, self.buckets)
        check_file_systems(self.file_systems, self.buckets, self.teams)
        return self

    @model_validator(mode="after")
    def _dr_region(self) -> AwsSpec:
        check_dr_region("aws", self.region, self.dr_region)
        return self
