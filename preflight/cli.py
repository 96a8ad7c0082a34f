"""`preflight`: the offline review command. `preflight <stack>` == `preflight plan <stack>`."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from types import ModuleType

from preflight.project import UsageError

# Subcommand modules under preflight/commands, in the order `--help` lists them. A stack cannot
# be named like one of them.
COMMAND_MODULES = ("plan", "diff", "prices", "urns")


def _commands() -> list[ModuleType]:
    found = []
    for name in COMMAND_MODULES:
        try:
            found.append(importlib.import_module(f"preflight.commands.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"preflight.commands.{name}":
                raise
    return found


COMMANDS: list[ModuleType] = _commands()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="preflight",
        description="Review a Pulumi stack offline: what it creates, policy findings, monthly cost. "
        "No Pulumi CLI, no credentials, no network.",
        epilog="`preflight <stack>` is short for `preflight plan <stack>`.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def _normalize(argv: Sequence[str]) -> list[str]:
    """Insert `plan` when the first positional argument is not a subcommand."""
    args = list(argv)
    names = {command.NAME for command in COMMANDS}
    for arg in args:
        if arg in ("-h", "--help"):
            return args
        if arg.startswith("-"):
            continue
        return args if arg in names else ["plan", *args]
    return args


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(_normalize(sys.argv[1:] if argv is None else argv))
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return handler(args)
    except UsageError as exc:
        print(f"preflight: error: {exc}", file=sys.stderr)
        return 2
