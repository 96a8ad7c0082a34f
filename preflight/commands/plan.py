"""`preflight plan <stack>`: run the stack's program offline and report what it would create."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from preflight.commands.common import add_common_arguments, emit, stack_name, use_color
from preflight.stages import STAGES, add_stage_arguments

NAME = "plan"
HELP = "run the stack's program under mocks; report resources, policy findings and costs"


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(NAME, help=HELP, description=HELP)
    parser.add_argument("stack", type=stack_name, help="stack name: reads Pulumi.<stack>.yaml")
    parser.add_argument("--format", choices=["table", "json"], default="table", help="report format")
    add_common_arguments(parser)
    add_stage_arguments(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from preflight.pipeline import ProgramError, build_plan
    from preflight.render_table import render_table

    try:
        report = build_plan(args.cwd, args.stack)
    except ProgramError as failure:
        print(f"preflight: stack {args.stack!r}: {failure.message}", file=sys.stderr)
        return failure.exit_code
    context: dict[str, Any] = {}
    for stage in STAGES:
        stage.apply(report, args, context)
    if args.format == "json":
        emit(json.dumps(report.to_json(), indent=2) + "\n", args.out)
    else:
        emit(render_table(report, color=use_color(args)), args.out)
    return max([stage.exit_code(report, args) for stage in STAGES], default=0)
