"""`ai-infra:price_book`: negotiated discounts the cost estimate applies to catalog list prices.

    ai-infra:price_book:
      discounts:
        aws: 10                # percent off every AWS figure (enterprise discount)
        aws:p5.48xlarge: 25    # percent off one machine type (savings plan); replaces the 10

The rules (key shapes, percentage range, most specific key wins) live in `catalog.price_book`,
which the policy pack and preflight read the same config value with.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from catalog.price_book import discount_key_problem, discount_value_problem
from stacks.config.base import ConfigModel
from stacks.config.errors import config_problem


class PriceBookSpec(ConfigModel):
    """Discounts on the catalog's list prices, used only by cost estimates."""

    discounts: dict[str, float] = Field(default_factory=dict)
    """`<cloud>` or `<cloud>:<machine type>` -> percent off (0 up to, not including, 100). The
    most specific key wins; spot and on-demand figures are discounted alike. Default: none."""

    @field_validator("discounts")
    @classmethod
    def _known_keys_and_percentages(cls, discounts: dict[str, float]) -> dict[str, float]:
        for key, value in discounts.items():
            problem = discount_key_problem(key) or discount_value_problem(value)
            if problem:
                raise config_problem(problem, key=key)
        return discounts
