"""The plan pipeline: load project and stack config, run the program in each phase, assemble the report."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from preflight.engine import StackOutputs, run_program
from preflight.program_errors import describe_program_error
from preflight.project import UsageError, load_project, load_stack_config
from preflight.records import PHASES, Phase, ProgramRun
from preflight.report import PlanReport

PHASE_COMMANDS: dict[Phase, str] = {"preview": "pulumi preview", "update": "pulumi up"}


class ProgramError(Exception):
    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def build_plan(
    directory: Path,
    stack: str,
    *,
    phases: Sequence[Phase] = PHASES,
    stack_outputs: StackOutputs | None = None,
    step: Callable[[str], None] | None = None,
) -> PlanReport:
    """Run `stack` of the project in `directory` once per phase and return its plan report;
    `step(text)` is told what is running (the progress line)."""
    project = load_project(directory)
    config = load_stack_config(project, stack)
    runs: dict[Phase, ProgramRun] = {}
    log: list[tuple[str, str]] = []
    for phase in phases:
        if step is not None:
            step(f"{stack}: running the program as `{PHASE_COMMANDS[phase]}` would")
        try:
            run, phase_log = run_program(project, stack, config, phase=phase, stack_outputs=stack_outputs)
        except Exception as exc:  # noqa: BLE001 - any program failure becomes a report, not a crash
            message, code = describe_program_error(exc, project.directory, phase=phase)
            raise ProgramError(message, code) from None
        runs[phase] = run
        log = log or phase_log
    return PlanReport(runs=runs, log=log)


def load_stack_outputs(specs: Sequence[str]) -> dict[str, Mapping[str, Any]]:
    """`--stack-outputs org/project/stack=FILE` values: each FILE holds what `pulumi stack output
    --json` prints for that stack (secret values may read `[secret]`)."""
    found: dict[str, Mapping[str, Any]] = {}
    for spec in specs:
        name, sep, file = spec.partition("=")
        if not sep or not name or not file:
            raise UsageError(f"--stack-outputs {spec!r}: expected STACK=FILE (e.g. org/network/prod=outputs.json)")
        path = Path(file)
        try:
            outputs = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise UsageError(f"--stack-outputs {spec!r}: cannot read {path}: {exc.strerror}") from None
        except ValueError as exc:
            raise UsageError(f"--stack-outputs {spec!r}: {path} is not JSON: {exc}") from None
        if not isinstance(outputs, dict):
            raise UsageError(f"--stack-outputs {spec!r}: {path} must hold a JSON object of outputs")
        found[name] = outputs
    return found
