"""A stack's price book: negotiated discounts applied on top of the catalog's list prices.

Shape (stack config key `ai-infra:price_book`):

    discounts:
      aws: 10                 # percent off every AWS figure (enterprise discount program)
      aws:p5.48xlarge: 25     # percent off this machine type (savings plan, reservation)

A key is a cloud (`aws`, `gcp`, `azure`, `alicloud`) or `<cloud>:<machine type>`; the most
specific key wins (a machine's own discount replaces the cloud's, it does not add to it). A
discount applies to the figure whatever the capacity type (on-demand and spot alike); machine
keys also match hosting types (`aws:ml.g5.xlarge`). Values are percentages from 0 up to, not
including, 100.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from catalog.models import CLOUDS

MINUS = "\u2212"
"""Minus sign before a discount in bases (`- 10% (price book: aws)`, with the real sign)."""

_ITEM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
ALLOWED_KEYS = ("discounts",)


class PriceBookError(ValueError):
    """A malformed price book. `problems` holds (key path relative to the price book, what is
    wrong) pairs, e.g. (`discounts.aws`, `120 is not a percentage ...`); the path is empty for the
    price book itself."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("\n".join(self.lines()))

    def lines(self, prefix: str = "price_book") -> list[str]:
        """One line per problem, paths under `prefix` (`ai-infra:price_book.discounts.aws: ...`)."""
        return [f"{prefix}.{path}: {message}" if path else f"{prefix}: {message}" for path, message in self.problems]


@dataclass(frozen=True)
class Discount:
    percent: float
    key: str
    """The price-book key it came from (`aws`, `aws:p5.48xlarge`)."""

    def apply(self, price: float) -> float:
        return price * (1 - self.percent / 100)

    def describe(self) -> str:
        return f"{MINUS} {self.percent:g}% (price book: {self.key})"


@dataclass(frozen=True)
class PriceBook:
    discounts: Mapping[str, float] = field(default_factory=dict)

    def discount(self, cloud: str, item: str | None = None) -> Discount | None:
        """The discount for `item` (a machine type) on `cloud`: its own key, else the cloud's."""
        if item is not None and f"{cloud}:{item}" in self.discounts:
            key = f"{cloud}:{item}"
            return Discount(self.discounts[key], key)
        if cloud in self.discounts:
            return Discount(self.discounts[cloud], cloud)
        return None

    def to_json(self) -> dict[str, Any]:
        return {"discounts": dict(sorted(self.discounts.items()))}


EMPTY_PRICE_BOOK = PriceBook()


def discount_key_problem(key: str) -> str | None:
    """What is wrong with a discount key, or None. Shared with the stack-config model."""
    cloud, sep, item = key.partition(":")
    if cloud not in CLOUDS:
        return f"{cloud!r} is not a cloud (allowed keys: {', '.join(CLOUDS)}, or <cloud>:<machine type>)"
    if sep and not _ITEM.match(item):
        return f"{item!r} is not a machine type name (letters, digits, . _ -), as in 'aws:p5.48xlarge'"
    return None


def discount_value_problem(value: Any) -> str | None:
    """What is wrong with a discount percentage, or None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"{value!r} is not a number (allowed: a percentage from 0 up to, not including, 100)"
    if not 0 <= value < 100:
        return f"{value:g} is not a percentage from 0 up to, not including, 100"
    return None


def parse_price_book(raw: Mapping[str, Any] | PriceBook | None) -> PriceBook:
    """A validated price book from its config value (a mapping), or `PriceBookError`."""
    if raw is None:
        return EMPTY_PRICE_BOOK
    if isinstance(raw, PriceBook):
        return raw
    if not isinstance(raw, Mapping):
        raise PriceBookError([("", f"expected a mapping with the key 'discounts', got {raw!r}")])
    problems = [
        (str(key), f"unknown key (allowed: {', '.join(ALLOWED_KEYS)})") for key in raw if key not in ALLOWED_KEYS
    ]
    discounts_raw = raw.get("discounts") or {}
    discounts: dict[str, float] = {}
    if not isinstance(discounts_raw, Mapping):
        problems.append(
            (
                "discounts",
                f"expected a mapping of cloud or <cloud>:<machine type> to a percentage, got {discounts_raw!r}",
            )
        )
        discounts_raw = {}
    for key, value in discounts_raw.items():
        problem = discount_key_problem(str(key)) or discount_value_problem(value)
        if problem:
            problems.append((f"discounts.{key}", problem))
        else:
            discounts[str(key)] = float(value)
    if problems:
        raise PriceBookError(problems)
    return PriceBook(discounts)
