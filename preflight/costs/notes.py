"""Lines under a cost table in Markdown reports (pull-request comments): items billed by usage
only, the list-price totals when commitments discount some items, and stale or undated prices.
The table renderer owns the figures; these lines say what the figures leave out or rest on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _usd(value: Any) -> str:
    return f"${value:,.0f}" if isinstance(value, int | float) else "unknown"


def _resources(entry: Mapping[str, Any]) -> str:
    count = len(entry.get("resources") or [])
    return "1 resource" if count == 1 else f"{count} resources"


def cost_notes(costs: Mapping[str, Any] | None) -> list[str]:
    """Markdown lines (empty when there is nothing to add)."""
    if not costs:
        return []
    totals = costs.get("totals") or {}
    lines = []
    usage = totals.get("usage_count")
    if usage:
        lines.append(f"{usage} billed by usage only (logs, key operations): not estimated, not in the totals.")
    if totals.get("list_floor_usd") is not None:
        lines.append(
            f"Committed use is applied; at list prices the totals would be {_usd(totals.get('list_floor_usd'))} "
            f"to {_usd(totals.get('list_ceiling_usd'))}."
        )
    freshness = costs.get("freshness") or {}
    for entry in freshness.get("stale") or []:
        lines.append(
            f"Price older than {freshness.get('max_age_days')} days: {entry['source']} "
            f"(as of {entry['as_of']}, {entry['age_days']} days; {_resources(entry)})."
        )
    for entry in freshness.get("undated") or []:
        lines.append(f"Undated price source: {entry['source']} ({_resources(entry)}).")
    return [""] + [f"- {line}" for line in lines] if lines else []
