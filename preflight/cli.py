"""`preflight`: the offline review command. `preflight <stack>` == `preflight plan <stack>`."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from preflight.project import UsageError

STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


def _stack_name(value: str) -> str:
    if not STACK_NAME.match(value):
        raise argparse.ArgumentTypeError(f"{value!r} is not a valid stack name (letters, digits, - _ .)")
    return value


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cwd", type=Path, default=Path.cwd(), help="Pulumi project directory (default: .)")
    parser.add_argument("--out", type=Path, help="write the report to FILE instead of standard output")
    parser.add_argument("--no-color", action="store_true", help="plain output (color is never used in files)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="preflight",
        description="Review a Pulumi stack offline: what it creates, policy findings, monthly cost. "
        "No Pulumi CLI, no credentials, no network.",
        epilog="`preflight <stack>` is short for `preflight plan <stack>`.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    plan = commands.add_parser("plan", help="run the stack's program under mocks and report it")
    plan.add_argument("stack", type=_stack_name, help="stack name: reads Pulumi.<stack>.yaml")
    plan.add_argument("--format", choices=["table", "json"], default="table")
    _add_common(plan)
    plan.set_defaults(handler=_plan)
    return parser


SUBCOMMANDS = ("plan",)


def _normalize(argv: Sequence[str]) -> list[str]:
    """Insert `plan` when the first positional argument is not a subcommand."""
    args = list(argv)
    for i, arg in enumerate(args):
        if arg.startswith("-"):
            if arg in ("-h", "--help"):
                return args
            continue
        if arg not in SUBCOMMANDS:
            args.insert(i if i == 0 else 0, "plan")
        return args
    return args


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")


def _plan(args: argparse.Namespace) -> int:
    from preflight.pipeline import ProgramError, build_plan
    from preflight.render_table import render_table

    try:
        report = build_plan(args.cwd, args.stack)
    except ProgramError as failure:
        print(f"preflight: stack {args.stack!r}: {failure.message}", file=sys.stderr)
        return failure.exit_code
    if args.format == "json":
        _emit(json.dumps(report.to_json(), indent=2, sort_keys=False) + "\n", args.out)
    else:
        _emit(render_table(report), args.out)
    return 0


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
