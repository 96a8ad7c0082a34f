"""In-cluster platform rules: accelerator pools owned by an autoscaler (or fixed in size with a
reason), pinned Helm charts, pinned container images, Pod Security on namespaces. Each starts
from known-good resources; one changed field is reported on the resource it concerns."""

from __future__ import annotations

import pytest

from policies.framework import UNKNOWN
from policies.rules import cluster_platform as cp
from tests.policies.builders import DELETE, assert_compliant, assert_flags, changed, find, judge, res, without

AUTOSCALED = "accelerator-pool-autoscaled"
HELM = "helm-chart-pinned"
IMAGES = "container-image-pinned"
PSA = "namespace-pod-security"


def autoscaler_release(cluster: str = "ai-infra-prod"):
    return res(
        cp.HELM_RELEASE,
        "cluster-autoscaler",
        {
            "chart": "cluster-autoscaler",
            "version": "9.56.0",
            "repositoryOpts": {"repo": "https://kubernetes.github.io/autoscaler"},
            "namespace": "kube-system",
            "values": {"cloudProvider": "aws", "autoDiscovery": {"clusterName": cluster}},
        },
    )


def good_pools():
    eks = res(cp.EKS_CLUSTER, "eks", {"name": "ai-infra-prod"})
    ack = res("alicloud:cs/managedKubernetes:ManagedKubernetes", "ack", {"name": "ack"})
    return [
        eks,
        res(
            cp.EKS_NODE_GROUP,
            "aws-h100",
            {
                "clusterName": "ai-infra-prod",
                "instanceTypes": ["p5.48xlarge"],
                "scalingConfig": {"minSize": 0, "maxSize": 4, "desiredSize": 0},
                "tags": {"environment": "prod"},
            },
            deps={"clusterName": eks},
        ),
        autoscaler_release(),
        res(
            cp.GKE_NODE_POOL,
            "gke-l4",
            {
                "nodeConfig": {"machineType": "g2-standard-4", "resourceLabels": {"environment": "prod"}},
                "autoscaling": {"totalMinNodeCount": 1, "totalMaxNodeCount": 6},
            },
        ),
        res(
            cp.AKS_AGENT_POOL,
            "aks-a100",
            {"vmSize": "Standard_NC24ads_A100_v4", "enableAutoScaling": True, "minCount": 0, "maxCount": 6},
        ),
        ack,
        res(
            cp.ACK_NODE_POOL,
            "ack-a10",
            {
                "instanceTypes": ["ecs.gn7i-c8g1.2xlarge"],
                "scalingConfig": {"enable": True, "minSize": 0, "maxSize": 8},
                "tags": {"environment": "prod"},
            },
            deps={"clusterId": ack},
        ),
        res(cp.ACK_AUTOSCALER, "ack-autoscaler", {"scaleUpFromZero": True}, deps={"clusterId": ack}),
        # CPU pools are not the rule's business, autoscaled or not.
        res(
            cp.EKS_NODE_GROUP,
            "aws-system",
            {"instanceTypes": ["m6i.large"], "scalingConfig": {"minSize": 2, "maxSize": 2}},
        ),
    ]


# -- accelerator pools owned by an autoscaler ------------------------------------------------------
def test_autoscaled_pools_on_every_cloud_pass():
    assert_compliant(AUTOSCALED, good_pools())


def test_eks_pool_without_a_cluster_autoscaler_is_flagged():
    assert_flags(AUTOSCALED, without(good_pools(), "cluster-autoscaler"), "aws-h100", contains="no autoscaler")


def test_eks_pool_whose_cluster_no_autoscaler_discovers_is_flagged():
    resources = changed(good_pools(), "cluster-autoscaler", "values.autoDiscovery.clusterName", "other-cluster")
    assert_flags(AUTOSCALED, resources, "aws-h100", contains="ai-infra-prod")


def test_eks_cluster_name_unknown_at_preview_is_found_through_its_cluster_or_left_undecided():
    unknown = changed(good_pools(), "aws-h100", "clusterName", UNKNOWN)
    assert_compliant(AUTOSCALED, unknown)  # resolved through the property dependency on the cluster
    other = changed(unknown, "cluster-autoscaler", "values.autoDiscovery.clusterName", "other-cluster")
    assert_flags(AUTOSCALED, other, "aws-h100", contains="ai-infra-prod")
    # Neither the pool nor its cluster names the cluster yet: undecided (deferred), never a violation.
    found = judge(AUTOSCALED, changed(unknown, "eks", "name", UNKNOWN))
    assert found and all(f.undecided for f in found), found


@pytest.mark.parametrize(
    ("name", "path", "value", "contains"),
    [
        ("gke-l4", "autoscaling", DELETE, "no autoscaling block"),
        ("aks-a100", "enableAutoScaling", False, "enableAutoScaling"),
        ("ack-a10", "scalingConfig.enable", False, "scalingConfig.enable"),
        ("aws-h100", "scalingConfig.minSize", 4, "cannot scale"),
        ("gke-l4", "autoscaling.totalMinNodeCount", 6, "cannot scale"),
        ("aks-a100", "minCount", 6, "cannot scale"),
        ("ack-a10", "scalingConfig.minSize", 8, "cannot scale"),
    ],
)
def test_pools_no_autoscaler_can_resize_are_flagged(name, path, value, contains):
    assert_flags(AUTOSCALED, changed(good_pools(), name, path, value), name, contains=contains)


def test_ack_pool_without_the_clusters_autoscaler_config_is_flagged():
    assert_flags(AUTOSCALED, without(good_pools(), "ack-autoscaler"), "ack-a10", contains="AutoscalingConfig")


@pytest.mark.parametrize(
    ("name", "marks", "resize"),
    [
        ("aws-h100", "tags", ("scalingConfig.minSize", 4)),
        ("gke-l4", "nodeConfig.resourceLabels", ("autoscaling", DELETE)),
        ("aks-a100", "tags", ("enableAutoScaling", False)),
        ("ack-a10", "tags", ("scalingConfig.enable", False)),
    ],
)
def test_a_fixed_size_pool_with_a_reason_passes(name, marks, resize):
    fixed = changed(good_pools(), name, resize[0], resize[1])
    if name == "aws-h100":
        fixed = without(fixed, "cluster-autoscaler")
    reasoned = changed(fixed, name, f"{marks}.{cp.FIXED_SIZE_MARK}", "reserved capacity block")
    assert_compliant(AUTOSCALED, reasoned)
    assert_flags(AUTOSCALED, changed(reasoned, name, f"{marks}.{cp.FIXED_SIZE_MARK}", " "), name)


# -- Helm charts pinned ----------------------------------------------------------------------------
def good_charts():
    return [
        autoscaler_release(),
        res(cp.HELM_RELEASE, "kueue", {"chart": "oci://registry.k8s.io/kueue/charts/kueue", "version": "0.16.2"}),
        res(
            cp.HELM_CHART_V4,
            "efa",
            {
                "chart": "aws-efa-k8s-device-plugin",
                "version": "v0.5.20",
                "repositoryOpts": {"repo": "https://aws.github.io/eks-charts"},
            },
        ),
    ]


def test_pinned_charts_pass():
    assert_compliant(HELM, good_charts())


@pytest.mark.parametrize(
    ("name", "path", "value", "contains"),
    [
        ("cluster-autoscaler", "version", DELETE, "no version"),
        ("cluster-autoscaler", "version", "", "no version"),
        ("kueue", "version", "^0.16.0", "range"),
        ("efa", "version", ">=0.5", "range"),
        ("efa", "version", "0.5.x", "range"),
        ("cluster-autoscaler", "repositoryOpts", DELETE, "no repository"),
    ],
)
def test_unpinned_charts_are_flagged(name, path, value, contains):
    assert_flags(HELM, changed(good_charts(), name, path, value), name, contains=contains)


def test_unknown_versions_wait_for_the_update():
    found = judge(HELM, changed(good_charts(), "kueue", "version", UNKNOWN))
    assert found and all(f.undecided for f in found), "not known yet: neither a pass nor a violation"


# -- container images pinned -----------------------------------------------------------------------
def good_images():
    return [
        res(
            cp.HELM_RELEASE,
            "kueue",
            {
                "chart": "oci://registry.k8s.io/kueue/charts/kueue",
                "version": "0.16.2",
                "values": {
                    "controllerManager": {
                        "manager": {"image": {"repository": "registry.k8s.io/kueue/kueue", "tag": "v0.16.2"}}
                    },
                    # No tag: the chart's default, pinned by the chart version.
                    "kueueViz": {"backend": {"image": {"repository": "registry.k8s.io/kueue/kueueviz-backend"}}},
                    "initImage": "registry.k8s.io/busybox@sha256:" + "a" * 64,
                },
            },
        ),
        res(
            "kubernetes:batch/v1:Job",
            "train",
            {
                "spec": {
                    "template": {"spec": {"containers": [{"name": "t", "image": "nvcr.io/nvidia/pytorch:25.01-py3"}]}}
                }
            },
        ),
        res(
            "kubernetes:apps/v1:Deployment",
            "serve",
            {
                "spec": {
                    "template": {"spec": {"containers": [{"name": "s", "image": "registry:5000/serve/vllm:0.6.3"}]}}
                }
            },
        ),
    ]


def test_pinned_images_pass():
    assert_compliant(IMAGES, good_images())


@pytest.mark.parametrize(
    ("name", "path", "value", "contains"),
    [
        ("kueue", "values.controllerManager.manager.image.tag", "latest", "floating tag 'latest'"),
        ("kueue", "values.controllerManager.manager.image.tag", "main", "floating tag 'main'"),
        ("kueue", "values.initImage", "registry.k8s.io/busybox", "no tag"),
        ("train", "spec.template.spec.containers.0.image", "nvcr.io/nvidia/pytorch:latest", "floating tag"),
        ("serve", "spec.template.spec.containers.0.image", "registry:5000/serve/vllm", "no tag"),
    ],
)
def test_floating_or_missing_tags_are_flagged(name, path, value, contains):
    assert_flags(IMAGES, changed(good_images(), name, path, value), name, contains=contains)


def test_image_references_are_read_with_registry_ports_and_digests():
    assert cp.image_tag_problem("localhost:5000/x") is not None
    assert cp.image_tag_problem("localhost:5000/x:1.0") is None
    assert cp.image_tag_problem("x:latest@sha256:" + "b" * 64) is None


# -- Pod Security on namespaces --------------------------------------------------------------------
def good_namespaces():
    return [
        res(cp.NAMESPACE, "kueue-ns", {"metadata": {"name": "kueue-system", "labels": {cp.PSA_ENFORCE: "restricted"}}}),
        res(cp.NAMESPACE, "team-ns", {"metadata": {"name": "ml", "labels": {cp.PSA_ENFORCE: "baseline"}}}),
        res(cp.HELM_RELEASE, "kueue", {"chart": "kueue", "namespace": "kueue-system", "createNamespace": False}),
    ]


def test_namespaces_that_enforce_pod_security_pass():
    assert_compliant(PSA, good_namespaces())


@pytest.mark.parametrize(
    ("labels", "shown"),
    [({cp.PSA_ENFORCE: "privileged"}, "'privileged'"), ({"pod-security.kubernetes.io/warn": "restricted"}, "no")],
)
def test_namespaces_that_do_not_enforce_are_flagged(labels, shown):
    # (Label keys contain dots: the whole labels map is replaced.)
    resources = changed(good_namespaces(), "team-ns", "metadata.labels", labels)
    assert_flags(PSA, resources, "team-ns", contains=f"{shown} {cp.PSA_ENFORCE}")


def test_helm_created_namespaces_are_flagged():
    resources = changed(good_namespaces(), "kueue", "createNamespace", True)
    assert_flags(PSA, resources, "kueue", contains="createNamespace")


def test_a_release_is_found_by_name():
    assert find(good_namespaces(), "kueue").type == cp.HELM_RELEASE
