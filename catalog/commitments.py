"""Committed use: what a node pool pays when part of it is committed for a term (EC2 Reserved
Instances, Google committed use discounts, Azure reservations, Alibaba subscription), and the
tags through which a stack tells the estimate about commitments and capacity reservations.

A commitment is paid whether the nodes run or not, so committed nodes count at the discounted
rate in the floor AND the ceiling; nodes above the commitment run at the list rate:

    floor   = 730 h x (committed x rate x (1 - discount) + max(0, min - committed) x rate)
    ceiling = 730 h x (committed x rate x (1 - discount) + max(0, max - committed) x rate)

The list figure (min..max x rate) is reported next to it. Nodes on a capacity reservation are
priced on the reservation resource (it bills whether used or not) and left out of the pool's count.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from catalog.prices import PriceCatalog, Quote, Unpriced

COMMITMENT_TAG = "ai-infra-commitment"
"""Tag / label on a node pool: `<kind>-<term>` (`reserved-instance-1y`, `cud-3y`)."""
COMMITTED_NODES_TAG = "ai-infra-committed-nodes"
"""Tag / label on a node pool: how many of its nodes the commitment covers."""
RESERVED_NODES_TAG = "ai-infra-reserved-nodes"
"""Tag / label on a node pool: how many of its nodes run on a capacity reservation (priced there)."""

TERMS = ("1y", "3y")
_COMMITMENT = re.compile(r"^(?P<kind>[a-z][a-z0-9-]*[a-z0-9])-(?P<term>1y|3y)$")


@dataclass(frozen=True)
class PoolCommitment:
    """A commitment covering `nodes` nodes of a pool for `term`."""

    kind: str
    term: str
    nodes: int

    @property
    def tag_value(self) -> str:
        return f"{self.kind}-{self.term}"


def with_commitment_tags(
    tags: Mapping[str, str], commitment: PoolCommitment | None = None, reserved_nodes: int = 0
) -> dict[str, str]:
    """`tags` plus the commitment and reservation tags the estimate reads back (none when unset).
    Stacks write them only through this, so writer and reader agree on their format."""
    out = dict(tags)
    if commitment is not None and commitment.nodes > 0:
        out[COMMITMENT_TAG] = commitment.tag_value
        out[COMMITTED_NODES_TAG] = str(commitment.nodes)
    if reserved_nodes > 0:
        out[RESERVED_NODES_TAG] = str(reserved_nodes)
    return out


def _count(tags: Mapping[str, Any], key: str) -> int:
    raw = tags.get(key)
    text = str(raw).strip() if isinstance(raw, str | int) and not isinstance(raw, bool) else ""
    return int(text) if text.isdigit() else 0


def pool_commitment(tags: Any) -> PoolCommitment | None:
    """The commitment a pool's tags declare (None without one, or when malformed)."""
    if not isinstance(tags, Mapping):
        return None
    match = _COMMITMENT.match(str(tags.get(COMMITMENT_TAG) or ""))
    nodes = _count(tags, COMMITTED_NODES_TAG)
    if match is None or nodes <= 0:
        return None
    return PoolCommitment(match.group("kind"), match.group("term"), nodes)


def reserved_nodes(tags: Any) -> int:
    """How many of a pool's nodes its tags say run on a capacity reservation (0 when none)."""
    return _count(tags, RESERVED_NODES_TAG) if isinstance(tags, Mapping) else 0


@dataclass(frozen=True)
class CommitmentQuote:
    """A sourced discount: `percent` off the on-demand rate of `machine_type` for `term`."""

    kind: str
    term: str
    label: str
    percent: float
    quote: Quote
    """The figure with its source and date (`price` is the percentage)."""

    def apply(self, rate: float) -> float:
        return rate * (1 - self.percent / 100)


def commitment_kinds(prices: PriceCatalog, cloud: str) -> list[str]:
    """The commitment kinds the price file of `cloud` describes."""
    cloud_prices = prices.cloud(cloud)
    return sorted(cloud_prices.commitments) if cloud_prices is not None else []


def commitment_quote(
    prices: PriceCatalog, cloud: str, kind: str, term: str, machine_type: str
) -> CommitmentQuote | Unpriced:
    """The discount of committing `machine_type` for `term` under `kind`; an exact machine key
    wins over a glob pattern."""
    cloud_prices = prices.cloud(cloud)
    plan = cloud_prices.commitments.get(kind) if cloud_prices is not None else None
    if cloud_prices is None or plan is None:
        known = ", ".join(commitment_kinds(prices, cloud)) or "none"
        return Unpriced(f"{cloud} has no commitment kind {kind!r} in catalog/data/prices (known: {known})")
    rows = plan.terms.get(term)  # type: ignore[call-overload]
    if not rows:
        return Unpriced(f"{plan.label}: no {term} rates in catalog/data/prices/{cloud}.yaml")
    key = machine_type if machine_type in rows else None
    if key is None:
        key = next((p for p in rows if fnmatch.fnmatchcase(machine_type, p)), None)
    if key is None:
        return Unpriced(f"{plan.label} {term}: no rate for {machine_type} (rates for: {', '.join(rows)})")
    figure = rows[key]
    if figure.unknown is not None or figure.percent is None:
        return Unpriced(f"{plan.label} {term} for {machine_type}: {figure.unknown}")
    source = cloud_prices.sources[figure.source or ""]
    quote = Quote(
        item=f"{kind} {term} {key}",
        price=figure.percent,
        spot=None,
        spot_unknown=None,
        source=source,
        as_of=figure.as_of or source.as_of,
        region="*",
        note=figure.note,
    )
    return CommitmentQuote(kind, term, plan.label, figure.percent, quote)


def committed_hourly(
    rate: float, rate_max: float, low: int, high: int, committed: int, commitment: CommitmentQuote
) -> tuple[float, float]:
    """(floor, ceiling) per hour of a pool with `committed` nodes under `commitment`: committed
    nodes are paid at the discounted rate whether they run or not, the rest at `rate`
    (`rate_max`: the upper end of a derived rate range, for the ceiling)."""
    paid_floor = committed * commitment.apply(rate)
    paid_ceiling = committed * commitment.apply(rate_max)
    floor = paid_floor + max(0, low - committed) * rate
    ceiling = paid_ceiling + max(0, high - committed) * rate_max
    return floor, ceiling
