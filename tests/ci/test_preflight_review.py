"""The pull-request workflow's preflight step, run here as the workflow runs it (the command of the
step, not the Action around it), against this repository; and the pieces of its script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from preflight.render_markdown import MARKER
from tests.ci.github_actions import REPO, job, load_script, step

review_script = load_script("preflight_review")


# -- the comment body ------------------------------------------------------------------------------
def test_a_report_that_fits_is_the_comment() -> None:
    report = f"{MARKER}\n### preflight diff\n\n- **dev**: no change\n"
    assert review_script.comment_body(report, "see the run") == report


def test_a_long_report_is_cut_with_its_blocks_closed_and_a_pointer_to_the_rest() -> None:
    rows = "\n".join(f"- finding {n}: " + "x" * 80 for n in range(400))
    report = f"{MARKER}\n### preflight diff\n\n<details>\n<summary>Other</summary>\n\n```\n{rows}\n```\n</details>\n"
    body = review_script.comment_body(report, "the full report is in the job summary.", budget=5_000)
    assert body.startswith(MARKER + "\n")
    assert len(body) <= 5_000 + 500
    assert body.count("<details") == body.count("</details>")
    assert sum(1 for line in body.splitlines() if line.startswith("```")) % 2 == 0
    assert body.rstrip().endswith("the full report is in the job summary.")
    assert f"({len(report):,} characters)" in body
    cut_rows = [line for line in body.splitlines() if line.startswith("- finding")]
    assert cut_rows and all(line.endswith("x" * 80) for line in cut_rows), "cut at a line boundary"


def test_the_default_budget_fits_githubs_comment_limit() -> None:
    report = MARKER + "\n" + "y" * 200_000
    assert len(review_script.comment_body(report, "z" * 300)) < review_script.COMMENT_LIMIT


def test_a_stack_passes_with_a_report_and_no_error_level_result(tmp_path: Path) -> None:
    def gate(*levels: str) -> object:
        sarif = tmp_path / "preflight-dev.sarif"
        results = [{"level": level} for level in levels]
        sarif.write_text(json.dumps({"version": "2.1.0", "runs": [{"results": results}]}), encoding="utf-8")
        return review_script.StackGate.read("dev", sarif)

    passing = gate("warning", "note")
    assert passing.passed and passing.status == 0 and "dev: passes" in passing.describe()
    blocking = gate("error", "warning", "error")
    assert not blocking.passed and blocking.status == 1
    assert blocking.describe() == "dev: 2 unsuppressed mandatory finding(s) under policies/config/dev.json"
    # No SARIF: the diff writes none for a stack whose program fails with the change.
    missing = review_script.StackGate.read("prod", tmp_path / "preflight-prod.sarif")
    assert not missing.passed and missing.status == 1 and "no report" in missing.describe()


def test_mandatory_findings_are_the_error_level_results(tmp_path: Path) -> None:
    sarif = tmp_path / "x.sarif"
    results = [{"level": "error"}, {"level": "warning"}, {"level": "note"}, {"level": "error"}]
    sarif.write_text(json.dumps({"version": "2.1.0", "runs": [{"results": results}]}), encoding="utf-8")
    assert review_script.mandatory_findings(sarif) == 2
    assert review_script.mandatory_findings(tmp_path / "missing.sarif") == 0


# -- the workflow step, run here -------------------------------------------------------------------
@dataclass(frozen=True)
class StepRun:
    returncode: int
    log: str
    out: Path
    outputs: dict[str, str]
    summary: str
    clean: bool | None
    """Whether the working tree was clean while the step ran (None: it changed meanwhile)."""


@pytest.fixture(scope="module")
def review_step(tmp_path_factory: pytest.TempPathFactory) -> StepRun:
    """Runs the `run:` of the workflow's review step with bash, as the runner would, with the base
    `HEAD` in place of `origin/<base branch>` (a clone here has no `origin`), once per module.
    On a clean checkout (CI) the base is the head and is not evaluated again: one worker for both
    stacks and a policy pack per stack; with uncommitted changes both sides are evaluated."""
    uv = os.environ.get("UV") or shutil.which("uv")
    if not uv:
        pytest.skip("uv is not on PATH (run the tests with `uv run pytest`)")
    command = step(job("pull-request.yml", "preflight"), "preflight diff")["run"]
    temp = tmp_path_factory.mktemp("runner-temp")
    github_output, summary = temp / "github_output", temp / "step_summary"
    env = {
        **os.environ,
        "PATH": f"{Path(uv).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "BASE": "HEAD",
        "RUNNER_TEMP": str(temp),
        "GITHUB_OUTPUT": str(github_output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "NO_COLOR": "1",
    }
    for name in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"):
        env.pop(name, None)
    clean_before = _project_is_clean()
    done = subprocess.run(
        ["bash", "-eo", "pipefail", "-c", command], cwd=REPO, env=env, capture_output=True, text=True, timeout=1800
    )
    # Others may edit the tree meanwhile: only a state that held all along says what to expect.
    clean = clean_before if clean_before == _project_is_clean() else None
    outputs = {}
    if github_output.is_file():
        outputs = dict(line.split("=", 1) for line in github_output.read_text(encoding="utf-8").splitlines())
    return StepRun(
        done.returncode,
        done.stdout + done.stderr,
        temp / "preflight",
        outputs,
        summary.read_text(encoding="utf-8") if summary.is_file() else "",
        clean,
    )


def _project_is_clean() -> bool:
    """No uncommitted or untracked (non-ignored) change in the project (the repository root)."""
    status = subprocess.run(
        ["git", "status", "--porcelain", "--", "."], cwd=REPO, capture_output=True, text=True, check=True
    )
    return not status.stdout.strip()


def test_the_step_produces_the_markdown_comment_for_both_stacks(review_step: StepRun) -> None:
    assert review_step.returncode in (0, 1), review_step.log
    markdown = Path(review_step.outputs["markdown"])
    assert markdown == review_step.out / "preflight.md"
    report = markdown.read_text(encoding="utf-8")
    assert report.startswith(MARKER + "\n"), report[:200]
    assert "- **dev**" in report and "- **prod**" in report
    assert "#### `dev`" in report and "#### `prod`" in report
    comment = Path(review_step.outputs["comment"]).read_text(encoding="utf-8")
    assert comment.startswith(MARKER + "\n") and len(comment) < review_script.COMMENT_LIMIT
    assert comment == report or "Report cut to fit one comment" in comment
    # The full report lands in the job summary (forks read it there), followed by the verdict.
    assert report in review_step.summary and "#### Gate" in review_step.summary


def test_one_diff_run_gives_the_comment_the_sarif_and_the_gate(review_step: StepRun) -> None:
    commands = [line for line in review_step.log.splitlines() if line.startswith("+ preflight ")]
    assert len(commands) == 1 and commands[0].startswith("+ preflight diff dev prod --base HEAD "), commands
    assert "--sarif-dir" in commands[0]


def test_a_base_identical_to_the_head_is_said_and_not_evaluated_again(review_step: StepRun) -> None:
    if review_step.clean is None:
        pytest.skip("the working tree changed while the step ran")
    report = Path(review_step.outputs["markdown"]).read_text(encoding="utf-8")
    said = "is identical to the head: no changes" in report
    assert said == review_step.clean, (review_step.clean, report[:600])
    if review_step.clean:
        assert "- **dev**: " in report and report.count("resources: no changes") == 2


def test_the_step_produces_sarif_for_code_scanning(review_step: StepRun) -> None:
    for stack in ("dev", "prod"):
        sarif = Path(review_step.outputs[f"sarif-{stack}"])
        assert sarif == review_step.out / f"preflight-{stack}.sarif"
        document = json.loads(sarif.read_text(encoding="utf-8"))
        assert document["version"] == "2.1.0" and document["runs"][0]["tool"]["driver"]["name"] == "preflight"


def test_the_gate_fails_exactly_when_a_stack_has_an_unsuppressed_mandatory_finding(review_step: StepRun) -> None:
    failed = review_step.outputs["failed"].split()
    assert "diff" not in failed, review_step.log  # every program runs with this checkout
    for stack in ("dev", "prod"):
        mandatory = review_script.mandatory_findings(Path(review_step.outputs[f"sarif-{stack}"]))
        assert (stack in failed) == (mandatory > 0), (stack, mandatory, review_step.log[-2000:])
        if mandatory:
            assert (
                f"{stack}: {mandatory} unsuppressed mandatory finding(s) under policies/config/{stack}.json"
                in review_step.log
            )
    assert (review_step.returncode != 0) == bool(failed)


def test_the_comment_step_reads_what_the_review_step_wrote(review_step: StepRun) -> None:
    comment_step = step(job("pull-request.yml", "preflight"), "Post or update the preflight comment")
    assert comment_step["env"]["COMMENT_FILE"] == "${{ steps.review.outputs.comment }}"
    body = Path(review_step.outputs["comment"]).read_text(encoding="utf-8")
    assert body.startswith(comment_step["env"]["MARKER"])
