"""The cost stage: prices every resource of a plan from the catalog (`catalog.costs`).

Adds `report.sections["costs"]`:
    {"currency": "USD", "hours_per_month": 730,
     "resources": [{"urn", "type", "cloud", "floor_usd", "ceiling_usd", "basis", "unknown_reason",
                    "usage_only", "list_floor_usd", "list_ceiling_usd", "as_of",
                    "sources": [{"source", "url", "as_of", "undated"}]}],
     "totals": {"floor_usd", "ceiling_usd", "unknown_count", "usage_count",
                "list_floor_usd", "list_ceiling_usd",
                "by_cloud": {"<cloud>": {"floor_usd", "ceiling_usd", "unknown_count"}}},
     "price_book": {"discounts": {...}} | null,
     "freshness": {"today", "max_age_days", "stale": [{"source", "as_of", "age_days", "resources"}],
                   "undated": [{"source", "as_of", "resources"}]}}
a `MONTHLY` table column (`$12.40`, `$0-$1,240`, `unknown`, `usage`, `$1,032 (list $1,637)`) and
footer lines with the per-cloud and overall floor and ceiling, the number of unpriced and
usage-billed items, the list-price totals when commitments discount some items, and warnings
about stale or undated prices. The verdict on the money (budget, increase, unknown prices) is the
policy pack's (rules C5, C6, C13): this stage never fails a run.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from catalog.costs import (
    HOURS_PER_MONTH,
    PriceBook,
    ResourceCost,
    StackCost,
    estimate_resources,
    estimate_stack,
    format_cost,
    format_range,
)
from preflight.costs import freshness
from preflight.costs.inputs import price_book_from_config, resource_inputs
from preflight.project import UsageError, load_project, load_stack_config
from preflight.records import ProgramRun
from preflight.report import PlanReport

PROGRESS = "pricing from the catalog"
"""What the progress line says while this stage runs."""
SECTION = "costs"
COLUMN = "MONTHLY"
CONFIG_CONTEXT_KEY = "stack_config"
"""Stage context key a caller may set to the stack's config values (fully qualified key -> the
engine's string value); without it the stage reads `Pulumi.<stack>.yaml` from `--cwd`."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    freshness.add_argument(parser)


def _stack_config(report: PlanReport, args: argparse.Namespace, context: Mapping[str, Any]) -> dict[str, str]:
    given = context.get(CONFIG_CONTEXT_KEY)
    if isinstance(given, Mapping):
        return dict(given)
    directory = getattr(args, "cwd", None) or Path.cwd()
    try:
        project = load_project(Path(directory))
        return load_stack_config(project, report.run.stack).values
    except UsageError:
        # A side whose files are gone (a diff's base worktree): list prices, provider regions only.
        return {}


def price_run(run: ProgramRun, config: Mapping[str, str]) -> tuple[list[ResourceCost], StackCost, PriceBook]:
    """Estimates for every priced resource of `run`, their totals, and the price book applied."""
    book = price_book_from_config(run.project, config)
    costs = estimate_resources(resource_inputs(run, config), price_book=book)
    return costs, estimate_stack(costs), book


def costs_section(costs: list[ResourceCost], totals: StackCost, book: PriceBook) -> dict[str, Any]:
    return {
        "currency": "USD",
        "hours_per_month": HOURS_PER_MONTH,
        "resources": [cost.to_json() for cost in costs],
        "totals": totals.to_json(),
        "price_book": book.to_json() if book.discounts else None,
    }


def footer_lines(totals: StackCost) -> list[str]:
    """`Monthly cost (USD, 730 h): $96-$1,264 (floor: pools at min nodes, ceiling: at max)` and
    one line per cloud; unpriced items are counted, never added as $0."""
    unpriced = (
        f"; {_items(totals.unknown_count)} unpriced, not included (MONTHLY = unknown)" if totals.unknown_count else ""
    )
    usage = (
        f"; {_items(totals.usage_count)} billed by usage only, not estimated (MONTHLY = usage)"
        if totals.usage_count
        else ""
    )
    lines = [
        f"Monthly cost (USD, {HOURS_PER_MONTH} h): {format_range(totals.floor_usd, totals.ceiling_usd)} "
        f"(floor: pools and endpoints at min, ceiling: at max){unpriced}{usage}"
    ]
    if totals.list_floor_usd is not None and totals.list_ceiling_usd is not None:
        at_list = format_range(totals.list_floor_usd, totals.list_ceiling_usd)
        lines.append(f"  (committed use as shown; at list prices: {at_list})")
    clouds = sorted(set(totals.by_cloud) | set(totals.unknown_by_cloud))
    for cloud in clouds:
        floor, ceiling = totals.by_cloud.get(cloud, (0.0, 0.0))
        unknown = totals.unknown_by_cloud.get(cloud, 0)
        suffix = f" + {_items(unknown)} unpriced" if unknown else ""
        lines.append(f"  {cloud}: {format_range(floor, ceiling)}{suffix}")
    return lines


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"


def apply(report: PlanReport, args: argparse.Namespace, context: dict[str, Any]) -> None:
    costs, totals, book = price_run(report.priced_run, _stack_config(report, args, context))
    today = context.get(freshness.TODAY_CONTEXT_KEY) or dt.date.today()
    fresh = freshness.freshness(costs, today, freshness.max_age(args))
    report.sections[SECTION] = costs_section(costs, totals, book) | {"freshness": fresh.to_json()}
    report.columns[COLUMN] = {cost.urn: format_cost(cost) for cost in costs}
    report.footer.extend(footer_lines(totals))
    report.footer.extend(fresh.lines())


def exit_code(report: PlanReport, args: argparse.Namespace) -> int:
    return 0
