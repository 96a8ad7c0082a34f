"""The pack's building blocks, independent of the Pulumi policy SDK.

A `Rule` is a stable id, metadata (severity, tags, remediation, config schema) and a table of
checks keyed by resource type token. Supporting another cloud means adding rows to the table,
not writing a new rule. A rule that must look at other resources (an S3 bucket and its public
access block, a VPC and its flow log) sets `needs_stack`: its checks then run once per stack
(`AnalyzeStack`) with the whole stack at hand; otherwise they run per resource (`Analyze`).

`policies.pack` adapts rules to `pulumi_policy` policies; tests call `evaluate_resource` and
`evaluate_stack` directly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["low", "medium", "high", "critical"]
Enforcement = Literal["advisory", "mandatory", "disabled"]
Tag = Literal["security", "cost"]

_PACKAGE_CLOUDS = {"aws": "aws", "gcp": "gcp", "azure-native": "azure", "alicloud": "alicloud"}
STACK_TYPE = "pulumi:pulumi:Stack"
RULE_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class Unknown:
    """An input whose value is not known yet (during a real `pulumi preview`). Checks treat it as
    "cannot judge" and never report a violation because of it."""

    _instance: Unknown | None = None

    def __new__(cls) -> Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<unknown>"

    def __bool__(self) -> bool:
        return False


UNKNOWN = Unknown()


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


# -- property access ------------------------------------------------------------------------------
def dig(value: Any, path: str, default: Any = None) -> Any:
    """`dig(props, "vpcConfig.publicAccessCidrs")`; numeric parts index lists. Missing -> default;
    an unknown value anywhere on the path -> UNKNOWN."""
    current = value
    for part in path.split("."):
        if current is UNKNOWN:
            return UNKNOWN
        if isinstance(current, Mapping):
            if part not in current:
                return default
            current = current[part]
        elif isinstance(current, Sequence) and not isinstance(current, str) and part.isdigit():
            index = int(part)
            if index >= len(current):
                return default
            current = current[index]
        else:
            return default
    return default if current is None else current


def as_bool(value: Any) -> bool | None:
    """True/False from a bool or the strings "true"/"false" (some providers use strings); None
    when absent or unknown."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def as_int(value: Any) -> int | None:
    if isinstance(value, bool) or value is UNKNOWN:
        return None
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


def as_list(value: Any) -> list[Any]:
    """A list input as a list ([] when absent or unknown)."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        return list(value)
    return []


def parse_json(value: Any) -> Any:
    """A JSON document given as a string (IAM policies, PAI service configs) or already parsed;
    None when absent, unknown or not JSON."""
    if isinstance(value, Mapping | list):
        return value
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return None


def walk_strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string leaf of a nested input, with its dotted path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from walk_strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, Sequence):
        for index, item in enumerate(value):
            yield from walk_strings(item, f"{path}.{index}" if path else str(index))


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

    @property
    def name(self) -> str:
        return urn_name(self.urn)

    @property
    def cloud(self) -> str | None:
        return cloud_of(self.type)

    def get(self, path: str, default: Any = None) -> Any:
        return dig(self.props, path, default)

    def comes_from(self, prop: str, urn: str) -> bool:
        """Whether input `prop` was computed from the resource `urn` (a property dependency)."""
        return urn in self.property_dependencies.get(prop, ())


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
            value = candidate.get(prop)
            if candidate.comes_from(prop, target.urn) or (isinstance(value, str) and value in known):
                found.append(candidate)
        return found

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


@dataclass(frozen=True)
class Finding:
    """One violation: the resource (URN; the stack's URN for stack-wide findings) and what is wrong."""

    urn: str
    message: str


@dataclass(frozen=True)
class Context:
    """What a check gets besides the resource: its rule's config (defaults applied), the stack
    environment, and the whole stack when the rule `needs_stack` (None under `Analyze`)."""

    config: Mapping[str, Any]
    env: StackEnv
    stack: Stack | None = None

    def require_stack(self) -> Stack:
        if self.stack is None:
            raise RuntimeError("this check correlates resources and runs only in AnalyzeStack")
        return self.stack


Check = Callable[[Resource, Context], Iterable[str]]
"""Checks one resource; yields one message per problem (nothing when compliant)."""
StackTotal = Callable[[Stack, Context], Iterable[Finding]]
"""Checks the stack as a whole (counts, totals, "each cloud has a budget")."""

ALLOW_SUPPRESSION = "allowSuppression"
_COMMON_PROPERTIES: dict[str, dict[str, Any]] = {
    ALLOW_SUPPRESSION: {
        "type": "boolean",
        "default": False,
        "description": "Whether entries of the stack's suppression file may suppress this rule's findings.",
    }
}


def _whole_numbers(value: Any) -> Any:
    """Config arrives through protobuf Structs, where every number is a float: 22.0 -> 22."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_whole_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: _whole_numbers(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Rule:
    """One policy of the pack."""

    id: str
    """Stable kebab-case id: the policy name in configs, suppressions and reports."""
    ref: str
    """Where the rule comes from in docs/policy-rules.md (`S1`, `C7`); empty for our own."""
    domain: str
    description: str
    severity: Severity
    tags: tuple[Tag, ...]
    remediation: str
    checks: Mapping[str, Check] = field(default_factory=dict)
    """Resource type token -> check. The rows say which types (and so clouds) the rule covers."""
    needs_stack: bool = False
    totals: StackTotal | None = None
    covers: tuple[str, ...] = ()
    """Types judged by `totals` rather than by a row of `checks` (for docs and coverage)."""
    properties: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Config schema of the rule's own properties (JSON schema per property, with defaults)."""
    default_enforcement: Enforcement = "advisory"
    """Enforcement when no policy config is given (`pulumi preview --policy-pack policies`)."""

    def __post_init__(self) -> None:
        if not RULE_ID.match(self.id):
            raise ValueError(f"rule id {self.id!r} is not kebab-case")
        if self.totals is not None and not self.needs_stack:
            raise ValueError(f"{self.id}: a rule with totals must set needs_stack")
        if not self.checks and self.totals is None:
            raise ValueError(f"{self.id}: a rule needs checks or totals")

    # -- metadata -------------------------------------------------------------------------------
    def types(self) -> tuple[str, ...]:
        return tuple(sorted({*self.checks, *self.covers}))

    def clouds(self) -> tuple[str, ...]:
        order = ("aws", "gcp", "azure", "alicloud")
        found = {c for t in self.types() if (c := cloud_of(t)) is not None}
        return tuple(c for c in order if c in found)

    def config_schema(self) -> dict[str, dict[str, Any]]:
        return {**{k: dict(v) for k, v in self.properties.items()}, **_COMMON_PROPERTIES}

    def with_defaults(self, config: Mapping[str, Any] | None) -> dict[str, Any]:
        merged = {k: v["default"] for k, v in self.config_schema().items() if "default" in v}
        merged.update(config or {})
        return {k: _whole_numbers(v) for k, v in merged.items()}

    # -- evaluation -----------------------------------------------------------------------------
    def evaluate_resource(
        self, resource: Resource, env: StackEnv, config: Mapping[str, Any] | None = None
    ) -> list[Finding]:
        """The `Analyze` path: judge one resource on its own (rules that need no stack)."""
        if self.needs_stack:
            return []
        check = self.checks.get(resource.type)
        if check is None:
            return []
        context = Context(config=self.with_defaults(config), env=env)
        return [Finding(resource.urn, message) for message in check(resource, context)]

    def evaluate_stack(self, stack: Stack, env: StackEnv, config: Mapping[str, Any] | None = None) -> list[Finding]:
        """The `AnalyzeStack` path: judge every resource with the stack at hand, then the totals."""
        if not self.needs_stack:
            return []
        context = Context(config=self.with_defaults(config), env=env, stack=stack)
        findings: list[Finding] = []
        for resource in stack.resources:
            check = self.checks.get(resource.type)
            if check is not None:
                findings.extend(Finding(resource.urn, message) for message in check(resource, context))
        if self.totals is not None:
            findings.extend(self.totals(stack, context))
        return findings

    def evaluate(
        self, resources: Sequence[Resource], env: StackEnv, config: Mapping[str, Any] | None = None
    ) -> list[Finding]:
        """Both paths over a list of resources, as a deployment would run them (for tests)."""
        if self.needs_stack:
            return self.evaluate_stack(Stack(resources, stack_urn=env.stack_urn or None), env, config)
        return [f for r in resources for f in self.evaluate_resource(r, env, config)]
