"""The alicloud part of an environment (filled in by the alicloud issue)."""

from __future__ import annotations

from typing import Any

from stacks.config import EnvironmentSpec


def declare_alicloud(env: EnvironmentSpec, spec: Any) -> dict[str, Any]:
    raise NotImplementedError("alicloud is not implemented yet")
