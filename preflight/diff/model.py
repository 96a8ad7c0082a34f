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

from dataclasses import dataclass, field
from typing import Any, Literal

from preflight.diff.costs import Amount, CloudCost, CostDiff, cost_diff, resource_costs, side_totals
from preflight.diff.findings import FindingClass, FindingCounts, FindingsDiff, finding_class, findings_diff, findings_of
from preflight.diff.resources import ABSENT, InputChange, ResourceCost, ResourceDiff, ResourceStatus, input_changes
from preflight.records import ResourceRecord
from preflight.report import PlanReport

# The diff's parts live in their own modules; importers keep using this one.
__all__ = [
    "ABSENT",
    "JUDGED_WITH",
    "SCHEMA_VERSION",
    "Amount",
    "CloudCost",
    "CostDiff",
    "DiffReport",
    "FindingClass",
    "FindingCounts",
    "FindingsDiff",
    "InputChange",
    "ResourceCost",
    "ResourceDiff",
    "ResourceStatus",
    "StackDiff",
    "diff_stack",
    "finding_class",
    "findings_of",
    "input_changes",
]

SCHEMA_VERSION = 1
"""Version of the diff JSON document; bumped on breaking changes."""

JUDGED_WITH = (
    "Both sides are judged with this checkout's policy pack and priced with this checkout's catalog, "
    "so differences are changes of the program, not of the rules or the price table."
)


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
    diff.costs = cost_diff(side_totals(base, evaluated), side_totals(head, runs))
    diff.findings = findings_diff(findings_of(base) if evaluated else None, findings_of(head) if runs else None)
    if not evaluated or not runs:
        return diff

    before = base.run.by_urn() if base else {}
    after = head.run.by_urn() if head else {}
    lineage_of = {**_lineages(before), **_lineages(after)}
    costs_before, costs_after = resource_costs(base), resource_costs(head)
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
