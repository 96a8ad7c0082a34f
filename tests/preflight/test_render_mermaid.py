"""The Mermaid graph: components and their children, custom resources grouped by type."""

from __future__ import annotations

import re

import pulumi
import pulumi_aws as aws
import pytest

from components.aws import Bucket, BucketArgs
from preflight.render_mermaid import render_mermaid

NODE = re.compile(r'^  (?P<id>[A-Za-z0-9_]+)\["(?P<label>[^"]*)"\](?::::(?P<cls>\w+))?$')
EDGE = re.compile(r"^  (?P<src>[A-Za-z0-9_]+) --> (?P<dst>[A-Za-z0-9_]+)$")


class _Pool(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None):
        super().__init__("test:index:Pool", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        for index in range(3):
            aws.ec2.LaunchTemplate(f"{name}-lt-{index}", opts=child)
        aws.eks.NodeGroup(
            f"{name}-nodes",
            cluster_name="c",
            node_role_arn="arn:aws:iam::123456789012:role/n",
            subnet_ids=["s"],
            scaling_config={"min_size": 0, "max_size": 1, "desired_size": 0},
            opts=child,
        )
        self.register_outputs({})


class _Platform(pulumi.ComponentResource):
    def __init__(self, name: str):
        super().__init__("test:index:Platform", name, None, None)
        _Pool(f'{name}.gpu/"a"', pulumi.ResourceOptions(parent=self))
        self.register_outputs({})


def _program():
    provider = aws.Provider("aws", region="us-east-1")
    Bucket("end", BucketArgs(bucket_name="b", purpose="models"), opts=pulumi.ResourceOptions(provider=provider))
    _Platform("platform")
    aws.s3.Bucket("loose-1", opts=pulumi.ResourceOptions(provider=provider))
    aws.s3.Bucket("loose-2", opts=pulumi.ResourceOptions(provider=provider))


@pytest.fixture(scope="module")
def graph() -> str:
    from preflight.engine import run_declarations

    run, _log = run_declarations(_program, project="demo", stack="dev")
    return render_mermaid(run)


def _parse(graph: str):
    lines = graph.splitlines()
    assert lines[0] == "flowchart LR"
    nodes, edges = {}, []
    for line in lines[1:]:
        if line.startswith("  classDef "):
            continue
        if match := NODE.match(line):
            nodes[match["id"]] = (match["label"], match["cls"])
        elif match := EDGE.match(line):
            edges.append((match["src"], match["dst"]))
        else:
            raise AssertionError(f"unexpected line: {line!r}")
    return nodes, edges


def test_components_nest_and_custom_children_are_grouped_by_type(graph):
    nodes, edges = _parse(graph)
    labels = {node_id: label for node_id, (label, _cls) in nodes.items()}
    by_label = {label.split("<br/>")[0]: node_id for node_id, label in labels.items()}
    pool = by_label["platform.gpu/#quot;a#quot;"]
    platform = by_label["platform"]
    assert ("stack", platform) in edges and (platform, pool) in edges, "nested component hangs off its parent"
    pool_children = sorted(labels[dst] for src, dst in edges if src == pool)
    assert pool_children == ["aws:ec2:LaunchTemplate x3", "aws:eks:NodeGroup"], "three launch templates, one node"
    top = sorted(labels[dst].split("<br/>")[0] for src, dst in edges if src == "stack")
    assert top == ["aws:s3:Bucket x2", "end", "platform"], "top-level resources grouped; providers left out"
    assert nodes[platform][1] == "component" and nodes["stack"][1] == "stack"


def test_ids_are_sanitized_unique_and_every_edge_is_declared(graph):
    nodes, edges = _parse(graph)
    assert all(re.fullmatch(r"[A-Za-z0-9_]+", node_id) for node_id in nodes)
    assert "end" not in nodes, "Mermaid's `end` keyword is never an id"
    for src, dst in edges:
        assert src in nodes and dst in nodes
    assert len(edges) == len(nodes) - 1, "a tree: every node but the stack has one parent edge"


def test_graph_is_deterministic(graph):
    from preflight.engine import run_declarations

    again, _log = run_declarations(_program, project="demo", stack="dev")
    assert render_mermaid(again) == graph
