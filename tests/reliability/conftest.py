"""Shared by the reliability tests: which stacks the project has and how to run one with
overridden config values."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from preflight.engine import run_program
from preflight.project import load_project, load_stack_config
from preflight.records import ProgramRun
from tests.conftest import REPO_ROOT

PROJECT = load_project(REPO_ROOT)
STACKS: list[str] = PROJECT.stacks()
"""Stacks that have a Pulumi.<stack>.yaml in the repository."""
REQUIRED_STACKS = ("dev", "prod")
"""Stacks the project promises; a missing one is reported as a skip with its reason."""


def require_stack(stack: str) -> None:
    if stack not in STACKS:
        pytest.skip(f"Pulumi.{stack}.yaml does not exist yet (stacks: {', '.join(STACKS) or 'none'})")


@pytest.fixture(scope="session")
def stack_run_with() -> Callable[[str, dict[str, str]], ProgramRun]:
    """`stack_run_with("dev", {"ai-infra:tier": "prod"})` runs a stack's program with some config
    values replaced (values as the engine passes them: strings, JSON for structures). Cached."""
    cache: dict[tuple[str, tuple[tuple[str, str], ...]], ProgramRun] = {}

    def get(stack: str, overrides: dict[str, str]) -> ProgramRun:
        key = (stack, tuple(sorted(overrides.items())))
        if key not in cache:
            config = load_stack_config(PROJECT, stack)
            config.values.update(overrides)
            cache[key], _log = run_program(PROJECT, stack, config)
        return cache[key]

    return get
