"""Cost differences between two plan reports: floor and ceiling totals, per cloud and in total,
absolute and percent; unknown stays unknown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from preflight.diff.resources import ResourceCost, money
from preflight.report import PlanReport


# -- costs --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Amount:
    """One monthly figure on both sides (None: unknown on that side)."""

    base: float | None
    head: float | None

    @property
    def delta(self) -> float | None:
        if self.base is None or self.head is None:
            return None
        return self.head - self.base

    @property
    def percent(self) -> float | None:
        """Change relative to the base, in percent; None when the base is 0 or unknown."""
        delta = self.delta
        if delta is None or not self.base:
            return None
        return delta / self.base * 100

    def to_json(self) -> dict[str, Any]:
        percent = self.percent
        return {
            "base": money(self.base),
            "head": money(self.head),
            "delta": money(self.delta),
            "percent": None if percent is None else round(percent, 1),
        }


@dataclass(frozen=True)
class CloudCost:
    floor: Amount
    ceiling: Amount


@dataclass(frozen=True)
class CostDiff:
    currency: str
    floor: Amount
    ceiling: Amount
    unknown_base: int | None
    unknown_head: int | None
    by_cloud: dict[str, CloudCost]

    def to_json(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "floor": self.floor.to_json(),
            "ceiling": self.ceiling.to_json(),
            "unknown_count": {"base": self.unknown_base, "head": self.unknown_head},
            "by_cloud": {
                cloud: {"floor": c.floor.to_json(), "ceiling": c.ceiling.to_json()}
                for cloud, c in sorted(self.by_cloud.items())
            },
        }


@dataclass(frozen=True)
class _Totals:
    currency: str
    floor: float | None
    ceiling: float | None
    unknown: int | None
    by_cloud: dict[str, tuple[float | None, float | None]]


_ZERO = _Totals(currency="USD", floor=0.0, ceiling=0.0, unknown=0, by_cloud={})
_UNKNOWN = _Totals(currency="USD", floor=None, ceiling=None, unknown=None, by_cloud={})


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _totals(section: dict[str, Any]) -> _Totals:
    totals = section.get("totals") or {}
    by_cloud: dict[str, tuple[float | None, float | None]] = {}
    for cloud, figures in (totals.get("by_cloud") or {}).items():
        if isinstance(figures, dict):
            by_cloud[cloud] = (_number(figures.get("floor_usd")), _number(figures.get("ceiling_usd")))
    unknown = totals.get("unknown_count")
    return _Totals(
        currency=str(section.get("currency") or "USD"),
        floor=_number(totals.get("floor_usd")),
        ceiling=_number(totals.get("ceiling_usd")),
        unknown=unknown if isinstance(unknown, int) else None,
        by_cloud=by_cloud,
    )


def side_totals(report: PlanReport | None, evaluated: bool) -> _Totals | None:
    """A side's totals: zero when the stack does not exist there, unknown when it could not be
    evaluated, None when the side has no costs section (the cost stage did not run)."""
    if not evaluated:
        return _UNKNOWN
    if report is None:
        return _ZERO
    section = report.sections.get("costs")
    return _totals(section) if isinstance(section, dict) else None


def _placeholder(totals: _Totals) -> bool:
    return totals is _ZERO or totals is _UNKNOWN


def cost_diff(base: _Totals | None, head: _Totals | None) -> CostDiff | None:
    if base is None or head is None or (_placeholder(base) and _placeholder(head)):
        return None
    clouds = sorted(set(base.by_cloud) | set(head.by_cloud))

    def side(totals: _Totals, cloud: str, index: int) -> float | None:
        if totals is _UNKNOWN:
            return None
        return totals.by_cloud.get(cloud, (0.0, 0.0))[index]

    return CostDiff(
        currency=head.currency if head is not _ZERO else base.currency,
        floor=Amount(base.floor, head.floor),
        ceiling=Amount(base.ceiling, head.ceiling),
        unknown_base=base.unknown,
        unknown_head=head.unknown,
        by_cloud={
            cloud: CloudCost(
                floor=Amount(side(base, cloud, 0), side(head, cloud, 0)),
                ceiling=Amount(side(base, cloud, 1), side(head, cloud, 1)),
            )
            for cloud in clouds
        },
    )


def resource_costs(report: PlanReport | None) -> dict[str, ResourceCost]:
    section = report.sections.get("costs") if report is not None else None
    if not isinstance(section, dict):
        return {}
    return {
        entry["urn"]: ResourceCost(
            floor_usd=_number(entry.get("floor_usd")),
            ceiling_usd=_number(entry.get("ceiling_usd")),
            unknown_reason=entry.get("unknown_reason"),
        )
        for entry in section.get("resources") or []
        if isinstance(entry, dict) and "urn" in entry
    }
