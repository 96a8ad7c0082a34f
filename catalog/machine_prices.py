"""A machine's hourly price as the cloud bills it, built from the price figures: AWS, Azure and
Alibaba price the whole machine; Google prices the host and adds its GPUs, and prices TPU node
machines per chip. Managed hosting types come from the `hosting` table, sometimes as a derived
range (lower and upper rate), never as an exact figure they are not."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from catalog.loader import CatalogError
from catalog.prices import DASH, TIMES, Lookup, Quote, Unpriced, usd_rate

if TYPE_CHECKING:
    from catalog.prices import PriceCatalog


@dataclass(frozen=True)
class MachineQuote:
    """A machine's hourly price as billed, with the parts it was built from."""

    machine_type: str
    on_demand: float
    spot: float | None
    spot_unknown: str | None
    """Why `spot` is None."""
    on_demand_parts: str | None
    """How `on_demand` is made up when it is a sum (`host $0.1468 + 1 x nvidia-l4 $0.56`)."""
    spot_parts: str | None
    quotes: tuple[Quote, ...]
    """The figures used (for sources and dates)."""
    on_demand_max: float | None = None
    """Upper end of a derived on-demand range (`on_demand` is then the lower end)."""
    spot_max: float | None = None
    """Upper end of a derived spot range."""

    def rate(self, spot: bool) -> float | None:
        return self.spot if spot else self.on_demand

    def rate_max(self, spot: bool) -> float | None:
        """The upper end of the rate: the range's top for a derived range, else the rate."""
        if spot:
            return self.spot_max if self.spot_max is not None else self.spot
        return self.on_demand_max if self.on_demand_max is not None else self.on_demand

    def describe(self, spot: bool) -> str:
        """`g6.xlarge spot $0.40/h`, `g2-standard-4 on-demand $0.7068/h (host $0.1468 + 1 x nvidia-l4 $0.56)`,
        `ml.g6.xlarge on-demand $1.006-$1.1267/h (derived range: ...)`."""
        rate = self.rate(spot)
        capacity = "spot" if spot else "on-demand"
        top = self.rate_max(spot)
        if rate is None:
            text = f"{self.machine_type} {capacity}"
        elif top is not None and top != rate:
            text = f"{self.machine_type} {capacity} {usd_rate(rate)}{DASH}{usd_rate(top)}/h"
        else:
            text = f"{self.machine_type} {capacity} {usd_rate(rate)}/h"
        parts = self.spot_parts if spot else self.on_demand_parts
        return f"{text} ({parts})" if parts else text

    @property
    def derived_range(self) -> bool:
        """The rate is a derived range, not an exact figure."""
        return self.on_demand_max is not None or self.spot_max is not None

    @property
    def as_of(self) -> dt.date:
        return min(q.as_of for q in self.quotes)


def machine_quote(
    prices: PriceCatalog,
    cloud: str,
    machine_type: str,
    region: str | None,
    *,
    role: Literal["node", "endpoint"] = "node",
    accelerators: Sequence[tuple[str, int]] | None = None,
) -> MachineQuote | Unpriced:
    """A machine's hourly price. `accelerators` (neutral name, count) are the GPUs attached to a
    host on clouds that bill them separately; None means "what the catalog says the machine
    carries". Hosting (`role="endpoint"`) types are priced from the `hosting` table."""
    cloud_prices = prices.cloud(cloud)
    if cloud_prices is None:
        return Unpriced(f"the catalog has no prices for cloud '{cloud}'")
    if role == "endpoint":
        return _whole_machine(prices.hosting(cloud, machine_type, region), machine_type)
    tpu = prices.tpu_machine(cloud, machine_type)
    if tpu is not None:
        accelerator, chips = tpu
        chip = prices.accelerator(cloud, accelerator, region)
        if isinstance(chip, Unpriced):
            return Unpriced(f"{machine_type} is {chips} {TIMES} {accelerator} chips; {chip.reason}")
        spot = round(chip.spot * chips, 6) if chip.spot is not None else None
        return MachineQuote(
            machine_type=machine_type,
            on_demand=round(chip.price * chips, 6),
            spot=spot,
            spot_unknown=None if spot is not None else f"{accelerator}: {chip.spot_unknown}",
            on_demand_parts=f"{chips} {TIMES} {accelerator} {usd_rate(chip.price)}/chip-h",
            spot_parts=f"{chips} {TIMES} {accelerator} {usd_rate(chip.spot)}/chip-h" if chip.spot is not None else None,
            quotes=(chip,),
        )
    host = prices.machine(cloud, machine_type, region)
    if not cloud_prices.accelerators_billed_separately:
        return _whole_machine(host, machine_type)
    if isinstance(host, Unpriced):
        return host
    attached = _attached_accelerators(prices, cloud, machine_type, accelerators)
    if isinstance(attached, Unpriced):
        return attached
    return _host_plus_accelerators(prices, cloud, host, attached, region)


def _attached_accelerators(
    prices: PriceCatalog, cloud: str, machine_type: str, accelerators: Sequence[tuple[str, int]] | None
) -> list[tuple[str, int]] | Unpriced:
    """GPUs billed on top of a host: the ones given, else the built-in GPUs of an
    accelerator-optimized type (from the catalog), else none (N1, E2: GPUs only when attached)."""
    if accelerators is not None:
        return [(name, count) for name, count in accelerators if count > 0]
    cloud_prices = prices.cloud(cloud)
    if cloud_prices is None or machine_type.split("-", 1)[0] not in cloud_prices.accelerator_optimized_families:
        return []
    catalog = prices.catalog_or_none()
    try:
        machine = catalog.machine(cloud, machine_type) if catalog is not None else None
    except CatalogError:
        machine = None
    if machine is None:
        return Unpriced(
            f"{machine_type} always carries GPUs, but the catalog does not map it, so their number is unknown"
        )
    return [(machine.accelerator, machine.accelerator_count)]


def _host_plus_accelerators(
    prices: PriceCatalog, cloud: str, host: Quote, attached: list[tuple[str, int]], region: str | None
) -> MachineQuote | Unpriced:
    quotes = [host]
    on_demand = host.price
    od_parts = [f"host {usd_rate(host.price)}"]
    spot: float | None = host.spot
    spot_unknown = None if host.spot is not None else f"host {host.item}: {host.spot_unknown}"
    spot_parts = [f"host {usd_rate(host.spot)}"] if host.spot is not None else []
    for name, count in attached:
        gpu = prices.accelerator(cloud, name, region)
        if isinstance(gpu, Unpriced):
            return Unpriced(f"{host.item} carries {count} {TIMES} {name}; {gpu.reason}")
        quotes.append(gpu)
        on_demand += count * gpu.price
        od_parts.append(f"{count} {TIMES} {name} {usd_rate(gpu.price)}")
        if gpu.spot is None:
            spot, spot_unknown = None, spot_unknown or f"{name}: {gpu.spot_unknown}"
        elif spot is not None:
            spot += count * gpu.spot
            spot_parts.append(f"{count} {TIMES} {name} {usd_rate(gpu.spot)}")
    summed = len(od_parts) > 1
    return MachineQuote(
        machine_type=host.item,
        on_demand=round(on_demand, 6),
        spot=round(spot, 6) if spot is not None else None,
        spot_unknown=spot_unknown if spot is None else None,
        on_demand_parts=" + ".join(od_parts) if summed else None,
        spot_parts=" + ".join(spot_parts) if summed and spot is not None else None,
        quotes=tuple(quotes),
    )


def _whole_machine(found: Lookup, machine_type: str) -> MachineQuote | Unpriced:
    if isinstance(found, Unpriced):
        return found
    ranged = (found.price_max is not None or found.spot_max is not None) and found.note
    parts = f"derived range: {found.note}" if ranged else None
    return MachineQuote(
        machine_type=machine_type,
        on_demand=found.price,
        spot=found.spot,
        spot_unknown=found.spot_unknown,
        on_demand_parts=parts,
        spot_parts=parts if found.spot_max is not None else None,
        quotes=(found,),
        on_demand_max=found.price_max,
        spot_max=found.spot_max,
    )
