"""Finds plaintext values in a stack's config that look like secrets.

A value is suspect when its key is named like a secret (password, token, secret, credential,
private/API/access key, or just `key`) or when the value itself is shaped like a cloud credential
(AWS access key ids, Google API keys, private key blocks, Azure account keys / SAS signatures,
Alibaba AccessKey ids, GitHub / Slack / Pulumi tokens, JWTs). A value under `secure:` is
encrypted by Pulumi and is fine. Known non-secret keys are allowed by path, with a reason.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from typing import Any

SECRET_KEY_NAME = re.compile(
    r"^key$"
    r"|(^|[_.-])(password|passwd|passphrase|secret|secrets|token|tokens|credential|credentials)($|[_.-])"
    r"|(^|[_.-])(private|api|access|account|secret|sas|signing|master)[_-]?key($|[_.-])",
    re.IGNORECASE,
)
"""Key names that hold secrets: `key` itself, password/secret/token/credential words, and keys
qualified as private/API/access/account/secret/SAS/signing/master (not `kms_key_id`, an ARN)."""

SECRET_VALUE_SHAPES: dict[str, re.Pattern[str]] = {
    "AWS access key id": re.compile(r"\b(AKIA|ASIA|AIDA|AROA)[0-9A-Z]{16}\b"),
    "AWS secret access key": re.compile(r"(?i)aws.{0,20}secret.{0,20}[=:]\s*[A-Za-z0-9/+=]{40}"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "private key block": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "Google service account key": re.compile(r'"type"\s*:\s*"service_account"'),
    "Azure storage account key": re.compile(r"AccountKey=[A-Za-z0-9+/=]{20,}"),
    "Azure SAS signature": re.compile(r"[?&]sig=[A-Za-z0-9%+/=]{20,}"),
    "Alibaba Cloud AccessKey id": re.compile(r"\bLTAI[0-9A-Za-z]{12,20}\b"),
    "GitHub token": re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "Pulumi access token": re.compile(r"\bpul-[0-9a-f]{40}\b"),
    "JSON web token": re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),
}

NOT_SECRETS: dict[str, str] = {
    "ai-infra:clouds.*.endpoints.*.model.key": "object key (path) of the model artefact inside a bucket",
}
"""Key paths (fnmatch patterns) named like secrets that hold something else, with the reason."""


def _leaves(node: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(node, dict):
        if set(node) == {"secure"}:
            return  # encrypted by Pulumi
        for key, value in node.items():
            yield from _leaves(value, (*path, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, (*path, str(index)))
    else:
        yield path, node


def plaintext_secrets(config: dict[str, Any]) -> list[str]:
    """One line per suspect value of a stack file's `config:` mapping: `<key path>: <why>`."""
    findings: list[str] = []
    for path, value in _leaves(config, ()):
        if not isinstance(value, str) or not value.strip():
            continue
        dotted = ".".join(path)
        if any(fnmatch.fnmatchcase(dotted, pattern) for pattern in NOT_SECRETS):
            continue
        named = [part for part in path if not part.isdigit() and SECRET_KEY_NAME.search(part.split(":")[-1])]
        if named:
            findings.append(f"{dotted}: key {named[-1]!r} is named like a secret but its value is plaintext")
            continue
        for what, shape in SECRET_VALUE_SHAPES.items():
            if shape.search(value):
                findings.append(f"{dotted}: the value looks like a credential ({what})")
                break
    return findings


SECRET_OUTPUT_NAME = re.compile(r"kubeconfig|password|secret|token|credential", re.IGNORECASE)


def unmasked_sensitive_outputs(outputs: dict[str, Any], secret_outputs: list[str]) -> list[str]:
    """Stack outputs (or keys inside them) named like credentials whose value is not a secret.
    `outputs` are as preflight records them: secret values (at any depth) read `[secret]`."""
    findings: list[str] = []

    def visit(name: str, value: Any) -> None:
        if value == "[secret]":
            return
        if SECRET_OUTPUT_NAME.search(name.rsplit(".", 1)[-1]) and value not in (None, "", [], {}):
            findings.append(f"{name}: named like a credential but not a secret Output (use pulumi.Output.secret)")
            return
        if isinstance(value, dict):
            for key, inner in value.items():
                visit(f"{name}.{key}", inner)
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                visit(f"{name}.{index}", inner)

    for name, value in sorted(outputs.items()):
        if name in secret_outputs:
            continue
        visit(name, value)
    return findings
