"""Shared fixtures: run declarations under Pulumi's mock runtime and inspect what was registered."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from preflight.engine import run_declarations
from preflight.records import ProgramRun

Declare = Callable[[Callable[[], object]], ProgramRun]


@pytest.fixture
def declare() -> Declare:
    """`declare(lambda: Bucket(...))` runs the lambda as a Pulumi program under mocks and returns
    the recorded run (`run.one(type)`, `run.of_type(type)`, `run.named(name)`)."""

    def run(fn: Callable[[], object]) -> ProgramRun:
        recorded, _log = run_declarations(fn, project="ai-infra", stack="test")
        return recorded

    return run
