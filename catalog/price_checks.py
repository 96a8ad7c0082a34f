"""Sanity checks on the price files, beyond their shape: the traps public price catalogs fall into
(spot above on-demand, spot equal to on-demand as a "no spot" placeholder, 700.0 for an
unavailable TPU region, absurd per-accelerator rates) and coverage (every machine the catalog maps
has a figure or an explicit unknown). `tests/catalog/test_prices.py` asserts there are none."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from catalog.loader import Catalog
from catalog.models import MachineType
from catalog.price_models import ANY_REGION, CloudPrices, FeePrice, HourlyPrice, StoragePrice
from catalog.prices import PriceCatalog, Unpriced

PLACEHOLDER_HOURLY = 700.0
"""A value public TPU catalogs use for "not offered here"; no real figure in our files is this high."""
MAX_PER_ACCELERATOR_HOUR = 25.0
"""An H100 lists at about $7-12 per GPU-hour; a figure over $25 per accelerator-hour is a data error."""
MAX_FEE_HOURLY = 5.0
MAX_GB_MONTH = 0.5


def _hourly_problems(where: str, figure: HourlyPrice) -> list[str]:
    problems = []
    od, spot = figure.on_demand, figure.spot
    if od is not None and od >= PLACEHOLDER_HOURLY:
        problems.append(f"{where}: on-demand {od} looks like a placeholder (>= {PLACEHOLDER_HOURLY})")
    if spot is not None and od is not None:
        if spot > od:
            problems.append(f"{where}: spot {spot} is above on-demand {od}")
        elif spot == od:
            problems.append(f"{where}: spot equals on-demand ({od}), the catalogs' 'no spot' placeholder")
    return problems


def _dated(where: str, as_of: dt.date, today: dt.date) -> list[str]:
    return [f"{where}: as_of {as_of} is in the future"] if as_of > today else []


def file_problems(prices: CloudPrices, today: dt.date) -> list[str]:
    """Problems within one cloud's price file."""
    problems: list[str] = []
    for name, source in prices.sources.items():
        problems += _dated(f"{prices.cloud}: sources.{name}", source.as_of, today)
    tables: Mapping[str, Mapping[str, Mapping[str, HourlyPrice | FeePrice | StoragePrice]]] = {
        "machines": prices.machines,
        "hosting": prices.hosting,
        "accelerators": prices.accelerators,
        "fees": prices.fees,
        "storage": prices.storage,
    }
    for table, rows in tables.items():
        for item, regions in rows.items():
            for region, figure in regions.items():
                where = f"{prices.cloud}: {table}.{item}.{region}"
                if figure.as_of is not None:
                    problems += _dated(where, figure.as_of, today)
                if isinstance(figure, HourlyPrice):
                    problems += _hourly_problems(where, figure)
                    if table == "accelerators" and figure.on_demand and figure.on_demand > MAX_PER_ACCELERATOR_HOUR:
                        problems.append(f"{where}: {figure.on_demand}/h per accelerator is implausible")
                elif isinstance(figure, FeePrice) and figure.hourly is not None and figure.hourly > MAX_FEE_HOURLY:
                    problems.append(f"{where}: fee {figure.hourly}/h is implausible")
                elif (
                    isinstance(figure, StoragePrice) and figure.gb_month is not None and figure.gb_month > MAX_GB_MONTH
                ):
                    problems.append(f"{where}: {figure.gb_month}/GB-month is implausible")
    return problems


def _machine_regions(prices: PriceCatalog, cloud: str, machine: MachineType) -> list[str]:
    if machine.role == "endpoint":
        found = prices.entries(cloud, "hosting", prices.hosting_type(cloud, machine.name))
    else:
        tpu = prices.tpu_machine(cloud, machine.name)
        found = (
            prices.entries(cloud, "accelerators", tpu[0]) if tpu else prices.entries(cloud, "machines", machine.name)
        )
    return sorted(found[1]) if found else []


def coverage_problems(prices: PriceCatalog, catalog: Catalog) -> list[str]:
    """Every machine the catalog maps has a figure or an explicit unknown, and no figure implies an
    absurd rate per accelerator."""
    problems: list[str] = []
    for cloud, cloud_catalog in sorted(catalog.clouds.items()):
        cloud_prices = prices.cloud(cloud)
        if cloud_prices is None:
            problems.append(f"{cloud}: no price file (catalog/data/prices/{cloud}.yaml)")
            continue
        for machine in sorted(cloud_catalog.machines.values(), key=lambda m: m.name):
            where = f"{cloud}: {machine.name} ({machine.role})"
            regions = _machine_regions(prices, cloud, machine)
            if not regions:
                table = "hosting" if machine.role == "endpoint" else "machines"
                problems.append(f"{where}: no entry in {table} (give a price with a source, or `unknown: <why>`)")
                continue
            kind = catalog.accelerators.get(machine.accelerator)
            is_gpu = kind is not None and kind.kind == "gpu"
            separate = machine.role == "node" and cloud_prices.accelerators_billed_separately and is_gpu
            if separate and prices.entries(cloud, "accelerators", machine.accelerator) is None:
                problems.append(f"{where}: {machine.accelerator} has no entry in accelerators (price or unknown)")
            tpu = prices.tpu_machine(cloud, machine.name) if machine.role == "node" else None
            if tpu is not None and tpu[0] != machine.accelerator:
                problems.append(f"{where}: TPU family maps to {tpu[0]}, the catalog says {machine.accelerator}")
            for region in regions:
                quote = prices.machine_quote(
                    cloud,
                    prices.hosting_type(cloud, machine.name) if machine.role == "endpoint" else machine.name,
                    None if region == ANY_REGION else region,
                    role="endpoint" if machine.role == "endpoint" else "node",
                    accelerators=[(machine.accelerator, machine.accelerator_count)] if is_gpu else None,
                )
                if isinstance(quote, Unpriced):
                    continue
                per_accelerator = quote.on_demand / machine.accelerator_count
                if per_accelerator > MAX_PER_ACCELERATOR_HOUR:
                    problems.append(
                        f"{where} in {region}: ${per_accelerator:.2f} per {machine.accelerator}-hour is implausible "
                        f"(machine ${quote.on_demand}/h for {machine.accelerator_count})"
                    )
    for cloud, cloud_prices in sorted(prices.clouds.items()):
        for cloud_type, neutral in cloud_prices.accelerator_types.items():
            if neutral not in catalog.accelerators:
                problems.append(f"{cloud}: accelerator_types.{cloud_type} -> {neutral!r} is not a catalog accelerator")
        for family, neutral in cloud_prices.tpu_machine_families.items():
            if neutral not in catalog.accelerators:
                problems.append(f"{cloud}: tpu_machine_families.{family} -> {neutral!r} is not a catalog accelerator")
        for prefix, spec in cloud_prices.tpu_vm_types.items():
            if spec.accelerator not in catalog.accelerators:
                problems.append(f"{cloud}: tpu_vm_types.{prefix} -> {spec.accelerator!r} is not a catalog accelerator")
    return problems


def price_problems(prices: PriceCatalog, catalog: Catalog, *, today: dt.date | None = None) -> list[str]:
    """Everything wrong with the price data, one line each (empty: the data is sound)."""
    today = today or dt.date.today()
    problems: list[str] = []
    for _, cloud_prices in sorted(prices.clouds.items()):
        problems += file_problems(cloud_prices, today)
    return problems + coverage_problems(prices, catalog)
