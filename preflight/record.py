"""Worker: run a project's program for some stacks under mocks and print the recorded runs as JSON.

    python -P -m preflight.record --cwd DIR [--phase preview|update|both] STACK [STACK...]

`preflight diff` runs one worker per side (the base ref's worktree and the head checkout) so
that each program imports its *own* `stacks` / `components` / `catalog` from DIR: this module
imports only the engine, the records and the project loader, never anything of the program.
The parent judges and prices both runs with its own stages.

Output (stdout, one JSON document; the program's own prints go to stderr):
    {"format": 2, "project": "<name>", "stacks": {"<stack>": <result>}}
where <result> is {"ok": true, "runs": {"<phase>": <run>}, "log": [[level, message], ...],
"config": {key: value}} or {"ok": false, "message": "...", "exit_code": 1|2}. A project that
cannot be loaded at all gives {"format": 2, "error": "...", "exit_code": 2} and exit status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path
from typing import Any

from google.protobuf import json_format, struct_pb2

from preflight.engine import run_program
from preflight.program_errors import describe_program_error
from preflight.project import PulumiProject, UsageError, load_project, load_stack_config
from preflight.records import PHASES, Phase, ProgramRun, ProgramWarning, ResourceRecord

FORMAT = 2
"""Version of the worker's JSON document; parent and worker come from the same checkout."""


# -- (de)serialization ------------------------------------------------------------------------------
def _struct_json(struct: Any) -> Any:
    return None if struct is None else json_format.MessageToDict(struct)


def _struct_from(data: Any) -> Any:
    return None if data is None else json_format.ParseDict(data, struct_pb2.Struct())


def record_to_json(record: ResourceRecord) -> dict[str, Any]:
    """Every field of a record, including the raw protobuf inputs and outputs (as the JSON form
    of a Struct)."""
    return {
        **record.to_json(),
        "dependencies": list(record.dependencies),
        "property_dependencies": record.property_dependencies,
        "id": record.id,
        "outputs": record.outputs,
        "remote": record.remote,
        "raw_inputs": _struct_json(record.raw_inputs),
        "raw_outputs": _struct_json(record.raw_outputs),
    }


def record_from_json(data: dict[str, Any]) -> ResourceRecord:
    return ResourceRecord(
        type=data["type"],
        name=data["name"],
        urn=data["urn"],
        parent=data["parent"],
        custom=data["custom"],
        protect=data["protect"],
        retain_on_delete=data["retain_on_delete"],
        provider=data["provider"],
        dependencies=list(data["dependencies"]),
        property_dependencies={k: list(v) for k, v in data["property_dependencies"].items()},
        aliases=list(data["aliases"]),
        inputs=data["inputs"],
        # The policy pack is handed the Structs exactly as the engine would hold them.
        raw_inputs=_struct_from(data.get("raw_inputs")),
        id=data.get("id"),
        outputs=data.get("outputs") or {},
        raw_outputs=_struct_from(data.get("raw_outputs")),
        op=data.get("op", "create"),
        remote=bool(data.get("remote")),
        source=data.get("source"),
    )


def run_to_json(run: ProgramRun) -> dict[str, Any]:
    return {
        "project": run.project,
        "stack": run.stack,
        # Registration order is kept: stages may rely on it the way they do in-process.
        "resources": [record_to_json(r) for r in run.resources],
        "outputs": run.outputs,
        "secret_outputs": run.secret_outputs,
        "phase": run.phase,
        "warnings": [w.to_json() for w in run.warnings],
    }


def run_from_json(data: dict[str, Any]) -> ProgramRun:
    return ProgramRun(
        project=data["project"],
        stack=data["stack"],
        resources=[record_from_json(r) for r in data["resources"]],
        outputs=data["outputs"],
        secret_outputs=list(data["secret_outputs"]),
        phase=data.get("phase", "update"),
        warnings=[ProgramWarning(**w) for w in data.get("warnings") or []],
    )


# -- the worker ---------------------------------------------------------------------------------------
def _forget_program_modules(project: PulumiProject) -> None:
    """Drop already-imported modules that the program directory itself provides (`stacks`,
    `components`, `catalog`, ...), so that the program imports its own copies from there and not
    the ones of whichever checkout preflight was installed from."""
    local = {p.stem for p in project.directory.glob("*.py")} | {
        p.name for p in project.directory.iterdir() if p.is_dir()
    }
    # This worker's own package is the parent's code by design; `__main__` is this module.
    local -= {"preflight", "__main__"}
    installed = (Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve())
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] not in local:
            continue
        origin = getattr(module, "__file__", None)
        if origin and any(Path(origin).resolve().is_relative_to(root) for root in installed):
            continue  # a library that happens to share a directory's name
        del sys.modules[name]


def record_stack(project: PulumiProject, stack: str, phases: tuple[Phase, ...] = PHASES) -> dict[str, Any]:
    """Run one stack in each phase; a failing program or config becomes an error result, not an
    exception."""
    try:
        config = load_stack_config(project, stack)
    except UsageError as exc:
        return {"ok": False, "message": str(exc), "exit_code": 2}
    runs: dict[str, Any] = {}
    first_log: list[tuple[str, str]] = []
    for phase in phases:
        try:
            # The program's own prints must not corrupt the JSON document on stdout.
            with contextlib.redirect_stdout(sys.stderr):
                run, log = run_program(project, stack, config, phase=phase)
        except Exception as exc:  # noqa: BLE001 - any program failure becomes a result
            message, code = describe_program_error(exc, project.directory, phase=phase)
            return {"ok": False, "message": message, "exit_code": code}
        runs[phase] = run_to_json(run)
        first_log = first_log or log
    return {
        "ok": True,
        "runs": runs,
        "log": [list(entry) for entry in first_log],
        # The config the program ran with (secret values are placeholders): stages price and
        # judge each side with its own stack config, not with the other side's file.
        "config": config.values,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m preflight.record", description=__doc__.split("\n")[0])
    parser.add_argument("--cwd", type=Path, required=True, help="Pulumi project directory")
    parser.add_argument("--phase", choices=[*PHASES, "both"], default="both", help="which phase(s) to run")
    parser.add_argument("stacks", nargs="+", help="stack names (each needs Pulumi.<stack>.yaml)")
    args = parser.parse_args(argv)
    phases: tuple[Phase, ...] = PHASES if args.phase == "both" else (args.phase,)
    try:
        project = load_project(args.cwd)
    except UsageError as exc:
        print(json.dumps({"format": FORMAT, "error": str(exc), "exit_code": 2}))
        return 2
    _forget_program_modules(project)
    results = {stack: record_stack(project, stack, phases) for stack in args.stacks}
    sys.stdout.write(json.dumps({"format": FORMAT, "project": project.name, "stacks": results}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
