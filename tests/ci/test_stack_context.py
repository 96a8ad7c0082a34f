"""`.github/scripts/stack_context.py`: which credentials a stack's CI job needs, and the verdict
that makes a pull request from a fork skip `pulumi preview` (and a deploy without them fail)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ci.github_actions import REPO, load_script

stack_context = load_script("stack_context")

IDENTITIES = {
    "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/ai-infra-preview",
    "GCP_WORKLOAD_IDENTITY_PROVIDER": "projects/1/locations/global/workloadIdentityPools/github/providers/github",
    "GCP_SERVICE_ACCOUNT": "ai-infra-preview@acme-ml-dev.iam.gserviceaccount.com",
    "AZURE_CLIENT_ID": "22222222-2222-2222-2222-222222222222",
    "ALIBABA_CLOUD_ROLE_ARN": "acs:ram::1234:role/ai-infra-preview",
    "ALIBABA_CLOUD_OIDC_PROVIDER_ARN": "acs:ram::1234:oidc-provider/github",
}
PULUMI_CLOUD = {"HAS_PULUMI_ACCESS_TOKEN": "true", "HAS_PULUMI_CONFIG_PASSPHRASE": "false"}
OIDC = {"ACTIONS_ID_TOKEN_REQUEST_URL": "https://token.example/request"}
EVERYTHING = {**IDENTITIES, **PULUMI_CLOUD, **OIDC}

DEV = REPO / "Pulumi.dev.yaml"


def test_dev_with_everything_configured_gives_the_login_inputs() -> None:
    context = stack_context.stack_context("dev", DEV, EVERYTHING)
    assert context.configured, context.missing
    assert context.clouds == ["alicloud", "aws", "azure", "gcp"]
    outputs = context.github_outputs()
    assert outputs["configured"] == "true" and outputs["stack"] == "dev"
    # Region, tenant and subscription come from the stack file, identities from the variables.
    assert outputs["aws-region"] == "us-east-1"
    assert outputs["azure-tenant-id"] == "11111111-1111-1111-1111-111111111111"
    assert outputs["azure-subscription-id"] == "00000000-0000-0000-0000-000000000000"
    assert outputs["aws-role-arn"] == IDENTITIES["AWS_ROLE_ARN"]
    assert outputs["alibaba-oidc-provider-arn"] == IDENTITIES["ALIBABA_CLOUD_OIDC_PROVIDER_ARN"]


def test_a_fork_has_no_oidc_token_and_no_secrets() -> None:
    context = stack_context.stack_context("dev", DEV, {"HAS_PULUMI_ACCESS_TOKEN": "false"})
    assert not context.configured
    assert any("fork" in problem for problem in context.missing)
    assert any("PULUMI_ACCESS_TOKEN" in problem for problem in context.missing)
    assert any("AWS_ROLE_ARN" in problem for problem in context.missing)


def test_one_missing_identity_is_named_with_its_cloud() -> None:
    env = {**EVERYTHING, "GCP_SERVICE_ACCOUNT": ""}
    assert stack_context.stack_context("dev", DEV, env).missing == ["variable GCP_SERVICE_ACCOUNT (gcp)"]


def test_self_managed_backend_needs_the_passphrase_not_a_pulumi_token() -> None:
    env = {**IDENTITIES, **OIDC, "PULUMI_BACKEND_URL": "s3://acme-pulumi-state", "HAS_PULUMI_ACCESS_TOKEN": "false"}
    missing = stack_context.stack_context("dev", DEV, env).missing
    assert len(missing) == 1 and "PULUMI_CONFIG_PASSPHRASE" in missing[0]
    env["HAS_PULUMI_CONFIG_PASSPHRASE"] = "true"
    assert stack_context.stack_context("dev", DEV, env).configured


def test_pulumi_org_qualifies_the_stack_on_pulumi_cloud_only() -> None:
    assert stack_context.stack_context("dev", DEV, {**EVERYTHING, "PULUMI_ORG": "acme"}).stack == "acme/dev"
    self_managed = {
        **EVERYTHING,
        "PULUMI_ORG": "acme",
        "PULUMI_BACKEND_URL": "gs://state",
        "HAS_PULUMI_CONFIG_PASSPHRASE": "true",
    }
    assert stack_context.stack_context("dev", DEV, self_managed).stack == "dev"


def test_only_the_clouds_of_the_stack_are_required(tmp_path: Path) -> None:
    stack_file = tmp_path / "Pulumi.edge.yaml"
    stack_file.write_text("config:\n  ai-infra:clouds:\n    aws:\n      region: eu-west-1\n", encoding="utf-8")
    context = stack_context.stack_context(
        "edge", stack_file, {"AWS_ROLE_ARN": "arn:aws:iam::1:role/x", **PULUMI_CLOUD, **OIDC}
    )
    assert context.configured and context.clouds == ["aws"]
    assert context.outputs == {"aws-role-arn": "arn:aws:iam::1:role/x", "aws-region": "eu-west-1"}


def test_a_stack_file_without_a_region_is_reported(tmp_path: Path) -> None:
    stack_file = tmp_path / "Pulumi.edge.yaml"
    stack_file.write_text("config:\n  ai-infra:clouds:\n    aws: {}\n", encoding="utf-8")
    missing = stack_context.stack_context("edge", stack_file, {**EVERYTHING}).missing
    assert missing == ["ai-infra:clouds.aws.region in Pulumi.edge.yaml"]


def test_main_without_credentials_skips_and_says_so(tmp_path: Path, monkeypatch, capsys) -> None:
    output = tmp_path / "github_output"
    for name in [*EVERYTHING, "PULUMI_BACKEND_URL", "PULUMI_ORG"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    assert stack_context.main(["dev", "--cwd", str(REPO)]) == 0
    printed = capsys.readouterr().out
    assert "skipped: no cloud credentials configured for this repository (fork?)" in printed
    assert printed.count("::notice") == 1
    assert "configured=false\n" in output.read_text(encoding="utf-8")


def test_main_require_fails_a_deploy_without_credentials(monkeypatch, capsys) -> None:
    for name in [*EVERYTHING, "GITHUB_OUTPUT"]:
        monkeypatch.delenv(name, raising=False)
    assert stack_context.main(["prod", "--require", "--cwd", str(REPO)]) == 1
    assert "::error title=stack prod: credentials missing::" in capsys.readouterr().out


def test_main_with_everything_passes(monkeypatch, tmp_path: Path) -> None:
    output = tmp_path / "github_output"
    for name, value in EVERYTHING.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    assert stack_context.main(["prod", "--require", "--cwd", str(REPO)]) == 0
    written = dict(line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines())
    assert written["configured"] == "true" and written["stack"] == "prod" and written["missing"] == ""


@pytest.mark.parametrize("text", ["", "config: []\n", "config:\n  ai-infra:clouds: [aws]\n"])
def test_a_broken_stack_file_is_a_usage_error(tmp_path: Path, capsys, text: str) -> None:
    (tmp_path / "Pulumi.bad.yaml").write_text(text, encoding="utf-8")
    assert stack_context.main(["bad", "--cwd", str(tmp_path)]) == 2
    assert "::error title=stack bad::" in capsys.readouterr().out


def test_a_missing_stack_file_is_a_usage_error(tmp_path: Path, capsys) -> None:
    assert stack_context.main(["nope", "--cwd", str(tmp_path)]) == 2
    assert "does not exist" in capsys.readouterr().out
