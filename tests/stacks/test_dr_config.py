"""`dr_region` of each cloud: prod's values parse; a DR region that cannot hold the copy stops
with one message naming `clouds.<cloud>.dr_region`, the value and what is allowed."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from stacks.config import ConfigError, parse_environment

PROD = yaml.safe_load((Path(__file__).resolve().parents[2] / "Pulumi.prod.yaml").read_text())["config"]
NAMESPACE = "ai-infra:"


def prod_values(cloud: str | None = None, dr_region: Any = None) -> dict[str, Any]:
    values = {key.removeprefix(NAMESPACE): copy.deepcopy(value) for key, value in PROD.items()}
    if cloud is not None:
        values["clouds"][cloud]["dr_region"] = dr_region
    return values


def test_prod_declares_a_dr_region_on_every_cloud():
    clouds = parse_environment(prod_values()).clouds
    assert (clouds.aws.dr_region, clouds.gcp.dr_region, clouds.azure.dr_region, clouds.alicloud.dr_region) == (
        "us-west-2",
        "us-east1",
        "westus",
        "ap-southeast-5",
    )


@pytest.mark.parametrize(
    ("cloud", "value", "words"),
    [
        ("aws", "us-east-1", ["'us-east-1'", "is the primary region"]),
        ("aws", "mars-1", ["'mars-1'", "is not a known aws region", "us-west-2"]),
        ("gcp", "europe-west4", ["'europe-west4'", "not in one multi-region", "two us-*"]),
        ("azure", "westeurope", ["'westeurope'", "is not the Azure pair of eastus", "'westus'"]),
        ("alicloud", "ap-southeast-1", ["is the primary region"]),
        ("alicloud", "eu-central-1", ["'eu-central-1'", "is not a known alicloud region"]),
    ],
)
def test_a_dr_region_that_cannot_hold_the_copy_names_the_key(cloud, value, words):
    with pytest.raises(ConfigError) as caught:
        parse_environment(prod_values(cloud, value))
    key = f"ai-infra:clouds.{cloud}.dr_region:"
    [line] = [line for line in str(caught.value).splitlines() if key in line]
    for word in words:
        assert word in line, line


@pytest.mark.parametrize("cloud", ["aws", "gcp", "azure", "alicloud"])
def test_without_a_dr_region_nothing_is_replicated(cloud):
    values = prod_values()
    del values["clouds"][cloud]["dr_region"]
    assert getattr(parse_environment(values).clouds, cloud).dr_region is None
