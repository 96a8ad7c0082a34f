"""Accelerator capacity as the cost rules see it: node pools, TPU VMs and model endpoints.

Each cloud spells the same facts differently (`scalingConfig.minSize`, `autoscaling.totalMinNodeCount`,
`minCount`, `scalingConfig.min_size`); the readers here turn one resource into one shape, so that
C1-C4 are written once. A reader returns None for resources that carry no accelerators (CPU
system pools), which the cost rules leave alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from catalog import load_catalog
from policies.framework import UNKNOWN, Resource, Stack, as_bool, as_int, as_list, dig, parse_json
from policies.machines import AcceleratorMachine, accelerator_machine, gcp_guest_accelerator, tpu_vm_chips

AWS_NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
GCP_NODE_POOL = "gcp:container/nodePool:NodePool"
AZURE_AGENT_POOL = "azure-native:containerservice:AgentPool"
ALICLOUD_NODE_POOL = "alicloud:cs/nodePool:NodePool"
GCP_TPU_VM = "gcp:tpu/v2Vm:V2Vm"
AWS_ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
AWS_ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
AWS_SCALING_TARGET = "aws:appautoscaling/target:Target"
GCP_DEPLOYMENT_POOL = "gcp:vertex/aiDeploymentResourcePool:AiDeploymentResourcePool"
GCP_MODEL_GARDEN = "gcp:vertex/aiEndpointWithModelGardenDeployment:AiEndpointWithModelGardenDeployment"
AZURE_ONLINE_DEPLOYMENT = "azure-native:machinelearningservices:OnlineDeployment"
ALICLOUD_EAS_SERVICE = "alicloud:pai/service:Service"

_AWS_ACCELERATED_AMIS = ("NVIDIA", "NEURON", "GPU", "INFERENTIA")
_ALICLOUD_SPOT = ("SpotAsPriceGo", "SpotWithPriceLimit")


@dataclass(frozen=True)
class Capacity:
    """Accelerator capacity one resource can bring up: a node pool, a TPU VM or an endpoint."""

    urn: str
    kind: str
    """`pool`, `tpu-vm` or `endpoint`."""
    machines: tuple[AcceleratorMachine, ...]
    """The accelerator machines it runs on (several for multi-type pools)."""
    minimum: int | None
    """Nodes / replicas it keeps while idle (None: cannot tell)."""
    maximum: int | None
    """Nodes / replicas it can grow to (None: cannot tell)."""
    spot: bool | None
    """Spot / preemptible capacity (None: not applicable or cannot tell)."""
    accelerators_per_unit: int | None = None
    """Accelerators per node / replica when the resource says so itself (GKE guest accelerators,
    Vertex machine spec); otherwise taken from the catalog machine."""

    @property
    def per_unit(self) -> int | None:
        if self.accelerators_per_unit is not None:
            return self.accelerators_per_unit
        counts = [m.count for m in self.machines]
        if not counts or any(c is None for c in counts):
            return None
        return max(c for c in counts if c is not None)

    @property
    def accelerator_kind(self) -> str | None:
        kinds = {m.kind for m in self.machines}
        return kinds.pop() if len(kinds) == 1 else None


def _capacity_or_none(
    resource: Resource,
    kind: str,
    machines: list[AcceleratorMachine | None],
    *,
    minimum: int | None,
    maximum: int | None,
    spot: bool | None,
    accelerators_per_unit: int | None = None,
) -> Capacity | None:
    """The capacity, or None when none of the machines carries accelerators (a CPU pool)."""
    found = tuple(m for m in machines if m is not None)
    if not found:
        return None
    return Capacity(
        urn=resource.urn,
        kind=kind,
        machines=found,
        minimum=minimum,
        maximum=maximum,
        spot=spot,
        accelerators_per_unit=accelerators_per_unit,
    )


# -- node pools -----------------------------------------------------------------------------------
def _aws_node_group(resource: Resource) -> Capacity | None:
    machines = [accelerator_machine("aws", t) for t in as_list(resource.get("instanceTypes"))]
    ami = resource.get("amiType")
    if not any(machines) and isinstance(ami, str) and any(k in ami.upper() for k in _AWS_ACCELERATED_AMIS):
        # An accelerated AMI with the instance type in a launch template: an accelerator pool of
        # a machine we cannot see.
        machines = [AcceleratorMachine("aws", "(from launch template)", None, None, None)]
    capacity_type = resource.get("capacityType")
    return _capacity_or_none(
        resource,
        "pool",
        machines,
        minimum=as_int(resource.get("scalingConfig.minSize")),
        maximum=as_int(resource.get("scalingConfig.maxSize")),
        spot=None if capacity_type is UNKNOWN else capacity_type == "SPOT",
    )


def _gcp_node_pool(resource: Resource) -> Capacity | None:
    machine = accelerator_machine("gcp", resource.get("nodeConfig.machineType", ""))
    guests = [g for g in as_list(resource.get("nodeConfig.guestAccelerators")) if isinstance(g, dict)]
    per_unit = None
    if guests:
        per_unit = sum(as_int(g.get("count")) or 0 for g in guests) or None
        if machine is None or not machine.known:
            names = {gcp_guest_accelerator(g.get("type", "")) for g in guests}
            accelerator = names.pop() if len(names) == 1 else None
            kind = load_catalog().accelerator(accelerator).kind if accelerator else None
            machine = AcceleratorMachine(
                "gcp", resource.get("nodeConfig.machineType", "") or "(unset)", accelerator, kind, per_unit
            )
    zones = len(as_list(resource.get("nodeLocations"))) or 1
    autoscaling = resource.get("autoscaling")
    if isinstance(autoscaling, dict) and autoscaling:
        total_min, total_max = (
            as_int(autoscaling.get("totalMinNodeCount")),
            as_int(autoscaling.get("totalMaxNodeCount")),
        )
        zone_min, zone_max = as_int(autoscaling.get("minNodeCount")), as_int(autoscaling.get("maxNodeCount"))
        minimum = total_min if total_min is not None else (zone_min * zones if zone_min is not None else 0)
        maximum = total_max if total_max is not None else (zone_max * zones if zone_max is not None else None)
    else:
        fixed = as_int(resource.get("nodeCount"))
        fixed = fixed if fixed is not None else as_int(resource.get("initialNodeCount"))
        minimum = maximum = (fixed if fixed is not None else 1) * zones
    spot = as_bool(resource.get("nodeConfig.spot")) or as_bool(resource.get("nodeConfig.preemptible"))
    return _capacity_or_none(
        resource, "pool", [machine], minimum=minimum, maximum=maximum, spot=bool(spot), accelerators_per_unit=per_unit
    )


def _azure_agent_pool(resource: Resource) -> Capacity | None:
    machine = accelerator_machine("azure", resource.get("vmSize", ""))
    if as_bool(resource.get("enableAutoScaling")):
        minimum, maximum = as_int(resource.get("minCount")), as_int(resource.get("maxCount"))
    else:
        count = as_int(resource.get("count"))
        minimum = maximum = count if count is not None else 1
    return _capacity_or_none(
        resource, "pool", [machine], minimum=minimum, maximum=maximum, spot=resource.get("scaleSetPriority") == "Spot"
    )


def _alicloud_node_pool(resource: Resource) -> Capacity | None:
    machines = [accelerator_machine("alicloud", t) for t in as_list(resource.get("instanceTypes"))]
    if as_bool(resource.get("scalingConfig.enable")):
        minimum, maximum = as_int(resource.get("scalingConfig.minSize")), as_int(resource.get("scalingConfig.maxSize"))
    else:
        fixed = as_int(resource.get("desiredSize"))
        fixed = fixed if fixed is not None else as_int(resource.get("nodeCount"))
        minimum = maximum = fixed if fixed is not None else 0
    return _capacity_or_none(
        resource,
        "pool",
        machines,
        minimum=minimum,
        maximum=maximum,
        spot=resource.get("spotStrategy") in _ALICLOUD_SPOT,
    )


def _gcp_tpu_vm(resource: Resource) -> Capacity | None:
    generation, chips = tpu_vm_chips(
        resource.get("acceleratorType"),
        resource.get("acceleratorConfig.type"),
        resource.get("acceleratorConfig.topology"),
    )
    name = resource.get("acceleratorType") or resource.get("acceleratorConfig.type") or "(unset)"
    machine = AcceleratorMachine("gcp", str(name), generation, "tpu" if generation else None, chips)
    spot = as_bool(resource.get("schedulingConfig.spot")) or as_bool(resource.get("schedulingConfig.preemptible"))
    # A TPU VM is billed from creation to deletion: it cannot idle at zero.
    return Capacity(
        urn=resource.urn,
        kind="tpu-vm",
        machines=(machine,),
        minimum=1,
        maximum=1,
        spot=bool(spot),
        accelerators_per_unit=chips,
    )


POOL_READERS: dict[str, Callable[[Resource], Capacity | None]] = {
    AWS_NODE_GROUP: _aws_node_group,
    GCP_NODE_POOL: _gcp_node_pool,
    AZURE_AGENT_POOL: _azure_agent_pool,
    ALICLOUD_NODE_POOL: _alicloud_node_pool,
    GCP_TPU_VM: _gcp_tpu_vm,
}
"""Type token -> reader, for resources whose capacity can be read from their own inputs."""


# -- endpoints ------------------------------------------------------------------------------------
def _aws_endpoint_config(resource: Resource, stack: Stack | None) -> Capacity | None:
    """SageMaker: the variants of an endpoint configuration; their scaling limits come from the
    Application Auto Scaling target of the endpoint that uses the configuration, when the stack
    has one (`endpoint/<name>/variant/<variant>`), else from the initial instance count."""
    machines: list[AcceleratorMachine | None] = []
    minimum = maximum = 0
    for variant in as_list(resource.get("productionVariants")):
        if not isinstance(variant, dict) or variant.get("serverlessConfig"):
            continue  # serverless variants run on CPU and scale to zero by design
        machine = accelerator_machine("aws", variant.get("instanceType", ""), role="endpoint")
        if machine is None:
            continue
        machines.append(machine)
        low = high = as_int(variant.get("initialInstanceCount"))
        scaling = variant.get("managedInstanceScaling")
        if isinstance(scaling, dict) and scaling.get("status") == "ENABLED":
            low, high = as_int(scaling.get("minInstanceCount")), as_int(scaling.get("maxInstanceCount"))
        target = _aws_scaling_target(resource, str(variant.get("variantName", "")), stack)
        if target is not None:
            low, high = as_int(target.get("minCapacity")), as_int(target.get("maxCapacity"))
        minimum += low if low is not None else 1
        maximum += high if high is not None else 1
    return _capacity_or_none(resource, "endpoint", machines, minimum=minimum, maximum=maximum, spot=None)


def _aws_scaling_target(config: Resource, variant: str, stack: Stack | None) -> Resource | None:
    if stack is None:
        return None
    for endpoint in stack.referencing(config, AWS_ENDPOINT, "endpointConfigName", values=[config.get("name")]):
        name = endpoint.get("name")
        resource_id = f"endpoint/{name}/variant/{variant}" if isinstance(name, str) else None
        for target in stack.referencing(endpoint, AWS_SCALING_TARGET, "resourceId", values=[resource_id]):
            target_id = target.get("resourceId")
            if not isinstance(target_id, str) or target_id.endswith(f"/variant/{variant}"):
                return target
    return None


def _gcp_dedicated(resource: Resource, path: str) -> Capacity | None:
    spec = dig(resource.props, f"{path}.machineSpec", {})
    machine = accelerator_machine("gcp", spec.get("machineType", "") if isinstance(spec, dict) else "", role="endpoint")
    count = as_int(spec.get("acceleratorCount")) if isinstance(spec, dict) else None
    if machine is None and count:
        accelerator = gcp_guest_accelerator(str(spec.get("acceleratorType", "")).lower().replace("_", "-"))
        machine = AcceleratorMachine(
            "gcp", str(spec.get("machineType")), accelerator, "gpu" if accelerator else None, count
        )
    # Vertex keeps one replica when minReplicaCount is left out.
    minimum = as_int(resource.get(f"{path}.minReplicaCount"))
    minimum = 1 if minimum is None else minimum
    maximum = as_int(resource.get(f"{path}.maxReplicaCount"))
    return _capacity_or_none(
        resource,
        "endpoint",
        [machine],
        minimum=minimum,
        maximum=max(minimum, maximum) if maximum is not None else minimum,
        spot=as_bool(resource.get(f"{path}.spot")),
        accelerators_per_unit=count or None,
    )


def _azure_online_deployment(resource: Resource) -> Capacity | None:
    machine = accelerator_machine("azure", resource.get("properties.instanceType", ""), role="endpoint")
    scale = resource.get("properties.scaleSettings", {})
    if isinstance(scale, dict) and scale.get("scaleType") == "TargetUtilization":
        minimum, maximum = as_int(scale.get("minInstances")), as_int(scale.get("maxInstances"))
    else:
        fixed = as_int(resource.get("sku.capacity"))
        minimum = maximum = fixed if fixed is not None else 1
    return _capacity_or_none(resource, "endpoint", [machine], minimum=minimum, maximum=maximum, spot=None)


def eas_service_config(resource: Resource) -> dict:
    """The parsed PAI-EAS JSON service config ({} when absent or not JSON)."""
    parsed = parse_json(resource.get("serviceConfig"))
    return parsed if isinstance(parsed, dict) else {}


def _alicloud_eas_service(resource: Resource) -> Capacity | None:
    config = eas_service_config(resource)
    types = [i.get("type") for i in as_list(dig(config, "cloud.computing.instances")) if isinstance(i, dict)]
    types.append(dig(config, "cloud.computing.instance_type"))
    machines = [accelerator_machine("alicloud", t, role="endpoint") for t in types if isinstance(t, str)]
    replicas = as_int(dig(config, "metadata.instance"))
    minimum = as_int(dig(config, "autoscaler.min"))
    maximum = as_int(dig(config, "autoscaler.max"))
    return _capacity_or_none(
        resource,
        "endpoint",
        list(machines),
        minimum=minimum if minimum is not None else (replicas if replicas is not None else 1),
        maximum=maximum if maximum is not None else (replicas if replicas is not None else 1),
        spot=None,
    )


ENDPOINT_READERS: dict[str, Callable[[Resource, Stack | None], Capacity | None]] = {
    AWS_ENDPOINT_CONFIG: _aws_endpoint_config,
    GCP_DEPLOYMENT_POOL: lambda r, _s: _gcp_dedicated(r, "dedicatedResources"),
    GCP_MODEL_GARDEN: lambda r, _s: _gcp_dedicated(r, "deployConfig.dedicatedResources"),
    AZURE_ONLINE_DEPLOYMENT: lambda r, _s: _azure_online_deployment(r),
    ALICLOUD_EAS_SERVICE: lambda r, _s: _alicloud_eas_service(r),
}


# Serverless platforms (Cloud Run, Container Apps, Function Compute): policies/rules/serverless_capacity.py.
from policies.rules.serverless_capacity import SERVERLESS_READERS  # noqa: E402

ENDPOINT_READERS.update(SERVERLESS_READERS)


def capacity_of(resource: Resource, stack: Stack | None = None) -> Capacity | None:
    """The accelerator capacity of a pool, TPU VM or endpoint; None for anything else."""
    pool_reader = POOL_READERS.get(resource.type)
    if pool_reader is not None:
        return pool_reader(resource)
    endpoint_reader = ENDPOINT_READERS.get(resource.type)
    if endpoint_reader is not None:
        return endpoint_reader(resource, stack)
    return None


CAPACITY_TYPES: tuple[str, ...] = (*POOL_READERS, *ENDPOINT_READERS)
