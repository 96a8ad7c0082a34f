"""Config written by the Pulumi CLI parses: `pulumi config set --path` types only booleans and
integers, so `2.0` and `0.5` arrive as text and must still be accepted as numbers, while text that
is no number is still refused with its key path."""

from __future__ import annotations

import pytest

from stacks.config import ConfigError, parse_environment
from tests.stacks.test_alicloud_config import config as alicloud_config


def test_a_decimal_set_with_path_is_a_number():
    # `pulumi config set --path ai-infra:clouds.alicloud.gpu_pools.a10.spot_price_limit 2.0`
    values = alicloud_config(gpu_pools={"a10": {"accelerator": "nvidia-a10", "max_nodes": 2, "spot": True}})
    values["clouds"]["alicloud"]["gpu_pools"]["a10"]["spot_price_limit"] = "2.0"
    pool = parse_environment(values).clouds.alicloud.gpu_pools["a10"]  # type: ignore[union-attr]
    assert pool.spot_price_limit == 2.0 and isinstance(pool.spot_price_limit, float)


def test_a_whole_number_as_text_fills_an_integer_field():
    values = alicloud_config()
    values["clouds"]["alicloud"]["gpu_pools"]["a10"]["max_nodes"] = "3"
    assert parse_environment(values).clouds.alicloud.gpu_pools["a10"].max_nodes == 3  # type: ignore[union-attr]


@pytest.mark.parametrize("text", ["abc", "2.5"])
def test_text_that_is_not_a_number_of_the_field_is_refused_with_its_key_path(text):
    values = alicloud_config()
    values["clouds"]["alicloud"]["gpu_pools"]["a10"]["max_nodes"] = text
    with pytest.raises(ConfigError) as caught:
        parse_environment(values)
    [problem] = caught.value.problems
    assert problem.startswith("ai-infra:clouds.alicloud.gpu_pools.a10.max_nodes:")
    assert repr(text) in problem and "whole number" in problem


def test_range_checks_still_apply_to_numbers_given_as_text():
    values = alicloud_config()
    values["clouds"]["alicloud"]["gpu_pools"]["a10"]["spot_price_limit"] = "0"
    with pytest.raises(ConfigError) as caught:
        parse_environment(values)
    assert any(p.startswith("ai-infra:clouds.alicloud.gpu_pools.a10.spot_price_limit:") for p in caught.value.problems)
