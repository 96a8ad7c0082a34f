"""What a policy sees: resources with their properties and dependencies, the stack they belong
to, and what the engine tells the pack about that stack. Property reads are watched for unknown
values (`policies.values`)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from policies.values import UNKNOWN, Props, dig, peek, track

_PACKAGE_CLOUDS = {"aws": "aws", "gcp": "gcp", "azure-native": "azure", "alicloud": "alicloud"}
STACK_TYPE = "pulumi:pulumi:Stack"
RULE_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


def cloud_of(type_: str) -> str | None:
    """`aws:s3/bucket:Bucket` -> aws, `pulumi:providers:gcp` -> gcp, `ai-infra:alicloud:Budget` ->
    alicloud; None for types of no cloud."""
    package, _, rest = type_.partition(":")
    if package == "pulumi" and rest.startswith("providers:"):
        return _PACKAGE_CLOUDS.get(rest.removeprefix("providers:"))
    if package == "ai-infra":
        cloud = rest.split(":")[0]
        return cloud if cloud in _PACKAGE_CLOUDS.values() else None
    return _PACKAGE_CLOUDS.get(package)


def urn_name(urn: str) -> str:
    """The resource name at the end of a URN."""
    return urn.rsplit("::", 1)[-1]


# -- resources and stacks -------------------------------------------------------------------------
@dataclass(frozen=True)
class Resource:
    """One resource as a policy sees it: its inputs with engine (camelCase) names."""

    type: str
    urn: str
    props: Mapping[str, Any] = field(default_factory=dict)
    protect: bool = False
    parent: str | None = None
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    provider: Resource | None = None
    """The explicit provider resource (its inputs hold region / location), if any."""

    def __post_init__(self) -> None:
        # Every read of the properties is watched for unknown values (policies.values).
        if not isinstance(self.props, Props):
            object.__setattr__(self, "props", track(self.props or {}, self.urn))

    @property
    def name(self) -> str:
        return urn_name(self.urn)

    @property
    def cloud(self) -> str | None:
        return cloud_of(self.type)

    def get(self, path: str, default: Any = None) -> Any:
        return dig(self.props, path, default)

    def peek(self, path: str, default: Any = None) -> Any:
        """A property read for bookkeeping (matching references): unknown values it meets are
        not noted against the check."""
        return peek(self.props, path, default)

    def comes_from(self, prop: str, urn: str) -> bool:
        """Whether input `prop` was computed from the resource `urn` (a property dependency)."""
        return urn in self.property_dependencies.get(prop.split(".")[0], ())

    def sources(self, prop: str) -> tuple[str, ...]:
        """URNs the top-level input of `prop` was computed from (its property dependencies)."""
        return tuple(self.property_dependencies.get(prop.split(".")[0], ()))


class Stack:
    """All resources of one stack, for rules that correlate resources."""

    def __init__(self, resources: Iterable[Resource], *, stack_urn: str | None = None):
        self.resources = [r for r in resources if r.type != STACK_TYPE]
        roots = [r for r in resources if r.type == STACK_TYPE]
        # The engine's root stack resource names the stack; `stack_urn` is the fallback.
        self.stack_urn = roots[0].urn if roots else (stack_urn or "")
        self.by_urn = {r.urn: r for r in self.resources}
        self.memo: dict[str, object] = {}
        """Results several rules share within one analysis (the cost estimate)."""

    def of_type(self, *types: str) -> list[Resource]:
        return [r for r in self.resources if r.type in types]

    def referencing(
        self, target: Resource, types: str | Sequence[str], prop: str, *, values: Iterable[Any] = ()
    ) -> list[Resource]:
        """Resources of `types` whose input `prop` comes from `target`: through a property
        dependency (the engine's record of which resource an Output came from) or, for programs
        that pass plain strings, because the value equals one of `values` (e.g. the bucket name)."""
        wanted = {types} if isinstance(types, str) else set(types)
        known = {v for v in values if isinstance(v, str) and v}
        found = []
        for candidate in self.resources:
            if candidate.type not in wanted:
                continue
            # Matching is bookkeeping: a reference computed from an output is unknown at preview,
            # but its property dependency says which resource it came from.
            value = candidate.peek(prop)
            if candidate.comes_from(prop, target.urn) or (isinstance(value, str) and value in known):
                found.append(candidate)
            elif value is UNKNOWN and not candidate.sources(prop):
                # Unknown, and no dependency says where it came from: it may name `target`, so
                # the verdict that rests on this lookup is open (the read is noted).
                candidate.get(prop)
        return found

    def origins(self, resource: Resource, prop: str) -> list[Resource]:
        """The resources of this stack that `resource`'s input `prop` was computed from."""
        return [self.by_urn[u] for u in resource.sources(prop) if u in self.by_urn]

    def clouds(self) -> set[str]:
        """Clouds that have at least one custom resource (providers and components aside)."""
        return {
            c for r in self.resources if (c := r.cloud) is not None and not r.type.startswith(("pulumi:", "ai-infra:"))
        }


@dataclass(frozen=True)
class StackEnv:
    """What the engine tells a policy pack about the stack being judged (env PULUMI_STACK,
    PULUMI_PROJECT, PULUMI_CONFIG), as the CLI and preflight both set it."""

    stack: str = ""
    project: str = ""
    config: Mapping[str, str] = field(default_factory=dict)
    """Fully qualified config key (`ai-infra:price_book`) -> value as the engine passes it (string)."""

    def config_value(self, key: str) -> Any:
        """A config value, JSON-decoded when it is a JSON document (objects, lists, numbers)."""
        raw = self.config.get(key)
        if raw is None:
            return None
        try:
            return json.loads(raw)
        except (TypeError, ValueError):
            return raw

    @property
    def stack_urn(self) -> str:
        if not self.stack or not self.project:
            return ""
        return f"urn:pulumi:{self.stack}::{self.project}::{STACK_TYPE}::{self.project}-{self.stack}"
