"""Judges a plan with the policy pack, once per phase, the way `pulumi preview --policy-pack` and
`pulumi up --policy-pack` would. preflight implements no rule itself.

Each phase gets its own pack process (the CLI starts one per operation), configured as a dry run
for the preview and as an update for the update; both run side by side.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from preflight.policy.config import default_config_file
from preflight.policy.findings import PolicyFinding, PolicyResult
from preflight.policy.requests import stack_urn
from preflight.policy.session import PACK_DIR, PolicyPackError, PolicyPackSession
from preflight.project import StackConfig
from preflight.records import PHASES, Phase, ProgramRun

__all__ = [
    "PACK_DIR",
    "PolicyFinding",
    "PolicyPackError",
    "PolicyPackSession",
    "PolicyResult",
    "run_policy_pack",
    "stack_urn",
]


def _judge_one(
    run: ProgramRun,
    *,
    config_file: Path,
    stack_config: StackConfig | None,
    extra_properties: Mapping[str, Mapping[str, Any]] | None,
    suppressions_file: Path | None,
    pack_dir: Path,
) -> PolicyResult:
    with PolicyPackSession(
        project=run.project,
        stack=run.stack,
        stack_config=stack_config,
        pack_dir=pack_dir,
        suppressions_file=suppressions_file,
        dry_run=run.phase == "preview",
    ) as session:
        return session.analyze(run, config_file=config_file, extra_properties=extra_properties)


def run_policy_pack(
    runs: ProgramRun | Mapping[Phase, ProgramRun],
    *,
    config_file: Path | None = None,
    stack_config: StackConfig | None = None,
    extra_properties: Mapping[str, Mapping[str, Any]] | None = None,
    suppressions_file: Path | None = None,
    pack_dir: Path = PACK_DIR,
) -> PolicyResult:
    """Judge each run in its phase: start a pack per phase, analyze, stop it. `config_file`
    defaults to the pack's config for the runs' stack (prod's for a stack it does not know).
    `extra_properties`: policy name -> properties to add (e.g. C6's base figures)."""
    by_phase: dict[Phase, ProgramRun] = {runs.phase: runs} if isinstance(runs, ProgramRun) else dict(runs)
    phases = tuple(p for p in PHASES if p in by_phase)
    any_run = by_phase[phases[0]]
    chosen = config_file if config_file is not None else default_config_file(pack_dir, any_run.stack)
    with ThreadPoolExecutor(max_workers=len(phases)) as pool:
        futures = {
            phase: pool.submit(
                _judge_one,
                by_phase[phase],
                config_file=chosen,
                stack_config=stack_config,
                extra_properties=extra_properties,
                suppressions_file=suppressions_file,
                pack_dir=pack_dir,
            )
            for phase in phases
        }
        results = [futures[phase].result() for phase in phases]
    first = results[0]
    findings = sorted((f for r in results for f in r.findings), key=PolicyFinding.sort_key)
    return PolicyResult(
        pack=first.pack,
        version=first.version,
        config_file=first.config_file,
        findings=findings,
        phases=phases,
        settings=first.settings,
        stack_policies=first.stack_policies,
    )
