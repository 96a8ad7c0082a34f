"""The azure part of an environment (filled in by the azure issue)."""

from __future__ import annotations

from typing import Any

from stacks.config import EnvironmentSpec


def declare_azure(env: EnvironmentSpec, spec: Any) -> dict[str, Any]:
    raise NotImplementedError("azure is not implemented yet")
