"""Cloud TPU facts: which slice shapes a generation offers, what a slice is made of, where it runs.

`tpu_slice("tpu-v5e", "4x4")` answers how many chips and hosts a slice has, which GKE machine type
its hosts are and what the Cloud TPU API calls it; `tpu_zone("tpu-v5p", "us-central1")` picks a
zone of the region that offers the generation. Both raise `TpuError` (a `CatalogError`) with a
message that names the value and what is allowed. Data: catalog/data/tpu.yaml + gcp.yaml.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, model_validator

from catalog.loader import DATA_DIR, CatalogError, _read_yaml, load_catalog

_TOPOLOGY = re.compile(r"^[1-9][0-9]*(x[1-9][0-9]*)+$")


class TpuError(CatalogError):
    """A TPU question the catalog cannot answer: unknown generation, impossible topology, no zone."""


class TpuGeneration(BaseModel):
    """One TPU generation (`tpu-v5e`) as described in tpu.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    topologies: tuple[str, ...] = Field(min_length=1)
    single_host_machines: dict[int, str]
    multi_host_machine: str
    tensorcores_per_chip: int = Field(ge=1)
    vm_accelerator_type: str
    vm_accelerator_config_type: str
    vm_uses_accelerator_config: bool
    runtime_version: str
    gke_accelerator: str
    zones: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _shapes_agree(self) -> TpuGeneration:
        dims = {len(t.split("x")) for t in self.topologies}
        if len(dims) != 1 or not all(_TOPOLOGY.match(t) for t in self.topologies):
            raise ValueError(f"{self.name}: topologies must all be AxB or all AxBxC: {self.topologies}")
        return self

    @property
    def dimensions(self) -> int:
        return len(self.topologies[0].split("x"))

    @property
    def example(self) -> str:
        return self.topologies[min(1, len(self.topologies) - 1)]


@dataclass(frozen=True)
class TpuSlice:
    """What one slice of `topology` on `generation` is made of."""

    generation: str
    topology: str
    chips: int
    hosts: int
    """Hosts (GKE nodes) in the slice."""
    chips_per_host: int
    machine_type: str
    """GKE machine type of every host (`ct5lp-hightpu-4t`)."""
    vm_accelerator_type: str
    """Cloud TPU API name of the slice (`v5litepod-16`, `v5p-16`)."""
    vm_accelerator_config_type: str
    """Cloud TPU API `accelerator_config.type` (`V5LITE_POD`, `V5P`, `V6E`)."""
    vm_uses_accelerator_config: bool
    """True: a TPU VM names the slice by `accelerator_config{type, topology}`, not by type name."""
    runtime_version: str
    """Default TPU VM software version for the generation."""
    gke_accelerator: str
    """GKE's `cloud.google.com/gke-tpu-accelerator` node label value (`tpu-v5p-slice`)."""

    @property
    def multi_host(self) -> bool:
        return self.hosts > 1


class TpuCatalog:
    """TPU generations by neutral accelerator name."""

    def __init__(self, generations: dict[str, TpuGeneration]):
        self.generations = generations

    def generation(self, name: str) -> TpuGeneration:
        try:
            return self.generations[name]
        except KeyError:
            raise TpuError(f"'{name}' is not a TPU generation (known: {', '.join(sorted(self.generations))})") from None

    def slice(self, generation: str, topology: str) -> TpuSlice:
        gen = self.generation(generation)
        shape = "AxB" if gen.dimensions == 2 else "AxBxC"
        if not isinstance(topology, str) or not _TOPOLOGY.match(topology):
            raise TpuError(
                f"{topology!r} is not a topology; expected {shape} (chips per dimension), e.g. '{gen.example}'"
            )
        dims = [int(d) for d in topology.split("x")]
        if len(dims) != gen.dimensions:
            raise TpuError(
                f"{topology!r} has {len(dims)} dimensions but {generation} slices have {gen.dimensions} "
                f"({shape}); valid: {', '.join(gen.topologies)}"
            )
        if topology not in gen.topologies:
            raise TpuError(f"{topology!r} is not a {generation} slice shape; valid: {', '.join(gen.topologies)}")
        chips = math.prod(dims)
        catalog = load_catalog()
        machine_type = gen.single_host_machines.get(chips)
        if machine_type is not None:
            hosts = 1
            per_host = chips
        else:
            machine_type = gen.multi_host_machine
            per_host = catalog.machine("gcp", machine_type).accelerator_count
            hosts = chips // per_host
        return TpuSlice(
            generation=generation,
            topology=topology,
            chips=chips,
            hosts=hosts,
            chips_per_host=per_host,
            machine_type=machine_type,
            vm_accelerator_type=gen.vm_accelerator_type.format(chips=chips, cores=chips * gen.tensorcores_per_chip),
            vm_accelerator_config_type=gen.vm_accelerator_config_type,
            vm_uses_accelerator_config=gen.vm_uses_accelerator_config,
            runtime_version=gen.runtime_version,
            gke_accelerator=gen.gke_accelerator,
        )

    def zone(self, generation: str, region: str, requested: str | None = None) -> str:
        """`requested` if it is a zone of `region` that offers `generation`; without one, the
        first zone of the region (in catalog order) that offers it."""
        gen = self.generation(generation)
        region_zones = load_catalog().zones("gcp", region)
        offered = [z for z in region_zones if z in gen.zones]
        if requested is not None:
            if requested not in region_zones:
                raise TpuError(f"{requested!r} is not a zone of {region} (zones: {', '.join(region_zones)})")
            if requested not in offered:
                where = ", ".join(offered) or f"no zone of {region}; try {', '.join(gen.zones)}"
                raise TpuError(f"{generation} is not offered in {requested} (offered in: {where})")
            return requested
        if not offered:
            raise TpuError(f"{generation} is not offered in any zone of {region} (offered in: {', '.join(gen.zones)})")
        return offered[0]


def _validate(tpus: TpuCatalog) -> None:
    """Cross-file checks: machines exist in gcp.yaml, carry the generation, and tile every shape."""
    catalog = load_catalog()
    for gen in tpus.generations.values():
        for chips, machine_type in gen.single_host_machines.items():
            machine = catalog.machine("gcp", machine_type)
            if machine.accelerator != gen.name or machine.accelerator_count != chips:
                raise ValueError(f"tpu.yaml {gen.name}: {machine_type} is not a {chips}-chip {gen.name} machine")
        multi = catalog.machine("gcp", gen.multi_host_machine)
        if multi.accelerator != gen.name:
            raise ValueError(f"tpu.yaml {gen.name}: {gen.multi_host_machine} does not carry {gen.name}")
        for topology in gen.topologies:
            chips = math.prod(int(d) for d in topology.split("x"))
            if chips not in gen.single_host_machines and chips % multi.accelerator_count:
                raise ValueError(f"tpu.yaml {gen.name}: {topology} does not split into {multi.name} hosts")
        for zone in gen.zones:
            region = zone.rsplit("-", 1)[0]
            if region not in catalog.cloud("gcp").regions or zone not in catalog.zones("gcp", region):
                raise ValueError(f"tpu.yaml {gen.name}: zone {zone} is not in gcp.yaml regions")


@functools.cache
def load_tpu_catalog() -> TpuCatalog:
    """The TPU catalog, read from catalog/data/tpu.yaml once per process."""
    raw = _read_yaml(DATA_DIR / "tpu.yaml")
    generations = {
        name: TpuGeneration.model_validate({"name": name, **body})
        for name, body in (raw.get("generations") or {}).items()
    }
    for name in generations:
        if load_catalog().accelerator(name).kind != "tpu":
            raise ValueError(f"tpu.yaml: {name} is not an accelerator of kind tpu in accelerators.yaml")
    tpus = TpuCatalog(generations)
    _validate(tpus)
    return tpus


def tpu_slice(generation: str, topology: str) -> TpuSlice:
    """Chips, hosts and machine type of a `topology` slice of `generation`; `TpuError` if impossible."""
    return load_tpu_catalog().slice(generation, topology)


def tpu_zone(generation: str, region: str, requested: str | None = None) -> str:
    """The zone a `generation` slice in `region` runs in (see `TpuCatalog.zone`)."""
    return load_tpu_catalog().zone(generation, region, requested)
