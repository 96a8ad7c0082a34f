"""Typed stack config: `Pulumi.<stack>.yaml` -> `EnvironmentSpec`, or a `ConfigError` that names
the key path, the value given and what is allowed."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from stacks.config.environment import CloudsSpec, EnvironmentSpec
from stacks.config.errors import ConfigError, from_validation_error


def parse_environment(values: dict[str, Any]) -> EnvironmentSpec:
    """Validate the `ai-infra:` namespace's values (keys without the namespace prefix)."""
    try:
        return EnvironmentSpec.model_validate(values)
    except ValidationError as exc:
        raise from_validation_error(exc) from None


__all__ = ["CloudsSpec", "ConfigError", "EnvironmentSpec", "parse_environment"]
