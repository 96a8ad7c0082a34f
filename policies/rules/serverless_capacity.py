"""Accelerator capacity of serverless endpoints, read into the `Capacity` shape of
`policies.rules.workloads` so that the cost rules (allowed accelerators, capacity limits,
scale to zero) judge them with the managed endpoints.

What "min 0" looks like on each platform:
- Cloud Run v2 service: `template.scaling.minInstanceCount` (absent: 0; a service-level
  `scaling.minInstanceCount` also keeps instances).
- Container App: `template.scale.minReplicas` (absent: 0); the GPU comes from the workload
  profile of its managed environment that `workloadProfileName` names.
- Function Compute V3 function: no instance unless a `V3ProvisionConfig` keeps some (`target`);
  the ceiling is its `V3ConcurrencyConfig.reservedConcurrency`.
SageMaker Serverless variants run on CPU and hold no capacity; SageMaker asynchronous endpoints
are ordinary endpoint configurations with an autoscaling floor, read by the SageMaker reader.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from catalog.serverless import serverless_platforms
from policies.framework import Resource, Stack, as_int, as_list
from policies.machines import AcceleratorMachine

if TYPE_CHECKING:
    from policies.rules.workloads import Capacity

CLOUD_RUN_SERVICE = "gcp:cloudrunv2/service:Service"
CONTAINER_APP = "azure-native:app:ContainerApp"
APPS_ENVIRONMENT = "azure-native:app:ManagedEnvironment"
FC_FUNCTION = "alicloud:fc/v3Function:V3Function"
FC_PROVISION = "alicloud:fc/v3ProvisionConfig:V3ProvisionConfig"
FC_CONCURRENCY = "alicloud:fc/v3ConcurrencyConfig:V3ConcurrencyConfig"


def serverless_gpu(cloud: str, platform_name: object) -> AcceleratorMachine | None:
    """The one accelerator a serverless instance gets, from the platform's own name for it."""
    if not isinstance(platform_name, str) or not platform_name:
        return None
    for neutral, gpu in serverless_platforms()[cloud].gpus.items():
        if gpu.name.lower() == platform_name.lower():
            return AcceleratorMachine(cloud, platform_name, neutral, "gpu", 1)
    if "gpu" not in platform_name.lower():
        return None  # a CPU profile (`Consumption`, `D4`)
    # A GPU the table does not know: capacity the allow-list rule reports as not in the catalog.
    return AcceleratorMachine(cloud, platform_name, None, None, None)


def _capacity(
    resource: Resource, machine: AcceleratorMachine | None, minimum: int | None, maximum: int | None
) -> Capacity | None:
    # Imported here: workloads registers this module's readers when it loads.
    from policies.rules.workloads import Capacity

    if machine is None:
        return None  # CPU only: no accelerator capacity
    return Capacity(
        urn=resource.urn,
        kind="endpoint",
        machines=(machine,),
        minimum=minimum,
        maximum=maximum,
        spot=None,
        accelerators_per_unit=machine.count,
    )


def cloud_run_service(resource: Resource, _stack: Stack | None) -> Capacity | None:
    machine = serverless_gpu("gcp", resource.get("template.nodeSelector.accelerator"))
    revision = as_int(resource.get("template.scaling.minInstanceCount"))
    service = as_int(resource.get("scaling.minInstanceCount"))
    minimum = max(revision or 0, service or 0)
    return _capacity(resource, machine, minimum, as_int(resource.get("template.scaling.maxInstanceCount")))


def container_app(resource: Resource, stack: Stack | None) -> Capacity | None:
    profile_name = resource.get("workloadProfileName")
    profile_type = None
    if stack is not None and isinstance(profile_name, str):
        for environment in stack.origins(resource, "managedEnvironmentId"):
            for profile in as_list(environment.get("workloadProfiles")):
                if isinstance(profile, dict) and profile.get("name") == profile_name:
                    profile_type = profile.get("workloadProfileType")
    machine = serverless_gpu("azure", profile_type)
    minimum = as_int(resource.get("template.scale.minReplicas"))
    maximum = as_int(resource.get("template.scale.maxReplicas"))
    # Container Apps defaults: no minimum, at most 10 replicas.
    return _capacity(resource, machine, 0 if minimum is None else minimum, 10 if maximum is None else maximum)


def fc_function(resource: Resource, stack: Stack | None) -> Capacity | None:
    machine = serverless_gpu("alicloud", resource.get("gpuConfig.gpuType"))
    minimum: int | None = 0
    maximum: int | None = None
    if stack is not None:
        name = resource.get("functionName")
        for provision in stack.referencing(resource, FC_PROVISION, "functionName", values=[name]):
            target = as_int(provision.get("target"))
            minimum = None if target is None or minimum is None else minimum + target
        for cap in stack.referencing(resource, FC_CONCURRENCY, "functionName", values=[name]):
            maximum = as_int(cap.get("reservedConcurrency"))
    return _capacity(resource, machine, minimum, maximum)


SERVERLESS_READERS = {
    CLOUD_RUN_SERVICE: cloud_run_service,
    CONTAINER_APP: container_app,
    FC_FUNCTION: fc_function,
}
