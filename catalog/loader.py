"""Loads the catalog's YAML data into typed, validated objects (once per process)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from catalog.models import CLOUDS, Accelerator, CloudCatalog, CloudName, MachineType
from catalog.strict_yaml import load_strict

DATA_DIR = Path(__file__).parent / "data"


class CatalogError(LookupError):
    """A lookup the catalog cannot answer (unknown accelerator, no machine for it on a cloud)."""


def _read_yaml(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        loaded = load_strict(handle) or {}
    if not isinstance(loaded, dict):
        raise ValueError(f"{path}: expected a mapping at the top level")
    return loaded


def _load_cloud(cloud: CloudName) -> CloudCatalog | None:
    path = DATA_DIR / f"{cloud}.yaml"
    if not path.exists():
        return None
    raw = _read_yaml(path)
    # Names are the mapping keys in the data files; the models carry them too for convenience.
    regions = {name: {"name": name, **body} for name, body in (raw.get("regions") or {}).items()}
    machines = {name: {"cloud": cloud, "name": name, **body} for name, body in (raw.get("machines") or {}).items()}
    extra = {k: v for k, v in raw.items() if k not in {"cloud", "regions", "machines", "defaults"}}
    return CloudCatalog.model_validate(
        {
            "cloud": raw.get("cloud", cloud),
            "regions": regions,
            "machines": machines,
            "defaults": raw.get("defaults") or {},
            **extra,
        }
    )


class Catalog:
    """The project's single table of accelerator facts, used by components, policies and costs."""

    def __init__(self, accelerators: dict[str, Accelerator], clouds: Mapping[str, CloudCatalog]):
        self.accelerators = accelerators
        self.clouds = clouds

    # -- accelerators -------------------------------------------------------------------------
    def accelerator(self, name: str) -> Accelerator:
        try:
            return self.accelerators[name]
        except KeyError:
            raise CatalogError(
                f"'{name}' is not a known accelerator (known: {', '.join(sorted(self.accelerators))})"
            ) from None

    def accelerators_on(self, cloud: str, role: str = "node") -> list[str]:
        """Accelerators that have a default machine of `role` on `cloud`, sorted."""
        cat = self.clouds.get(cloud)
        if cat is None:
            return []
        return sorted(a for a, d in cat.defaults.items() if getattr(d, role, None))

    # -- machines -----------------------------------------------------------------------------
    def cloud(self, cloud: str) -> CloudCatalog:
        try:
            return self.clouds[cloud]
        except KeyError:
            raise CatalogError(f"the catalog has no data for cloud '{cloud}'") from None

    def machine(self, cloud: str, machine_type: str) -> MachineType:
        cat = self.cloud(cloud)
        try:
            return cat.machines[machine_type]
        except KeyError:
            raise CatalogError(
                f"'{machine_type}' is not a known {cloud} machine type (known: {', '.join(sorted(cat.machines))})"
            ) from None

    def machine_for(self, cloud: str, accelerator: str, role: str = "node", *, multi_node: bool = False) -> MachineType:
        """The default machine for `accelerator` on `cloud` in `role` (`node` or `endpoint`)."""
        self.accelerator(accelerator)
        cat = self.cloud(cloud)
        defaults = cat.defaults.get(accelerator)
        chosen = None
        if defaults is not None:
            if role == "node" and multi_node and defaults.node_multi_node:
                chosen = defaults.node_multi_node
            else:
                chosen = getattr(defaults, role, None)
        if chosen is None:
            offered = ", ".join(self.accelerators_on(cloud, role)) or "none"
            raise CatalogError(f"'{accelerator}' has no {role} machine type on {cloud} (available: {offered})")
        return self.machine(cloud, chosen)

    # -- regions ------------------------------------------------------------------------------
    def zones(self, cloud: str, region: str) -> tuple[str, ...]:
        cat = self.cloud(cloud)
        try:
            return cat.regions[region].zones
        except KeyError:
            raise CatalogError(
                f"'{region}' is not a known {cloud} region (known: {', '.join(sorted(cat.regions))})"
            ) from None


@functools.cache
def load_catalog() -> Catalog:
    """The catalog, read from catalog/data once per process."""
    raw = _read_yaml(DATA_DIR / "accelerators.yaml")
    accelerators = {
        name: Accelerator.model_validate({"name": name, **body})
        for name, body in (raw.get("accelerators") or {}).items()
    }
    clouds: dict[str, CloudCatalog] = {}
    for cloud in CLOUDS:
        loaded = _load_cloud(cloud)
        if loaded is not None:
            clouds[cloud] = loaded
    return Catalog(accelerators, clouds)
