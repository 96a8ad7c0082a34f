"""`preflight diff [STACK...] --base REF`: what a change does to each stack, against a git ref."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from preflight.commands.common import add_common_arguments, emit, stack_name, use_color
from preflight.stages import add_stage_arguments

if TYPE_CHECKING:
    from preflight.diff.model import DiffReport

NAME = "diff"
HELP = "compare stacks against a git ref: resources added/removed/changed, cost delta, new and fixed findings"
FORMATS = ("table", "json", "markdown", "sarif")


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        NAME,
        help=HELP,
        description=HELP + ". The base ref is evaluated in a temporary git worktree; both sides are judged "
        "with this checkout's policy pack and priced with its catalog.",
    )
    parser.add_argument(
        "stacks",
        nargs="*",
        type=stack_name,
        metavar="STACK",
        help="stacks to compare (default: every stack with a Pulumi.<stack>.yaml on either side)",
    )
    parser.add_argument("--base", required=True, metavar="REF", help="git ref to compare against (main, HEAD~1, a SHA)")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="table (terminal), json (schema_version 1), markdown (pull-request comment), sarif (code scanning)",
    )
    parser.add_argument(
        "--sarif-dir",
        type=Path,
        metavar="DIR",
        help="also write each stack's new side as DIR/preflight-<stack>.sarif, as `preflight <stack> --format sarif` "
        "would (code scanning and a per-stack gate from this one run); none for a stack whose program fails",
    )
    add_common_arguments(parser)
    add_stage_arguments(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from preflight.diff.build import build_diff
    from preflight.diff.worker import WorkerError
    from preflight.progress import progress

    try:
        with progress() as step:
            step(f"comparing {' '.join(args.stacks) or 'every stack'} with {args.base}")
            outcome = build_diff(args)
    except WorkerError as failure:
        print(f"preflight: {failure}", file=sys.stderr)
        return 1
    for stack in outcome.report.stacks:
        if stack.head_error is not None:
            print(f"preflight: stack {stack.stack!r} fails with this change: {stack.head_error}", file=sys.stderr)
    emit(render(outcome.report, args.format, color=use_color(args)), args.out)
    if args.sarif_dir is not None:
        write_stack_sarif(outcome.report, args.sarif_dir)
    return outcome.exit_code


def sarif_file(directory: Path, stack: str) -> Path:
    return directory / f"preflight-{stack}.sarif"


def write_stack_sarif(report: DiffReport, directory: Path) -> None:
    """`preflight-<stack>.sarif` for every compared stack whose new side ran; a stale file of a
    stack without one is removed, so that its absence means "no report"."""
    from preflight.render_sarif import diff_head_sarif

    documents = diff_head_sarif(report)
    directory.mkdir(parents=True, exist_ok=True)
    for stack in report.stacks:
        path = sarif_file(directory, stack.stack)
        if stack.stack in documents:
            path.write_text(documents[stack.stack], encoding="utf-8")
        else:
            path.unlink(missing_ok=True)


def render(report: Any, format_: str, *, color: bool = False) -> str:
    if format_ == "json":
        return json.dumps(report.to_json(), indent=2) + "\n"
    if format_ == "markdown":
        from preflight.render_markdown import render_diff_markdown

        return render_diff_markdown(report)
    if format_ == "sarif":
        from preflight.render_sarif import render_diff_sarif

        return render_diff_sarif(report)
    from preflight.diff.table import render_diff_table

    return render_diff_table(report, color=color)
