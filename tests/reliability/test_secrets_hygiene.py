"""Secrets hygiene: no stack file holds a plaintext secret (it must be `secure:`), and every stack
output that carries a credential (kubeconfig, password, token, ...) is a secret Output."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO_ROOT
from tests.reliability.conftest import REQUIRED_STACKS, STACKS, require_stack
from tests.reliability.secret_scan import plaintext_secrets, unmasked_sensitive_outputs

# tests/ may hold deliberately bad stack files as fixtures; everything else is scanned.
_SKIPPED_DIRS = {".venv", "node_modules", "tests"}


def _stack_files() -> list[Path]:
    found = []
    for path in sorted(REPO_ROOT.rglob("Pulumi.*.yaml")):
        parts = path.relative_to(REPO_ROOT).parts[:-1]
        if any(part.startswith(".") or part in _SKIPPED_DIRS for part in parts):
            continue
        found.append(path)
    return found


STACK_FILES = _stack_files()


def test_the_stack_files_are_found():
    assert {p.name for p in STACK_FILES} >= {f"Pulumi.{s}.yaml" for s in STACKS}


@pytest.mark.parametrize("path", STACK_FILES, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_stack_file_has_no_plaintext_secret(path):
    config = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("config") or {}
    findings = plaintext_secrets(config)
    assert not findings, (
        f"{path.name} holds plaintext secrets; set them with `pulumi config set --secret <key> <value>` "
        "(stored as `secure:`), or add a non-secret key path to NOT_SECRETS in "
        "tests/reliability/secret_scan.py with the reason:\n" + "\n".join(findings)
    )


@pytest.mark.parametrize("stack", sorted({*REQUIRED_STACKS, *STACKS}))
def test_credential_outputs_are_secrets(stack, stack_run):
    require_stack(stack)
    run = stack_run(stack)
    findings = unmasked_sensitive_outputs(run.outputs, run.secret_outputs)
    assert not findings, f"stack {stack!r}:\n" + "\n".join(findings)


def test_kubeconfig_outputs_are_secrets_when_a_cluster_is_declared(stack_run):
    # The generic rule above is only as good as the names; the kubeconfig is the one we know.
    for stack in STACKS:
        run = stack_run(stack)
        kubeconfigs = [name for name in run.outputs if "kubeconfig" in name]
        assert all(name in run.secret_outputs for name in kubeconfigs), (stack, kubeconfigs, run.secret_outputs)


# -- the scanner itself --------------------------------------------------------------------------
def test_scanner_flags_plaintext_values_under_secret_names():
    config = {
        "ai-infra:clouds": {"aws": {"db": {"password": "hunter2", "api_key": "abc"}}},
        "ai-infra:registry_token": "t0ken",
        "ai-infra:key": "k",
    }
    assert plaintext_secrets(config) == [
        "ai-infra:clouds.aws.db.password: key 'password' is named like a secret but its value is plaintext",
        "ai-infra:clouds.aws.db.api_key: key 'api_key' is named like a secret but its value is plaintext",
        "ai-infra:registry_token: key 'ai-infra:registry_token' is named like a secret but its value is plaintext",
        "ai-infra:key: key 'ai-infra:key' is named like a secret but its value is plaintext",
    ]


def test_scanner_flags_values_shaped_like_cloud_credentials():
    config = {
        "ai-infra:note": "AKIAIOSFODNN7EXAMPLE",
        "ai-infra:clouds": {"alicloud": {"extra": ["LTAI5tFakeFakeFake12"]}},
        "ai-infra:blob": "-----BEGIN RSA PRIVATE KEY-----\nMIIE...",
    }
    assert plaintext_secrets(config) == [
        "ai-infra:note: the value looks like a credential (AWS access key id)",
        "ai-infra:clouds.alicloud.extra.0: the value looks like a credential (Alibaba Cloud AccessKey id)",
        "ai-infra:blob: the value looks like a credential (private key block)",
    ]


def test_scanner_accepts_secure_values_and_known_non_secrets():
    config = {
        "ai-infra:db_password": {"secure": "v1:abcdef=="},
        "ai-infra:clouds": {
            "aws": {
                "endpoints": {"chat": {"model": {"bucket": "models", "key": "chat/model.tar.gz"}}},
                "kms_key_id": "arn:aws:kms:us-east-1:123456789012:key/abc",
                "budget": {"monthly_usd": 3000},
            }
        },
    }
    assert plaintext_secrets(config) == []


def test_output_check_flags_plaintext_credentials_at_any_depth():
    outputs = {
        "aws_kubeconfig": "apiVersion: v1 ...",
        "gcp_cluster": {"name": "c", "kubeconfig": "apiVersion: v1 ..."},
        "azure_kubeconfig": "[secret]",
        "aws_cluster_name": "ai-infra-dev",
        "db_password": "[secret]",
    }
    assert unmasked_sensitive_outputs(outputs, secret_outputs=["azure_kubeconfig", "db_password"]) == [
        "aws_kubeconfig: named like a credential but not a secret Output (use pulumi.Output.secret)",
        "gcp_cluster.kubeconfig: named like a credential but not a secret Output (use pulumi.Output.secret)",
    ]
