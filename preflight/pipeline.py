"""The plan pipeline: load project and stack config, run the program, assemble the report."""

from __future__ import annotations

from pathlib import Path

from preflight.engine import run_program
from preflight.program_errors import describe_program_error
from preflight.project import load_project, load_stack_config
from preflight.report import PlanReport


class ProgramError(Exception):
    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def build_plan(directory: Path, stack: str) -> PlanReport:
    """Run `stack` of the project in `directory` and return its plan report."""
    project = load_project(directory)
    config = load_stack_config(project, stack)
    try:
        run, log = run_program(project, stack, config)
    except Exception as exc:  # noqa: BLE001 - any program failure becomes a report, not a crash
        message, code = describe_program_error(exc, project.directory)
        raise ProgramError(message, code) from None
    return PlanReport(run=run, log=log)
