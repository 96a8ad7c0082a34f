"""What each cloud's scale-to-zero serving platform offers (catalog/data/serverless.yaml): the
accelerators it attaches, the host size that comes with them, memory and concurrency limits."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent / "data" / "serverless.yaml"


@dataclass(frozen=True)
class ServerlessGpu:
    """One accelerator a serverless platform attaches, with the host that comes with it."""

    name: str
    """The platform's own name (`nvidia-l4`, `Consumption-GPU-NC8as-T4`, `fc.gpu.ampere.1`)."""
    cpu: float
    memory_mb: int
    fixed: bool = False
    """The platform sizes the host itself (an Azure GPU workload profile)."""
    gpu_memory_mb: int | None = None
    regions: tuple[str, ...] | None = None
    """Where the platform offers it; None: the source gives no list."""


@dataclass(frozen=True)
class ServerlessPlatform:
    cloud: str
    platform: str
    source_url: str
    gpus: dict[str, ServerlessGpu]
    """Neutral accelerator name -> what the platform attaches."""
    memory_min_mb: int
    memory_max_mb: int
    memory_step_mb: int
    memory_default_mb: int
    max_concurrency: int


def _platform(cloud: str, body: dict[str, Any], sources: dict[str, Any]) -> ServerlessPlatform:
    memory = body["memory_mb"]
    gpus = {
        neutral: ServerlessGpu(
            name=gpu["name"],
            cpu=float(gpu["cpu"]),
            memory_mb=int(gpu["memory_mb"]),
            fixed=bool(gpu.get("fixed", False)),
            gpu_memory_mb=gpu.get("gpu_memory_mb"),
            regions=tuple(gpu["regions"]) if "regions" in gpu else None,
        )
        for neutral, gpu in (body.get("gpus") or {}).items()
    }
    return ServerlessPlatform(
        cloud=cloud,
        platform=body["platform"],
        source_url=sources[body["source"]]["url"],
        gpus=gpus,
        memory_min_mb=int(memory["min"]),
        memory_max_mb=int(memory["max"]),
        memory_step_mb=int(memory["step"]),
        memory_default_mb=int(memory["default"]),
        max_concurrency=int(body["max_concurrency"]),
    )


@functools.cache
def serverless_platforms() -> dict[str, ServerlessPlatform]:
    """Cloud name -> its serverless serving platform."""
    with DATA.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    return {cloud: _platform(cloud, body, raw["sources"]) for cloud, body in raw["clouds"].items()}


def serverless_platform(cloud: str) -> ServerlessPlatform:
    return serverless_platforms()[cloud]
