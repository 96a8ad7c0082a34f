"""Facts the project is built on: accelerators, machine types per cloud, regions (and, later, prices).

`catalog` imports nothing else from the project; components, stacks, policies and preflight
all read the same table through `load_catalog()`.
"""

from catalog.loader import Catalog, CatalogError, load_catalog
from catalog.models import CLOUDS, Accelerator, CloudCatalog, CloudName, MachineType
from catalog.stateful import is_stateful, stateful_types

__all__ = [
    "CLOUDS",
    "Accelerator",
    "Catalog",
    "CatalogError",
    "CloudCatalog",
    "CloudName",
    "MachineType",
    "is_stateful",
    "load_catalog",
    "stateful_types",
]
