"""Which prices in a cost report are stale or undated: the `freshness` part of the costs section
and the warning lines under the table. A figure older than `--max-price-age-days` (default 180)
is stale; a figure from a source that does not date its prices is undated. Warnings, never a
failure: the estimate is still the best the catalog has."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from catalog.costs import ResourceCost
from catalog.freshness import DEFAULT_MAX_AGE_DAYS, stale_quotes

OPTION = "--max-price-age-days"
TODAY_CONTEXT_KEY = "today"
"""Stage context key a caller (a test) may set to the date freshness is judged on."""


def add_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        OPTION,
        dest="max_price_age_days",
        type=int,
        default=DEFAULT_MAX_AGE_DAYS,
        metavar="DAYS",
        help=f"warn about price figures older than DAYS (default {DEFAULT_MAX_AGE_DAYS})",
    )


def max_age(args: argparse.Namespace) -> int:
    return int(getattr(args, "max_price_age_days", DEFAULT_MAX_AGE_DAYS) or DEFAULT_MAX_AGE_DAYS)


@dataclass
class _SourceUse:
    title: str
    as_of: dt.date
    undated: bool
    urns: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Freshness:
    """Stale and undated sources among the figures a report used."""

    today: dt.date
    max_age_days: int
    stale: list[_SourceUse]
    undated: list[_SourceUse]

    def to_json(self) -> dict[str, Any]:
        def entry(use: _SourceUse) -> dict[str, Any]:
            return {
                "source": use.title,
                "as_of": use.as_of.isoformat(),
                "age_days": (self.today - use.as_of).days,
                "resources": use.urns,
            }

        return {
            "today": self.today.isoformat(),
            "max_age_days": self.max_age_days,
            "stale": [entry(u) for u in self.stale],
            "undated": [{k: v for k, v in entry(u).items() if k != "age_days"} for u in self.undated],
        }

    def lines(self) -> list[str]:
        """Warning lines for the table footer (none when every figure is fresh and dated)."""
        out = []
        if self.stale:
            out.append(f"Prices older than {self.max_age_days} days (refresh catalog/data/prices):")
            for use in self.stale:
                age = (self.today - use.as_of).days
                out.append(f"  {use.title}: as of {use.as_of.isoformat()} ({age} days), {_count(use.urns)}")
        if self.undated:
            out.append("Prices from sources that do not date them:")
            out += [f"  {use.title}: read {use.as_of.isoformat()}, {_count(use.urns)}" for use in self.undated]
        return out


def _count(urns: list[str]) -> str:
    return "1 resource" if len(urns) == 1 else f"{len(urns)} resources"


def freshness(costs: Iterable[ResourceCost], today: dt.date, max_age_days: int) -> Freshness:
    """The stale and undated sources behind `costs`, oldest first, with the resources using each."""
    by_source: dict[tuple[str, bool], _SourceUse] = {}
    for cost in costs:
        for quote in stale_quotes(cost.figures, today, max_age_days):
            key = (quote.source.title, quote.source.undated)
            use = by_source.setdefault(key, _SourceUse(quote.source.title, quote.as_of, quote.source.undated))
            use.as_of = min(use.as_of, quote.as_of)
            if cost.urn not in use.urns:
                use.urns.append(cost.urn)
    uses = sorted(by_source.values(), key=lambda u: (u.as_of, u.title))
    return Freshness(today, max_age_days, [u for u in uses if not u.undated], [u for u in uses if u.undated])
