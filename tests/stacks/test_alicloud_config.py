"""`ai-infra:clouds.alicloud` config: defaults, and every mistake reported at its key path with
the value given and what is allowed."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from stacks.config import ConfigError, parse_environment

BASE: dict[str, Any] = {
    "environment": "dev",
    "owner": "ml-platform",
    "cost_center": "cc-1",
    "clouds": {
        "alicloud": {
            "region": "ap-southeast-1",
            "network": {"cidr": "10.40.0.0/16"},
            "gpu_pools": {"a10": {"accelerator": "nvidia-a10", "max_nodes": 2, "spot": True, "spot_price_limit": 1.5}},
            "buckets": {"models": {}},
            "workloads": {"trainer": {"namespace": "ml", "service_account": "trainer", "write": ["models"]}},
            "endpoints": {
                "chat": {"accelerator": "nvidia-a10", "image": "img:1", "model": {"bucket": "models", "key": "chat/"}}
            },
            "budget": {"monthly_usd": 1000, "alert_emails": ["ops@example.com"]},
        }
    },
}
KEY = "ai-infra:clouds.alicloud"


def config(**changes: Any) -> dict[str, Any]:
    """BASE with dotted-path changes under clouds.alicloud (`None` deletes the key)."""
    values = copy.deepcopy(BASE)
    for path, value in changes.items():
        node = values["clouds"]["alicloud"]
        *parents, last = path.split("__")
        for part in parents:
            node = node[part]
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    return values


def problems(values: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_environment(values)
    return caught.value.problems


def test_defaults_are_private_and_cheap():
    spec = parse_environment(config()).clouds.alicloud
    assert spec is not None
    assert spec.cluster.api_server_public is False
    assert spec.cluster.kubernetes_version is None
    assert spec.zone_ids == ["ap-southeast-1a", "ap-southeast-1b"]
    assert spec.gpu_pools["a10"].min_nodes == 0
    assert spec.network.nat == "single"
    assert spec.network.flow_logs.retention_days == 30


def test_a_small_vpc_is_fine_when_the_plan_fits():
    assert parse_environment(config(network={"cidr": "10.40.0.0/24", "zones": 3})).clouds.alicloud is not None


def test_explicit_zones_set_the_zone_count():
    spec = parse_environment(config(zones=["ap-southeast-1c", "ap-southeast-1a", "ap-southeast-1b"])).clouds.alicloud
    assert spec is not None and spec.zone_ids == ["ap-southeast-1c", "ap-southeast-1a", "ap-southeast-1b"]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"region": "mars-1"}, f"{KEY}.region: 'mars-1' is not a known alicloud region"),
        (
            {"zones": ["ap-southeast-1a", "ap-southeast-1z"]},
            f"{KEY}.zones: 'ap-southeast-1z' is not a zone of ap-southeast-1",
        ),
        ({"zones": ["ap-southeast-1a"]}, f"{KEY}.zones: ['ap-southeast-1a'] must list at least 2 distinct zones"),
        ({"network__zones": 4}, f"{KEY}.network.zones: 4 zones requested but ap-southeast-1 has 3"),
        (
            {"cluster": {"kubernetes_version": "1.35"}},
            f"{KEY}.cluster.kubernetes_version: '1.35' is not an ACK version",
        ),
        (
            {"cluster": {"kubernetes_version": "1.30.1-aliyun.1"}},
            f"{KEY}.cluster.kubernetes_version: '1.30.1-aliyun.1' is not in a minor version",
        ),
        (
            {"cluster": {"service_cidr": "10.40.0.0/20"}},
            f"{KEY}.cluster.service_cidr: '10.40.0.0/20' overlaps network.cidr",
        ),
        (
            {"cluster": {"api_server_public": "yes"}},
            f"{KEY}.cluster.api_server_public: 'yes' is not valid (expected true or false)",
        ),
        ({"gpu_pools__a10__spot_price_limit": None}, f"{KEY}.gpu_pools.a10.spot_price_limit: required with spot: true"),
        ({"gpu_pools__a10__spot": False}, f"{KEY}.gpu_pools.a10.spot_price_limit: 1.5 is set but spot is false"),
        ({"gpu_pools__a10__multi_node": True}, f"{KEY}.gpu_pools.a10.multi_node: true is not supported on alicloud"),
        ({"gpu_pools__a10__desired_nodes": 1}, f"{KEY}.gpu_pools.a10.desired_nodes: 1 is not supported on alicloud"),
        ({"gpu_pools__a10__min_nodes": 3}, f"{KEY}.gpu_pools.a10.min_nodes: 3 is greater than max_nodes (2)"),
        (
            {"gpu_pools__a10__accelerator": "nvidia-h100"},
            f"{KEY}.gpu_pools.a10.accelerator: 'nvidia-h100' has no node machine type on alicloud",
        ),
        (
            {"gpu_pools__a10__machine_type": "eas.ecs.gn7i-c8g1.2xlarge"},
            f"{KEY}.gpu_pools.a10.machine_type: 'eas.ecs.gn7i-c8g1.2xlarge' is for the endpoint role",
        ),
        ({"gpu_pools__a10__data_disk_gib": 10}, f"{KEY}.gpu_pools.a10.data_disk_gib: 10 is too small"),
        (
            {"endpoints__chat__image": None},
            f"{KEY}.endpoints.chat.image: neither image nor processor is set; give exactly one",
        ),
        (
            {"endpoints__chat__processor": "pytorch_gpu_1.10"},
            f"{KEY}.endpoints.chat.image: both image and processor are set",
        ),
        (
            {"endpoints__chat__model": {"bucket": "models", "key": "chat/model.tar.gz"}},
            f"{KEY}.endpoints.chat.model.key: 'chat/model.tar.gz' must be a directory",
        ),
        ({"endpoints__chat__min_replicas": 0}, f"{KEY}.endpoints.chat.min_replicas: 0 is not allowed on EAS"),
        (
            {"endpoints__chat__data_capture": True},
            f"{KEY}.endpoints.chat.data_capture: true is not supported on alicloud",
        ),
        (
            {"endpoints__chat__model": {"bucket": "logs", "key": "chat/"}},
            f"{KEY}.endpoints.chat.model.bucket: 'logs' is not a bucket of this cloud",
        ),
        (
            {"endpoints__chat__accelerator": "nvidia-a100"},
            f"{KEY}.endpoints.chat.accelerator: 'nvidia-a100' has no endpoint machine type on alicloud",
        ),
        (
            {"workloads__trainer__write": ["checkpoints"]},
            f"{KEY}.workloads.trainer.write: 'checkpoints' is not a bucket of this cloud",
        ),
        (
            {"buckets": {"a-very-long-bucket-purpose-key-x": {}}},
            f"{KEY}.buckets.a-very-long-bucket-purpose-key-x: 'a-very-long-bucket-purpose-key-x' is 32 characters",
        ),
        ({"buckets": {"access-logs": {}}}, f"{KEY}.buckets.access-logs: 'access-logs' is reserved"),
        (
            {"network__flow_logs": {"retention_days": 3650}},
            f"{KEY}.network.flow_logs.retention_days: 3650 is not valid: Input should be less than or equal to 3649",
        ),
        ({"network__flow_logs": {"enabled": False}}, f"{KEY}.network.flow_logs.enabled: unknown key"),
        ({"budget": None}, f"{KEY}.budget: required key is missing"),
        ({"clusters": {}}, f"{KEY}.clusters: unknown key"),
    ],
)
def test_mistakes_name_the_key_path(changes, expected):
    found = problems(config(**changes))
    assert any(p.startswith(expected) for p in found), found


def test_a_vpc_too_small_for_the_zones_is_reported_on_the_cidr():
    found = problems(config(region="cn-hangzhou", network={"cidr": "10.40.0.0/24", "zones": 5}))
    assert found == [
        f"{KEY}.network.cidr: 10.40.0.0/24 is too small for 5 zones (each zone needs a node vSwitch of "
        "at least /29 and a pod vSwitch at least four times larger); use a /22 or larger"
    ]


def test_zones_and_network_zones_must_agree_when_both_are_given():
    found = problems(config(network={"cidr": "10.40.0.0/16", "zones": 3}, zones=["ap-southeast-1a", "ap-southeast-1b"]))
    assert any(p.startswith(f"{KEY}.network.zones: 3 disagrees with the 2 zones") for p in found), found


def test_readme_example_is_valid_config():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- BEGIN config-alicloud -->", 1)[1].split("<!-- END config-alicloud -->", 1)[0]
    example = yaml.safe_load(block.split("```yaml", 1)[1].split("```", 1)[0])["config"]
    values = {key.removeprefix("ai-infra:"): value for key, value in example.items()}
    spec = parse_environment(values).clouds.alicloud
    assert spec is not None and spec.gpu_pools["a10"].spot_price_limit == 2.0
