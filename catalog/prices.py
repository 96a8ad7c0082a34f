"""Price lookups: what one machine, accelerator, fee or GB of storage costs in one region.

The figures live in `catalog/data/prices/<cloud>.yaml` (see `catalog.price_models`). A lookup
returns a `Quote` (the figure with its source and date) or `Unpriced` (why there is no figure).
`machine_quote` (catalog.machine_prices) combines figures into a machine's hourly price the way
the cloud bills it; `commitment` (catalog.commitments) finds the discount of a committed-use plan.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from catalog.loader import DATA_DIR, Catalog, load_catalog
from catalog.models import CLOUDS
from catalog.price_models import ANY_REGION, CloudPrices, FeePrice, HourlyPrice, PriceSource, StoragePrice
from catalog.strict_yaml import load_strict

if TYPE_CHECKING:
    from catalog.machine_prices import MachineQuote

PRICES_DIR = DATA_DIR / "prices"
Table = Literal["machines", "hosting", "accelerators", "fees", "storage"]
_TABLE_LABELS: dict[str, str] = {
    "machines": "machine type",
    "hosting": "hosting instance type",
    "accelerators": "accelerator",
    "fees": "fee",
    "storage": "storage class",
}
_TPU_CHIPS_SUFFIX = re.compile(r"-(\d+)t$")

# Typography of bases and money ranges (escaped so that the source stays ASCII-clean).
TIMES = "\u00d7"
"""Multiplication sign in bases (`730 h x 0..4 x g6.xlarge spot $0.40/h`, with the real sign)."""
DASH = "\u2013"
"""En dash between a floor and a ceiling (`$0-$1,240`, with the real dash)."""
MINUS = "\u2212"
"""Minus sign before a discount (`- 10% (price book: aws)`, with the real sign)."""


def normalize_region(region: str) -> str:
    """`East US` -> `eastus`, `US-CENTRAL1` -> `us-central1`: price files use lower case."""
    return region.strip().lower().replace(" ", "")


@dataclass(frozen=True)
class Quote:
    """One sourced figure: `price` is USD per hour (machines, accelerators, fees) or per GB-month
    (storage); `spot` only for hourly compute."""

    item: str
    price: float
    spot: float | None
    spot_unknown: str | None
    source: PriceSource
    as_of: dt.date
    region: str
    """The region key that matched (`*`: the figure holds in every region)."""
    note: str | None = None
    price_max: float | None = None
    """Upper end of a derived range (hosting estimated from a machine's rate); `price` is the lower end."""
    spot_max: float | None = None
    """Upper end of a derived spot range."""
    monthly: bool = False
    """A fee quoted per month (`price` is then USD per month, not per hour)."""

    @property
    def citation(self) -> str:
        url = f" <{self.source.url}>" if self.source.url else ""
        return f"{self.source.title}{url}, as of {self.as_of.isoformat()}"


@dataclass(frozen=True)
class Unpriced:
    """No figure: `reason` says why (no entry, no entry for the region, explicitly unknown)."""

    reason: str


Lookup = Quote | Unpriced


def usd_rate(value: float) -> str:
    """A unit price as shown in bases: `$0.10`, `$0.8048`, `$55.04` (no float noise)."""
    text = f"{value:.6f}".rstrip("0")
    whole, _, fraction = text.partition(".")
    return f"${whole}.{fraction.ljust(2, '0')}"


class PriceCatalog:
    """Every cloud's price figures; `load_prices()` reads them once per process."""

    def __init__(self, clouds: Mapping[str, CloudPrices], catalog: Catalog | None = None):
        self.clouds = dict(clouds)
        self._catalog = catalog

    @property
    def catalog(self) -> Catalog:
        return self._catalog if self._catalog is not None else load_catalog()

    def cloud(self, cloud: str) -> CloudPrices | None:
        return self.clouds.get(cloud)

    # -- raw tables -------------------------------------------------------------------------------
    def entries(self, cloud: str, table: Table, item: str) -> tuple[str, Mapping[str, object]] | None:
        """(matching key, region -> figure) for `item`; an exact key wins over a glob pattern."""
        prices = self.clouds.get(cloud)
        if prices is None:
            return None
        rows: Mapping[str, Mapping[str, object]] = getattr(prices, table)
        if item in rows:
            return item, rows[item]
        for key, regions in rows.items():
            if any(ch in key for ch in "*?[") and fnmatch.fnmatchcase(item, key):
                return key, regions
        return None

    def lookup(self, cloud: str, table: Table, item: str, region: str | None) -> Lookup:
        prices = self.clouds.get(cloud)
        label = _TABLE_LABELS[table]
        if prices is None:
            return Unpriced(f"the catalog has no prices for cloud '{cloud}'")
        found = self.entries(cloud, table, item)
        if found is None:
            return Unpriced(f"{cloud} {label} '{item}' has no entry in catalog/data/prices/{cloud}.yaml")
        _, regions = found
        matched = normalize_region(region) if region else ANY_REGION
        figure = regions.get(matched)
        if figure is None:
            matched, figure = ANY_REGION, regions.get(ANY_REGION)
        if figure is None:
            priced = ", ".join(sorted(regions))
            if not region:
                return Unpriced(f"region not known; {cloud} {label} '{item}' is priced only in {priced}")
            return Unpriced(f"no price for {cloud} {label} '{item}' in {region} (priced in: {priced})")
        assert isinstance(figure, HourlyPrice | FeePrice | StoragePrice)
        if figure.unknown is not None:
            return Unpriced(f"{cloud} {label} '{item}': {figure.unknown}")
        source = prices.sources[figure.source or ""]
        price_max, spot_max, monthly = None, None, False
        if isinstance(figure, HourlyPrice):
            price, spot, spot_unknown = figure.on_demand, figure.spot, figure.spot_unknown
            price_max, spot_max = figure.on_demand_max, figure.spot_max
            if spot is None and spot_unknown is None:
                spot_unknown = "spot price not sourced"
        elif isinstance(figure, FeePrice):
            monthly = figure.monthly is not None
            price, spot, spot_unknown = figure.monthly if monthly else figure.hourly, None, None
        else:
            price, spot, spot_unknown = figure.gb_month, None, None
            price_max = figure.gb_month_max
        assert price is not None
        return Quote(
            item=item,
            price=price,
            spot=spot,
            spot_unknown=spot_unknown,
            source=source,
            as_of=figure.as_of or source.as_of,
            region=matched,
            note=figure.note,
            price_max=price_max,
            spot_max=spot_max,
            monthly=monthly,
        )

    def machine(self, cloud: str, machine_type: str, region: str | None) -> Lookup:
        return self.lookup(cloud, "machines", machine_type, region)

    def hosting(self, cloud: str, machine_type: str, region: str | None) -> Lookup:
        return self.lookup(cloud, "hosting", machine_type, region)

    def accelerator(self, cloud: str, accelerator: str, region: str | None) -> Lookup:
        return self.lookup(cloud, "accelerators", accelerator, region)

    def fee(self, cloud: str, fee: str, region: str | None) -> Lookup:
        return self.lookup(cloud, "fees", fee, region)

    def storage(self, cloud: str, storage_class: str, region: str | None) -> Lookup:
        return self.lookup(cloud, "storage", storage_class.upper(), region)

    # -- accelerator naming -----------------------------------------------------------------------
    def neutral_accelerator(self, cloud: str, cloud_type: str) -> str | None:
        """The neutral name of a cloud's accelerator type (`nvidia-tesla-t4` -> `nvidia-t4`)."""
        prices = self.clouds.get(cloud)
        if prices is not None and cloud_type in prices.accelerator_types:
            return prices.accelerator_types[cloud_type]
        catalog = self.catalog_or_none()
        if catalog is not None and cloud in catalog.clouds:
            for machine in catalog.clouds[cloud].machines.values():
                if machine.accelerator_type == cloud_type:
                    return machine.accelerator
        if catalog is not None and cloud_type in catalog.accelerators:
            return cloud_type
        return None

    def tpu_machine(self, cloud: str, machine_type: str) -> tuple[str, int] | None:
        """(TPU accelerator, chips per host) for a TPU node machine (`ct5lp-hightpu-4t` -> tpu-v5e, 4)."""
        prices = self.clouds.get(cloud)
        if prices is None:
            return None
        family = machine_type.split("-", 1)[0]
        accelerator = prices.tpu_machine_families.get(family)
        if accelerator is None:
            return None
        catalog = self.catalog_or_none()
        if catalog is not None and cloud in catalog.clouds and machine_type in catalog.clouds[cloud].machines:
            return accelerator, catalog.clouds[cloud].machines[machine_type].accelerator_count
        match = _TPU_CHIPS_SUFFIX.search(machine_type)
        return (accelerator, int(match.group(1))) if match else None

    def tpu_vm(
        self, cloud: str, accelerator_type: str | None, config_type: str | None = None, topology: str | None = None
    ) -> tuple[str, int] | None:
        """(TPU accelerator, chips) of a TPU VM: `v5litepod-8` -> (tpu-v5e, 8); `v5p-8` -> (tpu-v5p, 4)
        (v5p counts TensorCores); or an accelerator config (`V5LITE_POD`, topology `2x4`)."""
        prices = self.clouds.get(cloud)
        if prices is None:
            return None
        if accelerator_type:
            prefix, _, number = accelerator_type.rpartition("-")
            spec = prices.tpu_vm_types.get(prefix)
            if spec is None or not number.isdigit():
                return None
            return spec.accelerator, max(1, int(number) // spec.cores_per_chip)
        if config_type and topology:
            spec = prices.tpu_vm_types.get(config_type)
            dims = topology.lower().split("x")
            if spec is None or not all(d.isdigit() for d in dims):
                return None
            chips = 1
            for d in dims:
                chips *= int(d)
            return spec.accelerator, chips
        return None

    def catalog_or_none(self) -> Catalog | None:
        try:
            return self.catalog
        except (OSError, ValueError):  # a broken sibling data file must not break price lookups
            return None

    # -- machines as billed -----------------------------------------------------------------------
    def machine_quote(
        self,
        cloud: str,
        machine_type: str,
        region: str | None,
        *,
        role: Literal["node", "endpoint"] = "node",
        accelerators: Sequence[tuple[str, int]] | None = None,
    ) -> MachineQuote | Unpriced:
        """A machine's hourly price as billed (see `catalog.machine_prices.machine_quote`)."""
        from catalog.machine_prices import machine_quote

        return machine_quote(self, cloud, machine_type, region, role=role, accelerators=accelerators)

    def hosting_type(self, cloud: str, catalog_key: str) -> str:
        """The API name of a catalog endpoint key (`vertex:g2-standard-8` -> `g2-standard-8`)."""
        prices = self.clouds.get(cloud)
        prefix = prices.endpoint_key_prefix if prices is not None else ""
        return catalog_key.removeprefix(prefix) if prefix else catalog_key


def _read_prices(path: Path) -> CloudPrices:
    with path.open(encoding="utf-8") as handle:
        raw = load_strict(handle) or {}
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected a mapping at the top level")
    # Region and item keys are compared case-insensitively (Azure writes `East US`, GCS `US`).
    for table in ("machines", "hosting", "accelerators", "fees", "storage"):
        rows = raw.get(table) or {}
        raw[table] = {
            (str(item).upper() if table == "storage" else str(item)): {
                normalize_region(str(region)): figure for region, figure in (regions or {}).items()
            }
            for item, regions in rows.items()
        }
    return CloudPrices.model_validate(raw)


@functools.cache
def load_prices() -> PriceCatalog:
    """The price figures of every cloud that has a file in catalog/data/prices (once per process)."""
    clouds: dict[str, CloudPrices] = {}
    for cloud in CLOUDS:
        path = PRICES_DIR / f"{cloud}.yaml"
        if path.exists():
            clouds[cloud] = _read_prices(path)
    return PriceCatalog(clouds)
