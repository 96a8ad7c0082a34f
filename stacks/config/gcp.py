"""`ai-infra:clouds.gcp`: the Google Cloud part of an environment (not implemented yet)."""

from __future__ import annotations

from typing import Any

from pydantic import model_validator

from stacks.config.base import ConfigModel
from stacks.config.errors import config_problem


class GcpSpec(ConfigModel):
    """Placeholder until Google Cloud components land: configuring it is a clear error, not a no-op."""

    @model_validator(mode="before")
    @classmethod
    def _not_yet(cls, data: Any) -> Any:
        raise config_problem("Google Cloud is not supported yet; remove this section")
