"""The terminal rendering of a diff: per stack, the resources that change, the cost deltas and the
findings that are new or fixed. Colors only when asked for (a terminal without --no-color)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from preflight.diff.model import (
    ABSENT,
    JUDGED_WITH,
    DiffReport,
    ResourceDiff,
    StackDiff,
    finding_class,
    findings_of,
)
from preflight.render_markdown import amount_change, diff_headline, priced_clouds, signed_count, usd
from preflight.render_table import short_type

_COLORS = {"added": "\033[32m", "removed": "\033[31m", "changed": "\033[33m", "mandatory": "\033[31m"}
BOLD, RESET = "\033[1m", "\033[0m"
_SIGN = {"added": "+", "removed": "-", "changed": "~"}


def _value(value: Any) -> str:
    if value is ABSENT:
        return "(absent)"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= 100 else text[:99] + "…"


def _finding_text(finding: dict[str, Any]) -> str:
    return f"{finding.get('rule')} {finding.get('urn') or '(stack)'}: {finding.get('message')}"


def _indented_type(resource: ResourceDiff) -> str:
    return "  " * resource.depth + short_type(resource.type)


def _plain_headline(stack: StackDiff) -> str:
    return diff_headline(stack).replace("**", "")


def _stack_lines(stack: StackDiff, paint: Callable[[str, str], str]) -> list[str]:
    out = [paint(BOLD, _plain_headline(stack))]
    if stack.base_error:
        out += [f"  base could not be evaluated: {line}" for line in stack.base_error.splitlines()]
    if stack.head_error:
        out += [
            paint(_COLORS["mandatory"], f"  fails with this change: {line}") for line in stack.head_error.splitlines()
        ]
    width = max([len(_indented_type(r)) for r in stack.resources] + [0])
    for resource in stack.resources:
        sign = _SIGN[resource.status]
        text = f"  {sign} {_indented_type(resource).ljust(width)}  {resource.name}"
        out.append(paint(_COLORS[resource.status], text))
        for change in [*resource.inputs, *resource.options]:
            out.append(f"      {'  ' * resource.depth}{change.path}: {_value(change.before)} -> {_value(change.after)}")
    costs = stack.costs
    if costs is not None:
        rows = [("monthly floor", costs.floor), ("monthly ceiling", costs.ceiling)]
        if len(costs.by_cloud) > 1:
            for cloud, figures in priced_clouds(costs):
                rows += [(f"  {cloud} floor", figures.floor), (f"  {cloud} ceiling", figures.ceiling)]
        out.append(f"  {'cost (USD/month)':<18} {'previous':>12} {'new':>12}  diff")
        for label, amount in rows:
            out.append(f"  {label:<18} {usd(amount.base):>12} {usd(amount.head):>12}  {amount_change(amount)}")
        if costs.unknown_base or costs.unknown_head:
            out.append(
                f"  {'unpriced resources':<18} {costs.unknown_base!s:>12} {costs.unknown_head!s:>12}  "
                f"{signed_count(costs.unknown_base, costs.unknown_head)}"
            )
    findings = stack.findings
    if findings is not None and stack.status != "base-failed":
        for status, listed in (("new", findings.new), ("fixed", findings.fixed)):
            for finding in listed:
                klass = finding_class(finding)
                text = f"  {status} {klass}: {_finding_text(finding)}"
                out.append(paint(_COLORS["mandatory"], text) if status == "new" and klass == "mandatory" else text)
    elif stack.head_report is not None:
        for finding in findings_of(stack.head_report) or []:
            if finding_class(finding) == "mandatory":
                out.append(f"  mandatory: {_finding_text(finding)}")
    return out


def render_diff_table(diff: DiffReport, *, color: bool = False) -> str:
    def paint(code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if color else text

    out = [
        f"preflight diff {diff.project}: previous {diff.base_ref} ({diff.base_short}) -> new {diff.head_label}",
        JUDGED_WITH,
    ]
    if diff.identical_note:
        out.append(diff.identical_note.replace("`", ""))
    for stack in diff.stacks:
        out += ["", *_stack_lines(stack, paint)]
    return "\n".join(out) + "\n"
