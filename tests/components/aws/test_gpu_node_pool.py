"""ai-infra:aws:GpuNodePool: instance type, AMI, capacity, taints, labels, hardened launch
template, and placement group + EFA exactly where asked and supported."""

from __future__ import annotations

import pytest

from components.aws import GpuNodePool, GpuNodePoolArgs
from preflight.engine import run_declarations
from tests.components.aws.taggable import is_taggable

TAGS = {"environment": "test", "owner": "ml", "cost-center": "cc-1"}
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
PLACEMENT = "aws:ec2/placementGroup:PlacementGroup"
SUBNETS = ["subnet-a", "subnet-b", "subnet-c"]


def args(**overrides) -> GpuNodePoolArgs:
    values = {
        "cluster_name": "ai-infra-test",
        "node_role_arn": "arn:aws:iam::123456789012:role/nodes",
        "cluster_security_group_id": "sg-cluster",
        "subnet_ids": SUBNETS,
        "pool": "l4",
        "accelerator": "nvidia-l4",
        "max_nodes": 3,
        "tags": TAGS,
        **overrides,
    }
    return GpuNodePoolArgs(**values)


def make(**overrides):
    return lambda: GpuNodePool("pool", args(**overrides))


def test_instance_type_and_ami_come_from_the_catalog(declare):
    group = declare(make()).one(NODE_GROUP).inputs
    assert group["instanceTypes"] == ["g6.xlarge"]
    assert group["amiType"] == "AL2023_x86_64_NVIDIA"
    neuron = declare(make(pool="inf", accelerator="aws-inferentia2")).one(NODE_GROUP).inputs
    assert neuron["instanceTypes"] == ["inf2.xlarge"]
    assert neuron["amiType"] == "AL2023_x86_64_NEURON"


def test_machine_type_override_must_carry_the_accelerator(declare):
    group = declare(make(machine_type="g6.12xlarge")).one(NODE_GROUP).inputs
    assert group["instanceTypes"] == ["g6.12xlarge"]
    with pytest.raises(ValueError, match="nvidia-a10g"):
        declare(make(machine_type="g5.xlarge"))


@pytest.mark.parametrize(("spot", "capacity"), [(True, "SPOT"), (False, "ON_DEMAND")])
def test_capacity_type_follows_spot(declare, spot, capacity):
    assert declare(make(spot=spot)).one(NODE_GROUP).inputs["capacityType"] == capacity


def test_scales_from_zero_and_desired_defaults_to_min(declare):
    group = declare(make(min_nodes=0, max_nodes=4)).one(NODE_GROUP)
    assert group.inputs["scalingConfig"] == {"minSize": 0, "maxSize": 4, "desiredSize": 0}
    sized = declare(make(min_nodes=1, max_nodes=4, desired_nodes=2)).one(NODE_GROUP)
    assert sized.inputs["scalingConfig"] == {"minSize": 1, "maxSize": 4, "desiredSize": 2}
    with pytest.raises(ValueError, match="min"):
        declare(make(min_nodes=5, max_nodes=4))


@pytest.mark.parametrize(
    ("accelerator", "taint_key"), [("nvidia-l4", "nvidia.com/gpu"), ("aws-trainium", "aws.amazon.com/neuron")]
)
def test_taint_keeps_other_pods_off_the_accelerators(declare, accelerator, taint_key):
    group = declare(make(accelerator=accelerator)).one(NODE_GROUP).inputs
    assert group["taints"] == [{"key": taint_key, "value": "true", "effect": "NO_SCHEDULE"}]


def test_unhealthy_nodes_are_repaired_and_replaced_one_at_a_time(declare):
    group = declare(make()).one(NODE_GROUP).inputs
    assert group["nodeRepairConfig"] == {"enabled": True}
    assert group["updateConfig"] == {"maxUnavailable": 1}


def test_labels_name_pool_and_accelerator_and_keep_extras(declare):
    group = declare(make(labels={"team": "research"})).one(NODE_GROUP).inputs
    assert group["labels"] == {
        "ai-infra/pool": "l4",
        "ai-infra/accelerator": "nvidia-l4",
        # The Cluster Autoscaler's AWS GPU label: a new GPU node counts as not ready until its
        # device plugin advertises the GPUs, instead of triggering another scale-up.
        "k8s.amazonaws.com/accelerator": "nvidia-l4",
        "team": "research",
    }
    neuron = declare(make(pool="inf", accelerator="aws-inferentia2")).one(NODE_GROUP).inputs
    assert "k8s.amazonaws.com/accelerator" not in neuron["labels"]


def test_launch_template_requires_imdsv2_with_hop_limit_one_and_encrypted_gp3(declare):
    run = declare(make(disk_gib=300))
    template = run.one(TEMPLATE).inputs
    assert template["metadataOptions"]["httpTokens"] == "required"
    assert template["metadataOptions"]["httpPutResponseHopLimit"] == 1
    [root] = template["blockDeviceMappings"]
    assert root["ebs"] == {"volumeSize": 300, "volumeType": "gp3", "encrypted": "true", "deleteOnTermination": "true"}
    group = run.one(NODE_GROUP).inputs
    assert group["launchTemplate"] == {"id": run.id_of("pool-lt"), "version": "1"}
    assert "diskSize" not in group  # the launch template owns the disk


def test_instances_volumes_and_interfaces_are_tagged_through_the_template(declare):
    template = declare(make()).one(TEMPLATE).inputs
    by_kind = {spec["resourceType"]: spec["tags"] for spec in template["tagSpecifications"]}
    assert set(by_kind) == {"instance", "volume", "network-interface"}
    for tags in by_kind.values():
        assert TAGS.items() <= tags.items()


def test_single_node_pool_spans_all_subnets_without_placement_or_efa(declare):
    run = declare(make())
    assert run.of_type(PLACEMENT) == []
    template = run.one(TEMPLATE).inputs
    assert "networkInterfaces" not in template and "placement" not in template
    assert run.one(NODE_GROUP).inputs["subnetIds"] == SUBNETS


def test_multi_node_on_efa_hardware_gets_placement_group_and_efa(declare):
    run = declare(make(pool="train", accelerator="nvidia-h100", multi_node=True))
    placement = run.one(PLACEMENT)
    assert placement.inputs["strategy"] == "cluster"
    template = run.one(TEMPLATE).inputs
    assert template["placement"] == {"groupName": run.one(PLACEMENT).outputs["name"]}
    [efa] = template["networkInterfaces"]
    assert efa["interfaceType"] == "efa"
    assert (efa["deviceIndex"], efa["networkCardIndex"]) == (0, 0)
    assert efa["securityGroups"] == ["sg-cluster"]
    group = run.one(NODE_GROUP).inputs
    assert group["instanceTypes"] == ["p5.48xlarge"]
    # A cluster placement group lives in one zone: only the first private subnet.
    assert group["subnetIds"] == SUBNETS[:1]


def test_multi_node_trainium_uses_the_efa_size_from_the_catalog(declare):
    run = declare(make(pool="trn", accelerator="aws-trainium", multi_node=True))
    assert run.one(NODE_GROUP).inputs["instanceTypes"] == ["trn1.32xlarge"]
    assert run.one(TEMPLATE).inputs["networkInterfaces"][0]["interfaceType"] == "efa"


def test_multi_node_without_efa_hardware_gets_placement_only_and_a_warning():
    run, log = run_declarations(make(multi_node=True), project="ai-infra", stack="test")
    assert run.one(PLACEMENT).inputs["strategy"] == "cluster"
    template = run.one(TEMPLATE).inputs
    assert "networkInterfaces" not in template
    assert template["placement"] == {"groupName": run.one(PLACEMENT).outputs["name"]}
    warnings = [message for level, message in log if level == "warning"]
    assert any("g6.xlarge" in w and "no EFA" in w for w in warnings), log


def test_efa_needs_the_cluster_security_group(declare):
    with pytest.raises(ValueError, match="cluster_security_group_id"):
        declare(make(accelerator="nvidia-h100", multi_node=True, cluster_security_group_id=None))


def test_every_taggable_child_carries_the_tags(declare):
    run = declare(make(accelerator="nvidia-h100", multi_node=True))
    taggable = [r for r in run.resources if r.custom and is_taggable(r.type)]
    assert {r.type for r in taggable} == {NODE_GROUP, TEMPLATE, PLACEMENT}
    for record in taggable:
        assert TAGS.items() <= record.inputs["tags"].items(), record.name


TAG = "aws:autoscaling/tag:Tag"
TEMPLATE_PREFIX = "k8s.io/cluster-autoscaler/node-template/"


def template_tags(run) -> dict[str, str]:
    return {t.inputs["tag"]["key"].removeprefix(TEMPLATE_PREFIX): t.inputs["tag"]["value"] for t in run.of_type(TAG)}


@pytest.mark.parametrize(
    ("overrides", "resources"),
    [
        ({}, {"nvidia.com/gpu": "1"}),
        ({"accelerator": "nvidia-h100", "multi_node": True}, {"nvidia.com/gpu": "8", "vpc.amazonaws.com/efa": "1"}),
        ({"accelerator": "aws-inferentia2"}, {"aws.amazon.com/neuron": "1"}),
    ],
)
def test_the_asg_describes_a_node_so_the_autoscaler_can_scale_from_zero(declare, overrides, resources):
    run = declare(make(min_nodes=0, labels={"team": "research"}, **overrides))
    group = run.one(NODE_GROUP).inputs
    tags = template_tags(run)
    # Exactly the node group's labels and taints, plus what the device plugins will advertise.
    assert {k.removeprefix("label/"): v for k, v in tags.items() if k.startswith("label/")} == group["labels"]
    assert {k.removeprefix("taint/"): v for k, v in tags.items() if k.startswith("taint/")} == {
        t["key"]: f"{t['value']}:NoSchedule" for t in group["taints"]
    }
    assert {k.removeprefix("resources/"): v for k, v in tags.items() if k.startswith("resources/")} == resources
    for tag in run.of_type(TAG):
        assert tag.inputs["tag"]["propagateAtLaunch"] is False
        assert tag.inputs["autoscalingGroupName"].startswith("eks-")


def test_a_fixed_size_pool_says_why_and_cannot_scale(declare):
    group = declare(make(min_nodes=2, max_nodes=2, fixed_size_reason="reserved capacity block")).one(NODE_GROUP)
    assert group.inputs["tags"]["ai-infra-fixed-size"] == "reserved capacity block"
    assert "ai-infra-fixed-size" not in declare(make()).one(NODE_GROUP).inputs["tags"]
    with pytest.raises(ValueError, match="fixed_size_reason"):
        declare(make(min_nodes=0, max_nodes=2, fixed_size_reason="reserved capacity block"))
