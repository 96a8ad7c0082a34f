"""`preflight <stack>` with the policy stage: config chosen by stack name (also for --cwd
projects), JSON section, table column and footer, exit codes, suppressions, config errors."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from preflight.cli import main

SOON = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
"""An expiry within every environment's suppression limits (policies/suppressions/limits.yaml)."""

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "policy_violations"
REPO = Path(__file__).resolve().parents[2]
FINDING_FIELDS = {
    "rule",
    "phase",
    "kind",
    "severity",
    "enforcement",
    "urn",
    "message",
    "remediation",
    "tags",
    "suppressed",
    "suppression",
}
ONE_MANDATORY_RULE = {
    "all": "advisory",
    "accelerator-pool-uses-spot": {"enforcementLevel": "mandatory", "allowSuppression": True},
}


def _plan_json(tmp_path: Path, *args: str) -> tuple[int, dict]:
    out = tmp_path / "plan.json"
    code = main(["--cwd", str(FIXTURE), "--format", "json", "--out", str(out), *args])
    return code, json.loads(out.read_text())


def test_external_project_is_judged_with_the_config_of_its_stack_name(tmp_path: Path) -> None:
    code, document = _plan_json(tmp_path, "dev")
    assert code == 1  # mandatory findings
    section = document["policy"]
    assert section["pack"] == "ai-infra-policies"
    assert Path(section["config_file"]) == REPO / "policies" / "config" / "dev.json"
    assert set(section["summary"]) == {"mandatory", "advisory", "deferred", "suppressed", "preview", "update"}
    assert section["summary"]["mandatory"] == len(
        {(f["rule"], f["urn"]) for f in section["findings"] if f["enforcement"] == "mandatory" and not f["suppressed"]}
    ), "the same violation in both phases counts once"
    for phase in ("preview", "update"):
        assert section["gates"][phase]["verdict"] == "refused"
        assert section["summary"][phase]["mandatory"] == section["gates"][phase]["mandatory"] > 0
    for finding in section["findings"]:
        assert set(finding) == FINDING_FIELDS
        assert finding["urn"].startswith("urn:pulumi:dev::policy-violations::")
    classes = [0 if f["enforcement"] == "mandatory" and f["kind"] == "violation" else 1 for f in section["findings"]]
    assert classes == sorted(classes), "mandatory findings come first"


def test_unknown_stack_name_gets_the_strictest_config_and_soft_fail_exits_zero(tmp_path: Path) -> None:
    code, document = _plan_json(tmp_path, "sandbox", "--soft-fail")
    assert code == 0
    assert Path(document["policy"]["config_file"]).name == "prod.json"
    assert document["policy"]["summary"]["mandatory"] > 0


def _suppressions(tmp_path: Path, expires: str) -> Path:
    path = tmp_path / "suppressions.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "suppressions": [
                    {
                        "rule": "accelerator-pool-uses-spot",
                        "urn": "urn:pulumi:dev::policy-violations::aws:eks/nodeGroup:NodeGroup::h100",
                        "reason": "Latency benchmark needs on-demand capacity",
                        "owner": "ml-platform",
                        "expires": expires,
                    }
                ]
            }
        )
    )
    return path


@pytest.mark.parametrize(("expires", "exit_code"), [(SOON, 0), ("2020-01-31", 1)])
def test_suppression_decides_the_exit_code(tmp_path: Path, expires: str, exit_code: int) -> None:
    config = tmp_path / "one-mandatory.json"
    config.write_text(json.dumps(ONE_MANDATORY_RULE))
    suppressions = _suppressions(tmp_path, expires)
    code, document = _plan_json(tmp_path, "dev", "--policy-config", str(config), "--suppressions", str(suppressions))
    assert code == exit_code
    by_phase = {f["phase"]: f for f in document["policy"]["findings"] if f["rule"] == "accelerator-pool-uses-spot"}
    assert set(by_phase) == {"preview", "update"}, "judged in both phases"
    spot = by_phase["update"]
    if exit_code == 0:
        assert spot["suppressed"] is True and spot["enforcement"] == "advisory"
        assert spot["suppression"]["expires"] == expires
    else:
        assert spot["suppressed"] is False and spot["enforcement"] == "mandatory"
        assert any(f["rule"] == "invalid-suppressions" for f in document["policy"]["findings"])


def test_invalid_policy_config_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "bad.json"
    config.write_text(json.dumps({"accelerator-capacity-limits": {"maxNodesPerPool": -1}}))
    code = main(["dev", "--cwd", str(FIXTURE), "--policy-config", str(config), "--out", str(tmp_path / "out.txt")])
    assert code == 2
    error = capsys.readouterr().err
    assert f"{config}: policy 'accelerator-capacity-limits', property 'maxNodesPerPool'" in error
    assert "Traceback" not in error


def test_no_policy_skips_the_pack(tmp_path: Path) -> None:
    code, document = _plan_json(tmp_path, "dev", "--no-policy")
    assert code == 0 and "policy" not in document


def _run_fixture(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "preflight", "dev", "--cwd", str(FIXTURE), "--no-color", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_summary_names_every_mandatory_finding_once_from_a_real_process() -> None:
    done = _run_fixture()
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith("Gates: pulumi preview REFUSED") and "pulumi up REFUSED" in line for line in lines)
    count = int(next(line for line in lines if line.startswith("Mandatory findings: ")).split(": ")[1])
    heads = [line for line in lines if line.startswith("  ") and "] on " in line and line.rstrip().endswith("]")]
    assert len(heads) == count > 0, "every mandatory finding is printed, each once"
    ssh = [line for line in heads if line.startswith("  network-no-public-admin-ingress ") and "ssh-open" in line]
    assert len(ssh) == 1 and ssh[0].endswith("[preview+update]"), "the same violation in both phases counts once"
    assert len(lines) < 120


def test_details_shows_a_policy_column_and_the_policy_line(capsys: pytest.CaptureFixture[str]) -> None:
    # In this process (a second subprocess would import every SDK again); the real process is above.
    assert main(["dev", "--cwd", str(FIXTURE), "--no-color", "--details"]) == 1
    lines = capsys.readouterr().out.splitlines()
    header = next(line for line in lines if line.startswith("TYPE"))
    assert "POLICY" in header
    row = next(line for line in lines if " ssh-open " in line)
    assert "1M" in row, "the same violation in both phases counts once"
    summary = next(line for line in lines if line.startswith("Policy: "))
    assert "mandatory" in summary and "dev.json" in summary
    assert any("MANDATORY" in line and "network-no-public-admin-ingress" in line for line in lines)


def test_diff_base_costs_become_the_cost_increase_rule_properties() -> None:
    from preflight.policy.stage import base_cost_properties

    assert base_cost_properties({}) == {}
    assert base_cost_properties({"base_costs": {"floor_usd": 10.0, "ceiling_usd": None}}) == {
        "cost-increase-within-threshold": {"baseMonthlyFloorUsd": 10.0}
    }
    assert base_cost_properties({"base_costs": {"floor_usd": 0, "ceiling_usd": 1200.5}}) == {
        "cost-increase-within-threshold": {"baseMonthlyFloorUsd": 0.0, "baseMonthlyCeilingUsd": 1200.5}
    }
