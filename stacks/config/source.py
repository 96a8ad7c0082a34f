"""Reads the `ai-infra:` namespace out of Pulumi's runtime config."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from pulumi.runtime import config as runtime_config

from stacks.config.errors import NAMESPACE


def read_namespace(namespace: str = NAMESPACE) -> dict[str, Any]:
    """Every `<namespace>:<key>` value, with structured values decoded from the JSON the engine
    passes them as. Secret values stay the opaque strings the engine gives."""
    raw: dict[str, Any] = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    prefix = f"{namespace}:"
    values: dict[str, Any] = {}
    for full_key in sorted(raw):
        if not full_key.startswith(prefix):
            continue
        value = raw[full_key]
        if isinstance(value, str) and value[:1] in "[{":
            with contextlib.suppress(json.JSONDecodeError):
                value = json.loads(value)
        values[full_key[len(prefix) :]] = value
    return values
