"""How old the price figures are: every figure carries the date it was current at its source
(`as_of`); a figure older than the allowed age (default 180 days) is stale, and a figure whose
source does not date its prices is undated. `preflight prices` and the cost report warn about
both; `tests/catalog/test_freshness.py` lists the stale entries of the shipped files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from catalog.price_models import CloudPrices, _Figure
from catalog.prices import PriceCatalog, Quote

DEFAULT_MAX_AGE_DAYS = 180
"""Figures older than this many days are reported as stale."""


@dataclass(frozen=True)
class FigureAge:
    """One figure of a price file with its date and age."""

    where: str
    """`aws: machines.g6.xlarge.us-east-1`."""
    as_of: dt.date
    age_days: int
    source: str
    undated: bool
    """The source does not date its figures (`as_of` is the day they were read)."""

    def describe(self) -> str:
        if self.undated:
            return f"{self.where}: undated source ({self.source}), read {self.as_of.isoformat()}"
        return f"{self.where}: as of {self.as_of.isoformat()} ({self.age_days} days old; {self.source})"


def _figures(prices: CloudPrices) -> Iterator[tuple[str, _Figure]]:
    tables: Mapping[str, Mapping[str, Mapping[str, _Figure]]] = {
        "machines": prices.machines,
        "hosting": prices.hosting,
        "accelerators": prices.accelerators,
        "fees": prices.fees,
        "storage": prices.storage,
        **{
            f"commitments.{kind}": {str(term): dict(rows) for term, rows in plan.terms.items()}
            for kind, plan in prices.commitments.items()
        },
    }
    for table, rows in tables.items():
        for item, regions in rows.items():
            for region, figure in regions.items():
                yield f"{prices.cloud}: {table}.{item}.{region}", figure


def figure_ages(prices: PriceCatalog, today: dt.date) -> list[FigureAge]:
    """Every sourced figure of every price file (explicit unknowns have no date to age)."""
    ages = []
    for _, cloud_prices in sorted(prices.clouds.items()):
        for where, figure in _figures(cloud_prices):
            if figure.unknown is not None or figure.source is None:
                continue
            source = cloud_prices.sources[figure.source]
            as_of = figure.as_of or source.as_of
            ages.append(FigureAge(where, as_of, (today - as_of).days, source.title, source.undated))
    return ages


def stale_figures(prices: PriceCatalog, today: dt.date, max_age_days: int = DEFAULT_MAX_AGE_DAYS) -> list[FigureAge]:
    """Dated figures older than `max_age_days` on `today`, oldest first."""
    stale = [a for a in figure_ages(prices, today) if not a.undated and a.age_days > max_age_days]
    return sorted(stale, key=lambda a: (a.as_of, a.where))


def undated_figures(prices: PriceCatalog, today: dt.date) -> list[FigureAge]:
    """Figures whose source does not say when they were current."""
    return [a for a in figure_ages(prices, today) if a.undated]


def is_stale(as_of: dt.date, today: dt.date, max_age_days: int = DEFAULT_MAX_AGE_DAYS) -> bool:
    return (today - as_of).days > max_age_days


def stale_quotes(quotes: Iterable[Quote], today: dt.date, max_age_days: int = DEFAULT_MAX_AGE_DAYS) -> list[Quote]:
    """The quotes older than `max_age_days`, or from an undated source (deduplicated, in order)."""
    found: list[Quote] = []
    for quote in quotes:
        if (quote.source.undated or is_stale(quote.as_of, today, max_age_days)) and quote not in found:
            found.append(quote)
    return found
