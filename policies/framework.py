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

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from policies.resources import RULE_ID, STACK_TYPE, Resource, Stack, StackEnv, cloud_of, urn_name
from policies.values import (
    UNKNOWN,
    Unknown,
    UnknownRead,
    as_bool,
    as_int,
    as_list,
    dig,
    parse_json,
    present,
    record_reads,
    reset_reads,
    walk_strings,
)

__all__ = [
    "STACK_TYPE",
    "UNKNOWN",
    "Resource",
    "Stack",
    "StackEnv",
    "Unknown",
    "as_bool",
    "as_int",
    "as_list",
    "cloud_of",
    "dig",
    "parse_json",
    "present",
    "urn_name",
    "walk_strings",
]

Severity = Literal["low", "medium", "high", "critical"]
Enforcement = Literal["advisory", "mandatory", "disabled"]
Tag = Literal["security", "cost"]


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
class Example:
    """A resource's inputs that pass a rule, and the same resource changed so that it does not
    (docs/policy-rules.md shows both; tests judge both for rules that need no stack)."""

    type: str
    compliant: Mapping[str, Any]
    violating: Mapping[str, Any]
    """Empty for rules that want the resource to exist: the violating stack lacks it."""
    note: str = ""
    """What the violating variant changes, in a few words."""


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
    rationale: str = ""
    """Why the rule matters (docs/policy-rules.md): the risk or cost it prevents."""
    examples: tuple[Example, ...] = ()
    """Compliant and violating inputs, for the rule documentation."""
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
