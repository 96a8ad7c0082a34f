"""Which machines carry accelerators, read from the catalog (the project's single table).

Pools and endpoints name machine types (`g6.xlarge`, `g2-standard-8`, `Standard_NC4as_T4_v3`,
`ecs.gn7i-c8g1.2xlarge`, `ml.g6.xlarge`); the catalog says which accelerator each carries and how
many. A type the catalog does not know but whose family is an accelerator family is still an
accelerator machine, of unknown kind: rules treat it as "not on the allow-list", never as a CPU.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

from catalog import CatalogError, load_catalog

# Accelerator machine families per cloud, for types the catalog does not list (yet).
_ACCELERATOR_FAMILIES = {
    "aws": re.compile(r"^(ml\.)?(p\d|g\d|gr\d|inf\d|trn\d|dl\d)[a-z0-9-]*\.", re.IGNORECASE),
    "gcp": re.compile(r"^(vertex:)?(a2|a3|a4|g2|g4|ct\d[a-z0-9]*)-"),
    "azure": re.compile(r"^(ml:)?Standard_N[A-Z]", re.IGNORECASE),
    "alicloud": re.compile(r"^(eas\.)?(ecs\.)?(ebm)?(gn|vgn|sgn)\d"),
}
# How the catalog keys endpoint (hosting) machines whose API name is a plain machine type.
_ENDPOINT_PREFIXES = {"aws": ("",), "gcp": ("vertex:", ""), "azure": ("ml:", ""), "alicloud": ("eas.", "")}


@dataclass(frozen=True)
class AcceleratorMachine:
    """A machine that carries accelerators."""

    cloud: str
    machine_type: str
    accelerator: str | None
    """Neutral catalog name (`nvidia-l4`); None when the catalog does not know the machine."""
    kind: str | None
    """gpu | tpu | neuron; None when unknown."""
    count: int | None
    """Accelerators (GPUs, TPU chips, Neuron devices) per machine; None when unknown."""

    @property
    def known(self) -> bool:
        return self.accelerator is not None


def accelerator_machine(cloud: str, machine_type: str, *, role: str = "node") -> AcceleratorMachine | None:
    """The accelerator machine `machine_type` of `cloud`, or None when it is a CPU machine."""
    if not isinstance(machine_type, str) or not machine_type:
        return None
    catalog = load_catalog()
    prefixes = _ENDPOINT_PREFIXES.get(cloud, ("",)) if role == "endpoint" else ("",)
    for prefix in (*prefixes, ""):
        try:
            machine = catalog.machine(cloud, prefix + machine_type)
        except CatalogError:
            continue
        kind = catalog.accelerator(machine.accelerator).kind
        return AcceleratorMachine(cloud, machine_type, machine.accelerator, kind, machine.accelerator_count)
    family = _ACCELERATOR_FAMILIES.get(cloud)
    if family is not None and family.match(machine_type):
        return AcceleratorMachine(cloud, machine_type, None, None, None)
    return None


def gcp_guest_accelerator(accelerator_type: str) -> str | None:
    """GKE guest accelerator name (`nvidia-tesla-t4`) -> neutral name (`nvidia-t4`)."""
    if not isinstance(accelerator_type, str):
        return None
    for machine in load_catalog().cloud("gcp").machines.values():
        if machine.accelerator_type == accelerator_type:
            return machine.accelerator
    return None


@functools.cache
def _tpu_vm_patterns() -> list[tuple[re.Pattern[str], str, int, str]]:
    """(pattern of the TPU VM accelerator_type, generation, tensorcores per chip, config type)."""
    from catalog.tpu import load_tpu_catalog

    patterns = []
    for name, generation in load_tpu_catalog().generations.items():
        template = re.escape(generation.vm_accelerator_type)
        template = template.replace(r"\{chips\}", r"(?P<chips>\d+)").replace(r"\{cores\}", r"(?P<cores>\d+)")
        patterns.append(
            (re.compile(f"^{template}$"), name, generation.tensorcores_per_chip, generation.vm_accelerator_config_type)
        )
    return patterns


def tpu_vm_chips(
    accelerator_type: str | None, config_type: str | None, topology: str | None
) -> tuple[str | None, int | None]:
    """(generation, chips) of a TPU VM named by `accelerator_type` (`v5litepod-8`, `v5p-8`) or by
    `accelerator_config{type, topology}`; (None, None) when the catalog cannot tell."""
    for pattern, generation, cores_per_chip, vm_config_type in _tpu_vm_patterns():
        if isinstance(accelerator_type, str) and (match := pattern.match(accelerator_type)):
            if match.groupdict().get("chips"):
                return generation, int(match["chips"])
            return generation, int(match["cores"]) // cores_per_chip
        if config_type == vm_config_type and isinstance(topology, str) and re.fullmatch(r"\d+(x\d+)+", topology):
            return generation, math.prod(int(d) for d in topology.split("x"))
    return None, None
