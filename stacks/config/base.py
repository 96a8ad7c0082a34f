"""The base every stack-config model derives from: strict, frozen, unknown keys named, and
numbers accepted in the form the Pulumi CLI stores them."""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from stacks.config.errors import config_problem

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def _numeric_kind(annotation: Any) -> type | None:
    """`int` or `float` when the field holds a number (optionally `| None` or `Annotated`)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _numeric_kind(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        kinds = {_numeric_kind(a) for a in typing.get_args(annotation) if a is not type(None)}
        return kinds.pop() if len(kinds) == 1 else None
    if annotation in (int, float):
        return annotation
    return None


def _from_cli_text(value: Any, annotation: Any) -> Any:
    """A number written as text, as `pulumi config set --path` stores every value that is not a
    plain integer or boolean (`2.0`, `0.5`, `007`; see adjustObjectValue in pulumi's
    sdk/go/common/resource/config), turned into the number; anything else unchanged, so that
    text that is no number ("abc") is still refused with its key path."""
    if not isinstance(value, str):
        return value
    kind = _numeric_kind(annotation)
    text = value.strip()
    if kind is None or not _NUMBER.match(text):
        return value
    number = float(text)
    if kind is int:
        return int(number) if number.is_integer() else value
    return number


class ConfigModel(BaseModel):
    """Strict config model: unknown keys are errors that list the allowed keys (typos must not
    be silently ignored) and values are not coerced across types ("3" is not 3), except numbers
    written as text the way the Pulumi CLI stores them ("2.0" is 2.0)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            allowed = sorted(cls.model_fields)
            for key in data:
                if key not in cls.model_fields:
                    close = difflib.get_close_matches(str(key), allowed, n=1)
                    hint = f"; did you mean '{close[0]}'?" if close else ""
                    raise config_problem(f"unknown key (allowed: {', '.join(allowed)}){hint}", key=str(key))
            return {
                key: _from_cli_text(value, cls.model_fields[key].annotation) if key in cls.model_fields else value
                for key, value in data.items()
            }
        return data
