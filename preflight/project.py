"""Finds a Pulumi project on disk and turns a stack's YAML config into what the engine would pass."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SECRET_PLACEHOLDER = "preflight-placeholder-secret"
"""What a program reads for a `secure:` config value: preflight has no key to decrypt it, so the
program gets a string (the type every decrypted secure value has) that is clearly not a real
secret, and the key is listed among the secret keys, so `Config.get_secret` and the outputs built
from it are marked secret as under `pulumi up`."""


class UsageError(Exception):
    """A mistake in how preflight was called or in the files it reads: message, exit code 2."""


@dataclass
class PulumiProject:
    directory: Path
    name: str
    main: Path
    """The program entry file (`__main__.py` in `main:` or the project directory)."""
    defaults: dict[str, Any] = field(default_factory=dict)
    """Project-level config defaults from Pulumi.yaml's `config:` block."""

    def stack_file(self, stack: str) -> Path:
        return self.directory / f"Pulumi.{stack}.yaml"

    def stacks(self) -> list[str]:
        """Stacks that have a `Pulumi.<stack>.yaml` next to Pulumi.yaml, sorted."""
        return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in self.directory.glob("Pulumi.*.yaml"))


def _load_yaml(path: Path) -> dict[str, Any]:
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise UsageError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(loaded, dict):
        raise UsageError(f"{path}: expected a mapping at the top level")
    return loaded


def load_project(directory: Path) -> PulumiProject:
    directory = directory.resolve()
    manifest = directory / "Pulumi.yaml"
    if not manifest.exists():
        raise UsageError(f"{directory} is not a Pulumi project (no Pulumi.yaml); use --cwd DIR")
    raw = _load_yaml(manifest)
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise UsageError(f"{manifest}: 'name' is missing")
    runtime = raw.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name != "python":
        raise UsageError(f"{manifest}: runtime is {runtime_name!r}; preflight runs Python programs only")
    main = directory / str(raw.get("main") or ".")
    if main.is_dir():
        main = main / "__main__.py"
    if not main.exists():
        raise UsageError(f"{manifest}: program entry {main} does not exist")
    defaults: dict[str, Any] = {}
    for key, spec in (raw.get("config") or {}).items():
        value = spec.get("value", spec.get("default")) if isinstance(spec, dict) else spec
        if value is not None:
            defaults[key if ":" in key else f"{name}:{key}"] = value
    return PulumiProject(directory=directory, name=name, main=main, defaults=defaults)


def _encode(value: Any) -> tuple[str, bool]:
    """A config value as the engine passes it (a string), and whether it holds a secret."""
    found_secret = False

    def scrub(node: Any) -> Any:
        nonlocal found_secret
        if isinstance(node, dict):
            if set(node) == {"secure"}:
                found_secret = True
                return SECRET_PLACEHOLDER
            return {k: scrub(v) for k, v in node.items()}
        if isinstance(node, list):
            return [scrub(v) for v in node]
        return node

    cleaned = scrub(value)
    if isinstance(cleaned, str):
        return cleaned, found_secret
    return json.dumps(cleaned), found_secret


@dataclass
class StackConfig:
    values: dict[str, str]
    """Fully qualified key (`ai-infra:clouds`) -> value as the engine would pass it."""
    secret_keys: list[str]


def load_stack_config(project: PulumiProject, stack: str) -> StackConfig:
    path = project.stack_file(stack)
    if not path.exists():
        known = ", ".join(project.stacks()) or "none"
        raise UsageError(f"unknown stack {stack!r}: {path.name} not found in {project.directory} (stacks: {known})")
    raw = _load_yaml(path)
    config = raw.get("config") or {}
    if not isinstance(config, dict):
        raise UsageError(f"{path}: 'config' must be a mapping")
    merged: dict[str, Any] = dict(project.defaults)
    for key, value in config.items():
        merged[key if ":" in key else f"{project.name}:{key}"] = value
    values: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in sorted(merged.items()):
        encoded, is_secret = _encode(value)
        values[key] = encoded
        if is_secret:
            secret_keys.append(key)
    return StackConfig(values=values, secret_keys=secret_keys)
