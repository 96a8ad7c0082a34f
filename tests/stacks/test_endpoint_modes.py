"""Endpoint modes per cloud (stacks/config/serverless.py): what each cloud accepts, and errors
that name the key path, the value and what is allowed for a mode or setting a cloud lacks."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from stacks.config import ConfigError, parse_environment

DEV = Path(__file__).parents[2] / "Pulumi.dev.yaml"


def dev_values() -> dict[str, Any]:
    raw = yaml.safe_load(DEV.read_text(encoding="utf-8"))["config"]
    return {key.removeprefix("ai-infra:"): value for key, value in raw.items()}


def with_endpoint(cloud: str, **changes: Any) -> dict[str, Any]:
    """The dev config with `clouds.<cloud>.endpoints.chat` changed (None deletes a key)."""
    values = copy.deepcopy(dev_values())
    chat = values["clouds"][cloud]["endpoints"]["chat"]
    for key, value in changes.items():
        if value is None:
            chat.pop(key, None)
        else:
            chat[key] = value
    return values


def problem(values: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_environment(values)
    return str(caught.value)


def test_dev_serves_every_cloud_in_a_mode_that_scales_to_zero():
    spec = parse_environment(dev_values())
    modes = {cloud: getattr(spec.clouds, cloud).endpoints["chat"] for cloud in ("aws", "gcp", "azure", "alicloud")}
    assert {cloud: e.mode for cloud, e in modes.items()} == {
        "aws": "async",
        "gcp": "serverless",
        "azure": "serverless",
        "alicloud": "serverless",
    }
    assert all(e.min_replicas == 0 for e in modes.values())


def test_realtime_stays_the_default():
    values = with_endpoint("aws", mode=None, serverless=None, min_replicas=1)
    assert parse_environment(values).clouds.aws.endpoints["chat"].mode == "realtime"


@pytest.mark.parametrize(
    ("cloud", "mode", "allowed"),
    [
        ("azure", "batch", "realtime, serverless"),
        ("gcp", "async", "realtime, serverless, batch"),
        ("azure", "async", "realtime, serverless"),
        ("alicloud", "batch", "realtime, serverless"),
    ],
)
def test_a_mode_the_cloud_lacks_names_key_value_and_allowed(cloud, mode, allowed):
    message = problem(with_endpoint(cloud, mode=mode))
    assert f"ai-infra:clouds.{cloud}.endpoints.chat.mode:" in message
    assert f"'{mode}' is not available on {cloud} (allowed: {allowed})" in message


def test_sagemaker_serverless_has_no_gpus_and_points_to_async():
    message = problem(with_endpoint("aws", mode="serverless"))
    assert "ai-infra:clouds.aws.endpoints.chat.accelerator:" in message
    assert "'nvidia-l4' is not offered by SageMaker Serverless Inference (allowed: cpu)" in message
    assert "mode: async" in message


def test_sagemaker_serverless_on_cpu_with_provisioned_concurrency_is_accepted():
    values = with_endpoint(
        "aws", mode="serverless", accelerator="cpu", serverless={"memory_mb": 3072, "provisioned_concurrency": 2}
    )
    chat = parse_environment(values).clouds.aws.endpoints["chat"]
    assert (chat.accelerator, chat.serverless.memory_mb, chat.serverless.provisioned_concurrency) == ("cpu", 3072, 2)


@pytest.mark.parametrize(
    ("cloud", "changes", "key", "words"),
    [
        (
            "aws",
            {"mode": "serverless", "accelerator": "cpu", "serverless": {"memory_mb": 1500}},
            "serverless.memory_mb",
            "allowed: 1024-6144 in steps of 1024",
        ),
        (
            "aws",
            {"mode": "serverless", "accelerator": "cpu", "serverless": {"max_concurrency": 500}},
            "serverless.max_concurrency",
            "allowed: 1-200",
        ),
        ("aws", {"mode": "serverless", "accelerator": "cpu", "min_replicas": 1}, "min_replicas", "allowed: 0"),
        ("aws", {"mode": "async", "accelerator": "cpu"}, "accelerator", "mode: serverless for CPU"),
        (
            "aws",
            {"mode": "realtime", "min_replicas": 1, "accelerator": "cpu", "serverless": None},
            "accelerator",
            "'cpu' is allowed with mode: serverless only",
        ),
        ("aws", {"mode": "realtime", "min_replicas": 1}, "serverless", "this endpoint is realtime"),
        ("gcp", {"accelerator": "nvidia-a100-80gb"}, "accelerator", "(allowed: cpu, nvidia-l4)"),
        (
            "gcp",
            {"serverless": {"invokers": ["allUsers"]}},
            "serverless.invokers",
            "allUsers would make the endpoint public",
        ),
        (
            "gcp",
            {"serverless": {"provisioned_concurrency": 1}},
            "serverless.provisioned_concurrency",
            "allowed here: 0",
        ),
        ("azure", {"accelerator": "nvidia-l4"}, "accelerator", "(allowed: cpu, nvidia-a100-80gb, nvidia-t4)"),
        (
            "azure",
            {"serverless": {"invokers": ["group:ml@example.com"]}},
            "serverless.invokers",
            "Google Cloud setting",
        ),
        ("alicloud", {"serverless": {"max_concurrency": 300}}, "serverless.max_concurrency", "allowed: 1-200"),
    ],
)
def test_serverless_settings_a_platform_cannot_take_are_refused(cloud, changes, key, words):
    message = problem(with_endpoint(cloud, **changes))
    line = next((line for line in message.splitlines() if f"clouds.{cloud}.endpoints.chat.{key}:" in line), message)
    assert f"ai-infra:clouds.{cloud}.endpoints.chat.{key}:" in line, message
    assert words in line, line


def test_a_gpu_outside_the_platform_regions_is_refused():
    values = copy.deepcopy(dev_values())
    values["clouds"]["azure"]["location"] = "northeurope"
    message = problem(values)
    assert "ai-infra:clouds.azure.endpoints.chat.accelerator:" in message
    assert "not northeurope" in message


def test_gcp_serverless_needs_an_image_and_a_model_in_a_bucket():
    message = problem(with_endpoint("gcp", image=None))
    assert "ai-infra:clouds.gcp.endpoints.chat.model:" in message and "needs 'image' and 'model'" in message
