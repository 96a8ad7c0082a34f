"""Stack config and the composition of components into environments.

`__main__.py` calls `main()`; everything the environment contains is decided from the stack's
validated config (`stacks.config`), never from ambient state."""

from __future__ import annotations

import pulumi

from stacks.config import ConfigError, EnvironmentSpec, parse_environment
from stacks.config.source import read_namespace


class StackConfigError(pulumi.RunError):
    """A config mistake, reported by Pulumi (and preflight) as a message without a traceback."""


def load_environment() -> EnvironmentSpec:
    """The current stack's `ai-infra:` config, validated."""
    try:
        return parse_environment(read_namespace())
    except ConfigError as exc:
        raise StackConfigError(f"invalid stack config:\n{exc}") from None


def main() -> None:
    """Declare the whole environment for the current stack."""
    from stacks.environment import declare_environment

    declare_environment(load_environment())
