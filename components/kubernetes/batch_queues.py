"""`ai-infra:kubernetes:BatchQueues`: Kueue, so that training jobs wait in a queue for accelerator
quota instead of each asking the autoscaler for nodes at once. One ResourceFlavor per pool (its
node labels and the tolerations Kueue adds to admitted pods), one ClusterQueue per team with that
team's accelerator quota, one namespace per team with a LocalQueue named `default`; JobSet for
multi-host training where the cluster has multi-node pools."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.kubernetes.charts import JOBSET, JOBSET_IMAGE, KUEUE, KUEUE_IMAGE
from components.kubernetes.helm import helm_release
from components.kubernetes.namespace import PodSecurity, namespace
from components.kubernetes.pools import AcceleratorPool
from components.kubernetes.scheduling import Toleration, tolerations
from components.options import child_options

KUEUE_API = "kueue.x-k8s.io/v1beta2"
KUEUE_NAMESPACE = "kueue-system"
JOBSET_NAMESPACE = "jobset-system"
LOCAL_QUEUE = "default"
"""Each team namespace's LocalQueue. Jobs name it with the label `kueue.x-k8s.io/queue-name: default`."""
SHARED_FLAVOR = "default"
"""The flavor of CPU and memory: no node constraints (GPU flavors add the pool's)."""
UNRATIONED_CPU = "100k"
UNRATIONED_MEMORY = "1000Ti"
"""CPU and memory quotas that never bind: Kueue refuses workloads that request a resource their
ClusterQueue does not cover, so every queue covers CPU and memory, but teams are rationed by
accelerators only."""
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
TEAM_LABEL = "ai-infra/team"


@dataclass(frozen=True, kw_only=True)
class TeamQueue:
    """One team: its namespace and accelerator quota."""

    name: str
    """Team key from config; the ClusterQueue's name."""
    namespace: str
    """Namespace the team submits jobs in (created here, with a LocalQueue `default`)."""
    quotas: Mapping[str, int]
    """Neutral accelerator name -> accelerators (GPUs, TPU chips, Neuron devices) the team may
    use at once without borrowing."""
    pod_security: PodSecurity = PodSecurity.BASELINE
    """Default `baseline`: blocks privileged pods and host access but lets common training images
    (which often run as root) start. `restricted` for teams whose images run as non-root."""


def quota_by_pool(team: TeamQueue, pools: Sequence[AcceleratorPool]) -> dict[str, int]:
    """Pool name -> the team's nominal quota on that pool's flavor. A quota for an accelerator
    several pools carry is handed out in pool order, each pool getting at most its full size, so
    that the flavors add up to exactly the team's quota; every such pool is listed (possibly with
    0), which lets the team borrow idle capacity of any of them from the cohort."""
    found: dict[str, int] = {}
    for accelerator, quota in team.quotas.items():
        carrying = [p for p in pools if p.accelerator == accelerator]
        if not carrying:
            raise ValueError(f"team {team.name}: no pool carries {accelerator}")
        left = quota
        for pool in carrying:
            found[pool.name] = min(left, pool.capacity)
            left -= found[pool.name]
        if left > 0:
            raise ValueError(
                f"team {team.name}: quota {quota} {accelerator} exceeds what its pools can hold "
                f"({quota - left} at full size)"
            )
    return found


def cluster_queue_spec(team: TeamQueue, pools: Sequence[AcceleratorPool], cohort: str) -> dict[str, Any]:
    """The ClusterQueue of `team`: CPU and memory on the shared flavor, then one resource group
    per accelerator resource (`nvidia.com/gpu`, `google.com/tpu`, ...) over the team's pools."""
    quotas = quota_by_pool(team, pools)
    groups: list[dict[str, Any]] = [
        {
            "coveredResources": ["cpu", "memory"],
            "flavors": [
                {
                    "name": SHARED_FLAVOR,
                    "resources": [
                        {"name": "cpu", "nominalQuota": UNRATIONED_CPU},
                        {"name": "memory", "nominalQuota": UNRATIONED_MEMORY},
                    ],
                }
            ],
        }
    ]
    for resource in sorted({p.resource for p in pools if p.name in quotas}):
        groups.append(
            {
                "coveredResources": [resource],
                "flavors": [
                    {"name": p.name, "resources": [{"name": resource, "nominalQuota": quotas[p.name]}]}
                    for p in pools
                    if p.name in quotas and p.resource == resource
                ],
            }
        )
    return {
        "cohortName": cohort,
        "namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: team.namespace}},
        "queueingStrategy": "BestEffortFIFO",
        # Quota lent to another team comes back when its owner needs it; within a team,
        # higher-priority jobs may preempt lower-priority ones.
        "preemption": {"reclaimWithinCohort": "Any", "withinClusterQueue": "LowerPriority"},
        "resourceGroups": groups,
    }


def resource_flavor_spec(pool: AcceleratorPool) -> dict[str, Any]:
    """The pool's flavor: the labels that select its nodes (Kueue copies them into the node
    selector of admitted pods) and tolerations for its taints (Kueue adds them, so jobs need not)."""
    return {
        "nodeLabels": pool.selector,
        "tolerations": tolerations(t.toleration() for t in pool.taints),
    }


@dataclass(frozen=True)
class ControllerValues:
    """Placement and image of a controller chart (Kueue, JobSet)."""

    image: tuple[str, str]
    replicas: int
    node_selector: Mapping[str, str]
    tolerations: Sequence[Toleration]

    def kueue(self) -> dict[str, Any]:
        return {
            "controllerManager": {
                "replicas": self.replicas,
                "manager": {"image": {"repository": self.image[0], "tag": self.image[1], "pullPolicy": "IfNotPresent"}},
                "nodeSelector": dict(self.node_selector),
                "tolerations": tolerations(self.tolerations),
                "podDisruptionBudget": {"enabled": self.replicas > 1, "minAvailable": 1},
            }
        }

    def jobset(self) -> dict[str, Any]:
        return {
            "image": {"repository": self.image[0], "tag": self.image[1], "pullPolicy": "IfNotPresent"},
            "controller": {
                "replicas": self.replicas,
                "nodeSelector": dict(self.node_selector),
                "tolerations": tolerations(self.tolerations),
            },
        }


@dataclass(frozen=True, kw_only=True)
class BatchQueuesArgs:
    """Inputs of `BatchQueues`."""

    pools: Sequence[AcceleratorPool]
    """The cluster's accelerator pools: one ResourceFlavor each."""
    teams: Sequence[TeamQueue] = ()
    """Default none: Kueue and the flavors only (no team can submit yet)."""
    jobset: bool = False
    """Default False. True: install JobSet too (multi-host TPU slices, multi-node GPU training)."""
    replicas: int = 1
    """Controller replicas. Default 1; 2 (prod) adds a PodDisruptionBudget."""
    controller_node_selector: Mapping[str, str] = field(default_factory=dict)
    """Where the controllers run (the system pool). Default: anywhere untainted."""
    controller_tolerations: Sequence[Toleration] = ()
    """Extra tolerations of the controllers (AKS system pools are tainted). Default none."""
    cohort: str = "ai-infra"
    """Cohort of every team's ClusterQueue: teams borrow each other's idle quota. Default `ai-infra`."""
    protect: bool = False
    """True (prod): namespaces are protected and retained (deleting one deletes the jobs,
    volumes and secrets in it). Default False."""


class BatchQueues(pulumi.ComponentResource):
    """Namespaces (`kueue-system`, `jobset-system`: restricted; one per team: the team's level),
    the Kueue (and JobSet) Helm releases, ResourceFlavors, ClusterQueues and LocalQueues."""

    namespace: pulumi.Output[str]
    cluster_queues: dict[str, pulumi.Output[str]]
    """Team -> ClusterQueue name."""
    flavors: dict[str, pulumi.Output[str]]
    """Pool -> ResourceFlavor name."""

    def __init__(self, name: str, args: BatchQueuesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:kubernetes:BatchQueues", name, None, opts)
        _check_teams(args)

        def controller(image: tuple[str, str]) -> ControllerValues:
            return ControllerValues(
                image=image,
                replicas=args.replicas,
                node_selector=args.controller_node_selector,
                tolerations=args.controller_tolerations,
            )

        kueue_dependencies: list[pulumi.Resource] = []
        if args.jobset:
            jobset_ns = namespace(
                f"{name}-jobset-ns",
                name=JOBSET_NAMESPACE,
                parent=self,
                enforce=PodSecurity.RESTRICTED,
                protect=args.protect,
            )
            kueue_dependencies.append(
                helm_release(
                    f"{name}-jobset",
                    chart=JOBSET,
                    release_name="jobset",
                    namespace=jobset_ns.metadata.name,
                    values=controller(JOBSET_IMAGE).jobset(),
                    parent=self,
                )
            )
        kueue_ns = namespace(
            f"{name}-kueue-ns", name=KUEUE_NAMESPACE, parent=self, enforce=PodSecurity.RESTRICTED, protect=args.protect
        )
        # Kueue enables its JobSet integration only if the JobSet CRD exists when it starts.
        kueue = helm_release(
            f"{name}-kueue",
            chart=KUEUE,
            release_name="kueue",
            namespace=kueue_ns.metadata.name,
            values=controller(KUEUE_IMAGE).kueue(),
            parent=self,
            depends_on=kueue_dependencies,
        )
        after_kueue = child_options(self, depends_on=[kueue])

        self.flavors = {}
        # Outputs carry the object names we chose (known at preview, unlike provider outputs).
        self._custom(f"{name}-flavor-{SHARED_FLAVOR}", "ResourceFlavor", SHARED_FLAVOR, {}, after_kueue)
        self.flavors[SHARED_FLAVOR] = pulumi.Output.from_input(SHARED_FLAVOR)
        for pool in args.pools:
            self._custom(
                f"{name}-flavor-{pool.name}", "ResourceFlavor", pool.name, resource_flavor_spec(pool), after_kueue
            )
            self.flavors[pool.name] = pulumi.Output.from_input(pool.name)

        self.cluster_queues = {}
        for team in args.teams:
            queue = self._custom(
                f"{name}-queue-{team.name}",
                "ClusterQueue",
                team.name,
                cluster_queue_spec(team, args.pools, args.cohort),
                after_kueue,
            )
            self.cluster_queues[team.name] = pulumi.Output.from_input(team.name)
            team_ns = namespace(
                f"{name}-team-{team.name}",
                name=team.namespace,
                parent=self,
                enforce=team.pod_security,
                labels={TEAM_LABEL: team.name},
                protect=args.protect,
            )
            k8s.apiextensions.CustomResource(
                f"{name}-local-{team.name}",
                api_version=KUEUE_API,
                kind="LocalQueue",
                metadata={"name": LOCAL_QUEUE, "namespace": team_ns.metadata.name},
                spec={"clusterQueue": team.name},
                opts=child_options(self, depends_on=[kueue, queue]),
            )

        self.namespace = pulumi.Output.from_input(KUEUE_NAMESPACE)
        self.register_outputs(
            {"namespace": self.namespace, "cluster_queues": self.cluster_queues, "flavors": self.flavors}
        )

    def _custom(
        self, resource_name: str, kind: str, object_name: str, spec: dict[str, Any], opts: pulumi.ResourceOptions
    ) -> k8s.apiextensions.CustomResource:
        return k8s.apiextensions.CustomResource(
            resource_name, api_version=KUEUE_API, kind=kind, metadata={"name": object_name}, spec=spec, opts=opts
        )


def _check_teams(args: BatchQueuesArgs) -> None:
    pool_names = [p.name for p in args.pools]
    if len(set(pool_names)) != len(pool_names) or SHARED_FLAVOR in pool_names:
        raise ValueError(f"pool names must be unique and not {SHARED_FLAVOR!r}: {pool_names}")
    namespaces = [t.namespace for t in args.teams]
    if len(set(namespaces)) != len(namespaces):
        raise ValueError(f"each team needs its own namespace: {namespaces}")
    for team in args.teams:
        quota_by_pool(team, args.pools)
