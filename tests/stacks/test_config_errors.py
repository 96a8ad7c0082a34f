"""Malformed AWS stack config: each mistake stops with one message that names the exact key
path, the value given and what is allowed. Every case changes one thing of a known-good base."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from stacks.config import ConfigError, parse_environment

DELETE = object()
"""Marker: remove the key instead of setting it."""

ECR_IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.4.0"
BASE: dict[str, Any] = {
    "environment": "dev",
    "owner": "ml-platform",
    "cost_center": "cc-ml-1001",
    "clouds": {
        "aws": {
            "region": "us-east-1",
            "network": {"cidr": "10.10.0.0/16", "zones": 2, "nat": "single"},
            "cluster": {"version": "1.35", "system_nodes": 1},
            "gpu_pools": {"l4": {"accelerator": "nvidia-l4", "min_nodes": 0, "max_nodes": 2, "spot": True}},
            "buckets": {"datasets": {}, "models": {"expected_size_gib": 100}},
            "workloads": {
                "trainer": {"namespace": "ml", "service_account": "trainer", "read": ["datasets"], "write": ["models"]}
            },
            "endpoints": {
                "chat": {
                    "accelerator": "nvidia-l4",
                    "min_replicas": 1,
                    "max_replicas": 2,
                    "image": ECR_IMAGE,
                    "model": {"bucket": "models", "key": "chat/model.tar.gz"},
                }
            },
            "budget": {"monthly_usd": 3000, "alert_emails": ["ml-platform-alerts@example.com"]},
        }
    },
}


def with_change(path: str, value: Any) -> dict[str, Any]:
    """BASE with `clouds.aws.<path>` set to `value` (or removed, for DELETE)."""
    values = copy.deepcopy(BASE)
    *parents, last = path.split(".")
    node = values["clouds"]["aws"]
    for part in parents:
        node = node[part]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    return values


def problem(path: str, value: Any) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_environment(with_change(path, value))
    return str(caught.value)


def test_the_base_is_valid():
    spec = parse_environment(copy.deepcopy(BASE))
    assert spec.clouds.aws is not None and spec.clouds.aws.log_retention_days == 90


# (what is changed, the value, the key path the message must name, words it must also contain)
CASES = [
    # Numbers written as text ("2", as `pulumi config set --path` stores some) are accepted.
    ("wrong type", "gpu_pools.l4.max_nodes", "two", "gpu_pools.l4.max_nodes", ["'two'", "whole number"]),
    ("fraction for a count", "gpu_pools.l4.max_nodes", "2.5", "gpu_pools.l4.max_nodes", ["'2.5'", "whole number"]),
    ("wrong type: bool", "gpu_pools.l4.spot", "yes", "gpu_pools.l4.spot", ["'yes'", "true or false"]),
    ("unknown key", "gpu_pools.l4.spotty", True, "gpu_pools.l4.spotty", ["unknown key", "did you mean 'spot'"]),
    ("unknown top key", "regions", "us-east-1", "regions", ["unknown key", "did you mean 'region'"]),
    (
        "unknown accelerator",
        "gpu_pools.l4.accelerator",
        "nvidia-x100",
        "gpu_pools.l4.accelerator",
        ["'nvidia-x100'", "available:", "nvidia-h100"],
    ),
    (
        "min > max",
        "gpu_pools.l4.min_nodes",
        5,
        "gpu_pools.l4.min_nodes",
        ["5 is greater than max_nodes (2)", "min_nodes <= max_nodes"],
    ),
    ("desired outside", "gpu_pools.l4.desired_nodes", 9, "gpu_pools.l4.desired_nodes", ["9", "0..2"]),
    (
        "machine for another accelerator",
        "gpu_pools.l4.machine_type",
        "g5.xlarge",
        "gpu_pools.l4.machine_type",
        ["nvidia-a10g"],
    ),
    ("bad CIDR", "network.cidr", "10.10.0.0/33", "network.cidr", ["'10.10.0.0/33'", "allowed"]),
    ("public CIDR", "network.cidr", "8.8.0.0/16", "network.cidr", ["'8.8.0.0/16'", "private"]),
    ("more zones than the region", "network.zones", 6, "network.zones", ["6 zones", "us-east-1 has 5"]),
    ("unknown NAT strategy", "network.nat", "multi", "network.nat", ["'multi'", "'per-zone'"]),
    ("missing required key", "region", DELETE, "region", ["required key is missing"]),
    ("unknown region", "region", "us-east-9", "region", ["'us-east-9'", "known:"]),
    ("empty required list", "budget.alert_emails", [], "budget.alert_emails", ["at least 1"]),
    ("empty required string", "endpoints.chat.image", "", "endpoints.chat.image", ["''", "at least 1 character"]),
    (
        "too many budget subscribers",
        "budget.alert_emails",
        [f"a{i}@example.com" for i in range(11)],
        "budget.alert_emails",
        ["11 addresses", "at most 10"],
    ),
    (
        "API open to the internet",
        "cluster.public_access_cidrs",
        ["0.0.0.0/0"],
        "cluster.public_access_cidrs",
        ["'0.0.0.0/0'", "whole internet"],
    ),
    ("unsupported k8s version", "cluster.version", "1.29", "cluster.version", ["'1.29'", "allowed: 1.34"]),
    (
        "service range overlaps the VPC",
        "cluster.service_cidr",
        "10.10.128.0/20",
        "cluster.service_cidr",
        ["overlaps network.cidr (10.10.0.0/16)"],
    ),
    ("service range outside EKS ranges", "cluster.service_cidr", "100.64.0.0/16", "cluster.service_cidr", ["allowed"]),
    ("bad system instance type", "cluster.system_instance_type", "large", "cluster.system_instance_type", ["'large'"]),
    (
        "workload names a missing bucket",
        "workloads.trainer.write",
        ["checkpoints"],
        "workloads.trainer.write",
        ["'checkpoints' is not a bucket", "configured: datasets, models"],
    ),
    (
        "endpoint model bucket missing",
        "endpoints.chat.model.bucket",
        "weights",
        "endpoints.chat.model.bucket",
        ["'weights' is not a bucket"],
    ),
    (
        "endpoint cannot scale to zero",
        "endpoints.chat.min_replicas",
        0,
        "endpoints.chat.min_replicas",
        ["0 is not allowed", "1 or more"],
    ),
    (
        "endpoint image not in ECR",
        "endpoints.chat.image",
        "nginx:latest",
        "endpoints.chat.image",
        ["'nginx:latest'", "ECR"],
    ),
    (
        "no endpoint type for accelerator",
        "endpoints.chat.accelerator",
        "aws-trainium",
        "endpoints.chat.accelerator",
        ["no endpoint machine"],
    ),
    ("log retention CloudWatch refuses", "log_retention_days", 45, "log_retention_days", ["45", "allowed: 1, 3"]),
    ("reserved bucket key", "buckets.access-logs", {}, "buckets.access-logs", ["reserved"]),
    (
        "bad pool name",
        "gpu_pools.L4",
        {"accelerator": "nvidia-l4", "max_nodes": 1},
        "gpu_pools.L4",
        ["'L4'", "is not a valid name", "lowercase letters"],
    ),
]


@pytest.mark.parametrize(("path", "value", "key", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_message_names_the_key_path_and_what_is_wrong(path, value, key, words):
    message = problem(path, value)
    full_key = f"ai-infra:clouds.aws.{key}:"
    assert full_key in message, message
    line = next(line for line in message.splitlines() if full_key in line)
    for word in words:
        assert word in line, line


def test_vpc_too_small_for_the_planned_subnets():
    values = with_change("network.cidr", "10.10.0.0/24")
    values["clouds"]["aws"]["network"]["zones"] = 3
    with pytest.raises(ConfigError) as caught:
        parse_environment(values)
    message = str(caught.value)
    assert message.startswith("ai-infra:clouds.aws.network.cidr: 10.10.0.0/24 is too small for 3 zones"), message
    assert "use a /23 or larger" in message


def test_an_error_is_one_line_per_problem_without_a_traceback():
    message = problem("gpu_pools.l4.max_nodes", "two")
    assert message.count("\n") == 0
    assert "Traceback" not in message and "pydantic" not in message.lower()


def test_the_readme_aws_example_is_valid():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- BEGIN config-aws -->", 1)[1].split("<!-- END config-aws -->", 1)[0]
    example = block.split("```yaml", 1)[1].split("```", 1)[0]
    config = yaml.safe_load(example)["config"]
    spec = parse_environment({key.removeprefix("ai-infra:"): value for key, value in config.items()})
    assert spec.clouds.aws is not None and spec.clouds.aws.region == "us-east-1"
