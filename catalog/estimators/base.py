"""What every per-type estimator shares: the result type, the context it is given, and the
arithmetic (hours x count x rate, discounts, storage tiers) with the basis text that shows it."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from catalog.commitments import commitment_quote, committed_hourly, pool_commitment, reserved_nodes
from catalog.machine_prices import MachineQuote
from catalog.price_book import PriceBook
from catalog.prices import DASH, MINUS, TIMES, PriceCatalog, Quote, Unpriced, usd_rate

HOURS_PER_MONTH = 730
"""Hours in the average month (8,760 / 12): the convention cloud price calculators use."""

EXPECTED_SIZE_TAG = "ai-infra-expected-size-gib"
"""Tag / label with a bucket's expected stored size, set from `expected_size_gib` in config."""

_PACKAGE_CLOUDS = {
    "aws": "aws",
    "gcp": "gcp",
    "azure-native": "azure",
    "alicloud": "alicloud",
    "kubernetes": "kubernetes",
}


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
    usage_only: bool = False
    """No standing charge, only usage the estimate does not model (log ingestion, key
    operations): floor and ceiling are 0, the MONTHLY cell says `usage`, the basis says what."""
    list_floor_usd: float | None = None
    list_ceiling_usd: float | None = None
    """The same estimate at list prices when a commitment discounts it (None otherwise)."""
    figures: tuple[Quote, ...] = field(default=(), compare=False, repr=False)
    """The sourced, dated figures the estimate used."""

    @property
    def known(self) -> bool:
        return self.unknown_reason is None

    @property
    def as_of(self) -> dt.date | None:
        """The date of the oldest figure used (None when none was)."""
        return min((q.as_of for q in self.figures), default=None)

    def sources_json(self) -> list[dict[str, Any]]:
        """One entry per source used: title, url, the oldest as-of of its figures, whether undated."""
        by_title: dict[str, dict[str, Any]] = {}
        for quote in self.figures:
            entry = by_title.setdefault(
                quote.source.title,
                {"source": quote.source.title, "url": quote.source.url, "as_of": quote.as_of, "undated": False},
            )
            entry["as_of"] = min(entry["as_of"], quote.as_of)
            entry["undated"] = entry["undated"] or quote.source.undated
        return [{**e, "as_of": e["as_of"].isoformat()} for e in by_title.values()]

    def to_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "cloud": self.cloud,
            "floor_usd": self.floor_usd,
            "ceiling_usd": self.ceiling_usd,
            "basis": self.basis,
            "unknown_reason": self.unknown_reason,
            "usage_only": self.usage_only,
            "list_floor_usd": self.list_floor_usd,
            "list_ceiling_usd": self.list_ceiling_usd,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "sources": self.sources_json(),
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
    quotes: list[Quote] = field(default_factory=list)
    """The figures an estimate used so far (`cite`): their sources and dates go on the result."""

    @property
    def cloud(self) -> str:
        return cloud_of(self.type)

    def cite(self, *quotes: Quote) -> None:
        """Record figures the estimate uses (their sources and the oldest date go on the result)."""
        self.quotes.extend(q for q in quotes if q not in self.quotes)

    def cost(
        self,
        floor: float,
        ceiling: float,
        basis: str,
        *,
        list_floor: float | None = None,
        list_ceiling: float | None = None,
    ) -> ResourceCost:
        return ResourceCost(
            self.urn,
            self.type,
            self.cloud,
            round(float(floor), 2),
            round(float(ceiling), 2),
            basis,
            list_floor_usd=round(float(list_floor), 2) if list_floor is not None else None,
            list_ceiling_usd=round(float(list_ceiling), 2) if list_ceiling is not None else None,
            figures=tuple(self.quotes),
        )

    def unknown(self, reason: str, basis: str = "") -> ResourceCost:
        return ResourceCost(self.urn, self.type, self.cloud, None, None, basis, reason)

    def usage(self, what: str) -> ResourceCost:
        """No standing charge: billed only by usage the estimate does not model (`what` says how)."""
        basis = f"no standing charge; {what} (usage not estimated)"
        return ResourceCost(self.urn, self.type, self.cloud, 0.0, 0.0, basis, usage_only=True)


Estimator = Callable[[EstimateContext], "ResourceCost | None"]
"""Prices one resource. None: this resource has nothing billable (a ClusterIP Service)."""


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
    tags: Any = None,
) -> ResourceCost:
    """730 h x low..high machines x the machine's rate (spot or on-demand), discounted. `tags`:
    the pool's tags/labels, which may declare a commitment or nodes on a capacity reservation."""
    counts = count_text(low, high)
    capacity = "spot" if spot else "on-demand"
    quote = ctx.prices.machine_quote(ctx.cloud, machine_type, ctx.region, role=role, accelerators=accelerators)
    suffix = f"; {note}" if note else ""
    if isinstance(quote, Unpriced):
        return ctx.unknown(
            quote.reason, f"{HOURS_PER_MONTH} h {TIMES} {counts} {TIMES} {machine_type} {capacity}{suffix}"
        )
    return rated_cost(ctx, quote, low, high, spot, suffix, tags=tags)


def rated_cost(
    ctx: EstimateContext,
    quote: MachineQuote,
    low: int,
    high: int,
    spot: bool,
    suffix: str = "",
    *,
    tags: Any = None,
) -> ResourceCost:
    """The monthly range of low..high machines at `quote`; nodes on a capacity reservation are
    left out (priced on the reservation), committed nodes are paid at the committed rate."""
    rate, rate_max = quote.rate(spot), quote.rate_max(spot)
    if rate is None or rate_max is None:
        bound = f" (on-demand {usd_rate(quote.on_demand)}/h is an upper bound)"
        return ctx.unknown(
            f"no spot price for {quote.machine_type}: {quote.spot_unknown}{bound}",
            f"{HOURS_PER_MONTH} h {TIMES} {count_text(low, high)} {TIMES} {quote.machine_type} spot{suffix}",
        )
    ctx.cite(*quote.quotes)
    reserved = reserved_nodes(tags)
    if reserved:
        low, high = max(0, low - reserved), max(0, high - reserved)
        suffix += f"; {reserved} more on a capacity reservation (priced on the reservation)"
    discount = ctx.price_book.discount(ctx.cloud, quote.machine_type)
    if discount:
        rate, rate_max = discount.apply(rate), discount.apply(rate_max)
    basis = f"{HOURS_PER_MONTH} h {TIMES} {count_text(low, high)} {TIMES} {quote.describe(spot)}"
    if discount:
        basis += f" {discount.describe()}"
    list_floor, list_ceiling = HOURS_PER_MONTH * low * rate, HOURS_PER_MONTH * high * rate_max
    commitment = pool_commitment(tags)
    if commitment is None or spot:
        return ctx.cost(list_floor, list_ceiling, basis + suffix)
    plan = commitment_quote(ctx.prices, ctx.cloud, commitment.kind, commitment.term, quote.machine_type)
    if isinstance(plan, Unpriced):
        return ctx.unknown(
            f"{plan.reason} (the list figure, ${list_floor:,.2f}..${list_ceiling:,.2f} a month, is an upper bound)",
            basis + suffix,
        )
    ctx.cite(plan.quote)
    floor, ceiling = committed_hourly(rate, rate_max, low, high, commitment.nodes, plan)
    basis += (
        f"; {commitment.nodes} committed: {plan.label} {commitment.term} {MINUS}{plan.percent:g}%, "
        "paid whether running or not"
    )
    return ctx.cost(
        HOURS_PER_MONTH * floor,
        HOURS_PER_MONTH * ceiling,
        basis + suffix,
        list_floor=list_floor,
        list_ceiling=list_ceiling,
    )


def fee_cost(ctx: EstimateContext, fee: str, label: str, *, note: str = "", count: int = 1) -> ResourceCost:
    """730 h x a flat hourly fee (control plane, NAT gateway), or a monthly fee (a KMS key), times
    `count`, discounted."""
    quote = ctx.prices.fee(ctx.cloud, fee, ctx.region)
    suffix = f"; {note}" if note else ""
    times = f"{count} {TIMES} " if count != 1 else ""
    if isinstance(quote, Unpriced):
        return ctx.unknown(quote.reason, f"{HOURS_PER_MONTH} h {TIMES} {times}{label}{suffix}")
    ctx.cite(quote)
    discount = ctx.price_book.discount(ctx.cloud)
    rate = discount.apply(quote.price) if discount else quote.price
    if quote.monthly:
        basis = f"{times}{label} {usd_rate(quote.price)}/month"
        monthly = count * rate
    else:
        basis = f"{HOURS_PER_MONTH} h {TIMES} {times}{label} {usd_rate(quote.price)}/h"
        monthly = HOURS_PER_MONTH * count * rate
    if discount:
        basis += f" {discount.describe()}"
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
    base = ctx.prices.storage(ctx.cloud, base_class, ctx.region)
    if not size_gib:
        # Nothing stored is $0 whatever the rate; the rate is still cited when the catalog has it.
        rate = ""
        if not isinstance(base, Unpriced):
            ctx.cite(base)
            top = f"{DASH}{usd_rate(base.price_max)}" if base.price_max is not None else ""
            rate = f" {TIMES} {base_class.upper()} {usd_rate(base.price)}{top}/GB-mo"
        return ctx.cost(
            0,
            0,
            f"0 GiB expected{rate} (no {EXPECTED_SIZE_TAG} tag/label; set expected_size_gib in config to estimate "
            "storage)",
        )
    size_text = f"{size_gib:g} GiB"
    if isinstance(base, Unpriced):
        return ctx.unknown(base.reason, f"{size_text} {TIMES} {base_class.upper()}")
    ctx.cite(base)
    steps = sorted(transitions or [])
    discount = ctx.price_book.discount(ctx.cloud)
    factor = (1 - discount.percent / 100) if discount else 1.0
    ceiling_rate = base.price_max if base.price_max is not None else base.price
    rate_text = usd_rate(base.price) + (f"{DASH}{usd_rate(base.price_max)}" if base.price_max is not None else "")
    basis = f"{size_text} {TIMES} {base_class.upper()} {rate_text}/GB-mo"
    if base.price_max is not None and base.note:
        basis += f" (derived range: {base.note})"
    floor_rate = base.price
    if steps:
        days, coldest_class = steps[-1]
        coldest = ctx.prices.storage(ctx.cloud, coldest_class, ctx.region)
        if isinstance(coldest, Unpriced):
            return ctx.unknown(coldest.reason, f"{basis} (ceiling) .. {coldest_class} after {days} d (floor)")
        ctx.cite(coldest)
        floor_rate = coldest.price
        basis += " (ceiling: new data) .. "
        basis += f"{coldest_class} {usd_rate(coldest.price)}/GB-mo after {days} d (floor: older data)"
    basis += f"; {tiering_note}"
    if discount:
        basis += f" {discount.describe()}"
    return ctx.cost(size_gib * floor_rate * factor, size_gib * ceiling_rate * factor, basis)


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
    floor, ceiling = sum(p.floor_usd or 0 for p in parts), sum(p.ceiling_usd or 0 for p in parts)
    ctx.cite(*(q for p in parts for q in p.figures))
    if any(p.list_floor_usd is not None for p in parts):
        list_floor = sum(p.list_floor_usd if p.list_floor_usd is not None else p.floor_usd or 0 for p in parts)
        list_ceiling = sum(p.list_ceiling_usd if p.list_ceiling_usd is not None else p.ceiling_usd or 0 for p in parts)
        return ctx.cost(floor, ceiling, basis, list_floor=list_floor, list_ceiling=list_ceiling)
    return ctx.cost(floor, ceiling, basis)
