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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from policies.values import (
    UNKNOWN,
    Props,
    Unknown,
    UnknownRead,
    as_bool,
    as_int,
    as_list,
    dig,
    parse_json,
    peek,
    present,
    record_reads,
    reset_reads,
    track,
    walk_strings,
)

__all__ = [
    "UNKNOWN",
    "Unknown",
    "as_bool",
    "as_int",
    "as_list",
    "dig",
    "parse_json",
    "present",
    "walk_strings",
]

Severity = Literal["low", "medium", "high", "critical"]
Enforcement = Literal["advisory", "mandatory", "disabled"]
Tag = Literal["security", "cost"]

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


@dataclass(frozen=True)
class Finding:
    """One violation: the resource (URN; the stack's URN for stack-wide findings) and what is
    wrong. `undecided`: the verdict needs values that are not known until the update."""

    urn: str
    message: str
    undecided: bool = False


@dataclass(frozen=True)
class Undecided:
    """What a check yields when it cannot judge yet: `why` names what is not known."""

    why: str


@dataclass(frozen=True)
class Context:
    """What a check gets besides the resource: its rule's config (defaults applied), the stack
    environment, and the whole stack when the rule `needs_stack` (None under `Analyze`)."""

    config: Mapping[str, Any]
    env: StackEnv
    stack: Stack | None = None
    reads: list[UnknownRead] = field(default_factory=list)
    """Unknown values the current check has read."""
    resolved: set[tuple[str, str]] = field(default_factory=set)
    """(URN, top-level input) whose unknown values the current check resolved by dependency."""

    def require_stack(self) -> Stack:
        if self.stack is None:
            raise RuntimeError("this check correlates resources and runs only in AnalyzeStack")
        return self.stack

    def resolved_by(self, resource: Resource, prop: str, types: str | Sequence[str]) -> list[Resource]:
        """The resources of `types` in this stack that `resource`'s input `prop` was computed
        from. When there are any, the unknown values read under `prop` are resolved: the check
        may judge by what those resources are (a key reference that comes from a customer key
        created here is a customer key, whatever its id turns out to be)."""
        if self.stack is None:
            return []
        wanted = {types} if isinstance(types, str) else set(types)
        found = [r for r in self.stack.origins(resource, prop) if r.type in wanted]
        if found:
            self.resolved.add((resource.urn, prop.split(".")[0]))
        return found

    def pending(self) -> list[UnknownRead]:
        """Unknown values read by the current check that no dependency resolved."""
        return [r for r in self.reads if (r.urn, r.path.split(".")[0]) not in self.resolved]


Check = Callable[[Resource, Context], Iterable["str | Undecided"]]
"""Checks one resource; yields one message per problem (nothing when compliant), or `Undecided`
when it cannot judge yet."""
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
    unknowns: Literal["defer", "ignore"] = "defer"
    """What an unknown value a check reads does to its verdict. `defer` (the default): a verdict
    that rests on an unknown value the check did not resolve is "not known until the update".
    `ignore`: for rules that scan every value (secrets) or only price what is known; an unknown
    value can neither be a finding nor hide one there."""

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
    def judge(self, check: Check, resource: Resource, context: Context) -> list[Finding]:
        """Run one check with three-valued results: a violation, nothing (compliant), or
        undecided. A violation found after reading an unknown value the check did not resolve is
        undecided; so is a clean pass that read one."""
        context.reads.clear()
        context.resolved.clear()
        token = record_reads(context.reads)
        findings: list[Finding] = []
        try:
            for item in check(resource, context):
                if isinstance(item, Undecided):
                    findings.append(Finding(resource.urn, item.why, undecided=True))
                elif context.pending() and self.unknowns == "defer":
                    findings.append(
                        Finding(resource.urn, f"{item}, unless {_unknown_text(context.pending())}", undecided=True)
                    )
                else:
                    findings.append(Finding(resource.urn, item))
        finally:
            reset_reads(token)
        if not findings and context.pending() and self.unknowns == "defer":
            findings.append(
                Finding(resource.urn, f"cannot judge before {_unknown_text(context.pending())}", undecided=True)
            )
        return findings

    def evaluate_resource(
        self, resource: Resource, env: StackEnv, config: Mapping[str, Any] | None = None
    ) -> list[Finding]:
        """The `Analyze` path: judge one resource on its own (rules that need no stack)."""
        if self.needs_stack:
            return []
        check = self.checks.get(resource.type)
        if check is None:
            return []
        return self.judge(check, resource, Context(config=self.with_defaults(config), env=env))

    def evaluate_stack(self, stack: Stack, env: StackEnv, config: Mapping[str, Any] | None = None) -> list[Finding]:
        """The `AnalyzeStack` path: judge every resource with the stack at hand, then the totals."""
        if not self.needs_stack:
            return []
        context = Context(config=self.with_defaults(config), env=env, stack=stack)
        findings: list[Finding] = []
        for resource in stack.resources:
            check = self.checks.get(resource.type)
            if check is not None:
                findings.extend(self.judge(check, resource, context))
        if self.totals is not None:
            context.reads.clear()
            token = record_reads(None)
            try:
                findings.extend(self.totals(stack, context))
            finally:
                reset_reads(token)
        return findings

    def evaluate(
        self, resources: Sequence[Resource], env: StackEnv, config: Mapping[str, Any] | None = None
    ) -> list[Finding]:
        """Both paths over a list of resources, as a deployment would run them (for tests)."""
        if self.needs_stack:
            return self.evaluate_stack(Stack(resources, stack_urn=env.stack_urn or None), env, config)
        return [f for r in resources for f in self.evaluate_resource(r, env, config)]


def _unknown_text(reads: Sequence[UnknownRead]) -> str:
    """`the update makes policy of prod-models-policy known` (the first three values read)."""
    seen = list(dict.fromkeys(f"{r.path} of {urn_name(r.urn)}" for r in reads))
    more = f" and {len(seen) - 3} more" if len(seen) > 3 else ""
    return f"the update makes {', '.join(seen[:3])}{more} known"
