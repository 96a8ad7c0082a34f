"""ai-infra:aws:ClusterAutoscaler: a Pod Identity role that may resize only the cluster's own
node groups, and the pinned chart configured to discover exactly this cluster."""

from __future__ import annotations

import json

from components.aws import ClusterAutoscaler, ClusterAutoscalerArgs
from tests.components.aws.iam_documents import assert_no_wildcards

ROLE = "aws:iam/role:Role"
POLICY = "aws:iam/rolePolicy:RolePolicy"
ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation"
RELEASE = "kubernetes:helm.sh/v3:Release"
ACCOUNT = "123456789012"


def make(**overrides):
    values = {
        "cluster_name": "ai-infra-test",
        "cluster_name_output": "ai-infra-test",
        "kubernetes_version": "1.35",
        "region": "us-east-1",
        "account_id": ACCOUNT,
        "autoscaling_groups": ["eks-system-1", "eks-gpu-2"],
        "node_selector": {"ai-infra/pool": "system"},
        "tags": {"environment": "test"},
        **overrides,
    }
    return lambda: ClusterAutoscaler("ca", ClusterAutoscalerArgs(**values))


def test_role_is_assumable_only_by_pod_identity_for_this_cluster(declare):
    trust = json.loads(declare(make()).one(ROLE).inputs["assumeRolePolicy"])
    [statement] = trust["Statement"]
    assert statement["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert sorted(statement["Action"]) == ["sts:AssumeRole", "sts:TagSession"]
    assert statement["Condition"]["ArnEquals"]["aws:SourceArn"] == (
        f"arn:aws:eks:us-east-1:{ACCOUNT}:cluster/ai-infra-test"
    )


def test_policy_resizes_only_the_listed_groups_that_eks_tags_as_the_clusters(declare):
    run = declare(make())
    policy = json.loads(run.one(POLICY).inputs["policy"])
    statements = {s["Sid"]: s for s in policy["Statement"]}
    scale = statements["ScaleOwnNodeGroups"]
    assert sorted(scale["Action"]) == [
        "autoscaling:SetDesiredCapacity",
        "autoscaling:TerminateInstanceInAutoScalingGroup",
    ]
    assert scale["Resource"] == [
        f"arn:aws:autoscaling:us-east-1:{ACCOUNT}:autoScalingGroup:*:autoScalingGroupName/eks-system-1",
        f"arn:aws:autoscaling:us-east-1:{ACCOUNT}:autoScalingGroup:*:autoScalingGroupName/eks-gpu-2",
    ]
    assert scale["Condition"] == {"StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/ai-infra-test": "owned"}}
    # Everything on "*" is read-only.
    assert all(a.split(":")[1].startswith(("Describe", "Get")) for a in statements["ReadScalingState"]["Action"])
    assert assert_no_wildcards(run) == 2


def test_pod_identity_association_names_the_charts_service_account(declare):
    run = declare(make())
    association = run.one(ASSOCIATION).inputs
    assert (association["namespace"], association["serviceAccount"]) == ("kube-system", "cluster-autoscaler")
    values = run.one(RELEASE).inputs["values"]
    assert values["rbac"]["serviceAccount"] == {"create": True, "name": "cluster-autoscaler"}
    # The pod must find its credentials on first start.
    assert run.one(ASSOCIATION).urn in run.one(RELEASE).dependencies


def test_release_discovers_this_cluster_with_the_matching_autoscaler_version(declare):
    release = declare(make()).one(RELEASE).inputs
    assert (release["chart"], release["version"]) == ("cluster-autoscaler", "9.56.0")
    assert release["repositoryOpts"] == {"repo": "https://kubernetes.github.io/autoscaler"}
    values = release["values"]
    assert values["cloudProvider"] == "aws" and values["awsRegion"] == "us-east-1"
    assert values["autoDiscovery"] == {"clusterName": "ai-infra-test"}
    assert values["image"] == {"repository": "registry.k8s.io/autoscaling/cluster-autoscaler", "tag": "v1.35.0"}
    assert values["nodeSelector"] == {"ai-infra/pool": "system"}
    args = values["extraArgs"]
    assert args["expander"] == "least-waste"
    assert args["skip-nodes-with-local-storage"] is False
    assert args["scale-down-unneeded-time"] == "10m"
