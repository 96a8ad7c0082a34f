"""Cluster Autoscaler node-template tags on an EKS node group's Auto Scaling group.

A pool at zero nodes has no node the autoscaler could copy, so it reads what a new node would
look like from tags on the group's ASG: its labels, taints and extended resources
(`nvidia.com/gpu`, `aws.amazon.com/neuron`, `vpc.amazonaws.com/efa`). EKS does not copy node
group tags to the ASG, so each tag is its own `aws.autoscaling.Tag`. (The autoscaler also reads
labels and taints of managed node groups through `eks:DescribeNodegroup`; the tags make the
extended resources known too, and keep working if that call is denied.)"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from components.kubernetes.scheduling import Taint
from components.options import child_options

NODE_TEMPLATE = "k8s.io/cluster-autoscaler/node-template"


def node_template_tags(
    labels: Mapping[str, str], taints: Sequence[Taint], resources: Mapping[str, int]
) -> dict[str, str]:
    """The node-template tags for nodes with these labels, taints and extended resources."""
    tags = {f"{NODE_TEMPLATE}/label/{key}": value for key, value in sorted(labels.items())}
    tags |= {f"{NODE_TEMPLATE}/taint/{t.key}": f"{t.value}:{t.effect}" for t in taints}
    tags |= {f"{NODE_TEMPLATE}/resources/{name}": str(count) for name, count in sorted(resources.items())}
    return tags


def autoscaling_group_name(node_group: aws.eks.NodeGroup) -> pulumi.Output[str]:
    """The name of the ASG EKS created for `node_group` (unknown until the group exists)."""

    def first_group(resources: list | None) -> str:
        groups = resources[0].autoscaling_groups if resources else None
        if not groups or not groups[0].name:
            raise ValueError("EKS reported no Auto Scaling group for the node group")
        return groups[0].name

    return node_group.resources.apply(first_group)


def scale_from_zero_tags(
    name: str, *, parent: pulumi.Resource, autoscaling_group: pulumi.Input[str], tags: Mapping[str, str]
) -> list[aws.autoscaling.Tag]:
    """One `aws.autoscaling.Tag` per node-template tag, named `<name>-template-<tag suffix>`.
    Not propagated to instances: the tags describe the group, not the machines."""
    return [
        aws.autoscaling.Tag(
            f"{name}-template-{_slug(key.removeprefix(NODE_TEMPLATE + '/'))}",
            autoscaling_group_name=autoscaling_group,
            tag={"key": key, "value": value, "propagate_at_launch": False},
            opts=child_options(parent),
        )
        for key, value in tags.items()
    ]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
