"""Where an accelerator costs what: every machine (or managed-hosting type) the catalog maps it
to, in every region the price files know, priced per accelerator-hour (`preflight prices
nvidia-h100`, `--hosting`). A derived hosting rate keeps its range (`on_demand`..`on_demand_max`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from catalog.loader import Catalog, load_catalog
from catalog.models import MachineType
from catalog.price_models import ANY_REGION
from catalog.prices import PriceCatalog, Quote, Table, Unpriced, load_prices

SortKey = Literal["on-demand", "spot"]


@dataclass(frozen=True)
class AcceleratorOffer:
    """One machine type in one region, priced per accelerator-hour (GPU-hour or TPU chip-hour)."""

    accelerator: str
    cloud: str
    region: str
    """A region, or `*` when the figure (or the reason it is unknown) holds in every region."""
    machine_type: str
    role: str
    """`node` (Kubernetes worker / VM) or `endpoint` (managed hosting type)."""
    accelerators_per_machine: int
    machine_on_demand: float | None
    machine_spot: float | None
    on_demand: float | None
    """USD per accelerator-hour, on-demand."""
    spot: float | None
    spot_unknown: str | None
    unknown_reason: str | None
    sources: tuple[str, ...] = ()
    as_of: dt.date | None = None
    on_demand_max: float | None = None
    """Upper end of a derived range per accelerator-hour (managed hosting estimated from a machine)."""
    spot_max: float | None = None
    machine_on_demand_max: float | None = None
    figures: tuple[Quote, ...] = field(default=(), compare=False, repr=False)
    """The sourced figures behind the offer (for freshness checks)."""

    @property
    def derived_range(self) -> bool:
        return self.on_demand_max is not None or self.spot_max is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "accelerator": self.accelerator,
            "cloud": self.cloud,
            "region": self.region,
            "machine_type": self.machine_type,
            "role": self.role,
            "accelerators_per_machine": self.accelerators_per_machine,
            "machine_on_demand_usd_per_hour": self.machine_on_demand,
            "machine_spot_usd_per_hour": self.machine_spot,
            "on_demand_usd_per_accelerator_hour": self.on_demand,
            "spot_usd_per_accelerator_hour": self.spot,
            "spot_unknown": self.spot_unknown,
            "unknown_reason": self.unknown_reason,
            "machine_on_demand_max_usd_per_hour": self.machine_on_demand_max,
            "on_demand_max_usd_per_accelerator_hour": self.on_demand_max,
            "spot_max_usd_per_accelerator_hour": self.spot_max,
            "derived_range": self.derived_range,
            "sources": [
                {
                    "source": q.source.title,
                    "url": q.source.url,
                    "as_of": q.as_of.isoformat(),
                    "undated": q.source.undated,
                    "note": q.note,
                }
                for q in self.figures
            ],
            "as_of": self.as_of.isoformat() if self.as_of else None,
        }


def _regions(prices: PriceCatalog, cloud: str, machine: MachineType) -> list[str]:
    """The region keys any figure for this machine is given for (host, GPU or TPU chip)."""
    tables: list[tuple[Table, str]] = []
    if machine.role == "endpoint":
        tables.append(("hosting", prices.hosting_type(cloud, machine.name)))
    else:
        tpu = prices.tpu_machine(cloud, machine.name)
        if tpu is not None:
            tables.append(("accelerators", tpu[0]))
        else:
            tables.append(("machines", machine.name))
            cloud_prices = prices.cloud(cloud)
            if cloud_prices is not None and cloud_prices.accelerators_billed_separately:
                tables.append(("accelerators", machine.accelerator))
    regions: set[str] = set()
    for table, item in tables:
        found = prices.entries(cloud, table, item)
        if found is not None:
            regions.update(found[1])
    concrete = sorted(r for r in regions if r != ANY_REGION)
    return concrete or [ANY_REGION]


def _offer(prices: PriceCatalog, catalog: Catalog, cloud: str, machine: MachineType, region: str) -> AcceleratorOffer:
    where = None if region == ANY_REGION else region
    if machine.role == "endpoint":
        quote = prices.machine_quote(cloud, prices.hosting_type(cloud, machine.name), where, role="endpoint")
    else:
        # The catalog says which GPUs the machine is used with (an N1 host with a T4 attached).
        kind = catalog.accelerators.get(machine.accelerator)
        attached = (
            [(machine.accelerator, machine.accelerator_count)] if kind is not None and kind.kind == "gpu" else None
        )
        quote = prices.machine_quote(cloud, machine.name, where, accelerators=attached)
    count = machine.accelerator_count
    base: dict[str, Any] = {
        "accelerator": machine.accelerator,
        "cloud": cloud,
        "region": region,
        "machine_type": machine.name,
        "role": machine.role,
        "accelerators_per_machine": count,
    }
    if isinstance(quote, Unpriced):
        return AcceleratorOffer(
            **base,
            machine_on_demand=None,
            machine_spot=None,
            on_demand=None,
            spot=None,
            spot_unknown=None,
            unknown_reason=quote.reason,
        )
    return AcceleratorOffer(
        **base,
        machine_on_demand=quote.on_demand,
        machine_spot=quote.spot,
        on_demand=round(quote.on_demand / count, 6),
        spot=round(quote.spot / count, 6) if quote.spot is not None else None,
        spot_unknown=quote.spot_unknown,
        unknown_reason=None,
        sources=tuple(dict.fromkeys(q.citation for q in quote.quotes)),
        as_of=quote.as_of,
        on_demand_max=round(quote.on_demand_max / count, 6) if quote.on_demand_max is not None else None,
        spot_max=round(quote.spot_max / count, 6) if quote.spot_max is not None else None,
        machine_on_demand_max=quote.on_demand_max,
        figures=quote.quotes,
    )


def accelerator_offers(
    accelerator: str,
    *,
    sort: SortKey = "on-demand",
    role: Literal["node", "endpoint"] | None = None,
    catalog: Catalog | None = None,
    prices: PriceCatalog | None = None,
) -> list[AcceleratorOffer]:
    """Every (machine type, region) the catalog maps `accelerator` to, cheapest per
    accelerator-hour first (by `sort`; a range by its lower end), offers without a price last.
    `role`: only machines (`node`) or only managed-hosting types (`endpoint`); default both.
    Raises `CatalogError` for an accelerator the catalog does not know."""
    catalog = catalog or load_catalog()
    prices = prices or load_prices()
    catalog.accelerator(accelerator)
    offers: list[AcceleratorOffer] = []
    for cloud, cloud_catalog in sorted(catalog.clouds.items()):
        for machine in sorted(cloud_catalog.machines.values(), key=lambda m: m.name):
            if machine.accelerator != accelerator or (role is not None and machine.role != role):
                continue
            found = [_offer(prices, catalog, cloud, machine, region) for region in _regions(prices, cloud, machine)]
            if all(offer.unknown_reason for offer in found):
                # Unknown everywhere it is listed: one row, not one per region.
                found = [replace(found[0], region=ANY_REGION)]
            offers.extend(found)

    def key(offer: AcceleratorOffer) -> tuple[int, float, float, str, str, str]:
        primary = offer.spot if sort == "spot" else offer.on_demand
        secondary = offer.on_demand if sort == "spot" else offer.spot
        return (
            0 if primary is not None else 1 if offer.on_demand is not None else 2,
            primary if primary is not None else offer.on_demand or 0.0,
            secondary if secondary is not None else float("inf"),
            offer.cloud,
            offer.region,
            offer.machine_type,
        )

    return sorted(offers, key=key)
