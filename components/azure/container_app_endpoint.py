"""`ai-infra:azure:ContainerAppEndpoint`: a model served by Azure Container Apps on a serverless
GPU workload profile, scaling to zero.

The Container Apps environment is internal (a private IP in its own delegated subnet of the
environment's VNet, no public endpoint); the app's ingress is internal to that environment;
the app runs as a system-assigned identity that may read only the model container. With a GPU
profile (`Consumption-GPU-NC8as-T4`, `Consumption-GPU-NC24-A100`), each replica gets one GPU and
is billed per second while it runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import app, network

from components.azure.resource_ids import subnet_id
from components.azure.roles import BuiltInRole, assign_role
from components.options import child_options

APPS_DELEGATION = "Microsoft.App/environments"
CONSUMPTION = "Consumption"
GPU_PROFILE = "gpu"


@dataclass(frozen=True, kw_only=True)
class ContainerAppEndpointArgs:
    """Inputs of `ContainerAppEndpoint`."""

    app_name: str
    """Container app name (2-32 characters)."""
    environment_name: str
    """Container Apps environment name."""
    subscription_id: str
    resource_group_name: pulumi.Input[str]
    location: str
    vnet_name: pulumi.Input[str]
    subnet_cidr: str
    """Range of the environment's own subnet (at least /27, delegated to Container Apps)."""
    image: str
    port: int
    """Port the image listens on."""
    model_container_id: pulumi.Input[str]
    """Resource id of the blob container holding the model: the app may read it, nothing else."""
    model_uri: pulumi.Input[str]
    """Where the model is (`https://<account>.blob.core.windows.net/<container>/<key>`), given to
    the container as MODEL_URI."""
    gpu_profile: str | None = None
    """Serverless GPU workload profile type. Default None: the Consumption (CPU) profile."""
    cpu: float = 1.0
    memory_gib: float = 2.0
    """Per replica on the Consumption profile (GPU profiles size the replica themselves)."""
    min_replicas: int = 0
    """Replicas kept while idle. Default 0: scales to zero (and costs nothing) when idle."""
    max_replicas: int = 1
    """Ceiling on replicas, hence on spend. Default 1."""
    max_concurrency: int = 10
    """Concurrent HTTP requests per replica before another replica is added. Default 10."""
    depends_on: tuple[pulumi.Resource, ...] = ()
    """What the subnet waits for (Azure refuses concurrent changes to one VNet's subnets)."""
    tags: Mapping[str, str] = field(default_factory=dict)


class ContainerAppEndpoint(pulumi.ComponentResource):
    """Children: security group, delegated subnet, internal managed environment, container app,
    the app identity's read role on the model container."""

    app_name: pulumi.Output[str]
    endpoint_fqdn: pulumi.Output[str]
    container_app: app.ContainerApp
    """The native app, for escape hatches."""

    def __init__(self, name: str, args: ContainerAppEndpointArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:azure:ContainerAppEndpoint", name, None, opts)
        tags = dict(args.tags)
        nsg = network.NetworkSecurityGroup(
            f"{name}-nsg",
            network_security_group_name=f"nsg-{args.environment_name}",
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=tags,
            opts=child_options(self),
        )
        subnet = network.Subnet(
            f"{name}-subnet",
            subnet_name=f"snet-{args.environment_name}",
            virtual_network_name=args.vnet_name,
            resource_group_name=args.resource_group_name,
            address_prefix=args.subnet_cidr,
            default_outbound_access=False,
            network_security_group={"id": nsg.id},
            service_endpoints=[{"service": "Microsoft.Storage"}],
            delegations=[{"name": "container-apps", "service_name": APPS_DELEGATION}],
            opts=child_options(self, depends_on=list(args.depends_on)),
        )
        profiles = [{"name": CONSUMPTION, "workload_profile_type": CONSUMPTION}]
        if args.gpu_profile is not None:
            profiles.append({"name": GPU_PROFILE, "workload_profile_type": args.gpu_profile})
        environment = app.ManagedEnvironment(
            f"{name}-environment",
            environment_name=args.environment_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            vnet_configuration={
                "infrastructure_subnet_id": subnet_id(
                    args.subscription_id, args.resource_group_name, args.vnet_name, subnet.name
                ),
                # A private IP in the VNet only: no public endpoint for any app in it.
                "internal": True,
            },
            public_network_access="Disabled",
            workload_profiles=profiles,
            tags=tags,
            opts=child_options(self),
        )
        resources: dict = {"cpu": args.cpu, "memory": f"{args.memory_gib}Gi"}
        self.container_app = app.ContainerApp(
            f"{name}-app",
            container_app_name=args.app_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            managed_environment_id=environment.id,
            workload_profile_name=GPU_PROFILE if args.gpu_profile is not None else CONSUMPTION,
            identity={"type": "SystemAssigned"},
            configuration={
                "active_revisions_mode": "Single",
                "ingress": {
                    # Reachable inside the environment's VNet only, over HTTPS.
                    "external": False,
                    "target_port": args.port,
                    "transport": "Auto",
                    "allow_insecure": False,
                },
            },
            template={
                "containers": [
                    {
                        "name": "model",
                        "image": args.image,
                        "resources": resources if args.gpu_profile is None else None,
                        "env": [{"name": "MODEL_URI", "value": args.model_uri}],
                    }
                ],
                "scale": {
                    "min_replicas": args.min_replicas,
                    "max_replicas": args.max_replicas,
                    "rules": [
                        {"name": "http", "http": {"metadata": {"concurrentRequests": str(args.max_concurrency)}}}
                    ],
                },
            },
            tags=tags,
            opts=child_options(self),
        )
        principal = self.container_app.identity.apply(lambda i: i.principal_id if i else "")
        assign_role(
            f"{name}-model-read",
            parent=self,
            subscription_id=args.subscription_id,
            role=BuiltInRole.STORAGE_BLOB_DATA_READER,
            principal_id=principal,
            scope=args.model_container_id,
            description=f"Container app {args.app_name} reads its model",
        )
        self.app_name = self.container_app.name
        self.endpoint_fqdn = self.container_app.latest_revision_fqdn
        self.register_outputs({"app_name": self.app_name, "endpoint_fqdn": self.endpoint_fqdn})
