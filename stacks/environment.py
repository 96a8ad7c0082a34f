"""Declares every enabled cloud of an environment and exports the stack outputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi

from stacks.aws import declare_aws
from stacks.config import EnvironmentSpec

# cloud name -> function that declares that cloud and returns its stack outputs.
CLOUD_DECLARERS: dict[str, Callable[[EnvironmentSpec, Any], dict[str, Any]]] = {
    "aws": declare_aws,
}


def declare_environment(env: EnvironmentSpec) -> None:
    for cloud, spec in env.clouds.enabled().items():
        outputs = CLOUD_DECLARERS[cloud](env, spec)
        for key, value in outputs.items():
            pulumi.export(f"{cloud}_{key}", value)
