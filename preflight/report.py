"""The plan report: what a program would create, and the sections later stages add to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from preflight.records import ProgramRun, ResourceRecord

SCHEMA_VERSION = 1
"""Version of the JSON document (`preflight plan --format json`); bumped on breaking changes."""

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
    run: ProgramRun
    log: list[tuple[str, str]] = field(default_factory=list)
    """(level, message) emitted by the program through pulumi.log."""
    sections: dict[str, Any] = field(default_factory=dict)
    """Extra JSON sections added by stages (`policy`, `costs`), by name."""
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    """Extra table columns added by stages: header -> {urn: cell text}."""
    footer: list[str] = field(default_factory=list)
    """Summary lines stages add under the table (totals, finding counts)."""

    def summary(self) -> dict[str, Any]:
        by_cloud: dict[str, int] = {}
        by_type: dict[str, int] = {}
        custom = [r for r in self.run.resources if r.custom and not r.is_provider]
        for record in custom:
            by_cloud[cloud_of(record.type)] = by_cloud.get(cloud_of(record.type), 0) + 1
            by_type[record.type] = by_type.get(record.type, 0) + 1
        return {
            "resources": len(custom),
            "components": sum(1 for r in self.run.resources if r.is_component),
            "providers": sum(1 for r in self.run.resources if r.is_provider),
            "protected": sum(1 for r in custom if r.protect),
            "by_cloud": dict(sorted(by_cloud.items())),
            "by_type": dict(sorted(by_type.items())),
        }

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "project": self.run.project,
            "stack": self.run.stack,
            "summary": self.summary(),
            "resources": [r.to_json() for r in self.run.sorted_resources()],
            "outputs": dict(sorted(self.run.outputs.items())),
            "secret_outputs": self.run.secret_outputs,
            "log": [{"level": level, "message": message} for level, message in self.log],
        }
        document.update(self.sections)
        return document


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
