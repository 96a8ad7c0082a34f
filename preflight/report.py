"""The plan report: what a program would create, in each phase, and the sections later stages add.

A plan has up to two runs of the program: `preview` (what the first `pulumi preview` shows,
unknown outputs and all) and `update` (the state after `pulumi up`). The resource listing is the
preview's when there is one; prices come from the update's (known) inputs when there is one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from preflight.records import PHASES, Phase, ProgramRun, ResourceRecord
from preflight.wire import unknown_paths

SCHEMA_VERSION = 2
"""Version of the JSON document (`preflight plan --format json`); bumped on breaking changes.
2: phases, gates, `op`/`source`/`property_dependencies`/`outputs` per resource, warnings."""

_PACKAGE_CLOUDS = {
    "aws": "aws",
    "gcp": "gcp",
    "azure-native": "azure",
    "alicloud": "alicloud",
    "kubernetes": "kubernetes",
}


def cloud_of(type_: str) -> str:
    """The cloud a type token belongs to (`aws:s3/bucket:Bucket` -> aws, `ai-infra:gcp:Bucket` -> gcp)."""
    package, _, rest = type_.partition(":")
    if package == "pulumi" and rest.startswith("providers:"):
        return _PACKAGE_CLOUDS.get(rest.removeprefix("providers:"), "other")
    if package == "ai-infra":
        return rest.split(":")[0]
    return _PACKAGE_CLOUDS.get(package, "other")


@dataclass
class PlanReport:
    runs: dict[Phase, ProgramRun]
    """The program's run per phase that was asked for (`--phase`)."""
    log: list[tuple[str, str]] = field(default_factory=list)
    """(level, message) emitted by the program through pulumi.log (in its first phase)."""
    sections: dict[str, Any] = field(default_factory=dict)
    """Extra JSON sections added by stages (`policy`, `costs`), by name."""
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    """Extra table columns added by stages: header -> {urn: cell text}."""
    footer: list[str] = field(default_factory=list)
    """Summary lines stages add under the table (totals, finding counts)."""

    @classmethod
    def of(cls, run: ProgramRun, log: list[tuple[str, str]] | None = None) -> PlanReport:
        """A report of one run, in that run's phase."""
        return cls(runs={run.phase: run}, log=list(log or []))

    @property
    def phases(self) -> tuple[Phase, ...]:
        return tuple(p for p in PHASES if p in self.runs)

    @property
    def run(self) -> ProgramRun:
        """The run the resource listing shows: the preview's, else the update's."""
        return self.runs.get("preview") or self.runs["update"]

    @property
    def priced_run(self) -> ProgramRun:
        """The run prices are read from: the update's (every input known), else the preview's."""
        return self.runs.get("update") or self.runs["preview"]

    def summary(self) -> dict[str, Any]:
        by_cloud: dict[str, int] = {}
        by_type: dict[str, int] = {}
        resources = self.run.resources
        custom = [r for r in resources if r.custom and not r.is_provider and r.op == "create"]
        for record in custom:
            by_cloud[cloud_of(record.type)] = by_cloud.get(cloud_of(record.type), 0) + 1
            by_type[record.type] = by_type.get(record.type, 0) + 1
        return {
            "resources": len(custom),
            "reads": sum(1 for r in resources if r.op == "read"),
            "components": sum(1 for r in resources if r.is_component),
            "providers": sum(1 for r in resources if r.is_provider),
            "protected": sum(1 for r in custom if r.protect),
            "unknown_inputs": sum(len(list(unknown_paths(r.inputs))) for r in resources),
            "by_cloud": dict(sorted(by_cloud.items())),
            "by_type": dict(sorted(by_type.items())),
        }

    def warnings(self) -> list[dict[str, Any]]:
        """What the review could not see or answer, from every phase, once each."""
        seen: dict[tuple[str, str, str | None], dict[str, Any]] = {}
        for phase in self.phases:
            for warning in self.runs[phase].warnings:
                seen.setdefault((warning.kind, warning.message, warning.site), warning.to_json())
        return list(seen.values())

    def to_json(self) -> dict[str, Any]:
        update = self.runs.get("update")
        after = update.by_urn() if update is not None else {}
        resources = []
        for record in self.run.sorted_resources():
            entry = record.to_json()
            if record.urn in after:
                entry["outputs"] = after[record.urn].outputs
            resources.append(entry)
        phase_difference = _phase_difference(self)
        document: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "project": self.run.project,
            "stack": self.run.stack,
            "phases": list(self.phases),
            "summary": self.summary(),
            "resources": resources,
            "outputs": dict(sorted((update or self.run).outputs.items())),
            "secret_outputs": (update or self.run).secret_outputs,
            "warnings": self.warnings(),
            "log": [{"level": level, "message": message} for level, message in self.log],
        }
        if phase_difference:
            document["phase_difference"] = phase_difference
        document.update(self.sections)
        return document


def _phase_difference(report: PlanReport) -> dict[str, list[str]] | None:
    """URNs registered in one phase only (a program that branches on known values)."""
    if len(report.runs) < 2:
        return None
    preview = {r.urn for r in report.runs["preview"].resources}
    update = {r.urn for r in report.runs["update"].resources}
    if preview == update:
        return None
    return {"preview_only": sorted(preview - update), "update_only": sorted(update - preview)}


def component_tree(resources: list[ResourceRecord]) -> list[tuple[int, ResourceRecord]]:
    """(depth, record) in tree order: top-level resources sorted by URN, children under parents."""
    children: dict[str | None, list[ResourceRecord]] = {}
    known = {r.urn for r in resources}
    for record in resources:
        parent = record.parent if record.parent in known else None
        children.setdefault(parent, []).append(record)
    ordered: list[tuple[int, ResourceRecord]] = []

    def walk(parent: str | None, depth: int) -> None:
        for record in sorted(children.get(parent, []), key=lambda r: (not r.is_component, r.type, r.name)):
            ordered.append((depth, record))
            walk(record.urn, depth + 1)

    walk(None, 0)
    return ordered
