"""Finding differences: findings keyed by (rule, URN), new in the head or fixed since the base,
with their class (mandatory, advisory, deferred, suppressed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from preflight.report import PlanReport

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
