"""What preflight records about a program: one `ResourceRecord` per registration or read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ROOT_STACK_TYPE = "pulumi:pulumi:Stack"
STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"

Phase = Literal["preview", "update"]
PHASES: tuple[Phase, ...] = ("preview", "update")
"""`preview`: the first `pulumi preview` of an empty stack (dry run, provider-computed outputs
unknown). `update`: the state after `pulumi up` (outputs known, shaped like each provider's)."""


@dataclass
class ResourceRecord:
    """One resource registration (or read), as the engine would see it."""

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
    """Checked inputs with engine (camelCase) property names: secrets `[secret]`, values not
    known yet `[unknown]`."""
    raw_inputs: Any = field(default=None, repr=False, compare=False)
    """The checked inputs as a protobuf Struct, exactly as the engine would hold them."""
    id: str | None = None
    """The id the provider returned; None while unknown (a create at preview) and for components."""
    outputs: dict[str, Any] = field(default_factory=dict)
    """The resource's state after the operation (what AnalyzeStack sees), JSON-friendly."""
    raw_outputs: Any = field(default=None, repr=False, compare=False)
    op: Literal["create", "read"] = "create"
    """`read`: an existing resource the program looks up (`X.get(...)`, a stack reference)."""
    remote: bool = False
    """A multi-language component: its children are created by its provider, invisible here."""
    source: str | None = None
    """`file:line` of the program line that declared it (from the SDK's stack trace)."""

    @property
    def is_component(self) -> bool:
        return not self.custom and self.type != ROOT_STACK_TYPE

    @property
    def is_provider(self) -> bool:
        return self.type.startswith("pulumi:providers:")

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "type": self.type,
            "name": self.name,
            "urn": self.urn,
            "op": self.op,
            "parent": self.parent,
            "custom": self.custom,
            "protect": self.protect,
            "retain_on_delete": self.retain_on_delete,
            "provider": self.provider,
            "dependencies": sorted(self.dependencies),
            "property_dependencies": {k: sorted(v) for k, v in sorted(self.property_dependencies.items())},
            "aliases": self.aliases,
            "source": self.source,
            "inputs": self.inputs,
        }
        if self.remote:
            document["remote"] = True
        return document


@dataclass(frozen=True)
class ProgramWarning:
    """Something the review cannot see or answer as the engine would."""

    kind: str
    """`invoke-unanswered`, `remote-component`, `stack-reference-unknown`."""
    message: str
    site: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, "site": self.site}


@dataclass
class ProgramRun:
    """Everything one run of a program under the mock runtime produced."""

    project: str
    stack: str
    resources: list[ResourceRecord]
    outputs: dict[str, Any]
    secret_outputs: list[str]
    """Names of stack outputs that are secrets (their values are shown as `[secret]`)."""
    phase: Phase = "update"
    warnings: list[ProgramWarning] = field(default_factory=list)

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

    def id_of(self, name: str) -> str:
        """The id the provider gave the resource named `name` (update phase)."""
        record = self.named(name)
        if record.id is None:
            raise LookupError(f"{name!r} has no known id in the {self.phase} phase")
        return record.id

    def children_of(self, urn: str) -> list[ResourceRecord]:
        return sorted((r for r in self.resources if r.parent == urn), key=lambda r: r.urn)
