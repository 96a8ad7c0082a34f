"""Config errors offer only what the cloud and role at the key path can use."""

from __future__ import annotations

from stacks.config.catalog_choices import accelerator_choices, machine_choices, section_of


def test_an_unknown_accelerator_lists_only_that_clouds_node_accelerators() -> None:
    message = accelerator_choices("nvidia-h10", "aws", "node")
    assert message.startswith("'nvidia-h10' is not an accelerator for node pools on aws (did you mean 'nvidia-h100'?")
    assert "aws-inferentia2" in message and "tpu-" not in message
    # GKE GPU pools: TPUs have their own section (tpu_pools), so they are not offered here.
    assert "tpu-" not in accelerator_choices("tpu-v5", "gcp", "node").split("(", 1)[1]


def test_an_unknown_machine_lists_machines_of_the_role_carrying_the_accelerator() -> None:
    message = machine_choices("g6.xlarg", "aws", "node", "nvidia-l4")
    assert "did you mean 'g6.xlarge'?" in message
    listed = message.split("node types with nvidia-l4: ", 1)[1].rstrip(")").split(", ")
    assert "g6.xlarge" in listed
    assert all(not m.startswith("ml.") and not m.startswith(("g5.", "p5.")) for m in listed), listed


def test_only_pool_and_endpoint_sections_are_narrowed() -> None:
    assert section_of(("clouds", "aws", "gpu_pools", "l4", "accelerator")) == ("aws", "node")
    assert section_of(("clouds", "azure", "endpoints", "chat", "accelerator")) == ("azure", "endpoint")
    assert section_of(("clouds", "gcp", "teams", "a", "quotas")) is None
