"""Turns the rules into `pulumi_policy` policies and applies the stack's suppressions.

Every rule becomes one policy named by its id: a `ResourceValidationPolicy` (run by `Analyze`,
once per resource) or, when it correlates resources, a `StackValidationPolicy` (run once by
`AnalyzeStack`). The pack reads the stack it judges from the engine's environment
(`PULUMI_STACK`, `PULUMI_PROJECT`, `PULUMI_CONFIG`), as the Pulumi CLI and preflight both set it.

Suppressions: the SDK reports a violation at its policy's enforcement level, so a suppressed
finding is handed to an advisory companion policy that runs after the rules (`suppressed-findings`
for resource rules, `suppressed-stack-findings` for stack rules) and reports it with a
`[suppressed <rule> until <date> by <owner>: <reason>]` first line. The CLI thus shows it as an
advisory, and preflight maps it back to its rule. `invalid-suppressions` reports every expired
entry of the stack's file.
"""

from __future__ import annotations

import datetime
import json
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

from policies.framework import ALLOW_SUPPRESSION, UNKNOWN, Finding, Resource, Rule, Stack, StackEnv
from policies.rules import ALL_RULES, rules_by_id
from policies.suppression_file import Suppression, SuppressionLimits, load_limits, load_suppressions, suppressed_mark

PACK_NAME = "ai-infra-policies"
PACK_DIR = Path(__file__).resolve().parent
SUPPRESSIONS_DIR = PACK_DIR / "suppressions"
SUPPRESSIONS_ENV = "AI_INFRA_POLICY_SUPPRESSIONS"
"""Path of a suppression file to use instead of policies/suppressions/<stack>.yaml (preflight
`--suppressions FILE`)."""
RESOURCE_COMPANION = "suppressed-findings"
STACK_COMPANION = "suppressed-stack-findings"
INVALID_POLICY = "invalid-suppressions"
COMPANIONS = (RESOURCE_COMPANION, STACK_COMPANION, INVALID_POLICY)
LIMITS_FILE = SUPPRESSIONS_DIR / "limits.yaml"


# -- what the engine tells the pack ---------------------------------------------------------------
def stack_env() -> StackEnv:
    try:
        config = json.loads(os.environ.get("PULUMI_CONFIG") or "{}")
    except ValueError:
        config = {}
    return StackEnv(
        stack=os.environ.get("PULUMI_STACK", ""),
        project=os.environ.get("PULUMI_PROJECT", ""),
        config={str(k): str(v) for k, v in config.items()} if isinstance(config, dict) else {},
    )


def suppressions_file(env: StackEnv) -> tuple[Path | None, bool]:
    """(path, required): the override from the environment, else the stack's file if any."""
    override = os.environ.get(SUPPRESSIONS_ENV)
    if override:
        return Path(override), True
    if not env.stack:
        return None, False
    return SUPPRESSIONS_DIR / f"{env.stack}.yaml", False


def current_limits(env: StackEnv) -> SuppressionLimits:
    return load_limits(LIMITS_FILE, env.stack)


def current_suppressions(env: StackEnv) -> list[Suppression]:
    path, required = suppressions_file(env)
    if path is None:
        return []
    return load_suppressions(path, known_rules=rules_by_id(), required=required)


class NotKnownYetError(UnknownValueError):
    """Raised by a policy whose verdict on some resources needs values not known until the
    update. The policy SDK turns it into its own advisory "can't run policy ... during preview"
    diagnostic (pulumi_policy/policy.py, `Analyze` and `AnalyzeStack`); the message lists the
    resources, one `- <urn>: <what is unknown>` line each."""

    def __init__(self, findings: list[Finding]):
        lines = [f"- {f.urn}: {f.message}" for f in findings]
        message = "judged at update; not known yet:\n" + "\n".join(lines)
        # The SDK's constructor derives its message from an unknown-value sentinel; this one has
        # its own, which is all the SDK reads (`e.message`).
        Exception.__init__(self, message)
        self.unknown_type_sentinel = ""
        self.props: list[str] = []
        self.message = message


def plain(value: Any) -> Any:
    """SDK property proxies as plain dicts and lists; unknown values (preview) become UNKNOWN."""
    if isinstance(value, Mapping):
        result: dict[str, Any] = {}
        for key in value:
            try:
                result[key] = plain(value[key])
            except UnknownValueError:
                result[key] = UNKNOWN
        return result
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        items: list[Any] = []
        for index in range(len(value)):
            try:
                items.append(plain(value[index]))
            except UnknownValueError:
                items.append(UNKNOWN)
        return items
    return value


def _provider(provider: Any) -> Resource | None:
    if provider is None:
        return None
    return Resource(type=provider.resource_type, urn=provider.urn, props=plain(provider.props))


def resource_from_args(args: ResourceValidationArgs) -> Resource:
    return Resource(
        type=args.resource_type,
        urn=args.urn,
        props=plain(args.props),
        protect=bool(args.opts.protect),
        parent=args.opts.parent,
        provider=_provider(args.provider),
    )


def resource_from_stack(resource: PolicyResource) -> Resource:
    return Resource(
        type=resource.resource_type,
        urn=resource.urn,
        props=plain(resource.props),
        protect=bool(resource.opts.protect),
        parent=resource.parent.urn if resource.parent is not None else None,
        dependencies=tuple(d.urn for d in resource.dependencies),
        property_dependencies={k: tuple(d.urn for d in v) for k, v in resource.property_dependencies.items()},
        provider=_provider(resource.provider),
    )


# -- suppression hand-over ------------------------------------------------------------------------
class _Handover:
    """Suppressed findings waiting for their companion policy, per analysis call (thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: dict[tuple[int, str], list[tuple[str, str]]] = {}

    def put(self, key: str, urn: str, message: str) -> None:
        with self._lock:
            self._waiting.setdefault((threading.get_ident(), key), []).append((urn, message))

    def take(self, key: str) -> list[tuple[str, str]]:
        with self._lock:
            return self._waiting.pop((threading.get_ident(), key), [])


_HANDOVER = _Handover()
_STACK_KEY = "stack"


def _today() -> datetime.date:
    return datetime.date.today()


def report_findings(
    rule: Rule,
    findings: list[Finding],
    report: ReportViolation,
    config: Mapping[str, Any],
    env: StackEnv,
    handover_key: str,
) -> None:
    """Report `findings`, or hand suppressed ones to the companion policy. Undecided findings
    are raised together as `NotKnownYetError` after the others are reported."""
    undecided = [f for f in findings if f.undecided]
    findings = [f for f in findings if not f.undecided]
    _report_decided(rule, findings, report, config, env, handover_key)
    if undecided:
        raise NotKnownYetError(undecided)


def _report_decided(
    rule: Rule,
    findings: list[Finding],
    report: ReportViolation,
    config: Mapping[str, Any],
    env: StackEnv,
    handover_key: str,
) -> None:
    if not findings:
        return
    entries = [s for s in current_suppressions(env) if s.rule == rule.id]
    limits = current_limits(env)
    today = _today()
    for finding in findings:
        matching = [s for s in entries if s.matches(rule.id, finding.urn)]
        valid = [s for s in matching if not s.problems(today, limits)]
        message = finding.message
        if valid and config.get(ALLOW_SUPPRESSION) is True:
            _HANDOVER.put(handover_key, finding.urn, f"{suppressed_mark(rule.id, valid[0])}\n{message}")
            continue
        if valid:
            message += (
                f" (suppression #{valid[0].index} by {valid[0].owner} not applied: {rule.id} does not allow "
                "suppression in this policy config)"
            )
        elif matching:
            entry = matching[0]
            why = "; ".join(entry.problems(today, limits))
            message += f" (suppression #{entry.index} by {entry.owner} not applied: {why})"
        report(message, finding.urn)


# -- policies -------------------------------------------------------------------------------------
def _level(value: str) -> EnforcementLevel:
    return EnforcementLevel(value)


def _resource_policy(rule: Rule) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type not in rule.checks:
            return  # most rules judge a few types: skip converting the inputs of the rest
        resource = resource_from_args(args)
        env = stack_env()
        config = rule.with_defaults(args.get_config())
        findings = rule.evaluate_resource(resource, env, config)
        report_findings(rule, findings, report, config, env, resource.urn)

    return ResourceValidationPolicy(
        name=rule.id,
        description=rule.description,
        validate=validate,
        enforcement_level=_level(rule.default_enforcement),
        config_schema=PolicyConfigSchema(properties=rule.config_schema()),
        severity=Severity(rule.severity),
        tags=list(rule.tags),
        remediation_steps=rule.remediation,
    )


def _stack_policy(rule: Rule) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        env = stack_env()
        stack = Stack([resource_from_stack(r) for r in args.resources], stack_urn=env.stack_urn or None)
        config = rule.with_defaults(args.get_config())
        findings = rule.evaluate_stack(stack, env, config)
        report_findings(rule, findings, report, config, env, _STACK_KEY)

    return StackValidationPolicy(
        name=rule.id,
        description=rule.description,
        validate=validate,
        enforcement_level=_level(rule.default_enforcement),
        config_schema=PolicyConfigSchema(properties=rule.config_schema()),
        severity=Severity(rule.severity),
        tags=list(rule.tags),
        remediation_steps=rule.remediation,
    )


def _drain(key: Callable[[Any], str]) -> Callable[[Any, ReportViolation], None]:
    def validate(args: Any, report: ReportViolation) -> None:
        for urn, message in _HANDOVER.take(key(args)):
            report(message, urn)

    return validate


def _invalid(args: StackValidationArgs, report: ReportViolation) -> None:
    env = stack_env()
    today = _today()
    limits = current_limits(env)
    for entry in current_suppressions(env):
        problems = entry.problems(today, limits)
        if problems:
            report(
                f"suppression #{entry.index} ({entry.rule} on {entry.target}, owner {entry.owner}) does not apply: "
                f"{'; '.join(problems)}. Its findings are enforced; fix them, or renew the entry within the "
                "limits with a new reason and expiry",
                entry.urn or env.stack_urn or None,
            )


def build_policies(rules: Sequence[Rule] = ALL_RULES) -> list[Policy]:
    """The pack's policies: one per rule, then the three suppression companions (advisory)."""
    policies: list[Policy] = [_stack_policy(r) if r.needs_stack else _resource_policy(r) for r in rules]
    policies.append(
        ResourceValidationPolicy(
            name=RESOURCE_COMPANION,
            description="Findings of resource rules that a valid suppression covers (reported, not enforced).",
            validate=_drain(lambda args: args.urn),
            enforcement_level=EnforcementLevel.ADVISORY,
            severity=Severity.LOW,
        )
    )
    policies.append(
        StackValidationPolicy(
            name=STACK_COMPANION,
            description="Findings of stack rules that a valid suppression covers (reported, not enforced).",
            validate=_drain(lambda _args: _STACK_KEY),
            enforcement_level=EnforcementLevel.ADVISORY,
            severity=Severity.LOW,
        )
    )
    policies.append(
        StackValidationPolicy(
            name=INVALID_POLICY,
            description="Suppressions that do not apply: expired, or beyond the environment's limits (expiry too "
            "far ahead, a name glob that matches every resource). Their findings are enforced.",
            validate=_invalid,
            enforcement_level=EnforcementLevel.ADVISORY,
            severity=Severity.MEDIUM,
        )
    )
    return policies
