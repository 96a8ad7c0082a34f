"""A run reduced to what must not change between two runs of the same program and config:
every resource (by URN) with its inputs and options, and the stack outputs.

`python -m tests.reliability.run_digest dev prod` prints the digests of those stacks as JSON
(the idempotence test runs it in a process with another hash seed).
"""

from __future__ import annotations

import gc
import json
import sys
from typing import Any

from preflight.records import ProgramRun


def digest(run: ProgramRun) -> dict[str, Any]:
    resources: dict[str, Any] = {}
    for record in run.resources:
        entry = record.to_json()
        entry["property_dependencies"] = {k: sorted(v) for k, v in sorted(record.property_dependencies.items())}
        resources.setdefault(record.urn, []).append(entry)
    # A JSON round trip so in-process digests compare equal to ones read from a child process.
    return json.loads(
        json.dumps({"resources": resources, "outputs": run.outputs, "secret_outputs": sorted(run.secret_outputs)})
    )


def main(stacks: list[str]) -> None:
    # A short-lived process: the cyclic garbage collector would spend most of the run scanning
    # the provider SDKs' objects (measured: about half of the CPU time), and frees nothing needed.
    gc.disable()
    from preflight.engine import run_program
    from preflight.project import load_project, load_stack_config
    from tests.conftest import REPO_ROOT

    project = load_project(REPO_ROOT)
    digests = {}
    for stack in stacks:
        run, _log = run_program(project, stack, load_stack_config(project, stack))
        digests[stack] = digest(run)
    json.dump(digests, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
