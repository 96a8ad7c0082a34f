"""The gcp part of an environment (filled in by the gcp issue)."""

from __future__ import annotations

from typing import Any

from stacks.config import EnvironmentSpec


def declare_gcp(env: EnvironmentSpec, spec: Any) -> dict[str, Any]:
    raise NotImplementedError("gcp is not implemented yet")
