"""Cost: accelerator allow-list (C1), spot in dev (C2), capacity limits (C3), scale to zero (C4),
log retention (C9), approved regions (C11), and a budget per cloud.

Estimate-based rules (C5, C6, C13) live in `policies.rules.estimates`. Node pools, TPU VMs and
endpoints are read through `policies.rules.workloads`, so each rule below is written once for
every cloud.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from catalog import CatalogError, load_catalog
from policies.framework import (
    Check,
    Context,
    Finding,
    Resource,
    Rule,
    Stack,
    as_int,
    as_list,
    cloud_of,
)
from policies.rules.workloads import CAPACITY_TYPES, ENDPOINT_READERS, POOL_READERS, Capacity, capacity_of

GCP_TPU_VM = "gcp:tpu/v2Vm:V2Vm"
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
    checks=dict.fromkeys(ENDPOINT_READERS, _c4),
    needs_stack=True,
)


# -- C9 -------------------------------------------------------------------------------------------
AWS_LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def _retention(days: int | None, maximum: int, unset: str) -> Iterator[str]:
    if days is None or days <= 0:
        if unset:
            yield unset
    elif days > maximum:
        yield f"keeps logs {days} days; at most {maximum}"


def _c9_aws(group: Resource, ctx: Context) -> Iterator[str]:
    yield from _retention(
        as_int(group.get("retentionInDays")),
        ctx.config["maxRetentionDays"],
        "retentionInDays is not set: logs never expire",
    )


def _aws_log_group_named(stack: Stack, name: str) -> bool:
    return any(g.get("name") == name for g in stack.of_type(AWS_LOG_GROUP))


def _c9_eks(cluster: Resource, ctx: Context) -> Iterator[str]:
    name = cluster.get("name")
    logged = as_list(cluster.get("enabledClusterLogTypes")) and isinstance(name, str)
    if logged and not _aws_log_group_named(ctx.require_stack(), f"/aws/eks/{name}/cluster"):
        yield f"no LogGroup /aws/eks/{name}/cluster in the stack: EKS creates it with logs kept forever"


def _c9_sagemaker(endpoint: Resource, ctx: Context) -> Iterator[str]:
    name = endpoint.get("name")
    if isinstance(name, str) and not _aws_log_group_named(ctx.require_stack(), f"/aws/sagemaker/Endpoints/{name}"):
        yield f"no LogGroup /aws/sagemaker/Endpoints/{name} in the stack: SageMaker creates it with logs kept forever"


def _c9_prop(prop: str) -> Check:
    def check(resource: Resource, ctx: Context) -> Iterator[str]:
        yield from _retention(as_int(resource.get(prop)), ctx.config["maxRetentionDays"], "")

    return check


def _c9_ack(cluster: Resource, ctx: Context) -> Iterator[str]:
    if as_list(cluster.get("controlPlaneLogComponents")):
        yield from _retention(as_int(cluster.get("controlPlaneLogTtl")), ctx.config["maxRetentionDays"], "")


LOG_RETENTION = Rule(
    id="log-retention-set",
    ref="C9",
    domain="cost",
    description="Log groups, buckets and workspaces keep logs for a bounded time.",
    severity="low",
    tags=("cost",),
    remediation="Set a retention (CloudWatch retentionInDays, Cloud Logging bucket retentionDays, Log Analytics "
    "retentionInDays, SLS retentionPeriod) no longer than maxRetentionDays, and pre-create the log groups EKS and "
    "SageMaker would otherwise create without one.",
    checks={
        AWS_LOG_GROUP: _c9_aws,
        "aws:eks/cluster:Cluster": _c9_eks,
        "aws:sagemaker/endpoint:Endpoint": _c9_sagemaker,
        "gcp:logging/projectBucketConfig:ProjectBucketConfig": _c9_prop("retentionDays"),
        "azure-native:operationalinsights:Workspace": _c9_prop("retentionInDays"),
        "alicloud:log/store:Store": _c9_prop("retentionPeriod"),
        "alicloud:cs/managedKubernetes:ManagedKubernetes": _c9_ack,
    },
    needs_stack=True,
    properties={
        "maxRetentionDays": {
            "type": "integer",
            "minimum": 1,
            "default": 3653,
            "description": "Longest retention allowed, in days.",
        }
    },
)


# -- C11 ------------------------------------------------------------------------------------------
PROVIDER_TYPES = {
    "pulumi:providers:aws": ("aws", ("region",)),
    "pulumi:providers:gcp": ("gcp", ("region", "zone")),
    "pulumi:providers:azure-native": ("azure", ("location",)),
    "pulumi:providers:alicloud": ("alicloud", ("region",)),
}
RESOURCE_REGION_KEYS = {
    "aws": ("region",),
    "gcp": ("region", "location", "zone"),
    "azure": ("location",),
    "alicloud": (),
}
DEFAULT_REGION_CONFIG = {
    "aws": "aws:region",
    "gcp": "gcp:region",
    "azure": "azure-native:location",
    "alicloud": "alicloud:region",
}
_GCP_ZONE = re.compile(r"^([a-z]+-[a-z]+\d+)-[a-z]$")
_EVERYWHERE = {"global"}


def normalize_region(cloud: str, value: str) -> str:
    region = value.strip().lower()
    if cloud == "azure":
        region = region.replace(" ", "")
    if cloud == "gcp" and (match := _GCP_ZONE.match(region)):
        region = match.group(1)
    return region


def _allowed_regions(ctx: Context, cloud: str) -> set[str] | None:
    configured = ctx.config.get("allowedRegions") or {}
    if cloud in configured:
        return {normalize_region(cloud, r) for r in configured[cloud]}
    try:
        return set(load_catalog().cloud(cloud).regions)
    except CatalogError:
        return None  # the catalog has no regions for this cloud: nothing to compare against


def _disallowed(ctx: Context, cloud: str, value: object) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    allowed = _allowed_regions(ctx, cloud)
    region = normalize_region(cloud, value)
    if allowed is None or region in allowed or region in _EVERYWHERE:
        return None
    return f"{value!r} is not an approved {cloud} region (approved: {', '.join(sorted(allowed))})"


def _c11_totals(stack: Stack, ctx: Context) -> Iterator[Finding]:
    implicit: dict[str, int] = {}
    for resource in stack.resources:
        if resource.type in PROVIDER_TYPES:
            provider_cloud, keys = PROVIDER_TYPES[resource.type]
            for key in keys:
                if problem := _disallowed(ctx, provider_cloud, resource.get(key)):
                    yield Finding(resource.urn, f"provider {key} {problem}")
            continue
        cloud = cloud_of(resource.type)
        if cloud is None or resource.type.startswith(("pulumi:", "ai-infra:")):
            continue
        own = [resource.get(k) for k in RESOURCE_REGION_KEYS.get(cloud, ()) if isinstance(resource.get(k), str)]
        for value in own:
            if problem := _disallowed(ctx, cloud, value):
                yield Finding(resource.urn, problem)
        if not own and resource.provider is None:
            implicit[cloud] = implicit.get(cloud, 0) + 1
    for cloud, count in sorted(implicit.items()):
        key = DEFAULT_REGION_CONFIG[cloud]
        if problem := _disallowed(ctx, cloud, ctx.env.config_value(key)):
            yield Finding(
                stack.stack_urn or ctx.env.stack_urn,
                f"{count} {cloud} resource(s) use the default provider: {key} {problem}",
            )


REGION_ALLOWED = Rule(
    id="region-allowed",
    ref="C11",
    domain="cost",
    description="Resources are created in approved regions only.",
    severity="medium",
    tags=("cost",),
    remediation="Use an approved region in the stack config (catalog/data/<cloud>.yaml regions), or approve the "
    "region in allowedRegions of policies/config/<stack>.json.",
    needs_stack=True,
    totals=_c11_totals,
    covers=tuple(PROVIDER_TYPES),
    properties={
        "allowedRegions": {
            "type": "object",
            "properties": {
                c: {"type": "array", "items": {"type": "string"}} for c in ("aws", "gcp", "azure", "alicloud")
            },
            "additionalProperties": False,
            "description": "Approved regions per cloud; a cloud left out may use every region of the catalog.",
        }
    },
)


# -- budgets --------------------------------------------------------------------------------------
BUDGET_TYPES = {
    "aws": ("aws:budgets/budget:Budget",),
    "gcp": ("gcp:billing/budget:Budget",),
    "azure": ("azure-native:consumption:Budget",),
    "alicloud": ("ai-infra:alicloud:Budget",),
}
"""Per cloud, what counts as its budget. Alibaba Cloud has no budget resource: its budget is a
component that carries the figures (`monthlyUsd`, `alertEmails`, `providerSupport: none`)."""
UNENFORCED_BUDGETS = ("ai-infra:alicloud:Budget",)


def _budget_totals(stack: Stack, ctx: Context) -> Iterator[Finding]:
    for cloud in sorted(stack.clouds()):
        if not stack.of_type(*BUDGET_TYPES.get(cloud, ())):
            yield Finding(
                stack.stack_urn or ctx.env.stack_urn,
                f"the stack has {cloud} resources but no {cloud} budget ({', '.join(BUDGET_TYPES.get(cloud, ('?',)))})",
            )


BUDGET_DEFINED = Rule(
    id="budget-defined",
    ref="",
    domain="cost",
    description="Every cloud the stack uses has a monthly budget with alerts.",
    severity="medium",
    tags=("cost",),
    remediation="Configure clouds.<cloud>.budget (monthly_usd, alert_emails) in the stack config.",
    needs_stack=True,
    totals=_budget_totals,
    covers=tuple(t for types in BUDGET_TYPES.values() for t in types),
)


def _unenforced(budget: Resource, ctx: Context) -> Iterator[str]:
    if budget.get("providerSupport") == "none":
        amount = budget.get("monthlyUsd")
        yield (
            f"no provider resource enforces this budget ({amount} USD a month): nothing alerts when it is exceeded; "
            "set up an alert in the cloud's billing console"
        )


BUDGET_ENFORCED = Rule(
    id="budget-enforced-by-provider",
    ref="",
    domain="cost",
    description="Budgets are enforced by a provider resource (a budget that is only recorded is a gap, not a control).",
    severity="low",
    tags=("cost",),
    remediation="Alibaba Cloud has no budget resource in the provider: create the budget alert in the Billing "
    "console (or CloudMonitor) and suppress this finding with that alert as the reason.",
    checks=dict.fromkeys(UNENFORCED_BUDGETS, _unenforced),
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
