"""Findings as the pack reports them, per phase, and the two gates they decide.

A diagnostic is one of:
- a violation, at its policy's enforcement level (mandatory or advisory);
- a suppressed violation, reported by the pack's advisory companion policy with a
  `[suppressed <rule> until <date> by <owner>: <reason>]` first line;
- a deferral: the policy SDK's own "can't run policy ... during preview" notice (always advisory),
  which the pack raises when a value a rule needs is not known yet; its message may list the
  resources concerned, one `- <urn>: <what is unknown>` line each.

Gates: `pulumi preview` fails (and `pulumi up` stops before creating anything) when the preview
phase has an unsuppressed mandatory violation; `pulumi up` is refused when the update phase has
one (a resource policy stops its resource before creation; a stack policy fails the update after
the resources were created).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from preflight.policy.config import PolicyInfo, PolicySetting
from preflight.records import PHASES, Phase

Kind = Literal["violation", "deferred"]

_SUPPRESSED_MARK = re.compile(
    r"^\[suppressed (?P<rule>\S+) until (?P<expires>\d{4}-\d{2}-\d{2}) by (?P<owner>\S+?): (?P<reason>.*)\]$"
)
"""The first line of a suppressed finding's message; the same format as the pack's
`policies.suppression_file.SUPPRESSED_MARK` (preflight drives the pack from outside and does not
import it; tests/preflight/test_policy_e2e.py checks the two agree end to end)."""
_DEFERRED_PREFIX = re.compile(r"^can't run policy '(?P<policy>[^']+)' from policy pack '[^']*' during preview: ")
"""The policy SDK's notice for a policy that met an unknown value (pulumi_policy/policy.py)."""
_DEFERRED_RESOURCE = re.compile(r"^- (?P<urn>urn:pulumi:\S+): (?P<why>.*)$")


@dataclass(frozen=True)
class PolicyFinding:
    rule: str
    severity: str | None
    enforcement: str
    """`mandatory` or `advisory` (a suppressed finding and a deferral are advisory)."""
    urn: str
    message: str
    remediation: str
    tags: tuple[str, ...]
    phase: Phase = "update"
    kind: Kind = "violation"
    suppressed: bool = False
    suppression: Mapping[str, str] | None = None
    """{"reason", "owner", "expires"} of the suppression that covers it."""

    @property
    def blocking(self) -> bool:
        return self.kind == "violation" and self.enforcement == "mandatory" and not self.suppressed

    @property
    def deferred(self) -> bool:
        return self.kind == "deferred"

    def sort_key(self) -> tuple[int, int, str, str, str]:
        if self.suppressed:
            order = 3
        elif self.deferred:
            order = 2
        else:
            order = 0 if self.enforcement == "mandatory" else 1
        return (order, PHASES.index(self.phase), self.rule, self.urn, self.message)

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "phase": self.phase,
            "kind": self.kind,
            "severity": self.severity,
            "enforcement": self.enforcement,
            "urn": self.urn,
            "message": self.message,
            "remediation": self.remediation,
            "tags": list(self.tags),
            "suppressed": self.suppressed,
            "suppression": dict(self.suppression) if self.suppression is not None else None,
        }


@dataclass(frozen=True)
class MergedFinding:
    """A finding as a reader wants it once: the same violation in both phases is one problem."""

    finding: PolicyFinding
    phases: tuple[Phase, ...]


def merged(findings: Iterable[PolicyFinding]) -> list[MergedFinding]:
    """Findings with the same rule, resource, kind, level and suppression in several phases,
    once each with the phases they appear in (in the order of `findings`)."""
    groups: dict[tuple[str, str, str, str, bool], list[PolicyFinding]] = {}
    for finding in findings:
        key = (finding.rule, finding.urn, finding.kind, finding.enforcement, finding.suppressed)
        groups.setdefault(key, []).append(finding)
    return [
        MergedFinding(finding=group[0], phases=tuple(p for p in PHASES if any(f.phase == p for f in group)))
        for group in groups.values()
    ]


def counts(findings: Iterable[PolicyFinding]) -> dict[str, int]:
    found = list(findings)
    return {
        "mandatory": sum(1 for f in found if f.blocking),
        "advisory": sum(1 for f in found if f.kind == "violation" and f.enforcement == "advisory" and not f.suppressed),
        "deferred": sum(1 for f in found if f.deferred),
        "suppressed": sum(1 for f in found if f.suppressed),
    }


@dataclass
class PolicyResult:
    pack: str
    version: str
    config_file: str | None
    findings: list[PolicyFinding]
    phases: tuple[Phase, ...] = ("update",)
    settings: dict[str, PolicySetting] = field(default_factory=dict)
    """The enforcement level and properties every policy was configured with."""
    stack_policies: frozenset[str] = frozenset()
    """Names of the pack's stack policies (AnalyzeStack)."""

    def of_phase(self, phase: Phase) -> list[PolicyFinding]:
        return [f for f in self.findings if f.phase == phase]

    def summary(self) -> dict[str, Any]:
        """Counts of distinct findings (the same one in both phases counts once), plus the counts
        of each phase."""
        total: dict[str, Any] = counts(entry.finding for entry in merged(self.findings))
        for phase in self.phases:
            total[phase] = counts(self.of_phase(phase))
        return total

    def gates(self) -> dict[str, dict[str, Any]]:
        """Per phase: `refused` or `pass`, and the blocking findings' count (stack policies'
        share separately: in an update they fail it after the resources were created)."""
        gates: dict[str, dict[str, Any]] = {}
        for phase in self.phases:
            blocking = [f for f in self.of_phase(phase) if f.blocking]
            gates[phase] = {
                "verdict": "refused" if blocking else "pass",
                "mandatory": len(blocking),
                "deferred": sum(1 for f in self.of_phase(phase) if f.deferred),
                "from_stack_policies": sum(1 for f in blocking if f.rule in self.stack_policies),
            }
        return gates

    @property
    def blocking(self) -> list[PolicyFinding]:
        return [f for f in self.findings if f.blocking]

    def to_json(self) -> dict[str, Any]:
        return {
            "pack": self.pack,
            "version": self.version,
            "config_file": self.config_file,
            "phases": list(self.phases),
            "gates": self.gates(),
            "findings": [f.to_json() for f in self.findings],
            "summary": self.summary(),
        }


def _suppression_mark(line: str) -> dict[str, str] | None:
    match = _SUPPRESSED_MARK.match(line)
    return match.groupdict() if match else None


def findings_from(
    diagnostics: Iterable[tuple[Any, str]],
    policies: Iterable[PolicyInfo],
    *,
    phase: Phase,
    companions: Iterable[str],
) -> Iterable[PolicyFinding]:
    """Findings of one phase from (diagnostic, the URN it was reported for) pairs."""
    info = {p.name: p for p in policies}
    companion_names = set(companions)
    for diagnostic, fallback_urn in diagnostics:
        policy = info.get(diagnostic.policyName)
        message = diagnostic.message
        if policy is not None and message.startswith(policy.description + "\n"):
            message = message[len(policy.description) + 1 :]
        urn = diagnostic.urn or fallback_urn
        mandatory = diagnostic.enforcementLevel in (1, 3)  # MANDATORY, REMEDIATE (analyzer.proto)
        base = PolicyFinding(
            rule=diagnostic.policyName,
            severity=policy.severity if policy else None,
            enforcement="mandatory" if mandatory else "advisory",
            urn=urn,
            message=message,
            remediation=policy.remediation if policy else "",
            tags=policy.tags if policy else (),
            phase=phase,
        )
        deferred = _DEFERRED_PREFIX.match(message)
        if deferred is not None:
            yield from _deferrals(base, message[deferred.end() :])
            continue
        if diagnostic.policyName in companion_names:
            first, _, rest = message.partition("\n")
            mark = _suppression_mark(first)
            if mark is not None:
                rule = info.get(mark["rule"])
                yield PolicyFinding(
                    rule=mark["rule"],
                    severity=rule.severity if rule else None,
                    enforcement="advisory",
                    urn=urn,
                    message=rest,
                    remediation=rule.remediation if rule else "",
                    tags=rule.tags if rule else (),
                    phase=phase,
                    suppressed=True,
                    suppression={"reason": mark["reason"], "owner": mark["owner"], "expires": mark["expires"]},
                )
                continue
        yield base


def _deferrals(base: PolicyFinding, text: str) -> Iterable[PolicyFinding]:
    """One deferred (advisory) finding per resource the notice lists, else one for its URN."""
    listed = [m for line in text.splitlines() if (m := _DEFERRED_RESOURCE.match(line.strip()))]
    deferred = replace(base, enforcement="advisory", kind="deferred")
    if not listed:
        yield replace(deferred, message=text)
        return
    for match in listed:
        yield replace(deferred, urn=match["urn"], message=match["why"])
