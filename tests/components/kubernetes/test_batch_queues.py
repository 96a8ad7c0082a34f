"""ai-infra:kubernetes:BatchQueues: Kueue with a flavor per pool, a ClusterQueue per team holding
exactly its quota, a LocalQueue in each team namespace, namespaces enforcing Pod Security."""

from __future__ import annotations

import pytest

from components.kubernetes import BatchQueues, BatchQueuesArgs, PodSecurity, TeamQueue, Toleration
from components.kubernetes.batch_queues import quota_by_pool
from tests.components.kubernetes.pools import H100, L4, L4_SPARE, NAMESPACE, RELEASE, TPU

FLAVOR = "kubernetes:kueue.x-k8s.io/v1beta2:ResourceFlavor"
CLUSTER_QUEUE = "kubernetes:kueue.x-k8s.io/v1beta2:ClusterQueue"
LOCAL_QUEUE = "kubernetes:kueue.x-k8s.io/v1beta2:LocalQueue"
RESEARCH = TeamQueue(name="research", namespace="ml", quotas={"nvidia-h100": 16, "tpu-v5p": 8})
APPLIED = TeamQueue(name="applied", namespace="applied", quotas={"nvidia-l4": 7}, pod_security=PodSecurity.RESTRICTED)


def make(**overrides):
    values = {"pools": [H100, L4, L4_SPARE, TPU], "teams": [RESEARCH, APPLIED], **overrides}
    return lambda: BatchQueues("queues", BatchQueuesArgs(**values))


def by_name(records):
    return {r.inputs["metadata"]["name"]: r.inputs for r in records}


def test_one_flavor_per_pool_selects_its_nodes_and_tolerates_its_taints(declare):
    flavors = by_name(declare(make()).of_type(FLAVOR))
    assert set(flavors) == {"default", "train", "serve", "spare", "pretrain"}
    assert flavors["default"]["spec"] == {}
    assert flavors["serve"]["spec"] == {
        "nodeLabels": {"ai-infra/pool": "serve", "ai-infra/accelerator": "nvidia-l4"},
        "tolerations": [
            {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},
            {"key": "kubernetes.azure.com/scalesetpriority", "operator": "Exists", "effect": "NoSchedule"},
        ],
    }
    # GKE's TPU labels go into admitted pods' node selectors: a job lands on a slice of this shape.
    assert flavors["pretrain"]["spec"]["nodeLabels"] == {
        "ai-infra/pool": "pretrain",
        "ai-infra/accelerator": "tpu-v5p",
        "cloud.google.com/gke-tpu-accelerator": "tpu-v5p-slice",
        "cloud.google.com/gke-tpu-topology": "2x2x2",
    }


def test_a_cluster_queue_per_team_holds_exactly_its_quota(declare):
    queues = by_name(declare(make()).of_type(CLUSTER_QUEUE))
    research = queues["research"]["spec"]
    assert research["cohortName"] == "ai-infra"
    assert research["namespaceSelector"] == {"matchLabels": {"kubernetes.io/metadata.name": "ml"}}
    groups = {tuple(g["coveredResources"]): g["flavors"] for g in research["resourceGroups"]}
    assert set(groups) == {("cpu", "memory"), ("google.com/tpu",), ("nvidia.com/gpu",)}
    assert groups[("nvidia.com/gpu",)] == [
        {"name": "train", "resources": [{"name": "nvidia.com/gpu", "nominalQuota": 16}]}
    ]
    assert groups[("google.com/tpu",)] == [
        {"name": "pretrain", "resources": [{"name": "google.com/tpu", "nominalQuota": 8}]}
    ]
    # 7 L4s over two L4 pools: the first pool up to its size (6), the rest on the next.
    applied = {tuple(g["coveredResources"]): g["flavors"] for g in queues["applied"]["spec"]["resourceGroups"]}
    assert applied[("nvidia.com/gpu",)] == [
        {"name": "serve", "resources": [{"name": "nvidia.com/gpu", "nominalQuota": 6}]},
        {"name": "spare", "resources": [{"name": "nvidia.com/gpu", "nominalQuota": 1}]},
    ]


def test_quota_split_adds_up_and_lists_every_pool_of_the_accelerator():
    team = TeamQueue(name="t", namespace="t", quotas={"nvidia-l4": 2})
    assert quota_by_pool(team, [L4, L4_SPARE]) == {"serve": 2, "spare": 0}


def test_each_team_gets_a_namespace_with_its_pod_security_and_a_local_queue(declare):
    run = declare(make())
    namespaces = by_name(run.of_type(NAMESPACE))
    assert set(namespaces) == {"kueue-system", "ml", "applied"}
    labels = namespaces["applied"]["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    assert namespaces["ml"]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "baseline"
    assert namespaces["kueue-system"]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    local = {r.inputs["metadata"]["namespace"]: r.inputs for r in run.of_type(LOCAL_QUEUE)}
    assert local["ml"]["metadata"]["name"] == "default"
    assert local["ml"]["spec"] == {"clusterQueue": "research"}
    assert local["applied"]["spec"] == {"clusterQueue": "applied"}


def test_kueue_is_a_pinned_release_with_a_pinned_image_on_the_system_nodes(declare):
    run = declare(make(controller_node_selector={"ai-infra/pool": "system"}, replicas=2))
    [kueue] = run.of_type(RELEASE)
    inputs = kueue.inputs
    assert inputs["chart"] == "oci://registry.k8s.io/kueue/charts/kueue"
    assert inputs["version"] == "0.16.2"
    assert inputs["namespace"] == "kueue-system"
    assert inputs["createNamespace"] is False
    manager = inputs["values"]["controllerManager"]
    assert manager["manager"]["image"] == {
        "repository": "registry.k8s.io/kueue/kueue",
        "tag": "v0.16.2",
        "pullPolicy": "IfNotPresent",
    }
    assert manager["nodeSelector"] == {"ai-infra/pool": "system"}
    assert manager["replicas"] == 2 and manager["podDisruptionBudget"]["enabled"] is True
    # Queue objects need Kueue's CRDs and webhooks first.
    for queue in run.of_type(CLUSTER_QUEUE) + run.of_type(FLAVOR):
        assert kueue.urn in queue.dependencies


def test_jobset_comes_first_when_asked(declare):
    run = declare(make(jobset=True, controller_tolerations=[Toleration("CriticalAddonsOnly")]))
    releases = {r.inputs["chart"].rsplit("/", 1)[-1]: r for r in run.of_type(RELEASE)}
    assert set(releases) == {"kueue", "jobset"}
    jobset = releases["jobset"].inputs
    assert jobset["namespace"] == "jobset-system" and jobset["version"] == "0.12.0"
    assert jobset["values"]["image"]["tag"] == "v0.12.0"
    assert jobset["values"]["controller"]["tolerations"] == [{"key": "CriticalAddonsOnly", "operator": "Exists"}]
    assert releases["jobset"].urn in releases["kueue"].dependencies
    assert "jobset-system" in by_name(run.of_type(NAMESPACE))
    assert "jobset" not in {r.inputs["chart"].rsplit("/", 1)[-1] for r in declare(make()).of_type(RELEASE)}


def test_namespaces_are_protected_and_retained_when_asked(declare):
    for record in declare(make(protect=True)).of_type(NAMESPACE):
        assert record.protect and record.retain_on_delete
    for record in declare(make()).of_type(NAMESPACE):
        assert not record.protect


@pytest.mark.parametrize(
    ("teams", "message"),
    [
        ([TeamQueue(name="t", namespace="t", quotas={"nvidia-a100": 1})], "no pool carries nvidia-a100"),
        ([TeamQueue(name="t", namespace="t", quotas={"nvidia-h100": 33})], "exceeds what its pools can hold"),
        ([RESEARCH, TeamQueue(name="x", namespace="ml", quotas={"nvidia-l4": 1})], "own namespace"),
    ],
)
def test_impossible_teams_are_refused(declare, teams, message):
    with pytest.raises(ValueError, match=message):
        declare(make(teams=teams))
