"""The human-readable plan: resources grouped under their components, key settings, totals."""

from __future__ import annotations

from preflight.report import PlanReport, component_tree
from preflight.summaries import key_settings


def short_type(type_: str) -> str:
    """`aws:eks/nodeGroup:NodeGroup` -> `aws:eks:NodeGroup`; components keep their token."""
    package, _, rest = type_.partition(":")
    module, _, name = rest.rpartition(":")
    return f"{package}:{module.split('/')[0]}:{name}" if module else type_


def render_table(report: PlanReport) -> str:
    run = report.run
    rows: list[tuple[str, str, str, str]] = []
    for depth, record in component_tree(run.resources):
        if record.is_provider:
            continue
        flag = "protected" if record.protect else ""
        rows.append(("  " * depth + short_type(record.type), record.name, flag, key_settings(record)))
    headers = ("TYPE", "NAME", "STATE", "KEY SETTINGS")
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers[:3])]
    lines = [f"Stack {run.project}/{run.stack}: plan (offline, mock runtime)", ""]
    lines.append("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=False)) + "  " + headers[3])
    for row in rows:
        lines.append("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=False)) + "  " + row[3])
    summary = report.summary()
    lines.append("")
    clouds = ", ".join(f"{cloud} {count}" for cloud, count in summary["by_cloud"].items()) or "none"
    lines.append(
        f"Total: {summary['resources']} resources in {summary['components']} components "
        f"({clouds}); {summary['protected']} protected"
    )
    for level, message in report.log:
        if level in ("warning", "error"):
            lines.append(f"{level}: {message}")
    return "\n".join(lines) + "\n"
