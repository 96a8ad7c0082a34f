"""Shared fixtures: run declarations under Pulumi's mock runtime and inspect what was registered."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from preflight.engine import run_declarations, run_program
from preflight.project import load_project, load_stack_config
from preflight.records import Phase, ProgramRun

Declare = Callable[[Callable[[], object]], ProgramRun]


@pytest.fixture
def declare() -> Declare:
    """`declare(lambda: Bucket(...))` runs the lambda as a Pulumi program under mocks and returns
    the recorded run (`run.one(type)`, `run.of_type(type)`, `run.named(name)`)."""

    def run(fn: Callable[[], object]) -> ProgramRun:
        recorded, _log = run_declarations(fn, project="ai-infra", stack="test")
        return recorded

    return run


REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def stack_run() -> Callable[..., ProgramRun]:
    """`stack_run("prod")` runs this project's program for a stack (its Pulumi.<stack>.yaml)
    under mocks once per test session and returns the recorded run: the update phase (outputs
    known) unless `phase="preview"` asks for the first preview's run."""
    cache: dict[tuple[str, Phase], ProgramRun] = {}

    def get(stack: str, phase: Phase = "update") -> ProgramRun:
        if (stack, phase) not in cache:
            project = load_project(REPO_ROOT)
            cache[stack, phase], _log = run_program(project, stack, load_stack_config(project, stack), phase=phase)
        return cache[stack, phase]

    return get
