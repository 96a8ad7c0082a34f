"""`preflight`: the offline review command. `preflight <stack>` == `preflight plan <stack>`."""

from __future__ import annotations

import argparse
import difflib
import importlib
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import NoReturn

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


class _SuggestingParser(argparse.ArgumentParser):
    """An argument parser whose "unrecognized arguments" error suggests the nearest option."""

    def _all_options(self) -> list[str]:
        options = [o for action in self._actions for o in action.option_strings]
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    options.extend(o for a in sub._actions for o in a.option_strings)
        return sorted(set(options))

    def error(self, message: str) -> NoReturn:
        if message.startswith("unrecognized arguments:"):
            options = self._all_options()
            hints = []
            for arg in message.split(":", 1)[1].split():
                flag = arg.split("=", 1)[0]
                close = difflib.get_close_matches(flag, options, n=1, cutoff=0.6) if flag.startswith("-") else []
                if close:
                    hints.append(f"{flag}: did you mean {close[0]}?")
            if hints:
                message = f"{message}\n" + "\n".join(hints)
        super().error(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _SuggestingParser(
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
