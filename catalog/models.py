"""Typed shapes of the catalog's data files (catalog/data/*.yaml)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

CloudName = Literal["aws", "gcp", "azure", "alicloud"]
CLOUDS: tuple[CloudName, ...] = ("aws", "gcp", "azure", "alicloud")


class _Strict(BaseModel):
    # Catalog data is reviewed like code: a typo in a field name must fail loudly.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Accelerator(_Strict):
    """A cloud-neutral accelerator (`nvidia-l4`, `tpu-v5e`, ...)."""

    name: str
    kind: Literal["gpu", "tpu", "neuron"]
    vendor: str
    memory_gib: int = Field(gt=0)
    taint_key: str
    """Extended resource name that GPU/TPU pools taint with (`nvidia.com/gpu`)."""


class MachineType(_Strict):
    """One machine (instance / VM / node) type of one cloud that carries accelerators."""

    cloud: CloudName
    name: str
    role: Literal["node", "endpoint"]
    """`node`: Kubernetes worker or VM; `endpoint`: managed model hosting (SageMaker `ml.*`)."""
    accelerator: str
    accelerator_count: int = Field(gt=0)
    vcpus: int | None = Field(default=None, gt=0)
    memory_gib: int | None = Field(default=None, gt=0)
    efa: bool = False
    """AWS only: supports Elastic Fabric Adapter networking for multi-node training."""
    accelerator_type: str | None = None
    """Clouds that attach accelerators to a host (GCP): the accelerator's own type name."""


class MachineDefaults(_Strict):
    """Which machine type an accelerator maps to when config names only the accelerator."""

    node: str | None = None
    endpoint: str | None = None
    node_multi_node: str | None = None
    """Used instead of `node` for pools marked `multi_node` (largest, fabric-capable size)."""


class Region(_Strict):
    name: str
    zones: tuple[str, ...] = Field(min_length=1)


class KubernetesVersions(_Strict):
    """Managed Kubernetes versions by support phase (extended support costs more per hour)."""

    standard_support: tuple[str, ...]
    extended_support: tuple[str, ...] = ()
    as_of: str
    source: str


class LocalNvmeFamilies(_Strict):
    """Instance families whose machines carry local NVMe instance storage."""

    families: tuple[str, ...] = Field(min_length=1)
    """Family names (`g5`, `p4d`): the part of a type name before its size (`g5.xlarge`)."""
    as_of: str
    source: str


class CloudCatalog(_Strict):
    """Everything the catalog knows about one cloud."""

    cloud: CloudName
    regions: dict[str, Region]
    machines: dict[str, MachineType]
    defaults: dict[str, MachineDefaults]
    kubernetes: KubernetesVersions | None = None
    local_nvme: LocalNvmeFamilies | None = None
    """AWS: the families with local NVMe instance storage, which Nitro encrypts in hardware.
    SageMaker rejects a KMS key for endpoints on them. Default: none known. Families, not
    machines, so that types the catalog does not list are known too."""

    @property
    def kubernetes_standard_support(self) -> tuple[str, ...]:
        return self.kubernetes.standard_support if self.kubernetes else ()

    def has_local_nvme(self, machine_type: str) -> bool:
        """Whether `machine_type` (`g5.xlarge`, or SageMaker's `ml.g5.xlarge`) is of a family with
        local NVMe instance storage. False when unknown (the catalog lists no such families)."""
        if self.local_nvme is None:
            return False
        return machine_type.removeprefix("ml.").split(".", 1)[0] in self.local_nvme.families
