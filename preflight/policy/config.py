"""Policy-pack config files (`--policy-pack-config` format), resolved and validated the way the
Pulumi CLI does before it calls `Configure`.

Format: `{"<policy>": "<level>" | {"enforcementLevel": "<level>", "<property>": ...}, "all": "<level>"}`.
Each policy starts from its default level and the defaults of its config schema; `all` sets every
policy's level; a policy's own entry overrides both. Properties are validated against the
policy's schema. preflight is stricter than the CLI in two ways that catch typos: a policy name
the pack does not have and a property the schema does not declare are errors.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from preflight.project import UsageError

LEVELS = ("advisory", "mandatory", "remediate", "disabled")


class PolicyConfigError(UsageError):
    """A policy config that cannot be used; the message names the file, policy and property."""


@dataclass(frozen=True)
class PolicyInfo:
    """One policy as the pack describes it in `GetAnalyzerInfo`."""

    name: str
    description: str
    enforcement: str
    severity: str | None = None
    tags: tuple[str, ...] = ()
    remediation: str = ""
    schema: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    kind: str = "resource"
    """`resource` (Analyze) or `stack` (AnalyzeStack)."""


@dataclass(frozen=True)
class PolicySetting:
    enforcement: str
    properties: dict[str, Any]


def default_config_file(pack_dir: Path, stack: str) -> Path:
    """`<pack>/config/<stack>.json`, or the strictest config (prod) for a stack it does not know."""
    named = pack_dir / "config" / f"{stack}.json"
    return named if named.is_file() else pack_dir / "config" / "prod.json"


def load_config_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyConfigError(f"{path}: policy config file not found") from None
    if not text.strip():
        return {}
    try:
        loaded = json.loads(text)
    except ValueError as exc:
        raise PolicyConfigError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(loaded, dict):
        raise PolicyConfigError(f"{path}: expected a JSON object of policy name -> level or settings")
    return loaded


# -- a small JSON-schema checker: the keywords policy config schemas use ------------------------
_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int, float),  # JSON (and protobuf Structs) carry 22 as 22.0; checked below
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def schema_problems(schema: Mapping[str, Any], value: Any, path: str = "") -> list[str]:
    """What is wrong with `value` under `schema` (type, enum, minimum/maximum, minLength, pattern,
    items, properties/additionalProperties, required)."""
    where = f" at {path}" if path else ""
    expected = schema.get("type")
    if isinstance(expected, str):
        allowed = _TYPES.get(expected, (object,))
        is_bool = isinstance(value, bool)
        if not isinstance(value, allowed) or (is_bool and expected != "boolean"):
            return [f"{json.dumps(value)}{where} is not of type {expected}"]
        if expected == "integer" and isinstance(value, float) and not value.is_integer():
            return [f"{value}{where} is not an integer"]
    problems: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{json.dumps(value)}{where} is not one of {', '.join(map(json.dumps, schema['enum']))}")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            problems.append(f"{value}{where} is less than the minimum {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            problems.append(f"{value}{where} is greater than the maximum {schema['maximum']}")
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            problems.append(f"{json.dumps(value)}{where} is shorter than {schema['minLength']} characters")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            problems.append(f"{json.dumps(value)}{where} does not match {schema['pattern']}")
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for index, item in enumerate(value):
            problems.extend(schema_problems(schema["items"], item, f"{path}[{index}]"))
    if isinstance(value, dict):
        properties = schema.get("properties") or {}
        for key, item in value.items():
            if key in properties:
                problems.extend(schema_problems(properties[key], item, f"{path}.{key}" if path else key))
            elif schema.get("additionalProperties") is False:
                problems.append(f"unknown key {key!r}{where} (allowed: {', '.join(sorted(properties))})")
        for key in schema.get("required") or ():
            if key not in value:
                problems.append(f"{key!r} is required{where}")
    return problems


# -- resolution -----------------------------------------------------------------------------------
def _level(source: str, name: str, value: Any) -> str:
    if value not in LEVELS:
        raise PolicyConfigError(
            f"{source}: policy {name!r}: {json.dumps(value)} is not an enforcement level (allowed: {', '.join(LEVELS)})"
        )
    return str(value)


def resolve_config(
    policies: list[PolicyInfo],
    raw: Mapping[str, Any] | None,
    *,
    source: str,
    extra_properties: Mapping[str, Mapping[str, Any]] | None = None,
    must_stay_advisory: tuple[str, ...] = (),
) -> dict[str, PolicySetting]:
    """Every policy's level and properties: defaults, then `all`, then the policy's own entry, then
    `extra_properties` (figures preflight supplies, e.g. C6's base costs). Raises
    `PolicyConfigError` naming `source`, the policy and the property."""
    known = {p.name: p for p in policies}
    raw = dict(raw or {})
    unknown = sorted(set(raw) - set(known) - {"all"})
    if unknown:
        raise PolicyConfigError(
            f"{source}: {unknown[0]!r} is not a policy of the pack (policies: {', '.join(sorted(known))})"
        )
    all_level = None
    if "all" in raw:
        entry = raw["all"]
        value = entry.get("enforcementLevel") if isinstance(entry, dict) else entry
        all_level = _level(source, "all", value)
    settings: dict[str, PolicySetting] = {}
    for policy in policies:
        level = all_level or policy.enforcement
        properties = {k: v["default"] for k, v in policy.schema.items() if isinstance(v, Mapping) and "default" in v}
        entry = raw.get(policy.name)
        if isinstance(entry, str):
            level = _level(source, policy.name, entry)
        elif isinstance(entry, dict):
            given = dict(entry)
            if "enforcementLevel" in given:
                level = _level(source, policy.name, given.pop("enforcementLevel"))
            properties.update(given)
        elif entry is not None:
            raise PolicyConfigError(
                f"{source}: policy {policy.name!r}: {json.dumps(entry)} is not a level or an object of settings"
            )
        for name, value in (extra_properties or {}).get(policy.name, {}).items():
            properties[name] = value
        for name, value in properties.items():
            if name not in policy.schema:
                allowed = ", ".join(sorted(policy.schema)) or "none"
                raise PolicyConfigError(
                    f"{source}: policy {policy.name!r}, property {name!r}: not in the policy's config schema "
                    f"(properties: {allowed})"
                )
            problems = schema_problems(policy.schema[name], value)
            if problems:
                raise PolicyConfigError(f"{source}: policy {policy.name!r}, property {name!r}: {problems[0]}")
        for name in policy.required:
            if name not in properties:
                raise PolicyConfigError(f"{source}: policy {policy.name!r}, property {name!r}: is required")
        if policy.name in must_stay_advisory and level != "advisory":
            raise PolicyConfigError(
                f"{source}: policy {policy.name!r} carries suppressed findings and must stay advisory "
                f"(it is {level}; set it explicitly when using 'all')"
            )
        settings[policy.name] = PolicySetting(level, properties)
    return settings
