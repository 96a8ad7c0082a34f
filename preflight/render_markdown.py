"""Markdown reports for pull-request comments: a plan (`preflight plan --format markdown`) and a
diff against a git ref (`preflight diff --format markdown`).

Both start with the hidden marker line `<!-- preflight-report -->` so that CI can find and update
its one comment instead of adding a new one per push. The output is deterministic (sorted, no
timestamps, no ANSI) so that it can be compared against golden files.
"""

from __future__ import annotations

from typing import Any

from preflight.comment_limit import fit_comment
from preflight.costs.notes import cost_notes
from preflight.diff.model import (
    Amount,
    CloudCost,
    CostDiff,
    DiffReport,
    InputChange,
    ResourceCost,
    ResourceDiff,
    StackDiff,
    finding_class,
    findings_of,
)
from preflight.markdown_text import (
    amount_change,
    code,
    details,
    findings_block,
    gates_line,
    plural,
    signed_count,
    signed_percent,
    signed_usd,
    usd,
    value_text,
)
from preflight.render_mermaid import render_mermaid
from preflight.render_table import short_type
from preflight.report import PlanReport, component_tree

# Re-exported: the diff table and tests format money and counts the same way as the comment.
__all__ = [
    "MARKER",
    "amount_change",
    "diff_headline",
    "priced_clouds",
    "render_diff_markdown",
    "render_plan_markdown",
    "signed_count",
    "signed_percent",
    "signed_usd",
    "usd",
]

MARKER = "<!-- preflight-report -->"
"""First line of every Markdown report: CI updates the comment that carries it."""


# -- plan ---------------------------------------------------------------------------------------------
def _plan_costs(report: PlanReport) -> dict[str, Any] | None:
    section = report.sections.get("costs")
    return section if isinstance(section, dict) else None


def render_plan_markdown(report: PlanReport) -> str:
    """One stack's plan as a pull-request comment."""
    run = report.run
    summary = report.summary()
    costs = _plan_costs(report)
    findings = findings_of(report)
    totals = (costs or {}).get("totals") or {}

    headline = [f"**{run.stack}**:"]
    if costs is not None:
        headline.append(f"monthly floor {usd(totals.get('floor_usd'))}, ceiling {usd(totals.get('ceiling_usd'))},")
    else:
        headline.append("costs not estimated,")
    if findings is not None:
        classes = [finding_class(f) for f in findings]
        headline.append(
            f"{plural(classes.count('mandatory'), 'mandatory finding')}, {classes.count('advisory')} advisory;"
        )
    headline.append(f"{plural(summary['resources'], 'resource')} in {plural(summary['components'], 'component')}")

    out = [MARKER, f"### preflight: `{run.project}` / `{run.stack}`", "", " ".join(headline), ""]
    gates = (
        (report.sections.get("policy") or {}).get("gates") if isinstance(report.sections.get("policy"), dict) else None
    )
    if gates:
        out += [gates_line(gates), ""]
    out += _plan_cost_table(report, costs)
    if findings:
        by_class = {
            c: [f for f in findings if finding_class(f) == c]
            for c in ("mandatory", "advisory", "deferred", "suppressed")
        }
        out += findings_block("Mandatory findings", by_class["mandatory"], collapsed=False)
        out += findings_block("Advisory findings", by_class["advisory"], collapsed=True)
        out += findings_block("Judged at update (not knowable at preview)", by_class["deferred"], collapsed=True)
        out += findings_block("Suppressed findings", by_class["suppressed"], collapsed=True)
    out += details(f"Resources ({summary['resources']})", _plan_resource_table(report, costs))
    out += details("Graph", ["```mermaid", render_mermaid(run).rstrip("\n"), "```"])
    return fit_comment("\n".join(out).rstrip("\n") + "\n")


def _plan_cost_table(report: PlanReport, costs: dict[str, Any] | None) -> list[str]:
    by_cloud_count = report.summary()["by_cloud"]
    totals = (costs or {}).get("totals") or {}
    cost_by_cloud = totals.get("by_cloud") or {}
    clouds = sorted(set(by_cloud_count) | set(cost_by_cloud))
    rows = ["| Cloud | Resources | Monthly floor | Monthly ceiling |", "|---|---:|---:|---:|"]
    for cloud in clouds:
        figures = cost_by_cloud.get(cloud) or {}
        floor = usd(figures.get("floor_usd")) if costs else "n/a"
        ceiling = usd(figures.get("ceiling_usd")) if costs else "n/a"
        rows.append(f"| {cloud} | {by_cloud_count.get(cloud, 0)} | {floor} | {ceiling} |")
    floor = usd(totals.get("floor_usd")) if costs else "n/a"
    ceiling = usd(totals.get("ceiling_usd")) if costs else "n/a"
    rows.append(f"| **Total** | **{report.summary()['resources']}** | **{floor}** | **{ceiling}** |")
    unknown = totals.get("unknown_count")
    if unknown:
        rows += ["", f"{plural(unknown, 'resource')} without a known price (not counted in the totals)."]
    return [*rows, *cost_notes(costs), ""]


def _cost_by_urn(costs: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    return {e["urn"]: e for e in (costs or {}).get("resources") or [] if isinstance(e, dict) and "urn" in e}


def _cost_cells(entry: dict[str, Any] | None) -> list[str]:
    if entry is None:
        return ["", ""]
    if entry.get("usage_only"):
        return ["usage", "usage"]
    return [usd(entry.get("floor_usd")), usd(entry.get("ceiling_usd"))]


def _indent(depth: int) -> str:
    # Leading spaces vanish in table cells; non-breaking ones keep children under their component.
    return "&nbsp;&nbsp;" * depth


def _plan_resource_table(report: PlanReport, costs: dict[str, Any] | None) -> list[str]:
    priced = _cost_by_urn(costs)
    header = "| Type | Name | Protected |" + (" Monthly floor | Monthly ceiling |" if costs else "")
    rows = [header, "|---|---|---|" + ("---:|---:|" if costs else "")]
    for depth, record in component_tree(report.run.resources):
        if record.is_provider:
            continue
        cells = [f"{_indent(depth)}{short_type(record.type)}", code(record.name), "yes" if record.protect else ""]
        if costs:
            cells += _cost_cells(priced.get(record.urn))
        rows.append("| " + " | ".join(cells) + " |")
    return rows


# -- diff ---------------------------------------------------------------------------------------------
def diff_headline(stack: StackDiff) -> str:
    """`**dev**: monthly floor +$412 (+18%), ceiling +$2,950 (+9%), 2 new mandatory findings; resources: 1 added`."""
    label = {"added": " (new stack)", "removed": " (removed stack)"}.get(stack.status, "")
    if stack.status == "head-failed":
        return f"**{stack.stack}**: the program fails with this change (nothing to compare)"
    parts: list[str] = []
    if stack.status == "base-failed":
        parts.append("the base could not be evaluated")
    costs = stack.costs
    if costs is None:
        parts.append("costs not estimated")
    elif costs.floor.delta is None:
        parts.append(f"monthly floor {usd(costs.floor.head)}, ceiling {usd(costs.ceiling.head)}")
    else:
        parts.append(f"monthly floor {amount_change(costs.floor)}, ceiling {amount_change(costs.ceiling)}")
    findings = stack.findings
    if findings is not None and stack.status != "base-failed":
        parts.append(plural(len(findings.new_mandatory), "new mandatory finding"))
        advisory = len(findings.new) - len(findings.new_mandatory)
        if advisory:
            parts.append(f"{advisory} other new")
        if findings.fixed:
            parts.append(f"{len(findings.fixed)} fixed")
    elif findings is not None:
        parts.append(plural(findings.head.mandatory, "mandatory finding"))
    text = f"**{stack.stack}**{label}: {', '.join(parts)}"
    if stack.status != "base-failed":
        text += f"; resources: {_resource_counts(stack)}"
    return text


def _resource_counts(stack: StackDiff) -> str:
    counted = [r for r in stack.resources if r.counts_as_resource]
    numbers = [(s, sum(1 for r in counted if r.status == s)) for s in ("added", "removed", "changed")]
    text = ", ".join(f"{n} {s}" for s, n in numbers if n)
    return text or "no changes"


def _money_row(label: str, amount: Amount) -> str:
    return f"| {label} | {usd(amount.base)} | {usd(amount.head)} | {amount_change(amount)} |"


def _count_row(label: str, base: int | None, head: int | None) -> str:
    return f"| {label} | {_count(base)} | {_count(head)} | {signed_count(base, head)} |"


def priced_clouds(costs: CostDiff) -> list[tuple[str, CloudCost]]:
    """Per-cloud rows, leaving out clouds at $0 on both sides (nothing priced there)."""
    return [
        (cloud, figures)
        for cloud, figures in costs.by_cloud.items()
        if any(value != 0 for a in (figures.floor, figures.ceiling) for value in (a.base, a.head))
    ]


def _comparison_table(stack: StackDiff) -> list[str]:
    rows = ["| | Previous | New | Diff |", "|---|---:|---:|---:|"]
    costs = stack.costs
    if costs is not None:
        rows.append(_money_row("Monthly floor", costs.floor))
        rows.append(_money_row("Monthly ceiling", costs.ceiling))
        if len(costs.by_cloud) > 1:
            for cloud, figures in priced_clouds(costs):
                rows.append(_money_row(f"{cloud} floor", figures.floor))
                rows.append(_money_row(f"{cloud} ceiling", figures.ceiling))
        if costs.unknown_base or costs.unknown_head:
            rows.append(_count_row("Resources without a known price", costs.unknown_base, costs.unknown_head))
    rows.append(_count_row("Resources", stack.base_count, stack.head_count))
    findings = stack.findings
    if findings is not None:
        for label, attribute in (("Mandatory", "mandatory"), ("Advisory", "advisory"), ("Suppressed", "suppressed")):
            base = getattr(findings.base, attribute) if findings.base else None
            head = getattr(findings.head, attribute)
            rows.append(f"| {label} findings | {_count(base)} | {head} | {signed_count(base, head)} |")
    return [*rows, ""]


def _count(value: int | None) -> str:
    return "n/a" if value is None else str(value)


def _cost_cell(resource: ResourceDiff, attribute: str) -> str:
    """Added: `+$1,175`; removed: `-$70`; changed: `$2.30 → $11.50` (or the one figure if equal)."""

    def figure(cost: ResourceCost | None) -> float | None:
        return None if cost is None else getattr(cost, attribute)

    before, after = figure(resource.cost_base), figure(resource.cost_head)
    if resource.status == "added":
        return "" if resource.cost_head is None else (signed_usd(after) if after is not None else "unknown")
    if resource.status == "removed":
        return "" if resource.cost_base is None else (signed_usd(-before) if before is not None else "unknown")
    if resource.cost_base is None and resource.cost_head is None:
        return ""
    old, new = usd(before), usd(after)
    return new if old == new else f"{old} → {new}"


_SIGN = {"added": "+", "removed": "-", "changed": "~"}


def _resource_rows(resources: list[ResourceDiff], *, priced: bool) -> list[str]:
    header = "| | Type | Name |" + (" Monthly floor | Monthly ceiling |" if priced else "")
    rows = [header, "|---|---|---|" + ("---:|---:|" if priced else "")]
    for resource in resources:
        cells = [_SIGN[resource.status], f"{_indent(resource.depth)}{short_type(resource.type)}", code(resource.name)]
        if priced:
            cells += [_cost_cell(resource, "floor_usd"), _cost_cell(resource, "ceiling_usd")]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def _change_rows(changes: list[InputChange], options: list[InputChange]) -> list[str]:
    rows = ["| Input | Previous | New |", "|---|---|---|"]
    rows += [f"| {code(c.path)} | {value_text(c.before)} | {value_text(c.after)} |" for c in changes]
    rows += [f"| {code(c.path)} (option) | {value_text(c.before)} | {value_text(c.after)} |" for c in options]
    return rows


def _resourcedetails(stack: StackDiff) -> list[str]:
    if not stack.resources:
        return []
    body = _resource_rows(stack.resources, priced=stack.costs is not None)
    for resource in stack.of_status("changed"):
        body += ["", f"**~ {code(resource.name)}** ({short_type(resource.type)})", ""]
        body += _change_rows(resource.inputs, resource.options)
    return details(f"Resources: {_resource_counts(stack)}", body)


def _error_block(intro: str, error: str | None) -> list[str]:
    text = error or ""
    fence = "```"
    while fence in text:  # a fence longer than any run of backticks in the message
        fence += "`"
    return [intro, "", fence, *text.splitlines(), fence, ""]


def _stack_section(stack: StackDiff) -> list[str]:
    out = [f"#### `{stack.stack}`", ""]
    if stack.status == "head-failed":
        out += _error_block("The stack's program fails with this change:", stack.head_error)
    elif stack.status == "base-failed":
        out += _error_block("The base could not be evaluated, so only the new side is shown:", stack.base_error)
    elif stack.status == "unchanged":
        out += ["No changes to resources or findings.", ""]
    out += _comparison_table(stack)
    findings = stack.findings
    if findings is not None and stack.status not in ("base-failed", "head-failed"):
        out += findings_block("New mandatory findings", findings.new_mandatory, collapsed=False)
        others = [f for f in findings.new if finding_class(f) != "mandatory"]
        out += findings_block("Other new findings", others, collapsed=True)
        out += findings_block("Fixed findings", findings.fixed, collapsed=True)
    elif findings is not None and stack.head_report is not None:
        head_findings = findings_of(stack.head_report) or []
        out += findings_block(
            "Mandatory findings", [f for f in head_findings if finding_class(f) == "mandatory"], collapsed=False
        )
    out += _resourcedetails(stack)
    return out


def render_diff_markdown(diff: DiffReport) -> str:
    """The pull-request comment: a headline per stack, then per stack a Previous / New / Diff
    table, new mandatory findings, and the rest collapsed."""
    out = [
        MARKER,
        f"### preflight diff: `{diff.project}` against `{diff.base_ref}` ({diff.base_short})",
        "",
        *(f"- {diff_headline(stack)}" for stack in diff.stacks),
        "",
        f"<sub>Previous: `{diff.base_ref}` ({diff.base_short}). New: {diff.head_label}. "
        f"Both sides are judged with the new side's policy pack and priced with its catalog, so the "
        f"differences are changes of the program, not of the rules or the price table.</sub>",
        "",
    ]
    if diff.identical_note:
        # The base was not evaluated again (preflight/diff/build.py): say why nothing changes.
        out[3:3] = [f"**Note:** {diff.identical_note}.", ""]
    for stack in diff.stacks:
        out += _stack_section(stack)
    return fit_comment("\n".join(out).rstrip("\n") + "\n")
