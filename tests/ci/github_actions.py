"""Reading this repository's GitHub Actions files for the tests in tests/ci."""

from __future__ import annotations

import importlib.util
import re
import sys
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
GITHUB = REPO / ".github"
WORKFLOWS = GITHUB / "workflows"
LOCAL_ACTIONS = GITHUB / "actions"
SCRIPTS = GITHUB / "scripts"

USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>[^\s#]+)\s*(?:#\s*(?P<comment>.*))?$")


def workflow_files() -> list[Path]:
    return sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])


def action_files() -> list[Path]:
    return sorted([*LOCAL_ACTIONS.glob("*/action.yml"), *LOCAL_ACTIONS.glob("*/action.yaml")])


@cache
def load(path: Path) -> dict[str, Any]:
    """A workflow or action file. YAML 1.1 reads the key `on` as the boolean True: put it back."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict), f"{path} is not a mapping"
    if True in document:
        document["on"] = document.pop(True)
    return document


def workflow(name: str) -> dict[str, Any]:
    return load(WORKFLOWS / name)


def job(workflow_name: str, job_id: str) -> dict[str, Any]:
    jobs = workflow(workflow_name)["jobs"]
    assert job_id in jobs, f"{workflow_name} has no job {job_id!r} (jobs: {sorted(jobs)})"
    return jobs[job_id]


def steps(job_or_action: dict[str, Any]) -> list[dict[str, Any]]:
    if "runs" in job_or_action:
        return list(job_or_action["runs"].get("steps", []))
    return list(job_or_action.get("steps", []))


def step(job_or_action: dict[str, Any], name_part: str) -> dict[str, Any]:
    """The one step whose name contains `name_part`."""
    found = [s for s in steps(job_or_action) if name_part in s.get("name", "")]
    assert len(found) == 1, f"expected one step named like {name_part!r}, found {[s.get('name') for s in found]}"
    return found[0]


def step_index(job_or_action: dict[str, Any], name_part: str) -> int:
    return steps(job_or_action).index(step(job_or_action, name_part))


def local_action(ref: str) -> dict[str, Any]:
    """The action.yml behind `uses: ./.github/actions/<name>`."""
    path = REPO / ref.removeprefix("./")
    return load(path / "action.yml")


def steps_with_composites(job_or_action: dict[str, Any]) -> list[dict[str, Any]]:
    """A job's steps with the steps of the local composite actions it uses spliced in."""
    out: list[dict[str, Any]] = []
    for item in steps(job_or_action):
        out.append(item)
        ref = item.get("uses", "")
        if ref.startswith("./"):
            out += steps_with_composites(local_action(ref))
    return out


def environment_name(job_def: dict[str, Any]) -> str | None:
    env = job_def.get("environment")
    if isinstance(env, dict):
        return str(env.get("name"))
    return None if env is None else str(env)


def uses_lines(path: Path) -> list[tuple[int, str, str | None]]:
    """(line number, reference, trailing comment) of every `uses:` line of a file."""
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = USES_LINE.match(line)
        if match:
            found.append((number, match["ref"], match["comment"]))
    return found


def readme_test_command() -> str:
    """The command under "Run the test suite:" in the README's Quick start."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"Run the test suite:\s*```sh\n(?P<command>[^\n]+)\n```", text)
    assert match, "README.md has no 'Run the test suite:' code block"
    return match["command"].strip()


def load_script(name: str) -> ModuleType:
    """Import `.github/scripts/<name>.py` (not a package) as a module."""
    spec = importlib.util.spec_from_file_location(f"ci_scripts_{name}", SCRIPTS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is created
    spec.loader.exec_module(module)
    return module
