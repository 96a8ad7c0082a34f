"""`preflight`: the offline review command. `preflight <stack>` == `preflight plan <stack>`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from types import ModuleType

from preflight.commands import plan
from preflight.project import UsageError

# Subcommands in the order `--help` lists them. A stack cannot be named like one of them.
COMMANDS: list[ModuleType] = [plan]


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
