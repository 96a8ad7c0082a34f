"""Runs a Pulumi Python program under the SDK's mock runtime and records every registration.

No CLI, no provider plugins, no credentials, no network: the SDK talks to an in-process monitor
(`RecordingMonitor`) that answers like the engine would and keeps what it was told.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import runpy
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from google.protobuf import json_format
from pulumi.runtime import config as runtime_config
from pulumi.runtime import mocks, settings
from pulumi.runtime.stack import run_in_stack
from pulumi.runtime.sync_await import _sync_await

from preflight.fakes import fake_invoke, fake_state
from preflight.project import PulumiProject, StackConfig
from preflight.records import ROOT_STACK_TYPE, ProgramRun, ResourceRecord

# Signatures the engine uses inside property values (see pulumi/sdk/go/common/resource/sig).
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17"
_ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7"
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def plain(value: Any) -> Any:
    """A wire property value made JSON-friendly: secrets masked, references as URNs."""
    if isinstance(value, dict):
        sig = value.get(_SIG_KEY)
        if sig == _SECRET_SIG:
            return "[secret]"
        if sig == _RESOURCE_SIG:
            return value.get("urn")
        if sig == _ASSET_SIG:
            return {"asset": value.get("path") or value.get("uri") or "[text]"}
        if sig == _ARCHIVE_SIG:
            return {"archive": value.get("path") or value.get("uri") or "[assets]"}
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if value == _UNKNOWN:
        return "[unknown]"
    if isinstance(value, float) and value.is_integer():
        # protobuf Struct carries every number as a double; show whole numbers as ints.
        return int(value)
    return value


class _Mocks(mocks.Mocks):
    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict]:
        return fake_state(args.typ, args.name, args.inputs)

    def call(self, args: mocks.MockCallArgs) -> dict:  # type: ignore[override]
        # A bare dict means "no check failures" to the mock monitor.
        return fake_invoke(args.token, args.args)


class RecordingMonitor(mocks.MockMonitor):
    """A mock monitor that computes real-form URNs and records every registration."""

    def __init__(self, project: str, stack: str):
        super().__init__(_Mocks())
        self.project = project
        self.stack = stack
        self.stack_urn: str | None = None
        self.records: list[ResourceRecord] = []
        self.stack_outputs: dict[str, Any] = {}
        self.secret_outputs: list[str] = []
        self._lock = threading.Lock()

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # The engine qualifies a type with its parent's full type chain, except for children
        # of the root stack (the mock monitor keeps only the last link and keeps the stack).
        if parent and parent != self.stack_urn and type_ != ROOT_STACK_TYPE:
            type_ = parent.split("::")[2] + "$" + type_
        return f"urn:pulumi:{self.stack}::{self.project}::{type_}::{name}"

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        response = super().RegisterResource(request)
        if request.type == ROOT_STACK_TYPE:
            self.stack_urn = response.urn
            return response
        raw = json_format.MessageToDict(request.object)
        provider = request.provider.rsplit("::", 1)[0] if request.provider else None
        record = ResourceRecord(
            type=request.type,
            name=request.name,
            urn=response.urn,
            parent=None if request.parent in ("", self.stack_urn) else request.parent,
            custom=bool(request.custom),
            protect=bool(request.protect),
            retain_on_delete=bool(request.retainOnDelete),
            provider=provider,
            dependencies=list(request.dependencies),
            property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
            aliases=[json_format.MessageToDict(a) for a in request.aliases],
            inputs=plain(raw),
            raw_inputs=request.object,
        )
        with self._lock:
            self.records.append(record)
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        if request.urn == self.stack_urn:
            raw = json_format.MessageToDict(request.outputs)
            self.stack_outputs = {k: plain(v) for k, v in raw.items()}
            self.secret_outputs = sorted(
                k for k, v in raw.items() if isinstance(v, dict) and v.get(_SIG_KEY) == _SECRET_SIG
            )
        return super().RegisterResourceOutputs(request)


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
) -> tuple[ProgramRun, list[tuple[str, str]]]:
    """Call `declare()` as if it were a Pulumi program for `project`/`stack` and record what it
    registers. Returns the run and the (level, message) log lines the program emitted.
    Exceptions raised by `declare` propagate unchanged."""
    config = config or StackConfig(values={}, secret_keys=[])
    os.environ["PULUMI_CONFIG"] = json.dumps(config.values)
    os.environ["PULUMI_CONFIG_SECRET_KEYS"] = json.dumps(config.secret_keys)
    runtime_config.set_all_config(dict(config.values), list(config.secret_keys))

    monitor = RecordingMonitor(project, stack)
    logger = logging.getLogger(f"preflight.program.{project}.{stack}")
    logger.propagate = False
    logger.handlers.clear()
    collector = _LogCollector()
    logger.addHandler(collector)
    settings.configure(
        mocks.MockSettings(
            monitor=monitor,
            monitor_features=set(monitor.GetDeploymentInfo(None).supportedFeatures),
            engine=mocks.MockEngine(logger),
            project=project,
            stack=stack,
            dry_run=False,
            organization="organization",
            callbacks=None,
        )
    )
    settings.set_root_resource(None)  # type: ignore[arg-type]
    # The provider SDKs build thousands of classes on first use and the program allocates
    # many small objects that live until the end of the run: cyclic GC passes during the run
    # cost ~40% of its CPU time and free almost nothing (see bench/README.md).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        _sync_await(run_in_stack(declare))  # type: ignore[arg-type]
    finally:
        if gc_was_enabled:
            gc.enable()
    run = ProgramRun(
        project=project,
        stack=stack,
        resources=list(monitor.records),
        outputs=monitor.stack_outputs,
        secret_outputs=monitor.secret_outputs,
    )
    return run, collector.messages


def run_program(project: PulumiProject, stack: str, config: StackConfig) -> tuple[ProgramRun, list[tuple[str, str]]]:
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
        )
    finally:
        os.chdir(previous_cwd)
        if sys.path and sys.path[0] == str(project.directory):
            sys.path.pop(0)
