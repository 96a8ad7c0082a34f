"""no-plaintext-secrets finds secrets by what they are: token formats under innocent names,
passwords in URLs and connection strings, random-looking values under key names, and all of it
inside base64, gzip+base64 and base64-in-a-script; references to secret stores are never
findings (the `*_SECRET_ARN` false positive). tests/policies/test_unknown_values.py runs these
tables with unknowns too."""

from __future__ import annotations

import base64
import gzip
import json

import pytest

from policies.rules.secret_formats import entropy, find_in_text, find_in_variable, random_looking
from tests.policies.builders import assert_compliant, assert_flags, changed, judge, res

RULE = "no-plaintext-secrets"
# Fabricated, well-formed tokens (none is a real credential).
OPENAI = "sk-proj-" + "Zq3xW9vB2nL7kR4tY8uP1mC6hJ5dF0gA"
GITHUB_PAT = "github_pat_" + "11ABCDEFG0abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
SLACK = "xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
AWS_KEY_ID = "AKIA" + "Q3EXAMPLE7ZZKEY2"
RANDOM_40 = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYz9Q2k8Lm4T"
SA_KEY = json.dumps(
    {
        "type": "service_account",
        "project_id": "ml",
        "private_key_id": "0" * 40,
        "private_key": "-----BEGIN PRIVATE KEY-----\\nMIIE...\\n-----END PRIVATE KEY-----\\n",
    }
)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def gz64(text: str) -> str:
    return base64.b64encode(gzip.compress(text.encode(), mtime=0)).decode()


SCRIPT = (
    "#!/bin/bash\nset -eu\n"
    "export HF_TOKEN_SECRET_ARN=arn:aws:secretsmanager:us-east-1:123456789012:secret:hf-token-AbCdEf\n"
)


def good_secrets():
    """References, settings and ordinary values everywhere a secret could hide."""
    return [
        res("aws:ec2/launchTemplate:LaunchTemplate", "lt", {"userData": gz64(SCRIPT)}),
        res("aws:ec2/instance:Instance", "vm", {"userData": SCRIPT}),
        res(
            "aws:sagemaker/model:Model",
            "model",
            {
                "primaryContainer": {
                    "environment": {
                        "HF_MODEL_ID": "meta-llama/Llama-3.1-8B-Instruct",
                        "HF_TOKEN_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:hf",
                        "MODEL_DIGEST": "sha256:" + "a" * 64,
                        "SM_NUM_GPUS": "1",
                        "TOKEN_TTL": "3600",
                    }
                }
            },
        ),
        res(
            "azure-native:machinelearningservices:OnlineDeployment",
            "deploy",
            {
                "properties": {
                    "environmentVariables": {
                        "OPENAI_API_KEY": "@Microsoft.KeyVault(SecretUri=https://kv-ml.vault.azure.net/secrets/openai/)",
                        "WORKERS": "2",
                    }
                }
            },
        ),
        res(
            "gcp:container/nodePool:NodePool",
            "pool",
            {
                "nodeConfig": {
                    "metadata": {"disable-legacy-endpoints": "true", "ssh-keys": "ml:ssh-ed25519 AAAAC3Nz ml"}
                }
            },
        ),
        res(
            "gcp:cloudrunv2/service:Service",
            "run",
            {
                "template": {
                    "containers": [{"envs": [{"name": "DB_PASSWORD", "value": "projects/ml/secrets/db/versions/3"}]}]
                }
            },
        ),
        res("alicloud:cs/nodePool:NodePool", "ali-pool", {"userData": b64("#!/bin/sh\necho ready\n")}),
        res(
            "alicloud:pai/service:Service",
            "eas",
            {"serviceConfig": json.dumps({"containers": [{"image": "x", "env": [{"name": "PORT", "value": "8000"}]}]})},
        ),
        res(
            "azure-native:compute:VirtualMachine",
            "az-vm",
            {"osProfile": {"customData": b64("#cloud-config\npackages: [nvidia-driver]\n")}},
        ),
    ]


GOOD = {"secrets": good_secrets}
RULES = {"secrets": [RULE]}


def test_references_settings_and_ordinary_values_pass() -> None:
    assert_compliant(RULE, good_secrets())


def _env(name: str, value: str):
    return lambda r: changed(r, "model", f"primaryContainer.environment.{name}", value)


VIOLATIONS = [
    # known formats under innocent names (an endpoint's environment)
    (RULE, "secrets", _env("MODEL_REVISION", OPENAI), "model", "OpenAI-style"),
    (RULE, "secrets", _env("UPSTREAM", GITHUB_PAT), "model", "GitHub"),
    (RULE, "secrets", _env("NOTIFY", SLACK), "model", "Slack"),
    (
        RULE,
        "secrets",
        _env(
            "ALERTS_WEBHOOK_URL", "https://hooks.slack.com/services/T0A1B2C3D/B0A1B2C3D/" + "q8Zx3Lp0Vw7Ns2Kd5Rt9Yb4M"
        ),
        "model",
        "Slack webhook",
    ),
    (RULE, "secrets", _env("CONFIG", SA_KEY), "model", "GCP service-account key"),
    (RULE, "secrets", _env("CACHE_SALT", "Zq3xW9vB2nL7kR4tY8uP1mC6hJ5dF0gAe7Qp"), "model", "random-looking token"),
    (RULE, "secrets", _env("SIGNING_KEY", RANDOM_40), "model", "random-looking key"),
    # connection strings and URLs with passwords
    (
        RULE,
        "secrets",
        lambda r: changed(
            r,
            "deploy",
            "properties.environmentVariables.DATABASE",
            "Server=tcp:db.example.net,1433;Database=ml;User ID=app;Password=Pa55w0rd-2024;",
        ),
        "deploy",
        "Password",
    ),
    (RULE, "secrets", _env("DOWNLOADS", "https://svc:Pa55w0rd-2024@artifacts.internal/models"), "model", "URL"),
    (
        RULE,
        "secrets",
        lambda r: changed(
            r,
            "deploy",
            "properties.environmentVariables.BLOB",
            "https://st.blob.core.windows.net/m?sv=2022-11-02&se=2030-01-01&sp=r&sig=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789%2B%3D",
        ),
        "deploy",
        "SAS",
    ),
    # hidden in encodings
    (
        RULE,
        "secrets",
        lambda r: changed(r, "lt", "userData", gz64(f"#!/bin/bash\nexport AWS_ACCESS_KEY_ID={AWS_KEY_ID}\n")),
        "lt",
        "AWS access key",
    ),
    (
        RULE,
        "secrets",
        lambda r: changed(r, "vm", "userData", f"#!/bin/bash\necho {b64('export HF=' + OPENAI)} | base64 -d | sh\n"),
        "vm",
        "OpenAI-style",
    ),
    (
        RULE,
        "secrets",
        lambda r: changed(r, "az-vm", "osProfile.customData", b64("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl...\n")),
        "az-vm",
        "private key",
    ),
    # secret names with literal values
    (
        RULE,
        "secrets",
        lambda r: changed(r, "run", "template.containers.0.envs.0.value", "hunter2hunter2"),
        "run",
        "DB_PASSWORD",
    ),
    (
        RULE,
        "secrets",
        lambda r: changed(
            r,
            "eas",
            "serviceConfig",
            json.dumps({"containers": [{"image": "x", "env": [{"name": "API_KEY", "value": "abcd1234efgh"}]}]}),
        ),
        "eas",
        "API_KEY",
    ),
    (
        RULE,
        "secrets",
        lambda r: changed(r, "pool", "nodeConfig.metadata.startup-script", "mysql -u root --password=S3cr3t-pw!"),
        "pool",
        "password",
    ),
    (
        RULE,
        "secrets",
        lambda r: changed(r, "ali-pool", "userData", b64("export DB_PASS=Tr0ub4dor&3xyz\n")),
        "ali-pool",
        "DB_PASS",
    ),
]


@pytest.mark.parametrize(
    ("rule", "group", "break_it", "flagged", "contains"), VIOLATIONS, ids=lambda v: v if isinstance(v, str) else ""
)
def test_a_secret_written_another_way_is_reported(rule, group, break_it, flagged, contains) -> None:
    assert_flags(rule, break_it(GOOD[group]()), flagged, contains=contains)


@pytest.mark.parametrize(
    "text",
    [
        "export MODEL_SECRET_ARN=arn:aws:secretsmanager:us-east-1:1:secret:model-token-AbCd",
        "password: ${DB_PASSWORD}",
        "PASSWORD=$(cat /run/secrets/db)",
        'docker login -u AWS -p "$(aws ecr get-login-password)" 1.dkr.ecr.us-east-1.amazonaws.com',
        "postgres://app:${PGPASSWORD}@db:5432/ml",
        "curl https://kv.vault.azure.net/secrets/token/abc",
        "token_file=/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
    ],
)
def test_references_and_placeholders_in_scripts_are_not_secrets(text: str) -> None:
    assert find_in_text(text) is None


def test_hashes_ids_and_paths_are_not_random_tokens() -> None:
    for value in ("a" * 64, "0f8fad5b-d9cb-469f-a165-70867728950e", "/opt/ml/model/code/inference.py"):
        assert not random_looking(value)
    assert random_looking(RANDOM_40) and entropy(RANDOM_40) > 4.0
    assert find_in_variable("MODEL_SHA", "4f" * 20) is None


def test_a_value_computed_from_a_generated_password_is_not_passed_at_preview() -> None:
    from policies.framework import UNKNOWN

    password = res("random:index/randomPassword:RandomPassword", "db-password", {"length": 24})
    model = res(
        "aws:sagemaker/model:Model",
        "model",
        {"primaryContainer": {"environment": {"DB": UNKNOWN}}},
        deps={"primaryContainer": password},
    )
    [finding] = judge(RULE, [password, model])
    assert finding.undecided and "generated secret" in finding.message
    bucket = res("aws:s3/bucket:Bucket", "models", {})
    from_bucket = res(
        "aws:sagemaker/model:Model",
        "model",
        {"primaryContainer": {"environment": {"DB": UNKNOWN}}},
        deps={"primaryContainer": bucket},
    )
    assert judge(RULE, [bucket, from_bucket]) == [], "computed from a bucket: a name or ARN, not a secret"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TOKENIZERS_PARALLELISM", "false"),
        ("MAX_TOTAL_TOKENS", "4096"),
        ("AUTH_MODE", "AADToken"),
        ("HF_TOKEN_PATH", "/run/secrets/hf"),
        ("CACHE_KEY_PREFIX", "llama-3-8b-v2"),
        ("S3_KEY", "checkpoints/run-20240101/step1000"),
        ("OIDC_ISSUER", "https://token.actions.githubusercontent.com"),
    ],
)
def test_settings_about_secrets_are_not_secrets(name: str, value: str) -> None:
    assert find_in_variable(name, value) is None
