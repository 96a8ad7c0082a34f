"""Resource-level differences: which input paths changed between two recordings of a resource,
and each side's priced cost."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal


def money(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


class _Absent:
    """A value that does not exist on one side (a key added or removed)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


# -- resources ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InputChange:
    path: str
    """`versioningConfiguration.status`, `rules[0].transitions[1].days`, `tags["kubernetes.io/x"]`."""
    before: Any = ABSENT
    after: Any = ABSENT

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path}
        if self.before is not ABSENT:
            out["before"] = self.before
        if self.after is not ABSENT:
            out["after"] = self.after
        return out


@dataclass(frozen=True)
class ResourceCost:
    floor_usd: float | None
    ceiling_usd: float | None
    unknown_reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "floor_usd": money(self.floor_usd),
            "ceiling_usd": money(self.ceiling_usd),
            "unknown_reason": self.unknown_reason,
        }


ResourceStatus = Literal["added", "removed", "changed"]


@dataclass
class ResourceDiff:
    status: ResourceStatus
    urn: str
    type: str
    name: str
    component: bool
    inputs: list[InputChange] = field(default_factory=list)
    options: list[InputChange] = field(default_factory=list)
    """Changed resource options; `path` is the option name."""
    cost_base: ResourceCost | None = None
    cost_head: ResourceCost | None = None
    lineage: tuple[str, ...] = ()
    """Names from the top-level ancestor down to this resource: sorting by it lists children
    right under their component."""

    @property
    def depth(self) -> int:
        return max(len(self.lineage) - 1, 0)

    @property
    def counts_as_resource(self) -> bool:
        """Counted like the plan summary counts resources: custom, not a provider."""
        return not self.component and not self.type.startswith("pulumi:providers:")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "component": self.component,
            "cost": {
                "base": self.cost_base.to_json() if self.cost_base else None,
                "head": self.cost_head.to_json() if self.cost_head else None,
            },
        }
        if self.status == "changed":
            out["inputs"] = [c.to_json() for c in self.inputs]
            out["options"] = [{"name": c.path, "before": c.before, "after": c.after} for c in self.options]
        return out


_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def _child_path(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _PLAIN_KEY.match(key):
        return f"{path}.{key}" if path else key
    escaped = key.replace("\\", "\\\\").replace('"', '\\"')
    return f'{path}["{escaped}"]'


def input_changes(before: Any, after: Any, path: str = "") -> list[InputChange]:
    """The leaf paths where `before` and `after` differ, in a stable order (keys sorted, list
    items by index)."""
    if isinstance(before, dict) and isinstance(after, dict):
        found: list[InputChange] = []
        for key in sorted(set(before) | set(after)):
            child = _child_path(path, key)
            if key not in before:
                found.append(InputChange(child, after=after[key]))
            elif key not in after:
                found.append(InputChange(child, before=before[key]))
            else:
                found.extend(input_changes(before[key], after[key], child))
        return found
    if isinstance(before, list) and isinstance(after, list):
        found = []
        for index in range(max(len(before), len(after))):
            child = _child_path(path, index)
            if index >= len(before):
                found.append(InputChange(child, after=after[index]))
            elif index >= len(after):
                found.append(InputChange(child, before=before[index]))
            else:
                found.extend(input_changes(before[index], after[index], child))
        return found
    if before == after and type(before) is type(after):
        return []
    return [InputChange(path, before, after)]
