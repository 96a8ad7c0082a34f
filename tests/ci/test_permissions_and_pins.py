"""Least privilege and supply chain: token permissions per job, OIDC only, every action pinned."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from tests.ci.github_actions import (
    REPO,
    action_files,
    load,
    steps_with_composites,
    uses_lines,
    workflow,
    workflow_files,
)

READ = {"contents": "read"}

EXPECTED_JOB_PERMISSIONS = {
    ("pull-request.yml", "checks"): READ,
    ("pull-request.yml", "preflight"): {**READ, "pull-requests": "write", "security-events": "write"},
    ("pull-request.yml", "preview-dev"): {**READ, "id-token": "write", "pull-requests": "write"},
    ("deploy.yml", "dev"): {**READ, "id-token": "write"},
    ("deploy.yml", "prod"): {**READ, "id-token": "write"},
    ("drift.yml", "prod"): {**READ, "id-token": "write"},
}
"""Every job of every workflow, with exactly the token scopes it may have. A new job, or a new
scope on a job, has to be added here on purpose."""

FULL_SHA = re.compile(r"^[0-9a-f]{40}$")
EXACT_VERSION = re.compile(r"^v\d+\.\d+\.\d+$")


def test_the_expected_workflows_exist() -> None:
    assert [path.name for path in workflow_files()] == ["deploy.yml", "drift.yml", "pull-request.yml"]


@pytest.mark.parametrize("path", workflow_files(), ids=lambda p: p.name)
def test_workflow_default_token_is_read_only(path) -> None:
    assert load(path).get("permissions") == READ, f"{path.name}: top-level permissions must be `contents: read`"


def test_every_job_has_exactly_the_permissions_it_needs() -> None:
    seen = {}
    for path in workflow_files():
        for job_id, job_def in load(path)["jobs"].items():
            seen[(path.name, job_id)] = job_def.get("permissions", load(path)["permissions"])
    assert seen == EXPECTED_JOB_PERMISSIONS


def test_write_scopes_are_where_the_issue_puts_them() -> None:
    """pull-requests: write only on the jobs that comment, security-events: write only where SARIF
    is uploaded, id-token: write only where a job federates with a cloud."""
    for (name, job_id), perms in EXPECTED_JOB_PERMISSIONS.items():
        job_def = workflow(name)["jobs"][job_id]
        uses = [step.get("uses", "") for step in steps_with_composites(job_def)]
        comments = any(u.startswith("actions/github-script@") for u in uses) or any(
            step.get("with", {}).get("comment-on-pr") for step in steps_with_composites(job_def)
        )
        assert (perms.get("pull-requests") == "write") == comments, (name, job_id)
        uploads_sarif = any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
        assert (perms.get("security-events") == "write") == uploads_sarif, (name, job_id)
        logs_in = any(u == "./.github/actions/cloud-login" for u in uses)
        assert (perms.get("id-token") == "write") == logs_in, (name, job_id)


def all_uses() -> list[tuple[str, int, str, str | None]]:
    return [
        (str(path.relative_to(REPO)), line, ref, comment)
        for path in [*workflow_files(), *action_files()]
        for line, ref, comment in uses_lines(path)
    ]


def test_uses_lines_are_found() -> None:
    refs = {ref.split("@")[0] for _, _, ref, _ in all_uses()}
    assert {"actions/checkout", "pulumi/actions", "./.github/actions/setup"} <= refs


def test_every_remote_action_is_pinned_to_a_commit_with_its_version() -> None:
    problems = []
    for where, line, ref, comment in all_uses():
        if ref.startswith("./"):
            if not (REPO / ref.removeprefix("./") / "action.yml").is_file():
                problems.append(f"{where}:{line}: local action {ref} has no action.yml")
            continue
        if ref.startswith("docker://"):
            problems.append(f"{where}:{line}: {ref}: docker actions are not used here")
            continue
        _, _, version = ref.partition("@")
        if not FULL_SHA.match(version):
            problems.append(f"{where}:{line}: {ref} is not pinned to a full commit SHA")
        if not (comment and EXACT_VERSION.match(comment.split()[0])):
            problems.append(f"{where}:{line}: {ref} lacks its exact version as a comment (`# vX.Y.Z`)")
    assert not problems, "\n".join(problems)


def test_one_action_one_pin() -> None:
    pins: dict[str, set[tuple[str, str | None]]] = defaultdict(set)
    for _, _, ref, comment in all_uses():
        if not ref.startswith("./"):
            name, _, sha = ref.partition("@")
            pins[name].add((sha, comment))
    assert {name: found for name, found in pins.items() if len(found) > 1} == {}


LONG_LIVED_KEY_INPUTS = {
    "aws-access-key-id",
    "aws-secret-access-key",
    "aws-session-token",
    "credentials_json",
    "creds",
    "client-secret",
    "access-key-id",
    "access-key-secret",
}
ALLOWED_SECRETS = {"PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE"}


def test_cloud_credentials_come_from_oidc_only() -> None:
    for path in [*workflow_files(), *action_files()]:
        for job_or_action in load(path).get("jobs", {"action": load(path)}).values():
            for item in steps_with_composites(job_or_action):
                assert not LONG_LIVED_KEY_INPUTS & set(item.get("with", {})), f"{path.name}: {item.get('name')}"
        text = path.read_text(encoding="utf-8")
        assert set(re.findall(r"secrets\.([A-Za-z_]+)", text)) <= ALLOWED_SECRETS, path.name


def test_the_cloud_logins_federate() -> None:
    login = load(REPO / ".github/actions/cloud-login/action.yml")
    by_action = {item["uses"].split("@")[0]: item for item in login["runs"]["steps"] if "uses" in item}
    assert set(by_action["aws-actions/configure-aws-credentials"]["with"]) >= {"role-to-assume", "aws-region"}
    assert set(by_action["google-github-actions/auth"]["with"]) == {"workload_identity_provider", "service_account"}
    assert set(by_action["azure/login"]["with"]) == {"client-id", "tenant-id", "subscription-id"}
    assert set(by_action["aliyun/configure-aliyun-credentials-action"]["with"]) >= {
        "role-to-assume",
        "oidc-provider-arn",
    }
    # The azure-native provider itself uses OIDC as well (it re-requests tokens on long deploys).
    assert any("ARM_USE_OIDC=true" in item.get("run", "") for item in login["runs"]["steps"])


@pytest.mark.parametrize("path", workflow_files(), ids=lambda p: p.name)
def test_checkouts_do_not_persist_the_token(path) -> None:
    for job_def in load(path)["jobs"].values():
        for item in job_def["steps"]:
            if item.get("uses", "").startswith("actions/checkout@"):
                assert item.get("with", {}).get("persist-credentials") is False, f"{path.name}: {item.get('name')}"
