"""`preflight plan` shows two gates: what `pulumi preview` would do and what `pulumi up` would do.

The fixture program gives a role `*` on a bucket through a document built from the bucket's ARN:
at preview the document is unknown, so the pack can only say "judged at update"; after the update
it is known and the wildcard is a mandatory violation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from preflight.cli import main

REPO = Path(__file__).resolve().parents[2]
WILDCARD = REPO / "tests" / "fixtures" / "corpus" / "aws_wildcard_role_policy"
POLICY = "urn:pulumi:dev::too-broad::aws:iam/rolePolicy:RolePolicy::uploader-bucket-access"
IAM_MANDATORY = {"all": "advisory", "iam-no-admin-or-wildcard-actions": "mandatory"}
"""Only the IAM rule is mandatory: the fixture's bare bucket breaks many storage rules too."""


def _plan(tmp_path: Path, *extra: str) -> tuple[int, dict]:
    config = tmp_path / "iam-mandatory.json"
    config.write_text(json.dumps(IAM_MANDATORY), encoding="utf-8")
    out = tmp_path / "plan.json"
    args = [
        "plan",
        "dev",
        "--cwd",
        str(WILDCARD),
        "--policy-config",
        str(config),
        "--format",
        "json",
        "--out",
        str(out),
    ]
    code = main([*args, *extra])
    return code, json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict]:
    return _plan(tmp_path_factory.mktemp("both"))


def _about_the_policy(document: dict, rule: str) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for finding in document["policy"]["findings"]:
        if finding["rule"] == rule and finding["urn"] == POLICY:
            found.setdefault(finding["phase"], []).append(finding)
    return found


def test_preview_cannot_judge_the_document_and_says_so(both: tuple[int, dict]) -> None:
    _code, document = both
    [deferred] = _about_the_policy(document, "iam-no-admin-or-wildcard-actions")["preview"]
    assert deferred["kind"] == "deferred" and deferred["enforcement"] == "advisory"
    assert "policy of uploader-bucket-access" in deferred["message"]
    policy = next(r for r in document["resources"] if r["urn"] == POLICY)
    assert policy["inputs"]["policy"] == "[unknown]"
    assert policy["source"].startswith("__main__.py:")


def test_the_update_flags_it_mandatory_and_refuses(both: tuple[int, dict]) -> None:
    code, document = both
    [violation] = _about_the_policy(document, "iam-no-admin-or-wildcard-actions")["update"]
    assert violation["kind"] == "violation" and violation["enforcement"] == "mandatory"
    gates = document["policy"]["gates"]
    assert gates["preview"]["verdict"] == "pass" and gates["preview"]["deferred"] >= 1
    assert gates["update"]["verdict"] == "refused" and gates["update"]["mandatory"] >= 1
    assert code == 1, "a gate refuses"


def test_preview_only_has_one_gate_and_passes(tmp_path: Path) -> None:
    code, document = _plan(tmp_path, "--phase", "preview")
    assert document["phases"] == ["preview"] and list(document["policy"]["gates"]) == ["preview"]
    assert code == 0, "nothing the preview can see is mandatory"
