"""Runs a Pulumi Python program under the SDK's mock runtime, the way the engine runs it in one
phase, and records every registration.

No CLI, no provider plugins, no credentials, no network: the SDK talks to an in-process monitor
(`preflight.monitor.RecordingMonitor`). In the `preview` phase the program runs as a dry run
(`pulumi.runtime.is_dry_run()` is true) and sees every provider-computed output as unknown; in
the `update` phase it sees the provider-shaped outputs a `pulumi up` would give it.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
import runpy
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pulumi.runtime import config as runtime_config
from pulumi.runtime import mocks, settings
from pulumi.runtime.stack import run_in_stack
from pulumi.runtime.sync_await import _sync_await

from preflight.fakes import Fakes, World
from preflight.monitor import RecordingMonitor
from preflight.program_sites import recording_sites
from preflight.project import PulumiProject, StackConfig
from preflight.records import Phase, ProgramRun

StackOutputs = Mapping[str, Mapping[str, Any]]
"""Fully qualified stack name (`org/project/stack`) -> that stack's outputs (for stack references)."""


class _LogCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.messages: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append((record.levelname.lower(), record.getMessage()))


def run_declarations(
    declare: Callable[[], object],
    *,
    project: str,
    stack: str,
    config: StackConfig | None = None,
    phase: Phase = "update",
    stack_outputs: StackOutputs | None = None,
    project_dir: Path | None = None,
) -> tuple[ProgramRun, list[tuple[str, str]]]:
    """Call `declare()` as if it were a Pulumi program for `project`/`stack` in `phase` and record
    what it registers. Returns the run and the (level, message) log lines the program emitted.
    Exceptions raised by `declare` propagate unchanged."""
    config = config or StackConfig(values={}, secret_keys=[])
    os.environ["PULUMI_CONFIG"] = json.dumps(config.values)
    os.environ["PULUMI_CONFIG_SECRET_KEYS"] = json.dumps(config.secret_keys)
    runtime_config.set_all_config(dict(config.values), list(config.secret_keys))

    logger = logging.getLogger(f"preflight.program.{project}.{stack}")
    logger.propagate = False
    logger.handlers.clear()
    collector = _LogCollector()
    logger.addHandler(collector)
    # The provider SDKs build thousands of classes on first use and the program allocates
    # many small objects that live until the end of the run: cyclic GC passes during the run
    # cost ~40% of its CPU time and free almost nothing (see bench/README.md).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        with recording_sites(project_dir or Path.cwd()) as finder:
            monitor = RecordingMonitor(
                project,
                stack,
                phase=phase,
                fakes=Fakes(World(config.values)),
                finder=finder,
                stack_outputs=stack_outputs,
            )
            settings.configure(
                mocks.MockSettings(
                    monitor=monitor,
                    monitor_features=set(monitor.GetDeploymentInfo(None).supportedFeatures),
                    engine=mocks.MockEngine(logger),
                    project=project,
                    stack=stack,
                    dry_run=phase == "preview",
                    organization="organization",
                    callbacks=None,
                )
            )
            settings.set_root_resource(None)  # type: ignore[arg-type]
            try:
                _sync_await(run_in_stack(declare))  # type: ignore[arg-type]
            except BaseException:
                _drop_leftover_tasks()
                raise
    finally:
        if gc_was_enabled:
            gc.enable()
    run = ProgramRun(
        project=project,
        stack=stack,
        resources=list(monitor.records),
        outputs=monitor.outputs,
        secret_outputs=monitor.secret_outputs,
        phase=phase,
        warnings=list(monitor.warnings),
    )
    return run, collector.messages


def _drop_leftover_tasks() -> None:
    """Cancel what a failed run left on the shared event loop: its pending registrations would
    otherwise report their errors into the next run of the same process."""
    loop = asyncio.get_event_loop()
    if loop.is_running():
        return
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))


def run_program(
    project: PulumiProject,
    stack: str,
    config: StackConfig,
    *,
    phase: Phase = "update",
    stack_outputs: StackOutputs | None = None,
) -> tuple[ProgramRun, list[tuple[str, str]]]:
    """Run `project`'s program for `stack` once, in this process, from its own directory."""
    previous_cwd = Path.cwd()
    sys.path.insert(0, str(project.directory))
    os.chdir(project.directory)
    try:
        return run_declarations(
            lambda: runpy.run_path(str(project.main), run_name="__main__"),
            project=project.name,
            stack=stack,
            config=config,
            phase=phase,
            stack_outputs=stack_outputs,
            project_dir=project.directory,
        )
    finally:
        os.chdir(previous_cwd)
        if sys.path and sys.path[0] == str(project.directory):
            sys.path.pop(0)
