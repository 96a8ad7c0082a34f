"""Cost: accelerator allow-list (C1), spot in dev (C2), capacity limits (C3), scale to zero (C4).
Log retention (C9), approved regions (C11) and budgets live in their own modules; `RULES` keeps
the domain's order for the rules table.

Estimate-based rules (C5, C6, C13) live in `policies.rules.estimates`. Node pools, TPU VMs and
endpoints are read through `policies.rules.workloads`, so each rule below is written once for
every cloud.
"""

from __future__ import annotations

from collections.abc import Iterator

from catalog import load_catalog
from policies.framework import (
    Context,
    Example,
    Finding,
    Resource,
    Rule,
    Stack,
)
from policies.rules.budgets import BUDGET_DEFINED, BUDGET_ENFORCED
from policies.rules.log_retention import LOG_RETENTION
from policies.rules.regions import REGION_ALLOWED
from policies.rules.workloads import CAPACITY_TYPES, ENDPOINT_READERS, POOL_READERS, Capacity, capacity_of

GCP_TPU_VM = "gcp:tpu/v2Vm:V2Vm"
EKS_NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
NODE_POOL_TYPES = tuple(t for t in POOL_READERS if t != GCP_TPU_VM)


def _catalog_accelerators() -> list[str]:
    return sorted(load_catalog().accelerators)


# -- C1 -------------------------------------------------------------------------------------------
def _c1(resource: Resource, ctx: Context) -> Iterator[str]:
    capacity = capacity_of(resource)
    if capacity is None:
        return
    allowed = set(ctx.config["allowedAccelerators"])
    for machine in capacity.machines:
        if not machine.known:
            yield f"{machine.machine_type} is not in the catalog: its accelerator cannot be checked or priced"
        elif machine.accelerator not in allowed:
            yield (
                f"{machine.machine_type} carries {machine.accelerator}, which this environment does not allow "
                f"(allowed: {', '.join(sorted(allowed)) or 'none'})"
            )


ACCELERATOR_ALLOWED = Rule(
    id="accelerator-allowed",
    ref="C1",
    domain="cost",
    description="Pools, TPU VMs and endpoints use accelerators on the environment's allow-list.",
    severity="high",
    tags=("cost",),
    remediation="Pick an allowed accelerator (neutral catalog name) in the stack config, or add it to "
    "allowedAccelerators in policies/config/<stack>.json after review.",
    rationale="Accelerators differ in price by more than ten times (a T4 against eight H100s), and large ones are "
    "scarce: an allow-list per environment keeps a dev stack on small GPUs and makes every new accelerator a "
    "reviewed decision. A machine the catalog does not know is refused too, since it cannot be priced or checked.",
    examples=(
        Example(
            type=EKS_NODE_GROUP,
            compliant={
                "clusterName": "ai-infra-prod",
                "instanceTypes": ["g6.xlarge"],
                "capacityType": "SPOT",
                "scalingConfig": {"minSize": 0, "maxSize": 4, "desiredSize": 0},
            },
            violating={
                "clusterName": "ai-infra-prod",
                "instanceTypes": ["p5e.48xlarge"],
                "capacityType": "SPOT",
                "scalingConfig": {"minSize": 0, "maxSize": 4, "desiredSize": 0},
            },
            note="an H200 machine the catalog does not list (the default allow-list is every catalog accelerator)",
        ),
    ),
    checks=dict.fromkeys(CAPACITY_TYPES, _c1),
    properties={
        "allowedAccelerators": {
            "type": "array",
            "items": {"type": "string"},
            "default": _catalog_accelerators(),
            "description": "Neutral accelerator names (catalog/data/accelerators.yaml) this environment may use.",
        }
    },
)


# -- C2 -------------------------------------------------------------------------------------------
def _c2(resource: Resource, ctx: Context) -> Iterator[str]:
    capacity = capacity_of(resource)
    if capacity is not None and capacity.spot is False:
        yield f"runs {capacity.machines[0].machine_type} on on-demand capacity; use spot/preemptible"


ACCELERATOR_SPOT = Rule(
    id="accelerator-pool-uses-spot",
    ref="C2",
    domain="cost",
    description="Accelerator node pools and TPU VMs run on spot / preemptible capacity (dev).",
    severity="medium",
    tags=("cost",),
    remediation="Set spot: true on the pool in the stack config (EKS capacityType SPOT, GKE spot, AKS "
    "scaleSetPriority Spot, ACK spotStrategy SpotAsPriceGo, TPU VM schedulingConfig.spot).",
    rationale="Spot and preemptible accelerators are often billed at less than half the on-demand rate, and "
    "dev and batch work can simply restart after an eviction. Prod, where an interruption costs more than the "
    "saving, turns the rule off in its config.",
    examples=(
        Example(
            type="azure-native:containerservice:AgentPool",
            compliant={
                "vmSize": "Standard_NC4as_T4_v3",
                "mode": "User",
                "scaleSetPriority": "Spot",
                "scaleSetEvictionPolicy": "Delete",
                "enableAutoScaling": True,
                "minCount": 0,
                "maxCount": 2,
            },
            violating={
                "vmSize": "Standard_NC4as_T4_v3",
                "mode": "User",
                "scaleSetPriority": "Regular",
                "enableAutoScaling": True,
                "minCount": 0,
                "maxCount": 2,
            },
            note="regular (on-demand) priority",
        ),
    ),
    checks=dict.fromkeys(POOL_READERS, _c2),
)


# -- C3 -------------------------------------------------------------------------------------------
def _c3_totals(stack: Stack, ctx: Context) -> Iterator[Finding]:
    max_nodes = ctx.config["maxNodesPerPool"]
    totals = {"gpu": 0, "tpu": 0}
    uncounted: list[str] = []
    for resource in stack.resources:
        capacity = capacity_of(resource, stack)
        if capacity is None:
            continue
        if capacity.kind == "pool" and capacity.maximum is not None and capacity.maximum > max_nodes:
            yield Finding(resource.urn, f"can grow to {capacity.maximum} nodes; at most {max_nodes} per pool")
        per_unit = capacity.per_unit
        if per_unit is None or capacity.maximum is None or capacity.accelerator_kind is None:
            uncounted.append(resource.name)
            continue
        bucket = "tpu" if capacity.accelerator_kind == "tpu" else "gpu"
        totals[bucket] += per_unit * capacity.maximum
    note = f" ({len(uncounted)} resource(s) with unknown accelerator counts not included)" if uncounted else ""
    limits = {"gpu": ctx.config["maxGpusPerStack"], "tpu": ctx.config["maxTpuChipsPerStack"]}
    names = {"gpu": "GPUs / Neuron devices", "tpu": "TPU chips"}
    for kind in ("gpu", "tpu"):
        if totals[kind] > limits[kind]:
            yield Finding(
                stack.stack_urn or ctx.env.stack_urn,
                f"at full scale the stack runs {totals[kind]} {names[kind]}; at most {limits[kind]} allowed{note}",
            )


ACCELERATOR_LIMITS = Rule(
    id="accelerator-capacity-limits",
    ref="C3",
    domain="cost",
    description="Pools stay under a node ceiling and the stack under a GPU and TPU-chip ceiling at full scale.",
    severity="medium",
    tags=("cost",),
    remediation="Lower max_nodes / max_replicas / slices in the stack config, or raise the limit in "
    "policies/config/<stack>.json after review.",
    rationale="An autoscaler follows demand without asking, so a runaway job or a traffic spike can bring up "
    "every node a pool allows; the ceilings bound the worst month to a figure someone agreed to, per pool and for "
    "the stack's GPUs and TPU chips together.",
    examples=(
        Example(
            type=EKS_NODE_GROUP,
            compliant={
                "clusterName": "ai-infra-prod",
                "instanceTypes": ["g6.xlarge"],
                "capacityType": "SPOT",
                "scalingConfig": {"minSize": 0, "maxSize": 8, "desiredSize": 0},
            },
            violating={
                "clusterName": "ai-infra-prod",
                "instanceTypes": ["g6.xlarge"],
                "capacityType": "SPOT",
                "scalingConfig": {"minSize": 0, "maxSize": 40, "desiredSize": 0},
            },
            note="the pool may grow to 40 nodes, over the 16-node default ceiling",
        ),
    ),
    needs_stack=True,
    totals=_c3_totals,
    covers=CAPACITY_TYPES,
    properties={
        "maxNodesPerPool": {
            "type": "integer",
            "minimum": 1,
            "default": 16,
            "description": "Autoscaler ceiling per pool.",
        },
        "maxGpusPerStack": {
            "type": "integer",
            "minimum": 0,
            "default": 64,
            "description": "GPUs and Neuron devices at full scale, pools and endpoints together.",
        },
        "maxTpuChipsPerStack": {
            "type": "integer",
            "minimum": 0,
            "default": 64,
            "description": "TPU chips at full scale.",
        },
    },
)


# -- C4 -------------------------------------------------------------------------------------------
def _c4(resource: Resource, ctx: Context) -> Iterator[str]:
    capacity: Capacity | None = capacity_of(resource, ctx.stack)
    if capacity is not None and capacity.minimum is not None and capacity.minimum > 0:
        what = "nodes" if capacity.kind == "pool" else "replicas"
        yield f"keeps {capacity.minimum} {what} running while idle; the minimum should be 0"


POOLS_SCALE_TO_ZERO = Rule(
    id="gpu-pool-scales-to-zero",
    ref="C4",
    domain="cost",
    description="Accelerator node pools scale to zero when idle.",
    severity="medium",
    tags=("cost",),
    remediation="Set min_nodes: 0 (the cluster autoscaler adds nodes when pods ask for the accelerator).",
    rationale="An idle GPU node bills by the hour like a busy one; a pool whose minimum is 0 costs nothing "
    "between jobs, and the autoscaler brings nodes back within minutes when a pod requests the accelerator.",
    examples=(
        Example(
            type="alicloud:cs/nodePool:NodePool",
            compliant={
                "instanceTypes": ["ecs.gn7i-c8g1.2xlarge"],
                "spotStrategy": "SpotAsPriceGo",
                "scalingConfig": {"enable": True, "minSize": 0, "maxSize": 4},
            },
            violating={
                "instanceTypes": ["ecs.gn7i-c8g1.2xlarge"],
                "spotStrategy": "SpotAsPriceGo",
                "scalingConfig": {"enable": True, "minSize": 1, "maxSize": 4},
            },
            note="one node always running",
        ),
    ),
    checks=dict.fromkeys(NODE_POOL_TYPES, _c4),
)

ENDPOINTS_SCALE_TO_ZERO = Rule(
    id="endpoint-scales-to-zero",
    ref="C4",
    domain="cost",
    description="Model endpoints scale to zero when idle (dev).",
    severity="low",
    tags=("cost",),
    remediation="Set min_replicas: 0 where the service supports it (SageMaker inference components / serverless, "
    "Vertex scale-to-zero); otherwise delete idle dev endpoints or suppress with an owner and an expiry.",
    rationale="A dedicated endpoint replica holds its accelerator around the clock whether or not requests come; "
    "a dev endpoint is idle most of the day, so a minimum above 0 is often the largest avoidable line of a dev "
    "bill.",
    examples=(
        Example(
            type="aws:sagemaker/endpointConfiguration:EndpointConfiguration",
            compliant={
                "productionVariants": [
                    {
                        "variantName": "primary",
                        "instanceType": "ml.g6.xlarge",
                        "initialInstanceCount": 1,
                        "managedInstanceScaling": {"status": "ENABLED", "minInstanceCount": 0, "maxInstanceCount": 2},
                    }
                ]
            },
            violating={
                "productionVariants": [
                    {
                        "variantName": "primary",
                        "instanceType": "ml.g6.xlarge",
                        "initialInstanceCount": 1,
                        "managedInstanceScaling": {"status": "ENABLED", "minInstanceCount": 1, "maxInstanceCount": 2},
                    }
                ]
            },
            note="managed instance scaling keeps one instance",
        ),
    ),
    checks=dict.fromkeys(ENDPOINT_READERS, _c4),
    needs_stack=True,
)


RULES = [
    ACCELERATOR_ALLOWED,
    ACCELERATOR_SPOT,
    ACCELERATOR_LIMITS,
    POOLS_SCALE_TO_ZERO,
    ENDPOINTS_SCALE_TO_ZERO,
    LOG_RETENTION,
    REGION_ALLOWED,
    BUDGET_DEFINED,
    BUDGET_ENFORCED,
]
