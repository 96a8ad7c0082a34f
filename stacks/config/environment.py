"""The root of a stack's config: one typed environment spec."""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from stacks.config.alerts import AlertsSpec
from stacks.config.alicloud import AlicloudSpec
from stacks.config.aws import AwsSpec
from stacks.config.azure import AzureSpec
from stacks.config.base import ConfigModel
from stacks.config.errors import config_problem
from stacks.config.gcp import GcpSpec
from stacks.config.price_book import PriceBookSpec

Tier = Literal["dev", "prod"]
TAG_VALUE = re.compile(r"^[A-Za-z0-9 _.:/=+\-@]{1,63}$")


class CloudsSpec(ConfigModel):
    """Which clouds the environment uses. Omit a cloud to leave it out entirely."""

    aws: AwsSpec | None = None
    gcp: GcpSpec | None = None
    azure: AzureSpec | None = None
    alicloud: AlicloudSpec | None = None

    @model_validator(mode="after")
    def _at_least_one_and_disjoint(self) -> CloudsSpec:
        enabled = self.enabled()
        if not enabled:
            raise config_problem("no cloud is configured; add at least one of aws, gcp, azure, alicloud")
        # Distinct ranges keep the door open for peering / interconnect between clouds later.
        seen: list[tuple[str, ipaddress.IPv4Network]] = []
        for name, spec in enabled.items():
            network = getattr(spec, "network", None)
            if network is None:
                continue
            net = ipaddress.IPv4Network(network.cidr)
            for other_name, other in seen:
                if net.overlaps(other):
                    raise config_problem(
                        f"{network.cidr!r} overlaps clouds.{other_name}.network.cidr ({other}); "
                        "give each cloud its own range",
                        key=f"{name}.network.cidr",
                    )
            seen.append((name, net))
        return self

    def enabled(self) -> dict[str, Any]:
        """The configured clouds in a fixed order: aws, gcp, azure, alicloud."""
        return {name: spec for name in ("aws", "gcp", "azure", "alicloud") if (spec := getattr(self, name)) is not None}


class EnvironmentSpec(ConfigModel):
    """A whole environment (one Pulumi stack), read from the `ai-infra:` config namespace."""

    environment: str = Field(pattern=r"^[a-z][a-z0-9-]{0,14}$")
    """Short environment name; part of every resource name and the `environment` tag."""
    tier: Tier | None = None
    """`dev` (cheap, teardown-friendly) or `prod` (protected, highly available). Default: the
    environment name when it is `dev` or `prod`; any other name must set it."""
    owner: str
    """Team that owns the environment; becomes the `owner` tag/label on every resource."""
    cost_center: str
    """Cost-allocation code; becomes the `cost-center` tag/label on every resource."""
    clouds: CloudsSpec
    alerts: AlertsSpec = Field(default_factory=AlertsSpec)
    """Notification route, endpoint alarm and GPU alert settings (see stacks/config/alerts.py).
    Default: alerts go to each cloud's budget addresses at the default thresholds."""
    price_book: PriceBookSpec | None = None
    """Discounts applied to catalog list prices in cost estimates (see stacks/config/price_book.py).
    Default: list prices."""

    @field_validator("owner", "cost_center")
    @classmethod
    def _tag_safe(cls, value: str) -> str:
        if not TAG_VALUE.match(value):
            raise config_problem(
                f"{value!r} cannot be a tag value (allowed: 1-63 letters, digits, spaces and _.:/=+-@)"
            )
        return value

    @model_validator(mode="after")
    def _tier_known(self) -> EnvironmentSpec:
        if self.tier is None:
            if self.environment not in ("dev", "prod"):
                raise config_problem(f"required for environment {self.environment!r} (allowed: dev, prod)", key="tier")
            object.__setattr__(self, "tier", self.environment)
        return self

    @property
    def is_prod(self) -> bool:
        return self.tier == "prod"

    @property
    def tags(self) -> dict[str, str]:
        """Cost-allocation and ownership tags applied to every taggable resource."""
        return {
            "environment": self.environment,
            "owner": self.owner,
            "cost-center": self.cost_center,
            "managed-by": "pulumi",
            "project": "ai-infra",
        }
