"""What a faker knows about the resource it fakes outputs for."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from preflight.fakes.world import Where

State = dict[str, Any]


@dataclass(frozen=True)
class Made:
    """A resource as its provider creates it: Pulumi name, the id the provider returns, where it
    lives, and its checked inputs."""

    name: str
    id: str
    where: Where
    inputs: Mapping[str, Any]

    def get(self, key: str, default: Any = None) -> Any:
        value = self.inputs.get(key)
        return default if value is None or value == "" else value

    def own_name(self, key: str) -> str:
        """The resource's cloud name from input `key`, else an autonamed `<name>-<suffix>`."""
        return str(self.get(key) or f"{self.name}-0000")


Faker = Callable[[Made], State]
"""Outputs a provider computes for a resource (merged over its checked inputs)."""
