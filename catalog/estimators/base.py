"""What every per-type estimator shares: the result type, the context it is given, and the
arithmetic (hours x count x rate, discounts, storage tiers) with the basis text that shows it."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from catalog.price_book import PriceBook
from catalog.prices import TIMES, MachineQuote, PriceCatalog, Unpriced, usd_rate

HOURS_PER_MONTH = 730
"""Hours in the average month (8,760 / 12): the convention cloud price calculators use."""

EXPECTED_SIZE_TAG = "ai-infra-expected-size-gib"
"""Tag / label with a bucket's expected stored size, set from `expected_size_gib` in config."""

_PACKAGE_CLOUDS = {"aws": "aws", "gcp": "gcp", "azure-native": "azure", "alicloud": "alicloud"}


def cloud_of(type_: str) -> str:
    """`aws:s3/bucket:Bucket` -> `aws`, `azure-native:network:NatGateway` -> `azure`."""
    return _PACKAGE_CLOUDS.get(type_.partition(":")[0], "other")


@dataclass(frozen=True)
class ResourceCost:
    """One resource's monthly estimate. `floor_usd`: the idle floor (min nodes / replicas, or
    data at its coldest tier); `ceiling_usd`: every pool and endpoint at its maximum. Both are
    None when the price is unknown, and `unknown_reason` says why (never $0)."""

    urn: str
    type: str
    cloud: str
    floor_usd: float | None
    ceiling_usd: float | None
    basis: str
    """How the figure was computed: `730 h x 0..4 x g6.xlarge spot $0.40/h`."""
    unknown_reason: str | None = None

    @property
    def known(self) -> bool:
        return self.unknown_reason is None

    def to_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "cloud": self.cloud,
            "floor_usd": self.floor_usd,
            "ceiling_usd": self.ceiling_usd,
            "basis": self.basis,
            "unknown_reason": self.unknown_reason,
        }


@dataclass(frozen=True)
class EstimateContext:
    """One resource as an estimator sees it."""

    type: str
    urn: str
    inputs: Mapping[str, Any]
    region: str | None
    price_book: PriceBook
    prices: PriceCatalog
    hints: Mapping[str, Any] = field(default_factory=dict)
    """Facts correlated from other resources of the stack (autoscaling targets, lifecycle rules)."""

    @property
    def cloud(self) -> str:
        return cloud_of(self.type)

    def cost(self, floor: float, ceiling: float, basis: str) -> ResourceCost:
        return ResourceCost(self.urn, self.type, self.cloud, round(float(floor), 2), round(float(ceiling), 2), basis)

    def unknown(self, reason: str, basis: str = "") -> ResourceCost:
        return ResourceCost(self.urn, self.type, self.cloud, None, None, basis, reason)


Estimator = Callable[[EstimateContext], ResourceCost]


def whole_number(value: Any) -> int | None:
    """An input that should be a count; None when absent or not a plain number (unknown at preview)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def count_text(low: int, high: int) -> str:
    return str(low) if low == high else f"{low}..{high}"


def pool_cost(
    ctx: EstimateContext,
    *,
    machine_type: str,
    low: int,
    high: int,
    spot: bool,
    role: Literal["node", "endpoint"] = "node",
    accelerators: Sequence[tuple[str, int]] | None = None,
    note: str = "",
) -> ResourceCost:
    """730 h x low..high machines x the machine's rate (spot or on-demand), discounted."""
    counts = count_text(low, high)
    capacity = "spot" if spot else "on-demand"
    quote = ctx.prices.machine_quote(ctx.cloud, machine_type, ctx.region, role=role, accelerators=accelerators)
    suffix = f"; {note}" if note else ""
    if isinstance(quote, Unpriced):
        return ctx.unknown(
            quote.reason, f"{HOURS_PER_MONTH} h {TIMES} {counts} {TIMES} {machine_type} {capacity}{suffix}"
        )
    return rated_cost(ctx, quote, low, high, spot, suffix)


def rated_cost(
    ctx: EstimateContext, quote: MachineQuote, low: int, high: int, spot: bool, suffix: str = ""
) -> ResourceCost:
    rate = quote.rate(spot)
    counts = count_text(low, high)
    if rate is None:
        bound = f" (on-demand {usd_rate(quote.on_demand)}/h is an upper bound)"
        return ctx.unknown(
            f"no spot price for {quote.machine_type}: {quote.spot_unknown}{bound}",
            f"{HOURS_PER_MONTH} h {TIMES} {counts} {TIMES} {quote.machine_type} spot{suffix}",
        )
    discount = ctx.price_book.discount(ctx.cloud, quote.machine_type)
    effective = discount.apply(rate) if discount else rate
    basis = f"{HOURS_PER_MONTH} h {TIMES} {counts} {TIMES} {quote.describe(spot)}"
    if discount:
        basis += f" {discount.describe()}"
    return ctx.cost(HOURS_PER_MONTH * low * effective, HOURS_PER_MONTH * high * effective, basis + suffix)


def fee_cost(ctx: EstimateContext, fee: str, label: str, *, note: str = "") -> ResourceCost:
    """730 h x a flat hourly fee (control plane, NAT gateway), discounted."""
    quote = ctx.prices.fee(ctx.cloud, fee, ctx.region)
    suffix = f"; {note}" if note else ""
    if isinstance(quote, Unpriced):
        return ctx.unknown(quote.reason, f"{HOURS_PER_MONTH} h {TIMES} {label}{suffix}")
    discount = ctx.price_book.discount(ctx.cloud)
    rate = discount.apply(quote.price) if discount else quote.price
    basis = f"{HOURS_PER_MONTH} h {TIMES} {label} {usd_rate(quote.price)}/h"
    if discount:
        basis += f" {discount.describe()}"
    monthly = HOURS_PER_MONTH * rate
    return ctx.cost(monthly, monthly, basis + suffix)


def with_expected_size_tag(tags: Mapping[str, str], size_gib: float) -> dict[str, str]:
    """`tags` (or labels) plus `ai-infra-expected-size-gib` for a bucket expected to hold `size_gib`
    (none for 0): the nearest whole GiB, which `expected_size_gib` reads back. Stacks and
    components write the tag only through this, so writer and reader agree on its format."""
    if size_gib > 0:
        return {**tags, EXPECTED_SIZE_TAG: str(round(size_gib))}
    return dict(tags)


def expected_size_gib(tags: Any) -> float | None:
    """The `ai-infra-expected-size-gib` tag/label as a number (None when absent or malformed)."""
    if not isinstance(tags, Mapping):
        return None
    raw = tags.get(EXPECTED_SIZE_TAG)
    try:
        size = float(raw) if raw is not None else None
    except (TypeError, ValueError):
        return None
    return size if size is not None and math.isfinite(size) and size >= 0 else None


def storage_cost(
    ctx: EstimateContext,
    *,
    size_gib: float | None,
    base_class: str,
    transitions: Iterable[tuple[int, str]] | None,
    tiering_note: str,
) -> ResourceCost:
    """size x the base class price (ceiling: all data new) down to size x the coldest class a
    lifecycle transition reaches (floor: all data older than its last transition)."""
    if not size_gib:
        return ctx.cost(
            0,
            0,
            f"0 GiB expected (no {EXPECTED_SIZE_TAG} tag/label; set expected_size_gib in config to estimate storage)",
        )
    size_text = f"{size_gib:g} GiB"
    base = ctx.prices.storage(ctx.cloud, base_class, ctx.region)
    if isinstance(base, Unpriced):
        return ctx.unknown(base.reason, f"{size_text} {TIMES} {base_class.upper()}")
    steps = sorted(transitions or [])
    discount = ctx.price_book.discount(ctx.cloud)
    factor = (1 - discount.percent / 100) if discount else 1.0
    basis = f"{size_text} {TIMES} {base_class.upper()} {usd_rate(base.price)}/GB-mo"
    floor_rate = base.price
    if steps:
        days, coldest_class = steps[-1]
        coldest = ctx.prices.storage(ctx.cloud, coldest_class, ctx.region)
        if isinstance(coldest, Unpriced):
            return ctx.unknown(coldest.reason, f"{basis} (ceiling) .. {coldest_class} after {days} d (floor)")
        floor_rate = coldest.price
        basis += " (ceiling: new data) .. "
        basis += f"{coldest_class} {usd_rate(coldest.price)}/GB-mo after {days} d (floor: older data)"
    basis += f"; {tiering_note}"
    if discount:
        basis += f" {discount.describe()}"
    return ctx.cost(size_gib * floor_rate * factor, size_gib * base.price * factor, basis)


def combine(ctx: EstimateContext, parts: Sequence[ResourceCost]) -> ResourceCost:
    """One resource made of several priced parts (SageMaker production variants)."""
    if not parts:
        return ctx.unknown("nothing to price in the inputs")
    if len(parts) == 1:
        return parts[0]
    basis = " + ".join(p.basis for p in parts)
    unknown = [p.unknown_reason for p in parts if p.unknown_reason]
    if unknown:
        return ctx.unknown("; ".join(unknown), basis)
    return ctx.cost(sum(p.floor_usd or 0 for p in parts), sum(p.ceiling_usd or 0 for p in parts), basis)
