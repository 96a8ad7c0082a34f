"""Arguments and output helpers shared by the subcommands."""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


def stack_name(value: str) -> str:
    if not STACK_NAME.match(value):
        raise argparse.ArgumentTypeError(f"{value!r} is not a valid stack name (letters, digits, - _ .)")
    return value


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cwd", type=Path, default=Path.cwd(), help="Pulumi project directory (default: .)")
    parser.add_argument("--out", type=Path, help="write the report to FILE instead of standard output")
    parser.add_argument("--no-color", action="store_true", help="no ANSI colors (never used in files)")


def use_color(args: argparse.Namespace) -> bool:
    """ANSI colors only on an interactive terminal, never in files, and never with --no-color
    or the NO_COLOR convention."""
    return not args.no_color and args.out is None and "NO_COLOR" not in os.environ and sys.stdout.isatty()


def terminal_width(args: argparse.Namespace) -> int | None:
    """The terminal's width when the report goes to one; None (the renderer's default) otherwise."""
    if args.out is not None or not sys.stdout.isatty():
        return None
    import shutil

    return max(80, shutil.get_terminal_size().columns)


def emit(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
