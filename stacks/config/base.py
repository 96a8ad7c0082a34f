"""The base every stack-config model derives from: strict, frozen, unknown keys named."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from stacks.config.errors import config_problem


class ConfigModel(BaseModel):
    """Strict config model: unknown keys are errors that list the allowed keys (typos must not
    be silently ignored) and values are not coerced across types ("3" is not 3)."""

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
        return data
