"""What preflight records about a program: one `ResourceRecord` per registration."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ROOT_STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass
class ResourceRecord:
    """One resource registration, as the engine would see it."""

    type: str
    name: str
    urn: str
    """The real URN: `urn:pulumi:<stack>::<project>::<parent type chain>$<type>::<name>`."""
    parent: str | None
    custom: bool
    protect: bool
    retain_on_delete: bool
    provider: str | None
    """URN of the explicit provider, if any (default providers are the engine's business)."""
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    aliases: list[dict[str, Any]]
    inputs: dict[str, Any]
    """Inputs with engine (camelCase) property names; secrets appear as `"[secret]"`."""
    raw_inputs: Any = field(default=None, repr=False, compare=False)
    """The protobuf Struct exactly as registered (handed to the policy pack unchanged)."""

    @property
    def is_component(self) -> bool:
        return not self.custom and self.type != ROOT_STACK_TYPE

    @property
    def is_provider(self) -> bool:
        return self.type.startswith("pulumi:providers:")

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "name": self.name,
            "urn": self.urn,
            "parent": self.parent,
            "custom": self.custom,
            "protect": self.protect,
            "retain_on_delete": self.retain_on_delete,
            "provider": self.provider,
            "dependencies": sorted(self.dependencies),
            "aliases": self.aliases,
            "inputs": self.inputs,
        }


@dataclass
class ProgramRun:
    """Everything one run of a program under the mock runtime produced."""

    project: str
    stack: str
    resources: list[ResourceRecord]
    outputs: dict[str, Any]
    secret_outputs: list[str]
    """Names of stack outputs that are secrets (their values are shown as `[secret]`)."""

    def by_urn(self) -> dict[str, ResourceRecord]:
        return {r.urn: r for r in self.resources}

    def sorted_resources(self) -> list[ResourceRecord]:
        return sorted(self.resources, key=lambda r: r.urn)

    # -- queries (used by tests and report stages) ----------------------------------------------
    def of_type(self, type_: str) -> list[ResourceRecord]:
        """Resources of one type token, sorted by URN."""
        return sorted((r for r in self.resources if r.type == type_), key=lambda r: r.urn)

    def one(self, type_: str) -> ResourceRecord:
        """The single resource of `type_`; fails loudly if there is not exactly one."""
        found = self.of_type(type_)
        if len(found) != 1:
            raise LookupError(f"expected one {type_}, found {len(found)}: {[r.name for r in found]}")
        return found[0]

    def named(self, name: str) -> ResourceRecord:
        for record in self.resources:
            if record.name == name:
                return record
        raise LookupError(f"no resource named {name!r}")

    def children_of(self, urn: str) -> list[ResourceRecord]:
        return sorted((r for r in self.resources if r.parent == urn), key=lambda r: r.urn)
