"""SARIF 2.1.0 for code scanning: the policy findings of a plan (or of a diff's head side).

One run; `tool.driver.rules` holds every rule that has a finding; each result carries `ruleId`,
`level` (mandatory -> error, advisory -> warning, deferred to the update or suppressed -> note,
with a `suppressions` entry when suppressed), the message, the phases it was found in, a physical
location at the program line that declares the resource (else the stack's `Pulumi.<stack>.yaml`:
code scanning needs a file) and a logical location with the URN. A diff
also sets `baselineState` (new or unchanged against the base); fixed findings are not results,
and when its base is the head (not evaluated again) the run's `properties` say so.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib import metadata
from typing import Any

from preflight.diff.model import DiffReport, finding_class, findings_of
from preflight.records import ROOT_STACK_TYPE
from preflight.report import PlanReport

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"

_LEVEL = {"mandatory": "error", "advisory": "warning", "deferred": "note", "suppressed": "note"}
# GitHub orders security alerts by this 0-10 score (rule property `security-severity`).
_SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}


def _tool_version() -> str:
    try:
        return metadata.version("ai-infra")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def _stack_urn(report: PlanReport) -> str:
    run = report.run
    return f"urn:pulumi:{run.stack}::{run.project}::{ROOT_STACK_TYPE}::{run.project}-{run.stack}"


def _fingerprint(stack: str, finding: dict[str, Any]) -> str:
    key = "\x1f".join([stack, str(finding.get("rule") or ""), str(finding.get("urn") or "")])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _physical_location(report: PlanReport, urn: str, stack_file: str) -> dict[str, Any]:
    """Where a reviewer fixes it: the program line that declares the resource when preflight
    knows it (`source`, relative to the project directory), else the stack's config file."""
    record = report.run.by_urn().get(urn)
    source = record.source if record is not None else None
    if source and ":" in source:
        path, _, line = source.rpartition(":")
        project_dir = stack_file.rpartition("/")[0]
        uri = f"{project_dir}/{path}" if project_dir else path
        return {"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"}, "region": {"startLine": int(line)}}
    return {"artifactLocation": {"uri": stack_file, "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 1}}


RULES_DOC = "docs/policy-rules.md"


def rule_help_uri(rule: str) -> str:
    """Where a rule is documented: the repository's docs/policy-rules.md at the commit under
    review on GitHub Actions (GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_SHA), else the path
    in the repository."""
    server, repository = os.environ.get("GITHUB_SERVER_URL"), os.environ.get("GITHUB_REPOSITORY")
    if server and repository:
        ref = os.environ.get("GITHUB_SHA") or "HEAD"
        return f"{server}/{repository}/blob/{ref}/{RULES_DOC}#{rule}"
    return f"{RULES_DOC}#{rule}"


class _Rules:
    """`tool.driver.rules`, in first-seen order of a sorted walk (so indexes are stable)."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []
        self._index: dict[str, int] = {}

    def index(self, finding: dict[str, Any]) -> int:
        rule = str(finding.get("rule") or "unknown-rule")
        if rule not in self._index:
            self._index[rule] = len(self.entries)
            self.entries.append(self._describe(rule, finding))
        return self._index[rule]

    @staticmethod
    def _describe(rule: str, finding: dict[str, Any]) -> dict[str, Any]:
        level = "error" if finding.get("enforcement") == "mandatory" else "warning"
        properties: dict[str, Any] = {"tags": sorted(str(t) for t in finding.get("tags") or [])}
        severity = str(finding.get("severity") or "").lower()
        if severity in _SECURITY_SEVERITY:
            properties["security-severity"] = _SECURITY_SEVERITY[severity]
        entry: dict[str, Any] = {
            "id": rule,
            "name": rule,
            "shortDescription": {"text": rule},
            "defaultConfiguration": {"level": level},
            "properties": properties,
        }
        if finding.get("remediation"):
            entry["help"] = {"text": str(finding["remediation"])}
        entry["helpUri"] = rule_help_uri(rule)
        return entry


def _result(
    finding: dict[str, Any],
    *,
    report: PlanReport,
    stack_file: str,
    rules: _Rules,
    baseline: str | None,
) -> dict[str, Any]:
    urn = finding.get("urn") or _stack_urn(report)
    klass = finding_class(finding)
    result: dict[str, Any] = {
        "ruleId": str(finding.get("rule") or "unknown-rule"),
        "ruleIndex": rules.index(finding),
        "level": _LEVEL[klass],
        "message": {"text": f"[{report.run.stack}] {finding.get('message') or finding.get('rule')}"},
        "locations": [
            {
                "physicalLocation": _physical_location(report, urn, stack_file),
                "logicalLocations": [{"fullyQualifiedName": urn, "name": urn.rsplit("::", 1)[-1], "kind": "resource"}],
            }
        ],
        "partialFingerprints": {"preflightFinding/v1": _fingerprint(report.run.stack, finding)},
        "properties": {
            "stack": report.run.stack,
            "phases": finding.get("phases") or [finding.get("phase")],
            "kind": finding.get("kind", "violation"),
            "severity": finding.get("severity"),
            "enforcement": finding.get("enforcement"),
            "remediation": finding.get("remediation"),
        },
    }
    if baseline is not None:
        result["baselineState"] = baseline
    suppression = finding.get("suppression")
    if klass == "suppressed":
        details = suppression if isinstance(suppression, dict) else {}
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": str(details.get("reason") or ""),
                "properties": {"owner": details.get("owner"), "expires": details.get("expires")},
            }
        ]
    return result


def _document(results: list[dict[str, Any]], rules: _Rules, properties: dict[str, Any] | None = None) -> str:
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "preflight",
                "version": _tool_version(),
                "rules": rules.entries,
            }
        },
        "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "the repository root"}}},
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    if properties:
        run["properties"] = properties
    document = {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [run],
    }
    return json.dumps(document, indent=2) + "\n"


def render_plan_sarif(report: PlanReport, stack_file: str) -> str:
    """`stack_file`: the stack's `Pulumi.<stack>.yaml` relative to the repository root."""
    rules = _Rules()
    results = [
        _result(f, report=report, stack_file=stack_file, rules=rules, baseline=None) for f in findings_of(report) or []
    ]
    return _document(results, rules)


def render_diff_sarif(diff: DiffReport) -> str:
    """The head side's findings of every stack, each marked new or unchanged against the base."""
    rules = _Rules()
    results: list[dict[str, Any]] = []
    for stack in diff.stacks:
        if stack.head_report is None:
            continue
        new_keys = None
        if stack.findings is not None and stack.findings.base is not None:
            new_keys = {(f.get("rule"), f.get("urn")) for f in stack.findings.new}
        for finding in findings_of(stack.head_report) or []:
            baseline = None
            if new_keys is not None:
                baseline = "new" if (finding.get("rule"), finding.get("urn")) in new_keys else "unchanged"
            results.append(
                _result(finding, report=stack.head_report, stack_file=stack.stack_file, rules=rules, baseline=baseline)
            )
    note = diff.identical_note
    # A base that is the head was not evaluated again: say so where a reader of the log looks.
    properties = {"baseIdenticalToHead": True, "note": note} if note else None
    return _document(results, rules, properties)


def diff_head_sarif(diff: DiffReport) -> dict[str, str]:
    """Per stack whose new side ran: `preflight plan <stack> --format sarif` of that side (every
    finding, unsuppressed mandatory ones at level `error`), from the diff's own run and policy
    results. Stacks whose program fails with the change, or that the change removes, have none.
    The findings are the diff's: with a base, they include C6 (the cost increase against it)."""
    return {
        stack.stack: render_plan_sarif(stack.head_report, stack.stack_file)
        for stack in diff.stacks
        if stack.head_report is not None
    }
