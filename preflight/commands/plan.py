"""`preflight plan <stack>`: run the stack's program offline and report what it would create."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from preflight.commands.common import add_common_arguments, emit, stack_name, terminal_width, use_color
from preflight.progress import progress
from preflight.records import PHASES, Phase
from preflight.stages import STAGES, add_stage_arguments

if TYPE_CHECKING:
    from preflight.report import PlanReport

NAME = "plan"
HELP = "run the stack's program under mocks; report resources, policy findings and costs"
FORMATS = ("table", "json", "markdown", "sarif", "mermaid")


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(NAME, help=HELP, description=HELP)
    parser.add_argument("stack", type=stack_name, help="stack name: reads Pulumi.<stack>.yaml")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="table (terminal: a one-screen summary, --details for everything), json (schema_version 2), "
        "markdown (pull-request comment), "
        "sarif (code scanning), mermaid (graph of components and their children)",
    )
    parser.add_argument(
        "--phase",
        choices=("preview", "update", "both"),
        default="both",
        help="preview: the first `pulumi preview` of an empty stack (provider-computed outputs unknown); "
        "update: the state after `pulumi up` (outputs known); both (default): both, with a gate each",
    )
    parser.add_argument(
        "--stack-outputs",
        action="append",
        default=[],
        metavar="STACK=FILE",
        help="outputs of a stack the program references (`pulumi stack output --json` of org/project/stack); "
        "repeatable; a referenced stack without a file has unknown outputs",
    )
    parser.add_argument(
        "-v",
        "--details",
        action="store_true",
        help="table format: every resource (as a tree, with key settings), every finding and how to fix it, "
        "instead of the one-screen summary",
    )
    add_common_arguments(parser)
    add_stage_arguments(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from preflight.pipeline import ProgramError, build_plan, load_stack_outputs

    phases: tuple[Phase, ...] = PHASES if args.phase == "both" else (args.phase,)
    with progress() as step:
        try:
            report = build_plan(
                args.cwd,
                args.stack,
                phases=phases,
                stack_outputs=load_stack_outputs(args.stack_outputs),
                step=step,
            )
        except ProgramError as failure:
            print(f"preflight: stack {args.stack!r}: {failure.message}", file=sys.stderr)
            return failure.exit_code
        context: dict[str, Any] = {}
        for stage in STAGES:
            step(f"{args.stack}: {stage.PROGRESS}")
            stage.apply(report, args, context)
    emit(_render(report, args), args.out)
    return max([stage.exit_code(report, args) for stage in STAGES], default=0)


def _render(report: PlanReport, args: argparse.Namespace) -> str:
    if args.format == "json":
        return json.dumps(report.to_json(), indent=2) + "\n"
    if args.format == "markdown":
        from preflight.render_markdown import render_plan_markdown

        return render_plan_markdown(report)
    if args.format == "sarif":
        from preflight.diff.git import repository_path
        from preflight.render_sarif import render_plan_sarif

        return render_plan_sarif(report, repository_path(args.cwd / f"Pulumi.{args.stack}.yaml"))
    if args.format == "mermaid":
        from preflight.render_mermaid import render_mermaid

        return render_mermaid(report.run)
    if args.details:
        from preflight.render_table import render_table

        return render_table(report, color=use_color(args))
    from preflight.render_summary import render_summary

    return render_summary(report, color=use_color(args), width=terminal_width(args))
