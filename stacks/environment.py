"""Declares every enabled cloud of an environment and exports the stack outputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi

from stacks.alicloud import declare_alicloud
from stacks.aws import declare_aws
from stacks.azure import declare_azure
from stacks.config import EnvironmentSpec
from stacks.gcp import declare_gcp

# cloud name -> function that declares that cloud and returns its stack outputs.
CLOUD_DECLARERS: dict[str, Callable[[EnvironmentSpec, Any], dict[str, Any]]] = {
    "aws": declare_aws,
    "gcp": declare_gcp,
    "azure": declare_azure,
    "alicloud": declare_alicloud,
}


def declare_environment(env: EnvironmentSpec) -> None:
    for cloud, spec in env.clouds.enabled().items():
        outputs = CLOUD_DECLARERS[cloud](env, spec)
        for key, value in outputs.items():
            pulumi.export(f"{cloud}_{key}", value)
