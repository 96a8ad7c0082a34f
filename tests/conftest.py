"""Shared fixtures: run declarations under Pulumi's mock runtime and inspect what was registered.

Keeping the suite fast (figures and method: bench/README.md, "Test suite"):

- A run of this project's four-cloud program costs seconds per stack and phase. A test never runs
  it itself: `stack_run(stack, phase)` gives the session's run (one per stack and phase),
  `stack_policy(stack)` the policy pack's findings on both phases (judged once per stack), and
  `preflight_main(argv)` runs preflight's real command line in this process with this project's
  programs and default policy answered from those two caches (argument parsing, stages and
  renderers all run; use it for another output format or flag of the same stack).
- A `preflight` subprocess on this project repeats all of that (two program runs, the SDK imports,
  a policy pack): one per distinct behaviour of a command, shared through a module fixture.
- The suite runs on pytest-xdist workers (`addopts` in pyproject.toml; `-n 0` runs in one process,
  e.g. to debug with `-s`). Each test module is a unit of work, so its module fixtures run once;
  every module that uses one of the fixtures above runs on the same worker (group
  `project-stacks`), so the session's runs are computed once. A module that needs its own grouping
  can set `pytestmark = pytest.mark.xdist_group("...")`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from preflight.engine import run_declarations, run_program
from preflight.policy.analyzer import PolicyResult
from preflight.project import load_project, load_stack_config
from preflight.records import Phase, ProgramRun

Declare = Callable[[Callable[[], object]], ProgramRun]

REPO_ROOT = Path(__file__).resolve().parent.parent

SHARED_RUN_FIXTURES = frozenset({"stack_run", "stack_run_with", "stack_policy", "preflight_main"})
"""Fixtures backed by the session's runs of this project's program: their users share a worker."""
PROJECT_GROUP = "project-stacks"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every module that uses the session's runs of this project joins the group `project-stacks`."""
    sharing = {item.nodeid.split("::", 1)[0] for item in items if SHARED_RUN_FIXTURES & set(item.fixturenames)}
    for item in items:
        if item.nodeid.split("::", 1)[0] in sharing and item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(PROJECT_GROUP))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """pytest-xdist 3.8 names a test's group in its node id (`path::test@group`, what the
    scheduler reads) by setting `item._nodeid`, which pytest 9 no longer reads: name it here when
    that did not take."""
    # Set by pytest-xdist only when it distributes (`-n 0` runs in one process without it).
    if not getattr(session.config.option, "loadgroup", False):
        return
    for item in session.items:
        marks = {
            str(m.args[0] if m.args else m.kwargs.get("name", "default")) for m in item.iter_markers("xdist_group")
        }
        if marks and "@" not in item.nodeid.rsplit("]", 1)[-1]:
            from _pytest.nodeid import NodeId

            # The suffix goes on the last name (params folded in) so the id prints as `...[p]@group`.
            node = NodeId.parse(item.nodeid)
            last = node.names[-1] + (f"[{node.params}]" if node.params is not None else "")
            names = (*node.names[:-1], f"{last}@{'_'.join(sorted(marks))}")
            item._id = NodeId(path=node.path, names=names)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadgroup`, where a test outside any group goes with its module (module fixtures
    then run once) rather than alone. Units start in collection order, which starts the longest
    ones (the project group, the CI review step) early."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    config.option.loadscopereorder = False

    class ModuleOrGroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.rfind("@") > nodeid.rfind("]"):
                return nodeid.rsplit("@", 1)[-1]
            return nodeid.split("::", 1)[0]

    return ModuleOrGroupScheduling(config, log)


@pytest.fixture
def declare() -> Declare:
    """`declare(lambda: Bucket(...))` runs the lambda as a Pulumi program under mocks and returns
    the recorded run (`run.one(type)`, `run.of_type(type)`, `run.named(name)`)."""

    def run(fn: Callable[[], object]) -> ProgramRun:
        recorded, _log = run_declarations(fn, project="ai-infra", stack="test")
        return recorded

    return run


_RUNS: dict[tuple[str, Phase], tuple[ProgramRun, list[tuple[str, str]]]] = {}
"""(stack, phase) -> this project's run and its log, once per session (process)."""


def _project_run(stack: str, phase: Phase) -> tuple[ProgramRun, list[tuple[str, str]]]:
    if (stack, phase) not in _RUNS:
        project = load_project(REPO_ROOT)
        _RUNS[stack, phase] = run_program(project, stack, load_stack_config(project, stack), phase=phase)
    return _RUNS[stack, phase]


@pytest.fixture(scope="session")
def stack_run() -> Callable[..., ProgramRun]:
    """`stack_run("prod")` runs this project's program for a stack (its Pulumi.<stack>.yaml)
    under mocks once per test session and returns the recorded run: the update phase (outputs
    known) unless `phase="preview"` asks for the first preview's run."""

    def get(stack: str, phase: Phase = "update") -> ProgramRun:
        return _project_run(stack, phase)[0]

    return get


_JUDGED: dict[str, PolicyResult] = {}
"""stack -> the pack's result on both phases of this project's runs, under the stack's default
policy config and suppressions (what `preflight <stack>` uses)."""


def _judge(stack: str) -> PolicyResult:
    if stack not in _JUDGED:
        from preflight.policy.analyzer import run_policy_pack

        runs = {phase: _project_run(stack, phase)[0] for phase in ("preview", "update")}
        _JUDGED[stack] = run_policy_pack(runs, stack_config=load_stack_config(load_project(REPO_ROOT), stack))
    return _JUDGED[stack]


@pytest.fixture(scope="session")
def stack_policy() -> Callable[[str], PolicyResult]:
    """`stack_policy("prod")`: the policy pack's findings on the stack's preview and update runs,
    with its default config (policies/config/<stack>.json) and suppression file; judged once."""
    return _judge


@contextlib.contextmanager
def _cached_project(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Within: this project's program runs and default policy results come from the caches when
    the call is exactly the default one; anything else runs for real."""
    from preflight import pipeline
    from preflight.policy import stage
    from preflight.policy.analyzer import default_config_file

    real_run, real_judge = pipeline.run_program, stage.run_policy_pack

    def run(project: Any, stack: str, config: Any, *, phase: Phase = "update", stack_outputs: Any = None) -> Any:
        ours = project.directory.resolve() == REPO_ROOT and not stack_outputs
        if ours and config == load_stack_config(load_project(REPO_ROOT), stack):
            run, log = _project_run(stack, phase)
            return run, list(log)
        return real_run(project, stack, config, phase=phase, stack_outputs=stack_outputs)

    def judge(runs: Mapping[Phase, ProgramRun], **kwargs: Any) -> PolicyResult:
        stack = next(iter(runs.values())).stack
        cached = set(runs) == {"preview", "update"} and all(_RUNS.get((stack, p), (None,))[0] is runs[p] for p in runs)
        default = (
            kwargs.get("config_file") in (None, default_config_file(stage.PACK_DIR, stack))
            and not kwargs.get("extra_properties")
            and kwargs.get("suppressions_file") is None
        )
        return _judge(stack) if cached and default else real_judge(runs, **kwargs)

    monkeypatch.setattr(pipeline, "run_program", run)
    monkeypatch.setattr(stage, "run_policy_pack", judge)
    yield


@pytest.fixture
def preflight_main(monkeypatch: pytest.MonkeyPatch) -> Callable[..., int]:
    """`preflight_main(["dev", "--details", "--out", path])` is `preflight.cli.main` with this
    project's program runs and default policy findings taken from the session's caches."""
    from preflight.cli import main

    def call(argv: list[str]) -> int:
        with _cached_project(monkeypatch):
            return main(argv)

    return call
