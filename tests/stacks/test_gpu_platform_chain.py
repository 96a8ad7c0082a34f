"""The chain from a Pending GPU/TPU pod to a running node, per cloud, in the project's own dev and
prod stacks: which autoscaler owns each pool (and, on EKS, the node-template tags that let it
scale from zero), what makes each accelerator kind schedulable, where GPU metrics come from, and
the Kueue objects of every configured team. Everything in-cluster sits under its cluster."""

from __future__ import annotations

import functools

import pytest
import yaml

from components.kubernetes.helm import EXACT_VERSION
from preflight.records import ProgramRun, ResourceRecord
from stacks.config import EnvironmentSpec, parse_environment
from tests.conftest import REPO_ROOT

RELEASE = "kubernetes:helm.sh/v3:Release"
NAMESPACE = "kubernetes:core/v1:Namespace"
FLAVOR = "kubernetes:kueue.x-k8s.io/v1beta2:ResourceFlavor"
CLUSTER_QUEUE = "kubernetes:kueue.x-k8s.io/v1beta2:ClusterQueue"
LOCAL_QUEUE = "kubernetes:kueue.x-k8s.io/v1beta2:LocalQueue"
TEMPLATE = "k8s.io/cluster-autoscaler/node-template/"
STACKS = ["dev", "prod"]


@functools.cache
def spec(stack: str) -> EnvironmentSpec:
    """The stack's config, validated as the program sees it."""
    config = yaml.safe_load((REPO_ROOT / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8"))["config"]
    return parse_environment({key.removeprefix("ai-infra:"): value for key, value in config.items()})


def under(run: ProgramRun, ancestor: str) -> list[ResourceRecord]:
    """Every resource below the component `ancestor` (any depth)."""
    by_urn = run.by_urn()
    found = []
    for record in run.resources:
        parent = record.parent
        while parent is not None and parent != ancestor:
            parent = by_urn[parent].parent if parent in by_urn else None
        if parent == ancestor:
            found.append(record)
    return found


def platform(run: ProgramRun, cloud: str) -> tuple[ResourceRecord, list[ResourceRecord]]:
    """The cloud's GpuPlatform (which must sit under its GpuCluster) and what it contains."""
    [component] = run.of_type(f"ai-infra:{cloud}:GpuPlatform")
    [cluster] = run.of_type(f"ai-infra:{cloud}:GpuCluster")
    assert component.parent == cluster.urn, "the in-cluster layer is shown under its cluster"
    return component, under(run, component.urn)


def of(records: list[ResourceRecord], type_: str) -> list[ResourceRecord]:
    return [r for r in records if r.type == type_]


def release(records: list[ResourceRecord], chart: str) -> dict:
    [found] = [r.inputs for r in of(records, RELEASE) if r.inputs["chart"].rsplit("/", 1)[-1] == chart]
    return found


def affinity_pools(values: dict) -> set[str]:
    terms = values["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    return set(terms[0]["matchExpressions"][0]["values"])


def assert_team_queues(records: list[ResourceRecord], teams: dict, pools: set[str]) -> None:
    flavors = {r.inputs["metadata"]["name"]: r.inputs["spec"] for r in of(records, FLAVOR)}
    assert set(flavors) == pools | {"default"}
    for pool in pools:
        assert flavors[pool]["nodeLabels"]["ai-infra/pool"] == pool
    queues = {r.inputs["metadata"]["name"]: r.inputs["spec"] for r in of(records, CLUSTER_QUEUE)}
    assert set(queues) == set(teams)
    local = {r.inputs["metadata"]["namespace"]: r.inputs["spec"]["clusterQueue"] for r in of(records, LOCAL_QUEUE)}
    namespaces = {r.inputs["metadata"]["name"]: r.inputs["metadata"]["labels"] for r in of(records, NAMESPACE)}
    for name, team in teams.items():
        namespace = team.namespace_for(name)
        assert local[namespace] == name
        assert queues[name]["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] == namespace
        assert namespaces[namespace]["pod-security.kubernetes.io/enforce"] == team.pod_security
        granted: dict[str, int] = {}
        for group in queues[name]["resourceGroups"][1:]:
            for flavor in group["flavors"]:
                granted[flavor["name"]] = flavor["resources"][0]["nominalQuota"]
        assert sum(granted.values()) == sum(team.quotas.values())


# -- AWS -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("stack", STACKS)
def test_aws_chain(stack_run, stack):
    run, aws = stack_run(stack), spec(stack).clouds.aws
    _, inside = platform(run, "aws")
    [eks] = run.of_type("aws:eks/cluster:Cluster")
    # The Cluster Autoscaler discovers this cluster, on the cluster's own minor version.
    autoscaler = release(inside, "cluster-autoscaler")["values"]
    assert autoscaler["autoDiscovery"]["clusterName"] == eks.inputs["name"]
    assert autoscaler["image"]["tag"].startswith(f"v{eks.inputs['version']}.")
    gpu_pools = set()
    for pool in run.of_type("ai-infra:aws:GpuNodePool"):
        children = under(run, pool.urn)
        [group] = of(children, "aws:eks/nodeGroup:NodeGroup")
        tags = {t.inputs["tag"]["key"]: t.inputs["tag"]["value"] for t in of(children, "aws:autoscaling/tag:Tag")}
        # Scale from zero: the ASG says what a node of the pool looks like.
        for key, value in group.inputs["labels"].items():
            assert tags[f"{TEMPLATE}label/{key}"] == value
        for taint in group.inputs["taints"]:
            assert tags[f"{TEMPLATE}taint/{taint['key']}"] == f"{taint['value']}:NoSchedule"
            assert f"{TEMPLATE}resources/{taint['key']}" in tags
        assert group.inputs["scalingConfig"]["maxSize"] > group.inputs["scalingConfig"]["minSize"]
        gpu_pools.add(group.inputs["labels"]["ai-infra/pool"])
    assert gpu_pools == set(aws.gpu_pools)
    # NVIDIA pools get the device plugin and the DCGM exporter; EFA pools the EFA plugin.
    assert affinity_pools(release(inside, "nvidia-device-plugin")["values"]) == gpu_pools
    assert affinity_pools(release(inside, "dcgm-exporter")["values"]) == gpu_pools
    efa_charts = [r for r in of(inside, RELEASE) if r.inputs["chart"] == "aws-efa-k8s-device-plugin"]
    assert len(efa_charts) == (1 if any(p.multi_node for p in aws.gpu_pools.values()) else 0)
    assert_team_queues(inside, aws.teams, gpu_pools)


# -- Google Cloud --------------------------------------------------------------------------------
@pytest.mark.parametrize("stack", STACKS)
def test_gcp_chain(stack_run, stack):
    run, gcp = stack_run(stack), spec(stack).clouds.gcp
    _, inside = platform(run, "gcp")
    [cluster] = run.of_type("gcp:container/cluster:Cluster")
    monitoring = cluster.inputs["monitoringConfig"]
    assert "DCGM" in monitoring["enableComponents"] and monitoring["managedPrometheus"]["enabled"] is True
    pools = {p.inputs["name"]: p.inputs for p in run.of_type("gcp:container/nodePool:NodePool")}
    for name in gcp.gpu_pools:
        [accelerator] = pools[name]["nodeConfig"]["guestAccelerators"]
        assert accelerator["gpuDriverInstallationConfig"]["gpuDriverVersion"] in ("DEFAULT", "LATEST")
        assert pools[name]["autoscaling"]["totalMaxNodeCount"] > pools[name]["autoscaling"]["totalMinNodeCount"]
    in_cluster_tpus = {name for name, p in gcp.tpu_pools.items() if p.form == "gke-node-pool"}
    flavors = {r.inputs["metadata"]["name"]: r.inputs["spec"] for r in of(inside, FLAVOR)}
    for name in in_cluster_tpus:
        tpu = gcp.tpu_pools[name].tpu
        assert flavors[name]["nodeLabels"]["cloud.google.com/gke-tpu-accelerator"] == tpu.gke_accelerator
        assert flavors[name]["nodeLabels"]["cloud.google.com/gke-tpu-topology"] == tpu.topology
    multi_host = any(gcp.tpu_pools[n].tpu.multi_host for n in in_cluster_tpus)
    jobset = [r for r in of(inside, RELEASE) if r.inputs["chart"].endswith("/jobset")]
    assert len(jobset) == (1 if multi_host or any(p.multi_node for p in gcp.gpu_pools.values()) else 0)
    assert_team_queues(inside, gcp.teams, set(gcp.gpu_pools) | in_cluster_tpus)


# -- Azure ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("stack", STACKS)
def test_azure_chain(stack_run, stack):
    run, azure = stack_run(stack), spec(stack).clouds.azure
    _, inside = platform(run, "azure")
    [cluster] = run.of_type("azure-native:containerservice:ManagedCluster")
    assert cluster.inputs["autoScalerProfile"]["expander"] == "least-waste"
    assert cluster.inputs["autoScalerProfile"]["scaleDownUnneededTime"] == "10m"
    assert cluster.inputs["azureMonitorProfile"]["metrics"]["enabled"] is True
    for pool in run.of_type("azure-native:containerservice:AgentPool"):
        assert pool.inputs["enableAutoScaling"] is True and pool.inputs["gpuProfile"] == {"driver": "Install"}
    assert affinity_pools(release(inside, "nvidia-device-plugin")["values"]) == set(azure.gpu_pools)
    assert affinity_pools(release(inside, "dcgm-exporter")["values"]) == set(azure.gpu_pools)
    assert len(of(inside, "kubernetes:azmonitoring.coreos.com/v1:ServiceMonitor")) == 1
    # Kueue runs on the CriticalAddonsOnly-tainted system pool.
    manager = release(inside, "kueue")["values"]["controllerManager"]
    assert {"key": "CriticalAddonsOnly", "operator": "Exists"} in manager["tolerations"]
    assert_team_queues(inside, azure.teams, set(azure.gpu_pools))


# -- Alibaba Cloud -------------------------------------------------------------------------------
@pytest.mark.parametrize("stack", STACKS)
def test_alicloud_chain(stack_run, stack):
    run, ali = stack_run(stack), spec(stack).clouds.alicloud
    _, inside = platform(run, "alicloud")
    [autoscaler] = run.of_type("alicloud:cs/autoscalingConfig:AutoscalingConfig")
    assert autoscaler.inputs["scaleUpFromZero"] is True
    pools = {p.inputs["nodePoolName"]: p.inputs for p in run.of_type("alicloud:cs/nodePool:NodePool")}
    for name in ali.gpu_pools:
        assert pools[name]["scalingConfig"]["enable"] is True
    [ack] = run.of_type("alicloud:cs/managedKubernetes:ManagedKubernetes")
    addons = {r.inputs["name"]: r for r in of(inside, "alicloud:cs/kubernetesAddon:KubernetesAddon")}
    assert set(addons) == {"ack-nvidia-device-plugin", "ack-gpu-exporter"}
    for addon in addons.values():
        assert ack.urn in addon.property_dependencies["clusterId"]
    assert_team_queues(inside, ali.teams, set(ali.gpu_pools))


# -- everywhere ----------------------------------------------------------------------------------
@pytest.mark.parametrize("stack", STACKS)
def test_every_chart_is_pinned_and_every_namespace_enforces_pod_security(stack_run, stack):
    run = stack_run(stack)
    releases = run.of_type(RELEASE)
    assert releases
    for record in releases:
        assert EXACT_VERSION.match(record.inputs["version"]), record.name
        assert record.inputs["chart"].startswith("oci://") or record.inputs["repositoryOpts"]["repo"].startswith(
            "https://"
        )
        assert record.inputs["createNamespace"] is False
    for record in run.of_type(NAMESPACE):
        assert record.inputs["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] in ("restricted", "baseline")


@pytest.mark.parametrize("stack", STACKS)
def test_every_kubernetes_resource_uses_its_clusters_provider(stack_run, stack):
    run = stack_run(stack)
    providers = {r.urn for r in run.resources if r.type == "pulumi:providers:kubernetes"}
    assert len(providers) == 4, "one Kubernetes provider per cluster"
    for record in run.resources:
        if record.type.startswith("kubernetes:"):
            assert record.provider in providers, record.name
    for provider in run.resources:
        if provider.urn in providers:
            assert provider.inputs["kubeconfig"] == "[secret]"
