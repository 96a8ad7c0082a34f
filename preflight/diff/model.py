"""The difference between two plan reports of one stack, and the JSON document of a whole diff.

Resources are keyed by URN (added, removed, changed: the input paths that differ, with before and
after values as recorded, secrets already masked); costs compare the `costs` sections' totals
(floor and ceiling, per cloud and in total, absolute and percent); findings are keyed by
(rule, URN) and are new (only in the head) or fixed (only in the base).

JSON document (`preflight diff --format json`, `schema_version` below):
    {"schema_version", "kind": "preflight-diff", "project",
     "base": {"ref", "commit", "identical_to_head"}, "head": {"commit", "uncommitted_changes"},
     "judged_with": "<note>", "note": null | "<base `REF` (abc1234) is identical to the head: no changes>",
     "stacks": [{"stack", "status": added|removed|changed|unchanged|base-failed|head-failed,
                 "base_error", "head_error", "stack_file",
                 "resources": {"counts": {"base", "head"}, "added": [...], "removed": [...],
                               "changed": [...]},
                 "costs": null | {"currency", "floor": <amount>, "ceiling": <amount>,
                                  "unknown_count": {"base", "head"},
                                  "by_cloud": {"<cloud>": {"floor": <amount>, "ceiling": <amount>}}},
                 "findings": null | {"counts": {"base": <counts>, "head": <counts>},
                                     "new": [<finding>], "fixed": [<finding>]}}]}
    <amount> = {"base", "head", "delta", "percent"} in USD per month; `percent` is null when the
    base is 0 or unknown, `delta` is null when a side is unknown.
    A resource: {"urn", "type", "name", "component", "cost": {"base", "head"}} where each side is
    null or {"floor_usd", "ceiling_usd", "unknown_reason"}; changed ones add
    "inputs": [{"path", "before"?, "after"?}] (a missing key means absent on that side) and
    "options": [{"name", "before", "after"}] (protect, retain_on_delete, provider).
    A finding: the policy section's finding plus "class" (mandatory | advisory | suppressed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from preflight.records import ResourceRecord
from preflight.report import PlanReport

SCHEMA_VERSION = 1
"""Version of the diff JSON document; bumped on breaking changes."""

JUDGED_WITH = (
    "Both sides are judged with this checkout's policy pack and priced with this checkout's catalog, "
    "so differences are changes of the program, not of the rules or the price table."
)


class _Absent:
    """A value that does not exist on one side (a key added or removed)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


# -- resources ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InputChange:
    path: str
    """`versioningConfiguration.status`, `rules[0].transitions[1].days`, `tags["kubernetes.io/x"]`."""
    before: Any = ABSENT
    after: Any = ABSENT

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path}
        if self.before is not ABSENT:
            out["before"] = self.before
        if self.after is not ABSENT:
            out["after"] = self.after
        return out


@dataclass(frozen=True)
class ResourceCost:
    floor_usd: float | None
    ceiling_usd: float | None
    unknown_reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "floor_usd": _money(self.floor_usd),
            "ceiling_usd": _money(self.ceiling_usd),
            "unknown_reason": self.unknown_reason,
        }


ResourceStatus = Literal["added", "removed", "changed"]


@dataclass
class ResourceDiff:
    status: ResourceStatus
    urn: str
    type: str
    name: str
    component: bool
    inputs: list[InputChange] = field(default_factory=list)
    options: list[InputChange] = field(default_factory=list)
    """Changed resource options; `path` is the option name."""
    cost_base: ResourceCost | None = None
    cost_head: ResourceCost | None = None
    lineage: tuple[str, ...] = ()
    """Names from the top-level ancestor down to this resource: sorting by it lists children
    right under their component."""

    @property
    def depth(self) -> int:
        return max(len(self.lineage) - 1, 0)

    @property
    def counts_as_resource(self) -> bool:
        """Counted like the plan summary counts resources: custom, not a provider."""
        return not self.component and not self.type.startswith("pulumi:providers:")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "component": self.component,
            "cost": {
                "base": self.cost_base.to_json() if self.cost_base else None,
                "head": self.cost_head.to_json() if self.cost_head else None,
            },
        }
        if self.status == "changed":
            out["inputs"] = [c.to_json() for c in self.inputs]
            out["options"] = [{"name": c.path, "before": c.before, "after": c.after} for c in self.options]
        return out


_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def _child_path(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _PLAIN_KEY.match(key):
        return f"{path}.{key}" if path else key
    escaped = key.replace("\\", "\\\\").replace('"', '\\"')
    return f'{path}["{escaped}"]'


def input_changes(before: Any, after: Any, path: str = "") -> list[InputChange]:
    """The leaf paths where `before` and `after` differ, in a stable order (keys sorted, list
    items by index)."""
    if isinstance(before, dict) and isinstance(after, dict):
        found: list[InputChange] = []
        for key in sorted(set(before) | set(after)):
            child = _child_path(path, key)
            if key not in before:
                found.append(InputChange(child, after=after[key]))
            elif key not in after:
                found.append(InputChange(child, before=before[key]))
            else:
                found.extend(input_changes(before[key], after[key], child))
        return found
    if isinstance(before, list) and isinstance(after, list):
        found = []
        for index in range(max(len(before), len(after))):
            child = _child_path(path, index)
            if index >= len(before):
                found.append(InputChange(child, after=after[index]))
            elif index >= len(after):
                found.append(InputChange(child, before=before[index]))
            else:
                found.extend(input_changes(before[index], after[index], child))
        return found
    if before == after and type(before) is type(after):
        return []
    return [InputChange(path, before, after)]


# -- costs --------------------------------------------------------------------------------------------
def _money(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


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
            "base": _money(self.base),
            "head": _money(self.head),
            "delta": _money(self.delta),
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


def _side_totals(report: PlanReport | None, evaluated: bool) -> _Totals | None:
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


def _resource_costs(report: PlanReport | None) -> dict[str, ResourceCost]:
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


# -- findings -----------------------------------------------------------------------------------------
FindingClass = Literal["mandatory", "advisory", "deferred", "suppressed"]
_CLASS_ORDER = {"mandatory": 0, "advisory": 1, "deferred": 2, "suppressed": 3}


def finding_class(finding: dict[str, Any]) -> FindingClass:
    """`deferred`: a rule could not judge at preview and judges in the update phase."""
    if finding.get("suppressed"):
        return "suppressed"
    if finding.get("kind") == "deferred":
        return "deferred"
    return "mandatory" if finding.get("enforcement") == "mandatory" else "advisory"


def finding_sort_key(finding: dict[str, Any]) -> tuple[int, str, str, str]:
    """Mandatory first, then advisory, then suppressed; within a class by rule, URN, message."""
    return (
        _CLASS_ORDER[finding_class(finding)],
        str(finding.get("rule") or ""),
        str(finding.get("urn") or ""),
        str(finding.get("message") or ""),
    )


def findings_of(report: PlanReport | None) -> list[dict[str, Any]] | None:
    """The policy section's findings, sorted, once per rule, resource and class: a finding of
    both phases is one problem, listed with `phases` (e.g. ["preview", "update"]). None when the
    policy stage did not run."""
    if report is None:
        return []
    section = report.sections.get("policy")
    if not isinstance(section, dict):
        return None
    distinct: dict[tuple[str, str, str], dict[str, Any]] = {}
    for finding in sorted((f for f in section.get("findings") or [] if isinstance(f, dict)), key=finding_sort_key):
        key = (*_finding_key(finding), finding_class(finding))
        kept = distinct.setdefault(key, {**finding, "phases": []})
        phase = finding.get("phase")
        if phase and phase not in kept["phases"]:
            kept["phases"].append(phase)
    return list(distinct.values())


@dataclass(frozen=True)
class FindingCounts:
    mandatory: int
    advisory: int
    suppressed: int
    deferred: int = 0

    @classmethod
    def of(cls, findings: list[dict[str, Any]]) -> FindingCounts:
        classes = [finding_class(f) for f in findings]
        return cls(
            classes.count("mandatory"),
            classes.count("advisory"),
            classes.count("suppressed"),
            classes.count("deferred"),
        )

    def to_json(self) -> dict[str, int]:
        return {
            "mandatory": self.mandatory,
            "advisory": self.advisory,
            "deferred": self.deferred,
            "suppressed": self.suppressed,
        }


def _finding_key(finding: dict[str, Any]) -> tuple[str, str]:
    return (str(finding.get("rule") or ""), str(finding.get("urn") or ""))


@dataclass
class FindingsDiff:
    base: FindingCounts | None
    """None when the base could not be evaluated."""
    head: FindingCounts
    new: list[dict[str, Any]]
    fixed: list[dict[str, Any]]

    @property
    def new_mandatory(self) -> list[dict[str, Any]]:
        return [f for f in self.new if finding_class(f) == "mandatory"]

    def to_json(self) -> dict[str, Any]:
        return {
            "counts": {"base": self.base.to_json() if self.base else None, "head": self.head.to_json()},
            "new": [{**f, "class": finding_class(f)} for f in self.new],
            "fixed": [{**f, "class": finding_class(f)} for f in self.fixed],
        }


def findings_diff(base: list[dict[str, Any]] | None, head: list[dict[str, Any]] | None) -> FindingsDiff | None:
    if head is None:
        return None
    if base is None:
        return FindingsDiff(base=None, head=FindingCounts.of(head), new=[], fixed=[])
    base_keys = {_finding_key(f) for f in base}
    head_keys = {_finding_key(f) for f in head}
    return FindingsDiff(
        base=FindingCounts.of(base),
        head=FindingCounts.of(head),
        new=_first_per_key(f for f in head if _finding_key(f) not in base_keys),
        fixed=_first_per_key(f for f in base if _finding_key(f) not in head_keys),
    )


def _first_per_key(findings: Any) -> list[dict[str, Any]]:
    seen: set[tuple[str, str]] = set()
    kept = []
    for finding in sorted(findings, key=finding_sort_key):
        if _finding_key(finding) not in seen:
            seen.add(_finding_key(finding))
            kept.append(finding)
    return kept


# -- a stack ------------------------------------------------------------------------------------------
StackStatus = Literal["added", "removed", "changed", "unchanged", "base-failed", "head-failed"]
_STATUS_ORDER = {"added": 0, "removed": 1, "changed": 2}


@dataclass
class StackDiff:
    stack: str
    status: StackStatus
    stack_file: str
    """`Pulumi.<stack>.yaml` relative to the repository root (where SARIF results point)."""
    base_report: PlanReport | None
    head_report: PlanReport | None
    base_error: str | None = None
    """Why the base side could not be evaluated (status `base-failed`)."""
    head_error: str | None = None
    """Why the new side's program failed (status `head-failed`): the change breaks the stack."""
    resources: list[ResourceDiff] = field(default_factory=list)
    base_count: int | None = 0
    head_count: int | None = 0
    costs: CostDiff | None = None
    findings: FindingsDiff | None = None

    def of_status(self, status: ResourceStatus) -> list[ResourceDiff]:
        return [r for r in self.resources if r.status == status]

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "status": self.status,
            "base_error": self.base_error,
            "head_error": self.head_error,
            "stack_file": self.stack_file,
            "resources": {
                "counts": {"base": self.base_count, "head": self.head_count},
                "added": [r.to_json() for r in self.of_status("added")],
                "removed": [r.to_json() for r in self.of_status("removed")],
                "changed": [r.to_json() for r in self.of_status("changed")],
            },
            "costs": self.costs.to_json() if self.costs else None,
            "findings": self.findings.to_json() if self.findings else None,
        }


def _resource_count(report: PlanReport | None) -> int:
    return 0 if report is None else int(report.summary()["resources"])


def _lineages(records: dict[str, ResourceRecord]) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}

    def lineage(urn: str, seen: frozenset[str]) -> tuple[str, ...]:
        if urn not in found:
            record = records[urn]
            parent = record.parent
            above = lineage(parent, seen | {urn}) if parent in records and parent not in seen else ()
            found[urn] = (*above, record.name)
        return found[urn]

    for urn in records:
        lineage(urn, frozenset())
    return found


def diff_stack(
    stack: str,
    base: PlanReport | None,
    head: PlanReport | None,
    *,
    stack_file: str,
    base_error: str | None = None,
    head_error: str | None = None,
) -> StackDiff:
    """Compare one stack. `base`/`head` None: the stack does not exist on that side (all added or
    all removed); `base_error` / `head_error`: the stack exists on that side but its program
    failed (nothing is compared; the side that ran is still summed up)."""
    evaluated = base_error is None
    runs = head_error is None
    diff = StackDiff(
        stack=stack,
        status="base-failed" if runs else "head-failed",
        stack_file=stack_file,
        base_report=base,
        head_report=head,
        base_error=base_error,
        head_error=head_error,
        base_count=_resource_count(base) if evaluated else None,
        head_count=_resource_count(head) if runs else None,
    )
    diff.costs = cost_diff(_side_totals(base, evaluated), _side_totals(head, runs))
    diff.findings = findings_diff(findings_of(base) if evaluated else None, findings_of(head) if runs else None)
    if not evaluated or not runs:
        return diff

    before = base.run.by_urn() if base else {}
    after = head.run.by_urn() if head else {}
    lineage_of = {**_lineages(before), **_lineages(after)}
    costs_before, costs_after = _resource_costs(base), _resource_costs(head)
    for urn in sorted(set(before) | set(after)):
        old, new = before.get(urn), after.get(urn)
        record = new or old
        assert record is not None
        entry = ResourceDiff(
            status="changed",
            urn=urn,
            type=record.type,
            name=record.name,
            component=record.is_component,
            cost_base=costs_before.get(urn),
            cost_head=costs_after.get(urn),
            lineage=lineage_of[urn],
        )
        if old is None:
            entry.status = "added"
        elif new is None:
            entry.status = "removed"
        else:
            entry.inputs = input_changes(old.inputs, new.inputs)
            entry.options = [
                InputChange(name, getattr(old, name), getattr(new, name))
                for name in ("protect", "retain_on_delete", "provider")
                if getattr(old, name) != getattr(new, name)
            ]
            if not entry.inputs and not entry.options:
                continue
        diff.resources.append(entry)
    diff.resources.sort(key=lambda r: (_STATUS_ORDER[r.status], r.lineage, r.urn))

    if base is None:
        diff.status = "added"
    elif head is None:
        diff.status = "removed"
    else:
        findings_moved = diff.findings is not None and (diff.findings.new or diff.findings.fixed)
        diff.status = "changed" if diff.resources or findings_moved else "unchanged"
    return diff


# -- the whole diff -----------------------------------------------------------------------------------
@dataclass
class DiffReport:
    project: str
    base_ref: str
    base_commit: str
    head_commit: str | None
    head_dirty: bool
    stacks: list[StackDiff]
    base_identical: bool = False
    """The base's project directory is the head's (same git tree, nothing uncommitted): it was not
    evaluated again, the head's results stand for both sides and nothing changes."""

    @property
    def base_short(self) -> str:
        return self.base_commit[:7]

    @property
    def identical_note(self) -> str | None:
        """What every format says when the base was not evaluated because it is the head."""
        if not self.base_identical:
            return None
        return f"base `{self.base_ref}` ({self.base_short}) is identical to the head: no changes"

    @property
    def head_label(self) -> str:
        """`working tree (abc1234 + uncommitted changes)`."""
        commit = self.head_commit[:7] if self.head_commit else "no commits"
        return f"working tree ({commit}{' + uncommitted changes' if self.head_dirty else ''})"

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": "preflight-diff",
            "project": self.project,
            "base": {"ref": self.base_ref, "commit": self.base_commit, "identical_to_head": self.base_identical},
            "head": {"commit": self.head_commit, "uncommitted_changes": self.head_dirty},
            "judged_with": JUDGED_WITH,
            "note": self.identical_note,
            "stacks": [s.to_json() for s in self.stacks],
        }
