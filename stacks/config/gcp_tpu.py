"""`ai-infra:clouds.gcp.tpu_pools`: TPU slice pools (GKE node pools or standalone TPU VMs) and
their validation; re-exported from stacks/config/gcp.py."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from catalog import load_catalog
from catalog.tpu import TpuError, TpuSlice, tpu_slice
from stacks.config.base import ConfigModel
from stacks.config.errors import config_problem

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
