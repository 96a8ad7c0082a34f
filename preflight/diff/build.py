"""Assembles a `DiffReport`: base worktree -> two workers -> this checkout's stages -> diff.

When the base's project directory is the head's (same git tree, nothing uncommitted), there is
no worktree and one worker: the head's recorded run and stage results are both sides."""

from __future__ import annotations

import argparse
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from preflight.diff.git import base_is_head, base_worktree, open_repository, resolve_ref
from preflight.diff.model import DiffReport, StackDiff, diff_stack
from preflight.diff.worker import SideJob, SideRecording, StackRecording
from preflight.project import UsageError, load_project
from preflight.report import PlanReport
from preflight.stages import STAGES

STACK_CONFIG_CONTEXT_KEY = "stack_config"
"""Stage context key for the stack config values a side ran with (fully qualified key -> the
engine's string value): each side is priced and judged with its own `Pulumi.<stack>.yaml`, which
for the base lives in a worktree that is gone by the time the stages run."""

BASE_COSTS_CONTEXT_KEY = "base_costs"
"""Stage context key under which the head side gets the base's monthly totals:
{"floor_usd": float | None, "ceiling_usd": float | None}. The policy stage hands them to the cost
rule C6 (increase against the base) as `baseMonthlyFloorUsd` / `baseMonthlyCeilingUsd`."""


MAX_PARALLEL_STACKS = 4
"""At most this many stacks judged at once (each runs its own policy pack process)."""


@dataclass
class DiffOutcome:
    report: DiffReport
    exit_code: int
    """Non-zero when the head fails: its program fails (1, or 2 for a config error, like `plan`)
    or a stage's verdict fails it (a mandatory finding)."""


def _stacks_at(directory: Path) -> list[str] | None:
    """Stacks with a `Pulumi.<stack>.yaml` in `directory`; None when it holds no Pulumi project."""
    if not (directory / "Pulumi.yaml").is_file():
        return None
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in directory.glob("Pulumi.*.yaml"))


def _choose_stacks(named: list[str], base: list[str], head: list[str]) -> list[str]:
    if not named:
        chosen = sorted(set(base) | set(head))
        if not chosen:
            raise UsageError("no stacks to compare: no Pulumi.<stack>.yaml on either side")
        return chosen
    unknown = [s for s in named if s not in base and s not in head]
    if unknown:
        known = ", ".join(sorted(set(base) | set(head))) or "none"
        raise UsageError(
            f"unknown stack(s) {', '.join(unknown)}: no Pulumi.<stack>.yaml on either side (stacks: {known})"
        )
    return list(dict.fromkeys(named))


def base_totals(report: PlanReport | None) -> dict[str, float | None] | None:
    """The base's monthly floor and ceiling from its costs section (None: no costs section).
    A stack that does not exist on the base side costs 0."""
    if report is None:
        return {"floor_usd": 0.0, "ceiling_usd": 0.0}
    section = report.sections.get("costs")
    if not isinstance(section, dict):
        return None
    totals = section.get("totals") or {}
    return {"floor_usd": totals.get("floor_usd"), "ceiling_usd": totals.get("ceiling_usd")}


def _apply_stages(report: PlanReport, args: argparse.Namespace, context: dict[str, Any]) -> None:
    for stage in STAGES:
        stage.apply(report, args, context)


def build_diff(args: argparse.Namespace) -> DiffOutcome:
    """`args`: cwd, base, stacks, plus the stages' own options."""
    head_dir: Path = args.cwd.resolve()
    head_project = load_project(head_dir)
    repo = open_repository(head_dir)
    base_ref = resolve_ref(repo, args.base)
    named = list(args.stacks or [])

    if base_is_head(repo, base_ref):
        # Nothing to evaluate on the base side: its project directory is the head's, byte for
        # byte. No worktree, one worker; the head's run and stage results stand for both sides.
        stacks = _choose_stacks(named, head_project.stacks(), head_project.stacks())
        head_side = _recorded(SideJob(head_dir, stacks))
        base_side = None
    else:
        with base_worktree(repo, base_ref) as tree:
            base_dir = tree / repo.project_path
            base_stacks = _stacks_at(base_dir)
            if base_stacks is None:
                where = repo.project_path.as_posix()
                raise UsageError(
                    f"--base {base_ref.ref} ({base_ref.short}) has no Pulumi project at {where!r} (no Pulumi.yaml); "
                    "nothing to compare against"
                )
            stacks = _choose_stacks(named, base_stacks, head_project.stacks())
            # Both sides at once, each in one worker process for all of its stacks.
            jobs = [
                SideJob(base_dir, [s for s in stacks if s in base_stacks]),
                SideJob(head_dir, [s for s in stacks if s in head_project.stacks()]),
            ]
            try:
                base_side, head_side = (job.result() for job in jobs)
            finally:
                for job in jobs:
                    job.kill()

    def compare(stack: str) -> tuple[StackDiff, int]:
        stack_file = (repo.project_path / f"Pulumi.{stack}.yaml").as_posix()
        if base_side is None:
            return _compare_with_itself(stack, head_side, args, stack_file)
        return _compare(stack, base_side, head_side, args, stack_file, base_ref.ref)

    # Stacks are judged side by side: the policy stage mostly waits for its pack process.
    with ThreadPoolExecutor(max_workers=max(1, min(len(stacks), os.cpu_count() or 1, MAX_PARALLEL_STACKS))) as pool:
        compared = list(pool.map(compare, stacks))

    report = DiffReport(
        project=head_project.name,
        base_ref=base_ref.ref,
        base_commit=base_ref.commit,
        head_commit=repo.head_commit,
        head_dirty=repo.dirty,
        stacks=[stack_diff for stack_diff, _ in compared],
        base_identical=base_side is None,
    )
    return DiffOutcome(report=report, exit_code=max([0, *(code for _, code in compared)]))


def _recorded(job: SideJob) -> SideRecording:
    try:
        return job.result()
    finally:
        job.kill()


def _compare(
    stack: str,
    base_side: SideRecording,
    head_side: SideRecording,
    args: argparse.Namespace,
    stack_file: str,
    base_ref: str,
) -> tuple[StackDiff, int]:
    """One stack whose two sides were recorded separately: the base is judged and priced first,
    so that the head's policy stage gets the base's totals (rule C6)."""
    exit_code = 0
    base, base_error = _recording(base_side, stack, f"the project at {base_ref}")
    head, head_error = _recording(head_side, stack, "the project")
    if head_error is not None:
        # The change breaks this stack's program: reported, and the run fails like `plan` would.
        exit_code = _failure_code(head_side, stack)
    base_report = base.report if base else None
    head_report = head.report if head else None
    if base is not None and base_report is not None:
        try:
            _apply_stages(base_report, args, {STACK_CONFIG_CONTEXT_KEY: base.config})
        except UsageError as exc:
            # E.g. a price book in the base's stack config that this checkout no longer accepts.
            base, base_report, base_error = None, None, f"the base's stack config: {exc}"
    if head is not None and head_report is not None:
        context: dict[str, Any] = {STACK_CONFIG_CONTEXT_KEY: head.config}
        if base_error is None:
            context[BASE_COSTS_CONTEXT_KEY] = base_totals(base_report)
        _apply_stages(head_report, args, context)
        exit_code = max([exit_code, *(stage.exit_code(head_report, args) for stage in STAGES)])
    stack_diff = diff_stack(
        stack, base_report, head_report, stack_file=stack_file, base_error=base_error, head_error=head_error
    )
    return stack_diff, exit_code


def _compare_with_itself(
    stack: str, head_side: SideRecording, args: argparse.Namespace, stack_file: str
) -> tuple[StackDiff, int]:
    """One stack whose base is the head: judged and priced once, that report on both sides.
    The head's policy stage gets no base totals: C6 (increase against the base) has no increase
    to find, exactly as with base totals equal to its own."""
    head, head_error = _recording(head_side, stack, "the project")
    if head_error is not None:
        # It fails on both sides alike; the head's failure fails the run as in a full diff.
        stack_diff = diff_stack(stack, None, None, stack_file=stack_file, base_error=head_error, head_error=head_error)
        return stack_diff, _failure_code(head_side, stack)
    head_report = head.report if head else None
    exit_code = 0
    if head is not None and head_report is not None:
        _apply_stages(head_report, args, {STACK_CONFIG_CONTEXT_KEY: head.config})
        exit_code = max([0, *(stage.exit_code(head_report, args) for stage in STAGES)])
    return diff_stack(stack, head_report, head_report, stack_file=stack_file), exit_code


def _recording(side: SideRecording, stack: str, project: str) -> tuple[StackRecording | None, str | None]:
    """A side's recording of `stack` (None: the stack does not exist there) or why it failed."""
    if side.error is not None:
        return None, f"{project} could not be loaded: {side.error}"
    recording = side.stacks.get(stack)
    if recording is not None and recording.report is None:
        return None, recording.error or "the program failed"
    return recording, None


def _failure_code(side: SideRecording, stack: str) -> int:
    """1 for a program that raised, 2 for a config or project error (as `plan` exits)."""
    recording = side.stacks.get(stack)
    return recording.exit_code if recording is not None and recording.exit_code else 2
