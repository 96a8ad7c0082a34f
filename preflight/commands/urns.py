"""`preflight urns <stack>`: the stack's sorted URNs, or (`--check FILE`) their comparison with a
snapshot. Runs the program only: no policy or cost stage, so it stays fast."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from preflight.commands.common import emit, stack_name
from preflight.project import UsageError

NAME = "urns"
HELP = "print the stack's resource URNs (sorted), or check them against a snapshot file"


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        NAME,
        help=HELP,
        description=HELP + ". A URN that disappears without an alias means `pulumi up` would delete "
        "and recreate that resource.",
        epilog="Update a snapshot: preflight urns dev --out tests/snapshots/dev.urns",
    )
    parser.add_argument("stack", type=stack_name, help="stack name: reads Pulumi.<stack>.yaml")
    parser.add_argument("--cwd", type=Path, default=Path.cwd(), help="Pulumi project directory (default: .)")
    parser.add_argument(
        "--check",
        type=Path,
        metavar="FILE",
        help="compare with the URNs in FILE; exit 1 when URNs would disappear (without an alias) or appear",
    )
    parser.add_argument("--out", type=Path, help="write the URNs (or the check report) to FILE instead of stdout")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from preflight.pipeline import ProgramError, build_plan
    from preflight.urns import check_urns, read_snapshot, render_urns, stack_urns

    expected: list[str] | None = None
    if args.check is not None:
        if not args.check.is_file():
            raise UsageError(f"snapshot {args.check} not found; create it with: preflight urns {args.stack} --out FILE")
        expected = read_snapshot(args.check)
    try:
        report = build_plan(args.cwd, args.stack)
    except ProgramError as failure:
        print(f"preflight: stack {args.stack!r}: {failure.message}", file=sys.stderr)
        return failure.exit_code
    if expected is None:
        emit(render_urns(stack_urns(report.run)), args.out)
        return 0
    result = check_urns(
        expected,
        report.run,
        snapshot=str(args.check),
        update_command=f"preflight urns {args.stack} --out {args.check}",
    )
    emit(result.explain(), args.out)
    return 0 if result.ok else 1
