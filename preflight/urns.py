"""URN stability: the sorted URNs of a run, snapshots of them, and the check that tells a rename
(covered by an alias) from a replacement (the engine would delete the old resource).

A resource's URN is its identity in the Pulumi state. When a refactor changes a URN without an
alias, `pulumi up` creates the new resource and deletes the old one: for a bucket, a KMS key or a
cluster that is data loss. The check resolves aliases the way the engine does
(`collapseAliasToUrn`, `generateAliases` and `inheritedChildAlias` in pkg/resource/deploy/
step_generator.go): explicit alias URNs, alias specs (name/type/parent/stack/project with the
resource's own values as defaults) and the aliases children inherit from an aliased parent.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog import is_stateful
from preflight.records import ROOT_STACK_TYPE, ProgramRun, ResourceRecord


def stack_urns(run: ProgramRun) -> list[str]:
    """Every URN the run registered (components, custom resources, explicit providers), sorted."""
    return sorted({record.urn for record in run.resources})


def render_urns(urns: Iterable[str]) -> str:
    """The snapshot file format: one URN per line, sorted."""
    return "".join(f"{urn}\n" for urn in sorted(urns))


def read_snapshot(path: Path) -> list[str]:
    """URNs of a snapshot file (blank lines and `#` comments are ignored)."""
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return sorted({line for line in lines if line and not line.startswith("#")})


# -- URN anatomy: urn:pulumi:<stack>::<project>::<qualified type>::<name> ------------------------
def _split(urn: str) -> tuple[str, str, str, str]:
    head, project, qualified_type, name = urn.split("::", 3)
    return head.removeprefix("urn:pulumi:"), project, qualified_type, name


def urn_name(urn: str) -> str:
    return _split(urn)[3]


def urn_qualified_type(urn: str) -> str:
    """`ai-infra:aws:Bucket$aws:s3/bucket:Bucket` (the parent type chain, then the type)."""
    return _split(urn)[2]


def urn_type(urn: str) -> str:
    """The resource's own type token (the last link of the qualified type)."""
    return urn_qualified_type(urn).rsplit("$", 1)[-1]


def create_urn(*, name: str, type_: str, parent: str | None, project: str, stack: str) -> str:
    """The URN the engine gives a resource (`resource.CreateURN`): children of a parent other
    than the root stack carry the parent's qualified type as a prefix."""
    qualified = type_
    if parent and urn_qualified_type(parent) != ROOT_STACK_TYPE:
        qualified = f"{urn_qualified_type(parent)}${type_}"
    return f"urn:pulumi:{stack}::{project}::{qualified}::{name}"


# -- alias resolution ----------------------------------------------------------------------------
class _AliasResolver:
    """Computes, for each new resource, the URNs its aliases stand for, given the aliases its
    ancestors actually matched (the engine's `sg.aliases`: new URN -> old URN)."""

    def __init__(self, run: ProgramRun):
        self.run = run
        self.matched: dict[str, str] = {}

    def _collapse(self, record: ResourceRecord, alias: dict[str, Any]) -> str:
        if alias.get("urn"):
            return str(alias["urn"])
        spec = alias.get("spec") or {}
        parent: str | None = spec.get("parentUrn") or None
        # An explicit parent that was itself renamed is found in the old state under its old URN.
        parent = record.parent if parent is None else self.matched.get(parent, parent)
        if spec.get("noParent"):
            parent = None
        return create_urn(
            name=spec.get("name") or record.name,
            type_=spec.get("type") or record.type,
            parent=parent,
            project=spec.get("project") or self.run.project,
            stack=spec.get("stack") or self.run.stack,
        )

    def _inherited(self, child_type: str, child_name: str, parent_name: str, parent_alias: str) -> str:
        # Children named `<parent name>-<role>` follow a renamed parent's name, as the engine assumes.
        alias_name = child_name
        if child_name.startswith(parent_name):
            alias_name = urn_name(parent_alias) + child_name[len(parent_name) :]
        return create_urn(
            name=alias_name, type_=child_type, parent=parent_alias, project=self.run.project, stack=self.run.stack
        )

    def aliases(self, record: ResourceRecord) -> list[str]:
        found = [self._collapse(record, alias) for alias in record.aliases]
        parent_alias = self.matched.get(record.parent) if record.parent else None
        if record.parent and parent_alias:
            parent_name = urn_name(record.parent)
            inherited = [self._inherited(record.type, record.name, parent_name, parent_alias)]
            for own in list(found):
                inherited.append(self._inherited(urn_type(own), urn_name(own), parent_name, parent_alias))
            found.extend(inherited)
        return list(dict.fromkeys(found))


def _parents_first(run: ProgramRun) -> list[ResourceRecord]:
    """Registration order already puts parents first; sorting by depth keeps that guarantee for
    runs assembled some other way."""
    depth: dict[str, int] = {}
    by_urn = run.by_urn()

    def depth_of(record: ResourceRecord) -> int:
        if record.urn not in depth:
            parent = by_urn.get(record.parent) if record.parent else None
            depth[record.urn] = 0 if parent is None else depth_of(parent) + 1
        return depth[record.urn]

    return sorted(run.resources, key=depth_of)


# -- the check -----------------------------------------------------------------------------------
@dataclass
class UrnCheck:
    """How a run's URNs compare with a snapshot of an earlier state."""

    stack: str
    snapshot: str
    """Where the snapshot came from (a file path, for messages)."""
    disappeared: list[str] = field(default_factory=list)
    """Old URNs no new resource claims: the engine would delete these."""
    appeared: list[str] = field(default_factory=list)
    """New URNs that are neither in the snapshot nor aliases of an old URN: would be created."""
    renamed: dict[str, str] = field(default_factory=dict)
    """Old URN -> new URN, for renames covered by an alias (the engine keeps the resource)."""
    update_command: str = ""

    @property
    def ok(self) -> bool:
        return not self.disappeared and not self.appeared

    def explain(self) -> str:
        """A message for a person: what would be deleted or created, and how to fix it."""
        if self.ok:
            lines = [f"URNs of stack {self.stack!r} match {self.snapshot}."]
            if self.renamed:
                lines.append(f"{len(self.renamed)} renamed with an alias (the engine keeps these resources):")
                lines.extend(f"  {old}\n    -> {new}" for old, new in sorted(self.renamed.items()))
                lines.append(f"Record the new names when convenient: {self.update_command}")
            return "\n".join(lines) + "\n"
        lines = [
            f"URNs of stack {self.stack!r} differ from {self.snapshot}: "
            f"{len(self.disappeared)} would disappear, {len(self.appeared)} would appear."
        ]
        if self.disappeared:
            lines.append("")
            lines.append("Disappeared: `pulumi up` would DELETE these (and create whatever replaces them):")
            for urn in self.disappeared:
                warning = "   <- stateful: its data would be lost" if is_stateful(urn_type(urn)) else ""
                lines.append(f"  - {urn}{warning}")
        if self.appeared:
            lines.append("")
            lines.append("Appeared: `pulumi up` would CREATE these:")
            lines.extend(f"  + {urn}" for urn in self.appeared)
        suggestions = _suggest_aliases(self.disappeared, self.appeared)
        if suggestions:
            lines.append("")
            lines.append("Looks like renames or moves; keep the old identity with an alias on the new resource:")
            lines.extend(suggestions)
        lines.extend(
            [
                "",
                "If this is a refactor (renamed resource or component, changed type token, new parent), add an",
                "alias in the new resource's options so the engine keeps the existing resource:",
                '  opts=pulumi.ResourceOptions(..., aliases=[pulumi.Alias(name="<old name>")])   # renamed',
                '  aliases=[pulumi.Alias(type_="<old type token>")]                                # re-typed',
                "  aliases=[pulumi.Alias(parent=<old parent resource or pulumi.ROOT_STACK_RESOURCE>)]  # moved",
                "(children of an aliased component follow it when their names start with the component's name).",
                "If the change is intended (resources really added or removed), update the snapshot:",
                f"  {self.update_command}",
            ]
        )
        return "\n".join(lines) + "\n"


def _suggest_aliases(disappeared: list[str], appeared: list[str]) -> list[str]:
    """Pair each appeared URN with the most similar disappeared URN of the same type."""
    suggestions: list[str] = []
    remaining = list(disappeared)
    for new in appeared:
        candidates = [old for old in remaining if urn_type(old) == urn_type(new)]
        if not candidates:
            continue
        best = max(candidates, key=lambda old: difflib.SequenceMatcher(None, urn_name(old), urn_name(new)).ratio())
        remaining.remove(best)
        fields = []
        if urn_name(best) != urn_name(new):
            fields.append(f'name="{urn_name(best)}"')
        if urn_qualified_type(best) != urn_qualified_type(new):
            old_chain = urn_qualified_type(best).rsplit("$", 1)[0] if "$" in urn_qualified_type(best) else "the stack"
            fields.append(f"parent=<the old parent: {old_chain}>")
        suggestions.append(f"  {urn_name(best)} -> {urn_name(new)}: aliases=[pulumi.Alias({', '.join(fields)})]")
    return suggestions


def check_urns(
    expected: Iterable[str], run: ProgramRun, *, snapshot: str = "the snapshot", update_command: str = ""
) -> UrnCheck:
    """Compare a run with the URNs of an earlier state (a snapshot), resolving aliases."""
    old = set(expected)
    current = {record.urn for record in run.resources}
    # An alias may only claim an old resource that no current resource still has.
    claimable = old - current
    resolver = _AliasResolver(run)
    renamed: dict[str, str] = {}
    for record in _parents_first(run):
        if record.urn in old:
            continue
        for alias in resolver.aliases(record):
            if alias in claimable and alias not in renamed:
                resolver.matched[record.urn] = alias
                renamed[alias] = record.urn
                break
    return UrnCheck(
        stack=run.stack,
        snapshot=snapshot,
        disappeared=sorted(claimable - set(renamed)),
        appeared=sorted(current - old - set(renamed.values())),
        renamed=renamed,
        update_command=update_command or f"uv run preflight urns {run.stack} --out tests/snapshots/{run.stack}.urns",
    )
