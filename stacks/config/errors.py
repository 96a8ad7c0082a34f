"""The one error type a stack config mistake becomes, and its rendering from pydantic errors."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from stacks.config.catalog_choices import accelerator_choices, section_of

NAMESPACE = "ai-infra"

# pydantic error types whose stock message already says what is allowed; the others get a
# short hint of our own so that every line names the value and what would be accepted.
_TYPE_HINTS = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "a string",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "list_type": "a list",
    "tuple_type": "a list",
}


NAME_RULE = "allowed: 2-32 lowercase letters, digits and '-', starting with a letter, not ending with '-'"
"""What pool, bucket, endpoint and workload names may look like (they become cloud resource names)."""


class ConfigError(ValueError):
    """A stack config mistake. `problems` holds one line per bad key: `<key path>: <what is wrong>`."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def config_problem(message: str, *, key: str | None = None, **context: Any) -> PydanticCustomError:
    """An error for a validator to raise. `key` is appended to the location pydantic reports,
    so that a model-level check (min > max) still names the exact key that is wrong."""
    return PydanticCustomError("ai_infra_config", message, {"key": key, **context})


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def key_path(loc: tuple[str | int, ...]) -> str:
    """`('clouds', 'aws', 'gpu_pools', 'l4', 'spot')` -> `ai-infra:clouds.aws.gpu_pools.l4.spot`."""
    parts = [str(p) for p in loc]
    if not parts:
        return f"{NAMESPACE}:"
    return f"{NAMESPACE}:" + ".".join(parts)


def from_validation_error(exc: ValidationError) -> ConfigError:
    problems: list[str] = []
    for err in exc.errors(include_url=False):
        if err["loc"][-1:] == ("[key]",) and len(err["loc"]) >= 2:
            # A mapping key (pool, bucket, endpoint name) is itself invalid.
            *parent, bad_key, _tag = err["loc"]
            hint = NAME_RULE if err["type"] == "string_pattern_mismatch" else err["msg"]
            problems.append(f"{key_path((*parent, bad_key))}: {str(bad_key)!r} is not a valid name ({hint})")
            continue
        loc = tuple(p for p in err["loc"] if not _is_union_tag(p))
        ctx = err.get("ctx") or {}
        kind = err["type"]
        if kind == "ai_infra_config":
            if ctx.get("key"):
                loc = (*loc, ctx["key"])
            message = err["msg"]
            if ctx.get("unknown_accelerator") and (where := section_of(loc)):
                message = accelerator_choices(ctx["unknown_accelerator"], *where)
            problems.append(f"{key_path(loc)}: {message}")
        elif kind == "missing":
            problems.append(f"{key_path(loc)}: required key is missing")
        elif kind == "extra_forbidden":
            problems.append(f"{key_path(loc)}: unknown key (check the spelling; see README 'Config keys')")
        elif kind in _TYPE_HINTS:
            problems.append(f"{key_path(loc)}: {_show(err.get('input'))} is not valid (expected {_TYPE_HINTS[kind]})")
        else:
            msg = err["msg"]
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, ") :]
            problems.append(f"{key_path(loc)}: {_show(err.get('input'))} is not valid: {msg}")
    return ConfigError(sorted(dict.fromkeys(problems)))


_PYDANTIC_TAG = re.compile(r"^[A-Za-z_-]*\[.*\]$")


def _is_union_tag(part: str | int) -> bool:
    # pydantic inserts validator and union-member tags such as `function-after[_check(), str]`
    # into locations. User keys (`function-calling`, `tokenizer-v2`) never have the brackets.
    return isinstance(part, str) and bool(_PYDANTIC_TAG.match(part))
