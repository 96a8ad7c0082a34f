"""Turns an exception raised by the user's program into a message without preflight's frames."""

from __future__ import annotations

import traceback
from pathlib import Path

import pulumi

from preflight.records import Phase

_PHASE_NAMES = {"preview": "at preview", "update": "in the update"}


def describe_program_error(exc: BaseException, project_dir: Path, *, phase: Phase | None = None) -> tuple[str, int]:
    """(message, exit code). `pulumi.RunError` (config mistakes, `pulumi.Config().require`) is a
    user error: its text alone, exit 2. Anything else is a bug in the program: the exception, the
    frames inside the project directory and, for an exception raised inside an `apply` callback
    (where the traceback holds SDK frames only), the program line that set the callback up; exit 1."""
    if isinstance(exc, pulumi.RunError):
        return str(exc), 2
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if _inside(Path(frame.filename), project_dir)]
    where = f" {_PHASE_NAMES[phase]}" if phase else ""
    lines = [f"the program raised {type(exc).__name__}{where}: {exc}"]
    lines.extend(f"  {note}" for note in getattr(exc, "__notes__", ()))
    if frames:
        lines.append("program frames (most recent call last):")
        lines.extend(line.rstrip() for line in traceback.format_list(frames))
    return "\n".join(lines), 1


_PREFLIGHT_DIR = Path(__file__).resolve().parent


def _inside(path: Path, directory: Path) -> bool:
    if str(path).startswith("<"):
        # Pseudo-files such as `<frozen runpy>` or `<string>` are never the user's program.
        return False
    resolved = path.resolve()
    if resolved.is_relative_to(_PREFLIGHT_DIR):
        return False
    if not resolved.is_relative_to(directory):
        return False
    return ".venv" not in resolved.parts and "site-packages" not in resolved.parts
