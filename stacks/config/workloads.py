"""Kubernetes workloads that get a keyless cloud identity with access to named buckets."""

from __future__ import annotations

from collections.abc import Collection

from pydantic import Field, model_validator

from stacks.config.base import ConfigModel
from stacks.config.common import Name, check_bucket_key
from stacks.config.errors import config_problem

K8S_NAME = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"


class WorkloadSpec(ConfigModel):
    """A Kubernetes service account and the buckets it may read or write (least privilege)."""

    namespace: str = Field(pattern=K8S_NAME)
    service_account: str = Field(pattern=K8S_NAME)
    read: list[Name] = Field(default_factory=list)
    """Bucket purpose keys this workload may read (get/list objects)."""
    write: list[Name] = Field(default_factory=list)
    """Bucket purpose keys this workload may read and write (put/delete objects too)."""

    @model_validator(mode="after")
    def _has_access(self) -> WorkloadSpec:
        if not self.read and not self.write:
            raise config_problem("grants nothing; list bucket keys under 'read' or 'write'", key="read")
        return self


def check_workload_buckets(workloads: dict[str, WorkloadSpec], buckets: Collection[str]) -> None:
    """Every bucket a workload names must be configured on the same cloud (`buckets`: their keys)."""
    for name, workload in workloads.items():
        for access in ("read", "write"):
            for bucket in getattr(workload, access):
                check_bucket_key(bucket, buckets, f"workloads.{name}.{access}")
