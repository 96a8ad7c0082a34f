"""The human-readable plan: resources grouped under their components, key settings, totals."""

from __future__ import annotations

from preflight.key_settings import key_settings
from preflight.report import PlanReport, component_tree

BOLD, DIM, RESET = "\033[1m", "\033[2m", "\033[0m"


def short_type(type_: str) -> str:
    """`aws:eks/nodeGroup:NodeGroup` -> `aws:eks:NodeGroup`; components keep their token."""
    package, _, rest = type_.partition(":")
    module, _, name = rest.rpartition(":")
    return f"{package}:{module.split('/')[0]}:{name}" if module else type_


def render_table(report: PlanReport, *, color: bool = False) -> str:
    run = report.run
    extra_headers = list(report.columns)
    headers = ["TYPE", "NAME", "STATE", *extra_headers, "KEY SETTINGS"]
    rows: list[tuple[list[str], bool]] = []
    for depth, record in component_tree(run.resources):
        if record.is_provider:
            continue
        cells = [
            "  " * depth + short_type(record.type),
            record.name,
            "protected" if record.protect else "",
            *(report.columns[h].get(record.urn, "") for h in extra_headers),
            key_settings(record),
        ]
        rows.append((cells, record.is_component))
    widths = [max([len(headers[i])] + [len(c[i]) for c, _ in rows]) for i in range(len(headers) - 1)]

    def line(cells: list[str]) -> str:
        fixed = "  ".join(c.ljust(w) for c, w in zip(cells[:-1], widths, strict=True))
        return (fixed + "  " + cells[-1]).rstrip()

    out = [f"Stack {run.project}/{run.stack}: plan (offline, mock runtime)", "", line(headers)]
    for cells, is_component in rows:
        text = line(cells)
        out.append(f"{BOLD}{text}{RESET}" if color and is_component else text)
    summary = report.summary()
    clouds = ", ".join(f"{cloud} {count}" for cloud, count in summary["by_cloud"].items()) or "none"
    out += [
        "",
        f"Resources: {summary['resources']} in {summary['components']} components ({clouds}); "
        f"{summary['protected']} protected",
    ]
    out += report.footer
    for level, message in report.log:
        if level in ("warning", "error"):
            out.append(f"{level}: {message}")
    return "\n".join(out) + "\n"
