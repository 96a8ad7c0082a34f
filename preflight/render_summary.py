"""The default terminal report: what a reviewer needs in ten seconds, on one screen.

Order: per cloud what would be created (counts by service) with its monthly floor and ceiling;
the policy gates; every mandatory finding in full; the ten largest cost lines; one line of
advisory counts per rule. `preflight <stack> --details` prints the whole resource tree and every
finding (`render_table`). Works from the report's JSON sections, so it shows exactly what
`--format json` holds.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable
from typing import Any

from rich import box
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from catalog.costs import format_range
from catalog.prices import DASH
from preflight.diff.model import finding_class
from preflight.records import ROOT_STACK_TYPE
from preflight.render_table import short_type
from preflight.report import PlanReport, cloud_of

TOP_COSTS = 10
"""Cost lines shown by default (largest ceiling first)."""
SERVICES_PER_CLOUD = 3
"""Services named per cloud in the KINDS column before `+N more`."""
PHASE_COMMANDS = {"preview": "pulumi preview", "update": "pulumi up"}
DEFAULT_WIDTH = 120
WARNINGS_SHOWN = 3
"""Warnings printed in full (one line each) before the rest are counted."""


def render_summary(report: PlanReport, *, color: bool = False, width: int | None = None) -> str:
    """The summary-first report as text (ANSI styles only when `color`)."""
    console = Console(
        file=io.StringIO(),
        width=width or DEFAULT_WIDTH,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        emoji=False,
    )
    policy = _section(report, "policy")
    costs = _section(report, "costs")
    summary = report.summary()
    run = report.run
    phases = " + ".join(report.phases)
    console.print(
        Text.assemble(
            (f"{run.project}/{run.stack}", "bold"),
            f": + {summary['resources']} to create in {summary['components']} components, "
            f"{summary['protected']} protected (offline plan: {phases})",
        )
    )
    console.print(_cloud_table(report, costs))
    if costs is not None:
        _print_cost_notes(console, costs)
    if policy is not None:
        _print_policy(console, policy, run_stack_types(report))
    if costs is not None:
        _print_top_costs(console, costs)
    if policy is not None:
        _print_advisories(console, policy)
    _print_warnings(console, report)
    console.print(
        Text(
            "--details: every resource and finding · --format json|markdown|sarif: the full report",
            style="dim",
        )
    )
    file = console.file
    assert isinstance(file, io.StringIO)
    return "\n".join(line.rstrip() for line in file.getvalue().splitlines()) + "\n"


def _section(report: PlanReport, name: str) -> dict[str, Any] | None:
    section = report.sections.get(name)
    return section if isinstance(section, dict) else None


def run_stack_types(report: PlanReport) -> dict[str, str]:
    """urn -> type of every resource the listing shows (for naming finding targets)."""
    return {r.urn: r.type for r in report.run.resources}


# -- what would be created, and what it costs -------------------------------------------------------
def _services(types: Iterable[str]) -> str:
    """`ec2 24 · iam 18 · eks 6 · +3 more` from type tokens (service = the module's first part)."""
    counts = Counter(t.partition(":")[2].rpartition(":")[0].split("/")[0] or t for t in types)
    shown = [f"{service} {n}" for service, n in counts.most_common(SERVICES_PER_CLOUD)]
    rest = len(counts) - len(shown)
    return " · ".join(shown) + (f" · +{rest} more" if rest > 0 else "")


def _cloud_table(report: PlanReport, costs: dict[str, Any] | None) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for header, justify in (
        ("CLOUD", "left"),
        ("CREATE", "right"),
        ("PROTECTED", "right"),
        (f"MONTHLY (floor{DASH}ceiling)", "right"),
        ("UNPRICED", "right"),
        ("BY SERVICE", "left"),
    ):
        # Every column keeps its header and figures whole; only BY SERVICE is cut to what is left.
        squeezable = header == "BY SERVICE"
        table.add_column(
            header,
            justify=justify,  # type: ignore[arg-type]
            no_wrap=True,
            overflow="ellipsis",
            min_width=None if squeezable else max(len(header), 10 if header == "CLOUD" else 0),
        )
    created = [r for r in report.run.resources if r.custom and not r.is_provider and r.op == "create"]
    by_cloud: dict[str, list[str]] = {}
    protected: Counter[str] = Counter()
    for record in created:
        by_cloud.setdefault(cloud_of(record.type), []).append(record.type)
        protected[cloud_of(record.type)] += record.protect
    totals = (costs or {}).get("totals") or {}
    cost_by_cloud = totals.get("by_cloud") or {}
    for cloud in sorted(set(by_cloud) | set(cost_by_cloud)):
        figures = cost_by_cloud.get(cloud)
        table.add_row(
            cloud,
            str(len(by_cloud.get(cloud, []))),
            str(protected[cloud]),
            _range(figures) if figures else ("runs on priced nodes" if cloud == "kubernetes" else "-"),
            str((figures or {}).get("unknown_count") or "") if figures else "",
            _services(by_cloud.get(cloud, [])),
        )
    table.add_section()
    table.add_row(
        Text("total", style="bold"),
        str(len(created)),
        str(sum(protected.values())),
        _range(totals) if costs is not None else "not estimated",
        str(totals.get("unknown_count") or ""),
        "",
    )
    return table


def _range(figures: dict[str, Any]) -> str:
    floor, ceiling = figures.get("floor_usd"), figures.get("ceiling_usd")
    if not isinstance(floor, int | float) or not isinstance(ceiling, int | float):
        return "unknown"
    return format_range(floor, ceiling)


def _print_cost_notes(console: Console, costs: dict[str, Any]) -> None:
    totals = costs.get("totals") or {}
    notes = ["USD per month at 730 h; floor: pools and endpoints at min, ceiling: at max"]
    if totals.get("unknown_count"):
        count = totals["unknown_count"]
        notes.append(f"{count} unpriced item{'s are' if count != 1 else ' is'} not in the totals (never $0)")
    if totals.get("usage_count"):
        notes.append(f"{totals['usage_count']} billed by usage only")
    stale = (costs.get("freshness") or {}).get("stale") or []
    if stale:
        notes.append(f"{len(stale)} price source{'s' if len(stale) != 1 else ''} older than the freshness limit")
    console.print(Text("; ".join(notes) + ".", style="dim"))


def _print_top_costs(console: Console, costs: dict[str, Any]) -> None:
    priced = [
        e
        for e in costs.get("resources") or []
        if isinstance(e.get("ceiling_usd"), int | float) and e["ceiling_usd"] > 0 and not e.get("usage_only")
    ]
    if not priced:
        return
    priced.sort(key=lambda e: (-e["ceiling_usd"], -(e.get("floor_usd") or 0), e["urn"]))
    table = Table(
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
        title=f"Largest monthly costs (top {min(TOP_COSTS, len(priced))} of {len(priced)} priced)",
        title_justify="left",
        title_style="bold",
    )
    rows = [
        (
            _range(e),
            e.get("cloud") or "",
            # The cloud has its column: the kind (`NodeGroup`) is enough here.
            f"{e['urn'].rsplit('::', 1)[-1]} ({e['type'].rsplit(':', 1)[-1]})",
            e.get("basis") or "",
        )
        for e in priced[:TOP_COSTS]
    ]
    # Everything but the basis keeps its full width; the basis is cut to what is left (rich would
    # otherwise squeeze every no-wrap column, the figures included).
    used = 0
    for i, (header, justify) in enumerate((("MONTHLY", "right"), ("CLOUD", "left"), ("RESOURCE", "left"))):
        width = max(len(header), *(len(row[i]) for row in rows))
        used += width + 3
        table.add_column(header, justify=justify, no_wrap=True, min_width=width)  # type: ignore[arg-type]
    table.add_column("BASIS", overflow="ellipsis", no_wrap=True, max_width=max(12, console.width - used - 3))
    for row in rows:
        table.add_row(*row)
    console.print()
    console.print(table)


# -- policy -------------------------------------------------------------------------------------------
def _merged(findings: Iterable[dict[str, Any]]) -> list[tuple[dict[str, Any], list[str]]]:
    """Findings of both phases once each, with the phases they appear in."""
    groups: dict[tuple[Any, ...], tuple[dict[str, Any], list[str]]] = {}
    for finding in findings:
        key = (finding.get("rule"), finding.get("urn"), finding_class(finding), finding.get("message"))
        entry = groups.setdefault(key, (finding, []))
        if finding.get("phase") and finding["phase"] not in entry[1]:
            entry[1].append(finding["phase"])
    return list(groups.values())


def _print_policy(console: Console, policy: dict[str, Any], types: dict[str, str]) -> None:
    gates = policy.get("gates") or {}
    line = Text("Gates: ", style="bold")
    for i, (phase, gate) in enumerate(gates.items()):
        if i:
            line.append(" | ")
        refused = gate.get("verdict") == "refused"
        line.append(f"{PHASE_COMMANDS.get(phase, phase)} ")
        line.append("REFUSED" if refused else "PASS", style="bold red" if refused else "bold green")
        detail = f" ({gate.get('mandatory', 0)} mandatory"
        if gate.get("deferred"):
            detail += f", {gate['deferred']} judged at update"
        line.append(detail + ")")
    console.print()
    console.print(line)
    findings = _merged(policy.get("findings") or [])
    mandatory = [(f, p) for f, p in findings if finding_class(f) == "mandatory"]
    title = Text(f"Mandatory findings: {len(mandatory)}", style="bold red" if mandatory else "bold")
    console.print(title if mandatory else Text.assemble(title, " (nothing blocks pulumi up)"))
    for finding, phases in sorted(mandatory, key=lambda m: (m[0].get("rule") or "", m[0].get("urn") or "")):
        console.print(Text.assemble("  ", _finding_head(finding, phases, types)))
        # Long messages wrap under themselves, not under the rule name.
        console.print(Padding(Text(finding.get("message") or ""), (0, 0, 0, 6)))
        if finding.get("remediation"):
            console.print(Padding(Text(f"fix: {finding['remediation']}", style="dim"), (0, 0, 0, 6)))


def _finding_head(finding: dict[str, Any], phases: list[str], types: dict[str, str]) -> Text:
    urn = finding.get("urn") or ""
    # The URN's type chain ends with the resource's own type: `...::<parent>$<type>::<name>`.
    type_ = types.get(urn) or (urn.rsplit("::", 2)[-2].rsplit("$", 1)[-1] if urn.count("::") >= 2 else "")
    target = "the stack" if not urn or type_ == ROOT_STACK_TYPE else f"{urn.rsplit('::', 1)[-1]} ({short_type(type_)})"
    return Text.assemble(
        (finding.get("rule") or "?", "bold"),
        f" [{finding.get('severity') or '-'}] on {target} [{'+'.join(phases)}]",
    )


def _print_advisories(console: Console, policy: dict[str, Any]) -> None:
    findings = _merged(policy.get("findings") or [])
    for label, wanted in (("Advisory", "advisory"), ("Judged at update (unknown at preview)", "deferred")):
        per_rule = Counter(f.get("rule") or "?" for f, _ in findings if finding_class(f) == wanted)
        if not per_rule:
            continue
        listing = ", ".join(f"{rule} {n}" for rule, n in sorted(per_rule.items(), key=lambda kv: (-kv[1], kv[0])))
        console.print()
        console.print(Text.assemble((f"{label}: {sum(per_rule.values())} ", "bold"), f"({listing})"))
    suppressed = sum(1 for f, _ in findings if finding_class(f) == "suppressed")
    if suppressed:
        console.print(Text(f"Suppressed: {suppressed} (see --details for owners and expiry)"))


def _print_warnings(console: Console, report: PlanReport) -> None:
    """What the review could not see, and what the program warned about: in full when short."""
    lines = [f"{w.get('kind') or 'warning'}: {w.get('message')}" for w in report.warnings()]
    lines += [f"program: {m}" for level, m in report.log if level in ("warning", "error")]
    if not lines:
        return
    console.print()
    console.print(Text(f"Warnings: {len(lines)}", style="bold yellow"))
    for line in lines[:WARNINGS_SHOWN]:
        console.print(Text(f"  {line}"), overflow="ellipsis", no_wrap=True)
    if len(lines) > WARNINGS_SHOWN:
        console.print(Text(f"  ... {len(lines) - WARNINGS_SHOWN} more (see --details)"))
