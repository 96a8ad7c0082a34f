"""One measured run, in its own process (started by bench/run.py; prints one marked JSON line).

    python bench/measure.py preflight STACK PROJECT_DIR   # `preflight plan STACK --cwd PROJECT_DIR`
    python bench/measure.py floor STACK PROJECT_DIR       # the same program under bare mocks

`preflight` runs the real command line (table report to /dev/null) with timers around the
program run and around each review stage. `floor` is the least any offline review can cost: the
same program, same config, under `pulumi.runtime.set_mocks` with a Mocks that only answers (no
recording, no policy, no costs, no report). It answers with preflight's fake outputs because the
program reads some (account id, ARNs, issuer URLs); a Mocks that returns nothing makes it fail.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

# The clock starts before anything else is imported.
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

RESULT_MARK = "bench-result: "


def _peak_rss_kb() -> dict[str, int]:
    # Children (the policy pack plugin) are sampled by bench/run.py: their ru_maxrss is not
    # theirs when they were started with vfork/exec.
    return {"rss_self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}


def measure_preflight(stack: str, project_dir: Path) -> dict[str, Any]:
    import preflight.pipeline as pipeline
    from preflight.cli import main
    from preflight.stages import STAGES

    timings: dict[str, float] = {}
    found: dict[str, Any] = {}

    def timed(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                timings[name] = timings.get(name, 0.0) + time.perf_counter() - start

        return wrapper

    build_plan = pipeline.build_plan

    def build_and_keep(*args: Any, **kwargs: Any) -> Any:
        report = build_plan(*args, **kwargs)
        found["report"] = report
        return report

    pipeline.build_plan = timed("program", build_and_keep)  # type: ignore[assignment]
    stage_names = []
    for stage in STAGES:
        name = stage.__name__.split(".")[-2]  # preflight.policy.stage -> policy
        stage_names.append(name)
        stage.apply = timed(f"stage:{name}", stage.apply)  # type: ignore[attr-defined]

    imported = time.perf_counter()
    error = None
    try:
        code = main(["plan", stack, "--cwd", str(project_dir), "--out", os.devnull])
    except Exception as exc:  # noqa: BLE001 - a crash is a result to report, not a bench failure
        code, error = 1, f"{type(exc).__name__}: {exc}"
    finished = time.perf_counter()
    report = found.get("report")
    if report is None and error is None:
        error = f"the program did not run (preflight exit {code}; its message is on stderr)"
    sections = sorted(report.sections) if report is not None else []
    return {
        "exit_code": code,
        "error": error,
        "resources": len(report.run.resources) if report is not None else None,
        "startup_s": imported - STARTED,
        "work_s": finished - imported,
        "program_s": timings.get("program"),
        "stages_s": {name: timings.get(f"stage:{name}") for name in stage_names},
        "sections": sections,
    }


def measure_floor(stack: str, project_dir: Path) -> dict[str, Any]:
    import runpy

    from pulumi.runtime import config as runtime_config
    from pulumi.runtime import mocks
    from pulumi.runtime.stack import wait_for_rpcs
    from pulumi.runtime.sync_await import _sync_await

    from preflight.fakes import fake_invoke, fake_state
    from preflight.project import load_project, load_stack_config

    registered = 0

    class AnsweringMocks(mocks.Mocks):
        def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict]:
            nonlocal registered
            registered += 1
            return fake_state(args.typ, args.name, args.inputs)

        def call(self, args: mocks.MockCallArgs) -> dict:  # type: ignore[override]
            return fake_invoke(args.token, args.args)

    imported = time.perf_counter()
    project = load_project(project_dir)
    config = load_stack_config(project, stack)
    os.environ["PULUMI_CONFIG"] = json.dumps(config.values)
    os.environ["PULUMI_CONFIG_SECRET_KEYS"] = json.dumps(config.secret_keys)
    runtime_config.set_all_config(dict(config.values), list(config.secret_keys))
    mocks.set_mocks(AnsweringMocks(), project=project.name, stack=stack, preview=False)
    sys.path.insert(0, str(project.directory))
    os.chdir(project.directory)
    error = None
    try:
        runpy.run_path(str(project.main), run_name="__main__")
        _sync_await(wait_for_rpcs())
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        error = f"{type(exc).__name__}: {exc}"
    finished = time.perf_counter()
    return {
        "exit_code": 0 if error is None else 1,
        "error": error,
        "resources": registered,
        "startup_s": imported - STARTED,
        "work_s": finished - imported,
    }


def main(argv: list[str]) -> int:
    mode, stack, project_dir = argv
    measure = {"preflight": measure_preflight, "floor": measure_floor}[mode]
    result = measure(stack, Path(project_dir))
    result.update(_peak_rss_kb())
    # Marked, because the program may print too.
    print(f"{RESULT_MARK}{json.dumps(result)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
