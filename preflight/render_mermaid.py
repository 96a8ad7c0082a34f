"""A Mermaid `flowchart LR` of a plan: the stack, its components, and their children.

Components are nodes; the custom resources under a parent are grouped by type with a count
(`aws:s3:BucketPolicy x3`) so that a stack with hundreds of resources stays readable. Providers
are left out (plumbing, not architecture). Component ids are derived from names, sanitized to
`[A-Za-z0-9_]` and made unique in a fixed order; a type group's id is its parent's id and its
position (`c_dev_models_2`). The output is deterministic, and small changes to the program make
small changes to the graph.

Dotted `watches` edges join the component of an alarm (or alert rule group, or metrics scraper)
to the component of the endpoint or cluster it watches (see `preflight.watch_edges`).
"""

from __future__ import annotations

import re

from preflight.records import ProgramRun, ResourceRecord
from preflight.render_table import short_type
from preflight.watch_edges import watch_edges

_UNSAFE = re.compile(r"[^A-Za-z0-9_]+")


def _label(text: str) -> str:
    # Inside a quoted label Mermaid reads entity codes; quotes and angle brackets must be escaped.
    return text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


class _Ids:
    """Sanitized, unique node ids, handed out in call order."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def make(self, prefix: str, text: str) -> str:
        base = f"{prefix}_{_UNSAFE.sub('_', text).strip('_')}".rstrip("_")
        candidate, suffix = base, 2
        while candidate in self._taken:
            candidate, suffix = f"{base}_{suffix}", suffix + 1
        self._taken.add(candidate)
        return candidate


def render_mermaid(run: ProgramRun) -> str:
    """The graph as Mermaid source (no Markdown fence)."""
    shown = [r for r in run.resources if not r.is_provider]
    known = {r.urn for r in shown}
    children: dict[str | None, list[ResourceRecord]] = {}
    for record in shown:
        parent = record.parent if record.parent in known else None
        children.setdefault(parent, []).append(record)

    ids = _Ids()
    lines = ["flowchart LR", f'  stack["{_label(f"{run.project} / {run.stack}")}"]:::stack']
    edges: list[str] = []
    component_nodes: dict[str, str] = {}

    def walk(parent_urn: str | None, parent_id: str) -> None:
        below = children.get(parent_urn, [])
        for component in sorted((r for r in below if r.is_component), key=lambda r: (r.type, r.name)):
            node = ids.make("c", component.name)
            component_nodes[component.urn] = node
            lines.append(
                f'  {node}["{_label(component.name)}<br/><small>{_label(component.type)}</small>"]:::component'
            )
            edges.append(f"  {parent_id} --> {node}")
            walk(component.urn, node)
        counts: dict[str, int] = {}
        for record in below:
            if not record.is_component:
                counts[short_type(record.type)] = counts.get(short_type(record.type), 0) + 1
        for index, (type_, count) in enumerate(sorted(counts.items()), start=1):
            # Short ids keep big stacks under Mermaid's text size limit (50,000 characters).
            node = ids.make(parent_id, str(index))
            suffix = f" x{count}" if count > 1 else ""
            lines.append(f'  {node}["{_label(type_ + suffix)}"]')
            edges.append(f"  {parent_id} --> {node}")

    walk(None, "stack")
    edges += [f"  {src} -. watches .-> {dst}" for src, dst in watch_edges(shown, component_nodes)]
    lines += edges
    lines += [
        "  classDef stack fill:#eef,stroke:#446,stroke-width:2px",
        "  classDef component fill:#efe,stroke:#464",
    ]
    return "\n".join(lines) + "\n"
