"""Name helpers shared by the provider-shaped id fakes: a type token's module and class, kebab
case, the plural an API path uses, and a resource's own name from its inputs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any


def module_and_class(token: str) -> tuple[str, str]:
    """`aws:ec2/securityGroup:SecurityGroup` -> ("ec2", "SecurityGroup")."""
    _, _, rest = token.partition(":")
    module, _, cls = rest.rpartition(":")
    return module.split("/")[0], cls


def kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def camel_plural(name: str) -> str:
    lower = name[0].lower() + name[1:]
    if lower.endswith("y") and not lower.endswith(("ay", "ey", "oy")):
        return lower[:-1] + "ies"
    if lower.endswith(("s", "x")):
        return lower + "es"
    return lower + "s"


def own_name(state: Mapping[str, Any], keys: tuple[str, ...], fallback: str) -> str:
    for key in keys:
        value = state.get(key)
        if isinstance(value, str) and value:
            return value
    return fallback
