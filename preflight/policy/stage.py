"""Plan stage: judge the program's resources with the CrossGuard policy pack (analyzer protocol).

Judges every phase of the plan (preview and update) with its own pack process. Adds
`report.sections["policy"]` (pack, config file, gates per phase, findings with their phase and
kind, summary), a POLICY column (`2M 1A 3D 1S`: mandatory, advisory, deferred to the update,
suppressed findings per resource) and the findings under the table, mandatory first. Exit code 1
when either gate refuses (an unsuppressed mandatory finding in that phase), unless `--soft-fail`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from preflight.policy.analyzer import PACK_DIR, PolicyFinding, PolicyResult, run_policy_pack, stack_urn
from preflight.policy.config import default_config_file
from preflight.policy.findings import merged
from preflight.project import StackConfig, load_project, load_stack_config

PROGRESS = "judging with the policy pack (analyzer protocol)"
"""What the progress line says while this stage runs."""
SECTION = "policy"
COLUMN = "POLICY"
BASE_COSTS_CONTEXT_KEY = "base_costs"
"""Where `preflight diff` leaves the base side's totals for C6 ({"floor_usd", "ceiling_usd"})."""
COST_INCREASE_POLICY = "cost-increase-within-threshold"
STACK_CONFIG_CONTEXT_KEY = "stack_config"
"""Context key with the stack's config values, when the caller has them (see preflight/costs/stage.py)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("policy")
    group.add_argument(
        "--policy-config",
        type=Path,
        metavar="FILE",
        help="policy pack config (CLI --policy-pack-config format); default: policies/config/<stack>.json, "
        "or prod.json for a stack without its own",
    )
    group.add_argument(
        "--suppressions",
        type=Path,
        metavar="FILE",
        help="suppression file to use instead of policies/suppressions/<stack>.yaml",
    )
    group.add_argument("--soft-fail", action="store_true", help="exit 0 even when a mandatory finding is unsuppressed")
    group.add_argument("--no-policy", action="store_true", help="skip the policy pack")


def config_file_for(args: argparse.Namespace, stack: str) -> Path:
    chosen: Path | None = getattr(args, "policy_config", None)
    return chosen if chosen is not None else default_config_file(PACK_DIR, stack)


def base_cost_properties(context: dict[str, Any]) -> dict[str, dict[str, float]]:
    """C6's base figures from the diff's base side, when there is one."""
    base = context.get(BASE_COSTS_CONTEXT_KEY)
    if not isinstance(base, dict):
        return {}
    properties = {
        name: float(base[key])
        for key, name in (("floor_usd", "baseMonthlyFloorUsd"), ("ceiling_usd", "baseMonthlyCeilingUsd"))
        if isinstance(base.get(key), int | float)
    }
    return {COST_INCREASE_POLICY: properties} if properties else {}


def _stack_config(args: argparse.Namespace, context: dict[str, Any], stack: str) -> StackConfig:
    """The config the program ran with: given by the caller (`stack_config` in the context, as for
    the cost stage) or read from `--cwd`'s Pulumi.<stack>.yaml."""
    given = context.get(STACK_CONFIG_CONTEXT_KEY)
    if isinstance(given, dict):
        return StackConfig(values={str(k): str(v) for k, v in given.items()}, secret_keys=[])
    project = load_project(Path(getattr(args, "cwd", None) or Path.cwd()))
    return load_stack_config(project, stack)


def apply(report: Any, args: argparse.Namespace, context: dict[str, Any]) -> None:
    if getattr(args, "no_policy", False):
        return
    run = report.run
    stack_config = _stack_config(args, context, run.stack)
    result = run_policy_pack(
        report.runs,
        config_file=config_file_for(args, run.stack),
        stack_config=stack_config,
        extra_properties=base_cost_properties(context),
        suppressions_file=getattr(args, "suppressions", None),
    )
    context[SECTION] = result
    report.sections[SECTION] = result.to_json()
    report.columns[COLUMN] = _column(result)
    report.footer.extend(footer_lines(result, stack_urn(run)))


def _column(result: PolicyResult) -> dict[str, str]:
    """`2M 1A 3D 1S` per resource: mandatory, advisory, deferred to the update, suppressed; a
    finding of both phases counts once."""
    counts: dict[str, list[int]] = {}
    for entry in merged(result.findings):
        finding = entry.finding
        cell = counts.setdefault(finding.urn, [0, 0, 0, 0])
        if finding.suppressed:
            cell[3] += 1
        elif finding.deferred:
            cell[2] += 1
        else:
            cell[0 if finding.enforcement == "mandatory" else 1] += 1
    return {
        urn: " ".join(f"{n}{letter}" for n, letter in zip(cell, "MADS", strict=True) if n)
        for urn, cell in counts.items()
    }


PHASE_COMMANDS = {"preview": "pulumi preview", "update": "pulumi up"}


def gate_line(result: PolicyResult) -> str:
    """`Gates: pulumi preview PASS (0 mandatory, 4 judged at update) | pulumi up REFUSED (2 mandatory)`."""
    parts = []
    for phase, gate in result.gates().items():
        detail = f"{gate['mandatory']} mandatory"
        if gate["deferred"]:
            detail += f", {gate['deferred']} judged at update"
        if gate["from_stack_policies"] and phase == "update":
            detail += f"; {gate['from_stack_policies']} from stack policies, after resources were created"
        parts.append(f"{PHASE_COMMANDS[phase]} {gate['verdict'].upper()} ({detail})")
    return "Gates: " + " | ".join(parts)


def _shown_path(path: str | None) -> str:
    if path is None:
        return "pack defaults"
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path


def footer_lines(result: PolicyResult, root_urn: str) -> list[str]:
    """The summary line, every finding (mandatory first) and, once per rule, how to fix it."""
    summary = result.summary()
    lines = [
        "",
        gate_line(result),
        f"Policy: {summary['mandatory']} mandatory, {summary['advisory']} advisory, {summary['deferred']} deferred, "
        f"{summary['suppressed']} suppressed "
        f"({result.pack} {result.version}, config {_shown_path(result.config_file)})",
    ]
    for entry in merged(result.findings):
        lines.extend(_finding_lines(entry.finding, entry.phases, root_urn))
    fixes = {f.rule: f.remediation for f in result.findings if f.remediation and not f.suppressed}
    if fixes:
        lines.append("  How to fix:")
        lines.extend(f"    {rule}: {remediation}" for rule, remediation in sorted(fixes.items()))
    return lines


def _finding_lines(finding: PolicyFinding, phases: tuple[str, ...], root_urn: str) -> list[str]:
    label = "SUPPRESSED" if finding.suppressed else ("DEFERRED" if finding.deferred else finding.enforcement.upper())
    target = "(stack)" if finding.urn == root_urn else finding.urn
    lines = [
        f"  {label:<10} [{'+'.join(phases)}] {finding.rule} [{finding.severity or '-'}] {target}",
        f"      {finding.message}",
    ]
    if finding.suppressed and finding.suppression is not None:
        s = finding.suppression
        lines.append(f"      suppressed until {s['expires']} by {s['owner']}: {s['reason']}")
    return lines


def exit_code(report: Any, args: argparse.Namespace) -> int:
    section = report.sections.get(SECTION)
    if not isinstance(section, dict) or getattr(args, "soft_fail", False):
        return 0
    gates = section.get("gates") or {}
    return 1 if any(gate.get("verdict") == "refused" for gate in gates.values()) else 0
