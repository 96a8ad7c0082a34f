"""Runs `python -m preflight.record` for one side of a diff and rebuilds the plan reports.

Each side gets its own interpreter so that the program imports its own `stacks`, `components`
and `catalog` (from the worktree for the base), never modules already loaded from the head
checkout. Both workers run at the same time; the caller waits for them with `SideJob.result()`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import preflight
from preflight.record import FORMAT, run_from_json
from preflight.report import PlanReport

# The directory that holds the running `preflight` package: the worker must be this code too.
_PREFLIGHT_HOME = Path(preflight.__file__).resolve().parent.parent


class WorkerError(Exception):
    """The worker itself broke (not the program it ran): a preflight bug or a broken environment."""


@dataclass
class StackRecording:
    """One stack's program run on one side: a report, or why there is none."""

    stack: str
    report: PlanReport | None = None
    config: dict[str, str] = field(default_factory=dict)
    """The stack config values the program ran with (fully qualified keys, engine strings)."""
    error: str | None = None
    exit_code: int = 0


@dataclass
class SideRecording:
    """Everything one worker recorded for one side of the diff."""

    project: str | None
    stacks: dict[str, StackRecording] = field(default_factory=dict)
    error: str | None = None
    """Set when the project could not be loaded at all (no Pulumi.yaml, bad manifest)."""


class SideJob:
    """A running worker for `stacks` of the project in `project_dir`."""

    def __init__(self, project_dir: Path, stacks: list[str]):
        self.project_dir = project_dir
        self.stacks = stacks
        # Files, not pipes: two workers writing large documents never block on each other.
        # Both are closed by result().
        self._stdout: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        self._process: subprocess.Popen[bytes] | None = None
        if stacks:
            env = dict(os.environ)
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_PREFLIGHT_HOME), env.get("PYTHONPATH")]))
            self._process = subprocess.Popen(
                # -P: the worker's directory is not put on sys.path; the program's is, by the engine.
                [sys.executable, "-P", "-m", "preflight.record", "--cwd", str(project_dir), *stacks],
                cwd=project_dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=self._stdout,
                stderr=self._stderr,
            )

    def kill(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()

    def result(self) -> SideRecording:
        try:
            return self._collect()
        finally:
            self.kill()
            self._stdout.close()
            self._stderr.close()

    def _collect(self) -> SideRecording:
        if self._process is None:
            return SideRecording(project=None)
        status = self._process.wait()
        self._stdout.seek(0)
        self._stderr.seek(0)
        output = self._stdout.read().decode("utf-8", errors="replace")
        try:
            document: dict[str, Any] = json.loads(output)
        except json.JSONDecodeError:
            tail = self._stderr.read().decode("utf-8", errors="replace").strip().splitlines()[-20:]
            raise WorkerError(
                f"the preflight worker for {self.project_dir} exited with status {status} without a result:\n"
                + "\n".join(tail)
            ) from None
        if document.get("format") != FORMAT:
            raise WorkerError(f"the preflight worker answered format {document.get('format')!r}, expected {FORMAT}")
        if "error" in document:
            return SideRecording(project=None, error=document["error"])
        side = SideRecording(project=document["project"])
        for stack, result in document["stacks"].items():
            if result["ok"]:
                log = [(level, message) for level, message in result["log"]]
                runs = {phase: run_from_json(run) for phase, run in result["runs"].items()}
                report = PlanReport(runs=runs, log=log)  # type: ignore[arg-type]
                side.stacks[stack] = StackRecording(stack=stack, report=report, config=result["config"])
            else:
                side.stacks[stack] = StackRecording(stack=stack, error=result["message"], exit_code=result["exit_code"])
        return side
