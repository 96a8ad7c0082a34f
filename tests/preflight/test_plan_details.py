"""`preflight <stack> --details` on this project: the whole resource tree, grouped under components.

Runs the command line in this process on the session's runs (`preflight_main`, tests/conftest.py):
a subprocess would run the four-cloud program again. The end-to-end subprocess runs of the command
are in test_plan_cli.py (this project's prod as JSON) and test_policy_cli.py (the summary table)."""

from __future__ import annotations

from tests.conftest import REPO_ROOT


def test_dev_table_groups_resources_under_components(preflight_main, capsys):
    assert preflight_main(["dev", "--cwd", str(REPO_ROOT), "--soft-fail", "--details"]) == 0
    stdout = capsys.readouterr().out
    lines = stdout.splitlines()
    assert lines[0] == "Stack ai-infra/dev: plan (offline, mock runtime)"
    assert any(line.startswith("ai-infra:aws:Bucket") for line in lines)
    assert any(line.startswith("  aws:s3:BucketPublicAccessBlock") for line in lines), "children are indented"
    assert any(line.startswith("Resources: ") for line in lines)
    assert "\033[" not in stdout, "no ANSI codes when not on a terminal"
