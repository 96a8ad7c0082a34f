"""Markdown reports stay inside GitHub's comment limit without losing what blocks a merge."""

from __future__ import annotations

from preflight.comment_limit import GITHUB_COMMENT_LIMIT, fit_comment
from preflight.render_markdown import MARKER, render_plan_markdown
from tests.preflight.test_diff_model import finding, policy, report, resource


def _huge_plan():
    resources = [resource("prod", "aws:s3/bucket:Bucket", f"bucket-{i:05d}-{'x' * 40}") for i in range(3000)]
    findings = [finding("bucket-versioned", r.urn, message="versioning is off " * 4) for r in resources]
    findings.append(finding("bucket-encrypted-with-cmk", resources[7].urn, "mandatory", message="AWS-owned key"))
    return report("prod", resources, policy=policy(findings))


def test_a_small_report_is_unchanged() -> None:
    text = "## title\n\n<details>\n<summary>s</summary>\n\nbody\n\n</details>\n"
    assert fit_comment(text) == text


def test_a_huge_plan_fits_and_keeps_its_head_and_mandatory_findings() -> None:
    plan = _huge_plan()
    text = render_plan_markdown(plan)
    assert len(text) <= GITHUB_COMMENT_LIMIT
    assert text.startswith(MARKER + "\n")
    assert "bucket-encrypted-with-cmk" in text and "AWS-owned key" in text
    assert "left out to fit GitHub's comment size limit" in text
    # Every collapsed section still opens and closes (the comment renders).
    assert text.count("<details>") == text.count("</details>")


def test_shortening_drops_from_the_largest_section_and_counts_lines() -> None:
    small = ["<details>", "<summary>small</summary>", "", "keep me", "", "</details>"]
    big = ["<details>", "<summary>big</summary>", "", *[f"line {i} " + "y" * 90 for i in range(200)], "", "</details>"]
    text = "\n".join(["head", *small, *big]) + "\n"
    fitted = fit_comment(text, limit=8_000)
    assert len(fitted) <= 8_000
    assert "keep me" in fitted and "line 0 " in fitted and "line 199 " not in fitted
    kept = sum(1 for line in fitted.splitlines() if line.startswith("line "))
    assert f"… {201 - kept} more lines left out" in fitted  # the dropped body lines and the blank one
