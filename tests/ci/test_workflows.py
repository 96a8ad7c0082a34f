"""The promotion workflow as the issue describes it: pull requests reviewed (and kept away from prod
credentials), dev deployed from main, prod the same commit after approval with a saved plan, and
drift on prod reported as a failed run."""

from __future__ import annotations

import json
import re

from preflight.render_markdown import MARKER
from tests.ci.github_actions import (
    REPO,
    environment_name,
    job,
    local_action,
    readme_test_command,
    step,
    step_index,
    steps,
    steps_with_composites,
    workflow,
)

PROD_WORD = re.compile(r"\bprod(uction)?\b|prod\.json")


# -- pull requests ---------------------------------------------------------------------------------
def test_pull_request_workflow_runs_on_pull_request_only() -> None:
    # Not pull_request_target / workflow_run: fork code never runs with the base repository's
    # secrets or a writable token.
    assert set(workflow("pull-request.yml")["on"]) == {"pull_request"}


def test_checks_job_runs_lint_types_and_the_readmes_test_command() -> None:
    checks = job("pull-request.yml", "checks")
    runs = [item.get("run", "").strip() for item in steps(checks)]
    assert readme_test_command() == "python3 -m pip install uv && python3 -m uv run --locked pytest"
    assert readme_test_command() in runs
    assert {"uv run --locked ruff check .", "uv run --locked ruff format --check .", "uv run --locked mypy"} <= set(
        runs
    )
    # Installed with uv from the lock file, with uv's cache.
    assert steps(checks)[1]["uses"] == "./.github/actions/setup"
    setup = local_action("./.github/actions/setup")
    uv = next(item for item in steps(setup) if item.get("uses", "").startswith("astral-sh/setup-uv@"))
    assert uv["with"]["enable-cache"] == "${{ inputs.cache }}" and setup["inputs"]["cache"]["default"] == "true"
    assert uv["with"]["cache-dependency-glob"] == "uv.lock"
    assert any(item.get("run") == "uv sync --locked" for item in steps(setup))


def test_no_pull_request_job_can_reach_prod() -> None:
    for job_id, job_def in workflow("pull-request.yml")["jobs"].items():
        assert environment_name(job_def) is None, f"{job_id}: pull-request jobs name no GitHub environment"
        if job_def["permissions"].get("id-token") == "write":
            # The one job that may request an OIDC token works on dev, with the dev policy config.
            assert job_id == "preview-dev"
            text = json.dumps(steps_with_composites(job_def))
            assert not PROD_WORD.search(text), f"{job_id} mentions prod: {PROD_WORD.search(text)}"


def test_preflight_review_posts_one_comment_uploads_sarif_then_gates() -> None:
    review_job = job("pull-request.yml", "preflight")
    checkout = steps(review_job)[0]
    assert checkout["with"]["fetch-depth"] == 0, "the base branch must be in the clone"

    review = step(review_job, "preflight diff")
    assert review["id"] == "review" and review["continue-on-error"] is True
    assert review["env"]["BASE"] == "origin/${{ github.base_ref }}"
    assert '.github/scripts/preflight_review.py --base "$BASE"' in review["run"]

    comment = step(review_job, "Post or update the preflight comment")
    assert comment["uses"].startswith("actions/github-script@")
    assert comment["env"]["MARKER"] == MARKER
    assert comment["env"]["COMMENT_FILE"] == "${{ steps.review.outputs.comment }}"
    script = comment["with"]["script"]
    for call in ("listComments", "updateComment", "createComment", "body?.startsWith(marker)"):
        assert call in script, call

    uploads = [
        item for item in steps(review_job) if item.get("uses", "").startswith("github/codeql-action/upload-sarif@")
    ]
    assert {item["with"]["category"] for item in uploads} == {"preflight-dev", "preflight-prod"}
    assert {item["with"]["sarif_file"] for item in uploads} == {
        "${{ steps.review.outputs.sarif-dev }}",
        "${{ steps.review.outputs.sarif-prod }}",
    }

    gate = step(review_job, "Gate")
    assert gate["if"] == "${{ steps.review.outcome == 'failure' }}" and "exit 1" in gate["run"]
    # The comment, the SARIF and the artifact go out first, also when the review failed.
    for item in [comment, *uploads, step(review_job, "Keep the reports")]:
        assert "!cancelled()" in item["if"], item["name"]
        assert steps(review_job).index(item) < steps(review_job).index(gate)


def test_preview_dev_runs_only_with_credentials_and_says_so_otherwise() -> None:
    preview = job("pull-request.yml", "preview-dev")
    context = step(preview, "credentials")
    assert context["run"] == "uv run --locked python .github/scripts/stack_context.py dev"  # no --require
    pulumi = step(preview, "pulumi preview")
    assert pulumi["uses"].startswith("pulumi/actions@")
    assert pulumi["if"] == "steps.context.outputs.configured == 'true'"
    assert step(preview, "Cloud logins")["if"] == "steps.context.outputs.configured == 'true'"
    assert pulumi["with"]["command"] == "preview"
    assert pulumi["with"]["stack-name"] == "${{ steps.context.outputs.stack }}"
    assert pulumi["with"]["comment-on-pr"] is True and pulumi["with"]["edit-pr-comment"] is True
    assert pulumi["with"]["policyPacks"] == "policies"
    assert pulumi["with"]["policyPackConfigs"] == "policies/config/dev.json"


def test_pull_requests_do_not_share_a_concurrency_group_with_deploys() -> None:
    group = workflow("pull-request.yml")["concurrency"]["group"]
    assert "pull_request.number" in group and workflow("pull-request.yml")["concurrency"]["cancel-in-progress"] is True


# -- deploy ------------------------------------------------------------------------------------------
def test_deploy_runs_on_push_to_main_only() -> None:
    on = workflow("deploy.yml")["on"]
    assert set(on) == {"push"} and on["push"]["branches"] == ["main"]


def test_dev_deploys_the_pushed_commit_with_the_dev_policy_config() -> None:
    dev = job("deploy.yml", "dev")
    assert environment_name(dev) == "dev"
    assert steps(dev)[0]["with"]["ref"] == "${{ github.sha }}"
    assert dev["outputs"]["commit"] == "${{ steps.commit.outputs.sha }}"
    assert "git rev-parse HEAD" in step(dev, "Record the commit")["run"]
    assert step(dev, "credentials")["run"].endswith("stack_context.py dev --require")
    up = step(dev, "pulumi up")["run"]
    assert up.startswith('pulumi up --stack "$STACK" --yes')
    assert "--policy-pack policies --policy-pack-config policies/config/dev.json" in up


def test_prod_waits_for_approval_and_deploys_the_commit_dev_deployed() -> None:
    prod = job("deploy.yml", "prod")
    assert prod["needs"] == "dev" or "dev" in prod["needs"]
    assert environment_name(prod) == "production"
    assert steps(prod)[0]["uses"].startswith("actions/checkout@")
    assert steps(prod)[0]["with"]["ref"] == "${{ needs.dev.outputs.commit }}"
    same = step(prod, "Same commit as dev")
    assert same["env"]["DEV_COMMIT"] == "${{ needs.dev.outputs.commit }}" and "exit 1" in same["run"]
    assert step_index(prod, "Same commit as dev") < step_index(prod, "Cloud logins")
    assert step(prod, "credentials")["run"].endswith("stack_context.py prod --require")


def test_prod_applies_exactly_the_previewed_plan_with_the_prod_policy_config() -> None:
    prod = job("deploy.yml", "prod")
    preview = step(prod, "pulumi preview --save-plan")["run"]
    up = step(prod, "pulumi up --plan")["run"]
    plan = '"${RUNNER_TEMP}/prod.plan.json"'
    assert f"--save-plan {plan}" in preview and f"--plan {plan}" in up
    for command in (preview, up):
        assert "--policy-pack policies --policy-pack-config policies/config/prod.json" in command
        assert '--stack "$STACK"' in command
    assert step_index(prod, "pulumi preview --save-plan") < step_index(prod, "pulumi up --plan")


def test_two_deploys_of_one_stack_never_overlap() -> None:
    groups = {}
    for job_id in ("dev", "prod"):
        concurrency = job("deploy.yml", job_id)["concurrency"]
        assert concurrency["cancel-in-progress"] is False, "a running `pulumi up` is never cancelled"
        assert job_id in concurrency["group"]
        groups[job_id] = concurrency["group"]
    assert groups["dev"] != groups["prod"]
    assert "concurrency" not in workflow("deploy.yml"), "per stack, not per workflow: dev may run while prod waits"


# -- drift -------------------------------------------------------------------------------------------
def test_drift_runs_on_a_schedule_against_prod_and_fails_with_the_diff() -> None:
    on = workflow("drift.yml")["on"]
    assert set(on) == {"schedule", "workflow_dispatch"} and on["schedule"][0]["cron"]
    drift = job("drift.yml", "prod")
    assert environment_name(drift) == "production-readonly"
    assert step(drift, "credentials")["run"].endswith("stack_context.py prod --require")
    run = step(drift, "--expect-no-changes")["run"]
    assert 'pulumi preview --stack "$STACK" --non-interactive --refresh --expect-no-changes --diff' in run
    assert 'exit "$status"' in run and "GITHUB_STEP_SUMMARY" in run and "drift.txt" in run


def test_every_cloud_job_logs_in_after_checking_its_credentials() -> None:
    for name, job_id in (
        ("pull-request.yml", "preview-dev"),
        ("deploy.yml", "dev"),
        ("deploy.yml", "prod"),
        ("drift.yml", "prod"),
    ):
        job_def = job(name, job_id)
        login = step(job_def, "Cloud logins")
        assert step_index(job_def, "credentials") < step_index(job_def, "Cloud logins")
        assert set(login["with"].values()) == {f"${{{{ steps.context.outputs.{key} }}}}" for key in login["with"]}


def test_workflows_and_scripts_are_documented() -> None:
    doc = (REPO / "docs/delivery.md").read_text(encoding="utf-8")
    for needle in (
        "pull-request.yml",
        "deploy.yml",
        "drift.yml",
        "production",
        "production-readonly",
        "--save-plan",
        "id-token",
    ):
        assert needle in doc, needle
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- BEGIN delivery -->", 1)[1].split("<!-- END delivery -->", 1)[0]
    assert "How a change reaches prod" in block and "docs/delivery.md" in block
