"""The in-cluster platform: accelerator pools owned by an autoscaler (or fixed in size on purpose),
Helm charts pinned to one version, no floating container image tags, and namespaces that enforce
a Pod Security Standard. Rows cover the four clouds' node pools and the Kubernetes types any
program declares through pulumi-kubernetes."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from policies.framework import UNKNOWN, Context, Example, Resource, Rule, Stack, as_bool
from policies.rules.workloads import capacity_of

HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
HELM_CHART_V4 = "kubernetes:helm.sh/v4:Chart"
NAMESPACE = "kubernetes:core/v1:Namespace"
WORKLOADS = (
    "kubernetes:core/v1:Pod",
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:apps/v1:DaemonSet",
    "kubernetes:apps/v1:ReplicaSet",
    "kubernetes:batch/v1:Job",
    "kubernetes:batch/v1:CronJob",
)
EKS_CLUSTER = "aws:eks/cluster:Cluster"
EKS_NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
GKE_NODE_POOL = "gcp:container/nodePool:NodePool"
AKS_AGENT_POOL = "azure-native:containerservice:AgentPool"
ACK_NODE_POOL = "alicloud:cs/nodePool:NodePool"
ACK_AUTOSCALER = "alicloud:cs/autoscalingConfig:AutoscalingConfig"

FIXED_SIZE_MARK = "ai-infra-fixed-size"
"""Tag (GCP: VM label) a pool carries when its size is fixed on purpose; its value says why."""
_FIXED_SIZE_PATHS = {
    EKS_NODE_GROUP: "tags",
    GKE_NODE_POOL: "nodeConfig.resourceLabels",
    AKS_AGENT_POOL: "tags",
    ACK_NODE_POOL: "tags",
}
AUTOSCALER_CHARTS = ("cluster-autoscaler",)
EXACT_VERSION = re.compile(r"^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$")
FLOATING_TAGS = {"latest", "main", "master", "nightly", "edge"}
PSA_ENFORCE = "pod-security.kubernetes.io/enforce"
ENFORCED_LEVELS = ("restricted", "baseline")


# -- accelerator pools owned by an autoscaler ------------------------------------------------------
def _fixed_size_reason(pool: Resource) -> str | None:
    marks = pool.get(_FIXED_SIZE_PATHS[pool.type], {})
    reason = marks.get(FIXED_SIZE_MARK) if isinstance(marks, Mapping) else None
    return reason if isinstance(reason, str) and reason.strip() else None


def _pool_problem(pool: Resource, ctx: Context, autoscaled: bool | None, how: str) -> Iterator[str]:
    """`autoscaled`: True/False, None when unknown yet. Pools that cannot grow (min = max) count
    as fixed in size whatever their autoscaling switch says."""
    capacity = capacity_of(pool, ctx.stack)
    if capacity is None or _fixed_size_reason(pool) is not None or autoscaled is None:
        return
    if capacity.minimum is None or capacity.maximum is None:
        return
    if not autoscaled:
        yield f"no autoscaler owns this accelerator pool ({how}) and it carries no {FIXED_SIZE_MARK} tag saying why"
    elif capacity.maximum <= capacity.minimum:
        yield (
            f"the pool cannot scale (min = max = {capacity.minimum}); set a lower minimum, or tag it "
            f"{FIXED_SIZE_MARK}=<reason> (config: fixed_size_reason)"
        )


def _release_values(release: Resource) -> Mapping[str, Any]:
    values = release.get("values", {})
    return values if isinstance(values, Mapping) else {}


def _chart_name(release: Resource) -> str:
    chart = release.get("chart")
    return chart.rsplit("/", 1)[-1] if isinstance(chart, str) else ""


def _eks_cluster_name(group: Resource, stack: Stack) -> object:
    # Peek first: an unknown name the property dependency resolves is not an open question.
    name = group.peek("clusterName")
    if isinstance(name, str):
        return name
    for cluster in stack.of_type(EKS_CLUSTER):
        if group.comes_from("clusterName", cluster.urn):
            return cluster.get("name", UNKNOWN)
    return group.get("clusterName", UNKNOWN)


def _eks_pool(group: Resource, ctx: Context) -> Iterator[str]:
    stack = ctx.require_stack()
    autoscalers = [
        r
        for r in stack.of_type(HELM_RELEASE, HELM_CHART_V4)
        if _chart_name(r) in AUTOSCALER_CHARTS and _release_values(r).get("cloudProvider", "aws") == "aws"
    ]
    cluster = _eks_cluster_name(group, stack)
    shown = cluster if isinstance(cluster, str) else "of the pool"
    if not autoscalers:
        owned: bool | None = False
    elif cluster is UNKNOWN:
        owned = None
    else:
        discovered = [(_release_values(r).get("autoDiscovery") or {}).get("clusterName") for r in autoscalers]
        owned = None if any(not isinstance(d, str) for d in discovered) else cluster in discovered
    yield from _pool_problem(group, ctx, owned, f"no cluster-autoscaler release discovers the cluster {shown}")


def _gke_pool(pool: Resource, ctx: Context) -> Iterator[str]:
    autoscaling = pool.get("autoscaling")
    owned = None if autoscaling is UNKNOWN else isinstance(autoscaling, Mapping) and bool(autoscaling)
    yield from _pool_problem(pool, ctx, owned, "no autoscaling block")


def _aks_pool(pool: Resource, ctx: Context) -> Iterator[str]:
    enabled = pool.get("enableAutoScaling")
    owned = None if enabled is UNKNOWN else bool(as_bool(enabled))
    yield from _pool_problem(pool, ctx, owned, "enableAutoScaling is not true")


def _ack_pool(pool: Resource, ctx: Context) -> Iterator[str]:
    enabled = pool.get("scalingConfig.enable")
    if enabled is UNKNOWN:
        return
    if not as_bool(enabled):
        yield from _pool_problem(pool, ctx, False, "scalingConfig.enable is not true")
        return
    configs = ctx.require_stack().of_type(ACK_AUTOSCALER)
    cluster_sources = set(pool.property_dependencies.get("clusterId", ()))
    linked = [
        c for c in configs if not cluster_sources or cluster_sources & set(c.property_dependencies.get("clusterId", ()))
    ]
    yield from _pool_problem(pool, ctx, bool(linked), "no cs.AutoscalingConfig installs ACK's cluster autoscaler")


ACCELERATOR_POOL_AUTOSCALED = Rule(
    id="accelerator-pool-autoscaled",
    ref="",
    domain="cost",
    description="Every GPU/TPU/Neuron node pool is owned by an autoscaler, or fixed in size on purpose with a reason.",
    severity="medium",
    tags=("cost",),
    remediation="EKS: install the Cluster Autoscaler (GpuPlatform does) for the cluster; GKE/AKS/ACK: enable the "
    "pool's autoscaling with min < max. A pool that must stay at one size: set fixed_size_reason in its config "
    "(tag ai-infra-fixed-size=<reason>).",
    rationale="A GPU pool no autoscaler owns stays at whatever size it was created with: idle nodes keep billing "
    "and waiting pods never get new ones. Pools that must keep their size (a reserved block, a training gang) say "
    "so with a tag, so the exception is reviewed rather than silent.",
    examples=(
        Example(
            type=GKE_NODE_POOL,
            compliant={
                "cluster": "ai-infra-prod",
                "nodeConfig": {"machineType": "g2-standard-8", "spot": True},
                "autoscaling": {"totalMinNodeCount": 0, "totalMaxNodeCount": 4},
            },
            violating={
                "cluster": "ai-infra-prod",
                "nodeConfig": {"machineType": "g2-standard-8", "spot": True},
                "nodeCount": 2,
            },
            note="a fixed node count and no autoscaling block",
        ),
    ),
    checks={EKS_NODE_GROUP: _eks_pool, GKE_NODE_POOL: _gke_pool, AKS_AGENT_POOL: _aks_pool, ACK_NODE_POOL: _ack_pool},
    needs_stack=True,
    covers=(HELM_RELEASE, ACK_AUTOSCALER),
)


# -- Helm charts pinned ----------------------------------------------------------------------------
def _helm_pinned(release: Resource, ctx: Context) -> Iterator[str]:
    chart = release.get("chart")
    version = release.get("version")
    if chart is UNKNOWN or version is UNKNOWN:
        return
    if not isinstance(version, str) or not version.strip():
        yield f"chart {chart} has no version: every install takes whatever the repository serves today"
    elif not EXACT_VERSION.match(version.strip()):
        yield f"chart {chart} version {version!r} is a range, not one exact version (e.g. 1.2.3)"
    repository = release.get("repositoryOpts.repo")
    if repository is UNKNOWN or not isinstance(chart, str):
        return
    if chart.startswith(("oci://", "https://", "./", "../", "/")):
        return  # the chart reference names its source itself
    if not isinstance(repository, str) or not repository.strip():
        yield f"chart {chart} names no repository (repositoryOpts.repo): it resolves against local helm repo config"


HELM_CHART_PINNED = Rule(
    id="helm-chart-pinned",
    ref="",
    domain="kubernetes",
    description="Helm charts come from a named repository (or OCI reference) at one exact version.",
    severity="medium",
    tags=("security",),
    remediation="Set version to an exact chart version (no ranges, never empty) and repositoryOpts.repo, or use an "
    "oci:// chart reference (components/kubernetes/charts.py pins the platform's charts).",
    rationale="A chart without an exact version installs whatever the repository serves on the day of the update: "
    "a preview reviewed last week no longer says what runs, and a compromised or broken chart release reaches the "
    "cluster without a change to the program.",
    examples=(
        Example(
            type=HELM_RELEASE,
            compliant={"chart": "cluster-autoscaler", "version": "9.43.2", "repositoryOpts": {"repo": "https://x"}},
            violating={"chart": "cluster-autoscaler", "version": "^9.43", "repositoryOpts": {"repo": "https://x"}},
            note="a version range",
        ),
    ),
    checks={HELM_RELEASE: _helm_pinned, HELM_CHART_V4: _helm_pinned},
)


# -- container images pinned -----------------------------------------------------------------------
def image_tag_problem(reference: str) -> str | None:
    """Why an image reference is not pinned (None when it names a tag other than a floating one,
    or a digest)."""
    if "@sha256:" in reference or "@sha512:" in reference:
        return None
    last = reference.rsplit("/", 1)[-1]
    if ":" not in last:
        return f"image {reference!r} has no tag (pulls latest)"
    tag = last.rsplit(":", 1)[1]
    if tag.lower() in FLOATING_TAGS:
        return f"image {reference!r} uses the floating tag {tag!r}"
    return None


def _image_problems(value: Any, path: str, helm_values: bool) -> Iterator[str]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if str(key).lower().endswith("image"):
                if isinstance(item, str) and item:
                    if problem := image_tag_problem(item):
                        yield f"{where}: {problem}"
                elif isinstance(item, Mapping) and helm_values:
                    tag = item.get("tag")
                    # No tag: the chart's own default, pinned by the chart version.
                    if isinstance(tag, str) and tag.lower() in FLOATING_TAGS and not item.get("digest"):
                        yield f"{where}.tag: the floating tag {tag!r}"
                    yield from _image_problems(item, where, helm_values)
                    continue
            yield from _image_problems(item, where, helm_values)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _image_problems(item, f"{path}.{index}", helm_values)


def _helm_images(release: Resource, ctx: Context) -> Iterator[str]:
    yield from (f"values.{p}" for p in _image_problems(_release_values(release), "", helm_values=True))


def _workload_images(workload: Resource, ctx: Context) -> Iterator[str]:
    yield from _image_problems(workload.get("spec", {}), "spec", helm_values=False)


IMAGE_TAG_PINNED = Rule(
    id="container-image-pinned",
    ref="",
    domain="kubernetes",
    description="Container images in Helm values and workloads name a tag or digest, never latest or none.",
    severity="medium",
    tags=("security",),
    remediation="Name an exact image tag (or @sha256 digest) in the workload or Helm values; leave a chart's image "
    "tag unset to use the version the pinned chart ships.",
    rationale="`latest` (or no tag) is resolved when a node pulls the image, so two replicas of one workload can run "
    "different code, a rollback redeploys the new image, and nothing in the pull request shows what changed.",
    examples=(
        Example(
            type="kubernetes:apps/v1:Deployment",
            compliant={"spec": {"template": {"spec": {"containers": [{"name": "a", "image": "nginx:1.27.3"}]}}}},
            violating={"spec": {"template": {"spec": {"containers": [{"name": "a", "image": "nginx:latest"}]}}}},
            note="the floating tag latest",
        ),
    ),
    checks={HELM_RELEASE: _helm_images, HELM_CHART_V4: _helm_images, **dict.fromkeys(WORKLOADS, _workload_images)},
)


# -- Pod Security on namespaces ---------------------------------------------------------------------
def _namespace_enforces(namespace: Resource, ctx: Context) -> Iterator[str]:
    labels = namespace.get("metadata.labels", {})
    if labels is UNKNOWN:
        return
    level = labels.get(PSA_ENFORCE) if isinstance(labels, Mapping) else None
    if level is UNKNOWN:
        return
    if level not in ENFORCED_LEVELS:
        shown = "no" if level is None else repr(level)
        yield f"{shown} {PSA_ENFORCE} label; enforce restricted or baseline"


def _helm_creates_namespace(release: Resource, ctx: Context) -> Iterator[str]:
    if as_bool(release.get("createNamespace")):
        yield (
            f"createNamespace makes Helm create namespace {release.get('namespace')} without Pod Security labels; "
            "declare the namespace with them instead"
        )


NAMESPACE_POD_SECURITY = Rule(
    id="namespace-pod-security",
    ref="",
    domain="kubernetes",
    description="Namespaces the stack creates enforce the restricted or baseline Pod Security Standard.",
    severity="medium",
    tags=("security",),
    remediation="Label the namespace pod-security.kubernetes.io/enforce=restricted (or baseline); node agents that "
    "need host access belong in kube-system.",
    rationale="Without an enforced Pod Security level any pod in the namespace may run privileged, mount the host "
    "or use host networking, which on a GPU node means the node's credentials and every other tenant's data.",
    examples=(
        Example(
            type=NAMESPACE,
            compliant={"metadata": {"name": "ml", "labels": {PSA_ENFORCE: "restricted"}}},
            violating={"metadata": {"name": "ml", "labels": {PSA_ENFORCE: "privileged"}}},
            note="enforce=privileged",
        ),
    ),
    checks={NAMESPACE: _namespace_enforces, HELM_RELEASE: _helm_creates_namespace},
)


RULES = [ACCELERATOR_POOL_AUTOSCALED, HELM_CHART_PINNED, IMAGE_TAG_PINNED, NAMESPACE_POD_SECURITY]
