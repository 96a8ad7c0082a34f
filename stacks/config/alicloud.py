"""`ai-infra:clouds.alicloud`: the Alibaba Cloud part of an environment (not implemented yet)."""

from __future__ import annotations

from typing import Any

from pydantic import model_validator

from stacks.config.base import ConfigModel
from stacks.config.errors import config_problem


class AlicloudSpec(ConfigModel):
    """Placeholder until Alibaba Cloud components land: configuring it is a clear error, not a no-op."""

    @model_validator(mode="before")
    @classmethod
    def _not_yet(cls, data: Any) -> Any:
        raise config_problem("Alibaba Cloud is not supported yet; remove this section")
