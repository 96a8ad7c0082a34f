"""The pull-request review of a change, as the `preflight` job of .github/workflows/pull-request.yml
runs it (and as tests/ci runs it locally):

  `preflight diff dev prod --base <base> --format markdown --sarif-dir DIR`, one run that gives
  the pull-request comment and, per stack, the new side's findings as SARIF (what
  `preflight <stack> --format sarif` gives) for code scanning and for the gate. When the base's
  project directory is the head's (same git tree, nothing uncommitted), the base is not evaluated
  again.

    python .github/scripts/preflight_review.py --base origin/main --out DIR

Writes into DIR:
  preflight.md              the full diff report; its first line is preflight's hidden marker
  preflight-comment.md      the same, cut to fit one GitHub comment (65,536 characters)
  preflight-<stack>.sarif   the stack's findings with this change (none when its program fails)

Exit status: 0 when every stack passes; 1 when a stack's program fails with the change, or when a
stack has an unsuppressed mandatory finding under its own policy config
(`policies/config/<stack>.json`: prod's makes most rules mandatory); 2 when the review could not
run (an unknown base ref, ...). Under GitHub Actions (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY set) it
also sets the step outputs `markdown`, `comment`, `sarif-<stack>` and `failed`, and appends the
report to the job summary.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

STACKS = ("dev", "prod")
COMMENT_LIMIT = 65_536
"""GitHub's limit for a comment body, in characters."""
COMMENT_BUDGET = 60_000
"""What the cut comment may use, leaving room for the note and closing tags (and for characters
outside the Basic Multilingual Plane, which GitHub counts twice)."""


@dataclass(frozen=True)
class StackGate:
    """The verdict on one stack: whether the diff wrote its SARIF (it does for every stack whose
    program runs with the change) and the number of unsuppressed mandatory findings (SARIF level
    `error`, under the stack's own policy config) in it."""

    stack: str
    reported: bool
    mandatory: int
    sarif: Path

    @classmethod
    def read(cls, stack: str, sarif: Path) -> StackGate:
        return cls(stack, sarif.is_file(), mandatory_findings(sarif), sarif)

    @property
    def status(self) -> int:
        """1 when the stack fails the review, else 0 (the exit status `preflight <stack>` has)."""
        return 0 if self.passed else 1

    @property
    def passed(self) -> bool:
        return self.reported and self.mandatory == 0

    def describe(self) -> str:
        config = f"policies/config/{self.stack}.json"
        if self.passed:
            return f"{self.stack}: passes (no unsuppressed mandatory finding under {config})"
        if self.mandatory:
            return f"{self.stack}: {self.mandatory} unsuppressed mandatory finding(s) under {config}"
        return f"{self.stack}: no report (its program fails with this change, or the diff did not run); see the log"


def preflight(*args: str) -> int:
    """Run `python -m preflight ...` in this interpreter's environment; its output goes to the log."""
    command = [sys.executable, "-m", "preflight", *args]
    print("+ preflight " + " ".join(args), flush=True)
    return subprocess.run(command, check=False).returncode


def mandatory_findings(sarif: Path) -> int:
    """Results that block: preflight writes unsuppressed mandatory findings at level `error`."""
    try:
        document = json.loads(sarif.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return 0
    return sum(
        1 for run in document.get("runs", []) for result in run.get("results", []) if result.get("level") == "error"
    )


def comment_body(report: str, full_report_hint: str, budget: int = COMMENT_BUDGET) -> str:
    """`report` as one pull-request comment: unchanged when it fits, else cut at a line boundary,
    with open `<details>` blocks and code fences closed and a note saying where the rest is."""
    if len(report) <= budget:
        return report
    cut = report[:budget]
    cut = cut[: cut.rfind("\n") + 1] if "\n" in cut else cut
    closing: list[str] = []
    if sum(1 for line in cut.splitlines() if line.lstrip().startswith("```")) % 2:
        closing.append("```")
    closing += ["</details>"] * max(0, cut.count("<details") - cut.count("</details>"))
    note = f"**Report cut to fit one comment** ({len(report):,} characters): {full_report_hint}"
    return cut + "\n".join(closing) + ("\n" if closing else "") + "\n---\n" + note + "\n"


def run_url() -> str | None:
    server, repository, run_id = (
        os.environ.get(name) for name in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")
    )
    return f"{server}/{repository}/actions/runs/{run_id}" if server and repository and run_id else None


def append(path: str | None, text: str) -> None:
    if path:
        with Path(path).open("a", encoding="utf-8") as handle:
            handle.write(text)


def review(base: str, out: Path, stacks: tuple[str, ...] = STACKS) -> int:
    out.mkdir(parents=True, exist_ok=True)
    markdown = out / "preflight.md"
    comment = out / "preflight-comment.md"
    for stale in (markdown, comment, *out.glob("preflight-*.sarif")):
        stale.unlink(missing_ok=True)

    # The comment and each stack's SARIF, from one run. --soft-fail: mandatory findings are the
    # gates' business below; a program that fails with the change or a usage error (unknown ref)
    # still makes this non-zero.
    diff_status = preflight(
        "diff",
        *stacks,
        "--base",
        base,
        "--format",
        "markdown",
        "--out",
        str(markdown),
        "--sarif-dir",
        str(out),
        "--soft-fail",
        "--no-color",
    )
    gates = [StackGate.read(stack, out / f"preflight-{stack}.sarif") for stack in stacks]

    outputs: dict[str, str] = {}
    if markdown.is_file():
        url = run_url()
        where = (
            f"the full report is in the job summary of [this run]({url}) and in its `preflight-report` artifact."
            if url
            else f"the full report is {markdown}."
        )
        comment.write_text(comment_body(markdown.read_text(encoding="utf-8"), where), encoding="utf-8")
        outputs |= {"markdown": str(markdown), "comment": str(comment)}
        append(os.environ.get("GITHUB_STEP_SUMMARY"), markdown.read_text(encoding="utf-8") + "\n")
    for gate in gates:
        if gate.sarif.is_file():
            outputs[f"sarif-{gate.stack}"] = str(gate.sarif)
    failed = [gate.stack for gate in gates if not gate.passed]
    if diff_status != 0:
        failed.insert(0, "diff")
    outputs["failed"] = " ".join(failed)
    append(os.environ.get("GITHUB_OUTPUT"), "".join(f"{key}={value}\n" for key, value in outputs.items()))

    verdict = ["", "preflight review:"]
    if diff_status != 0:
        verdict.append(
            f"diff: failed (exit {diff_status}): a stack's program fails with this change, or the base ref is unusable"
        )
    verdict += [gate.describe() for gate in gates]
    print("\n  ".join(verdict), flush=True)
    append(
        os.environ.get("GITHUB_STEP_SUMMARY"),
        "\n".join(["", "#### Gate", "", *(f"- {line}" for line in verdict[2:])]) + "\n",
    )
    return max([diff_status, *(gate.status for gate in gates)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--base", required=True, help="git ref to compare against (origin/main in a pull request)")
    parser.add_argument("--out", type=Path, required=True, help="directory for the reports")
    parser.add_argument("--stacks", nargs="+", default=list(STACKS), help="stacks to review (default: dev prod)")
    args = parser.parse_args(argv)
    return review(args.base, args.out, tuple(args.stacks))


if __name__ == "__main__":
    sys.exit(main())
