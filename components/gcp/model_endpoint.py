"""`ai-infra:gcp:ModelEndpoint`: a Vertex AI online prediction endpoint on dedicated accelerators.

Two forms, because of what pulumi-gcp 10.2 can declare:

- custom model (an image and an artefact in one of our buckets): `vertex.AiEndpoint` (CMEK,
  Private Service Connect or VPC peering) + `vertex.AiDeploymentResourcePool` (the dedicated
  machines, replicas and autoscaling target) + a serving service account that may read only the
  model bucket. The provider has no resource that uploads a custom model or deploys it to an
  endpoint (`AiEndpoint.deployed_models` is output-only), so that last step stays a release step:
  upload the model and deploy it onto this pool with this service account (see the README).
- Model Garden / Hugging Face model: `vertex.AiEndpointWithModelGardenDeployment`, which creates
  the endpoint and deploys the model on dedicated resources (replicas, autoscaling, spot) in one
  declarative resource. It has no encryption spec and no service account setting.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import pulumi_gcp as gcp

from components.gcp.bucket import ACCESS_ROLES
from components.gcp.encryption_key import encryption_key, service_agent
from components.gcp.service_accounts import service_account
from components.options import child_options

DUTY_CYCLE_METRIC = "aiplatform.googleapis.com/prediction/online/accelerator/duty_cycle"

NetworkAccess = Literal["psc", "private", "public"]


@dataclass(frozen=True, kw_only=True)
class CustomModel:
    """A model the team builds: a serving image and an artefact in one of the environment's buckets."""

    image: str
    bucket_name: pulumi.Input[str]
    artifact_key: str
    """Object key (or prefix) of the artefact in the bucket."""


@dataclass(frozen=True, kw_only=True)
class ModelGardenModel:
    """A model from Vertex AI Model Garden (`publishers/<p>/models/<m>@<version>`) or Hugging Face
    (`<org>/<name>`)."""

    model: str
    accept_eula: bool = False
    """Accept the model's licence (required by some publishers). Default False."""
    image: str | None = None
    """Default None: Model Garden's serving container. An image here overrides it."""

    @property
    def is_publisher_model(self) -> bool:
        return self.model.startswith("publishers/")


@dataclass(frozen=True, kw_only=True)
class ModelEndpointArgs:
    """Inputs of `ModelEndpoint`. Exactly one of `custom_model` and `model_garden`."""

    endpoint_name: str
    """Display name, and the deployment resource pool's name (`<env>-<endpoint>`)."""
    project: str
    project_number: pulumi.Input[str]
    """Numeric project id: names the Vertex AI service agent (key grant) and the peered network."""
    region: str
    machine_type: str
    """Compute Engine machine type Vertex serves on (`g2-standard-8`)."""
    accelerator_type: str
    """Vertex accelerator enum (`NVIDIA_L4`, `NVIDIA_TESLA_A100`, `NVIDIA_H100_80GB`)."""
    accelerator_count: int
    min_replicas: int = 1
    """Replicas always running (Vertex needs at least one). Default 1."""
    max_replicas: int = 1
    """Autoscaling ceiling. Default 1 (no scaling)."""
    accelerator_duty_cycle_target: int = 60
    """Autoscaling target: average accelerator duty cycle, percent. Default 60."""
    network_access: NetworkAccess = "psc"
    """`psc` (default): reachable only through Private Service Connect from this project.
    `private`: peered into `peering_network` (Private Services Access); custom models only.
    `public`: the shared public Vertex endpoint (opt-in; protected by IAM only)."""
    peering_network: pulumi.Input[str] | None = None
    """For `private`: `projects/<project number>/global/networks/<name>`."""
    custom_model: CustomModel | None = None
    model_garden: ModelGardenModel | None = None
    serving_account_name: str | None = None
    """Custom form: what the serving service account's id is derived from. Default `<endpoint_name>-serving`."""
    spot: bool = False
    """Model Garden form only: serve on Spot VMs (the deployment resource pool has no spot setting)."""
    labels: Mapping[str, str] = field(default_factory=dict)
    protect: bool = False
    """True (prod): the endpoint's key is protected and retained."""
    depends_on: tuple[pulumi.Resource, ...] = ()
    """Resources the endpoint must wait for (the Private Services Access connection)."""

    def __post_init__(self) -> None:
        if (self.custom_model is None) == (self.model_garden is None):
            raise ValueError(f"{self.endpoint_name}: give exactly one of custom_model and model_garden")
        if self.network_access == "private" and (self.model_garden is not None or self.peering_network is None):
            raise ValueError(f"{self.endpoint_name}: network_access 'private' needs a custom model and peering_network")
        if self.spot and self.custom_model is not None:
            raise ValueError(f"{self.endpoint_name}: spot needs the Model Garden form")


def vertex_endpoint_id(project: str, region: str, endpoint_name: str) -> str:
    """A stable numeric endpoint id (Vertex wants digits, no leading zero, at most 10)."""
    digest = int(hashlib.sha256(f"{project}/{region}/{endpoint_name}".encode()).hexdigest(), 16)
    return str(1_000_000_000 + digest % 9_000_000_000)


class ModelEndpoint(pulumi.ComponentResource):
    """A regional Vertex AI endpoint serving one model on dedicated machines (see the module doc).

    Custom form children: key ring + key (+ Vertex AI service agent grant), serving service account,
    its `roles/storage.objectViewer` on the model bucket, the endpoint, the deployment resource pool.
    Model Garden form children: the endpoint-with-deployment resource."""

    endpoint_name: pulumi.Output[str]
    """The endpoint's resource name (`projects/.../locations/<region>/endpoints/<id>`)."""
    serving_service_account_email: pulumi.Output[str] | None
    deployment_resource_pool: gcp.vertex.AiDeploymentResourcePool | None

    def __init__(self, name: str, args: ModelEndpointArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:gcp:ModelEndpoint", name, None, opts)
        self.serving_service_account_email = None
        self.deployment_resource_pool = None
        machine_spec = {
            "machine_type": args.machine_type,
            "accelerator_type": args.accelerator_type,
            "accelerator_count": args.accelerator_count,
        }
        autoscaling = [{"metric_name": DUTY_CYCLE_METRIC, "target": args.accelerator_duty_cycle_target}]
        if args.custom_model is not None:
            self.endpoint_name = self._custom(name, args, args.custom_model, machine_spec, autoscaling)
        else:
            assert args.model_garden is not None
            self.endpoint_name = self._model_garden(name, args, args.model_garden, machine_spec, autoscaling)
        self.register_outputs(
            {"endpoint_name": self.endpoint_name, "serving_service_account_email": self.serving_service_account_email}
        )

    def _custom(
        self,
        name: str,
        args: ModelEndpointArgs,
        model: CustomModel,
        machine_spec: dict[str, Any],
        autoscaling: list[dict[str, Any]],
    ) -> pulumi.Output[str]:
        key = encryption_key(
            self,
            name,
            project=args.project,
            location=args.region,
            service_agent=service_agent(args.project_number, "gcp-sa-aiplatform"),
            labels=args.labels,
            protect=args.protect,
        )
        serving = service_account(
            self,
            f"{name}-serving",
            project=args.project,
            account=args.serving_account_name or f"{args.endpoint_name}-serving",
            description=f"Serves Vertex AI endpoint {args.endpoint_name}; reads only its model bucket",
        )
        gcp.storage.BucketIAMMember(
            f"{name}-serving-model-read",
            bucket=model.bucket_name,
            role=ACCESS_ROLES["read"],
            member=serving.member,
            opts=child_options(self),
        )
        access: dict[str, Any] = {}
        if args.network_access == "psc":
            access["private_service_connect_config"] = {
                "enable_private_service_connect": True,
                "project_allowlists": [args.project],
            }
        elif args.network_access == "private":
            access["network"] = args.peering_network
        endpoint = gcp.vertex.AiEndpoint(
            f"{name}-endpoint",
            name=vertex_endpoint_id(args.project, args.region, args.endpoint_name),
            display_name=args.endpoint_name,
            description=f"Serves {model.image} with gs://.../{model.artifact_key}",
            project=args.project,
            location=args.region,
            region=args.region,
            encryption_spec={"kms_key_name": key.key_id},
            labels=dict(args.labels),
            opts=child_options(self, depends_on=[key.grant, *args.depends_on]),
            **access,
        )
        self.deployment_resource_pool = gcp.vertex.AiDeploymentResourcePool(
            f"{name}-pool",
            name=args.endpoint_name,
            project=args.project,
            region=args.region,
            dedicated_resources={
                "machine_spec": machine_spec,
                "min_replica_count": args.min_replicas,
                "max_replica_count": args.max_replicas,
                "autoscaling_metric_specs": autoscaling,
            },
            opts=child_options(self),
        )
        self.serving_service_account_email = serving.email
        return pulumi.Output.concat("projects/", args.project, "/locations/", args.region, "/endpoints/", endpoint.name)

    def _model_garden(
        self,
        name: str,
        args: ModelEndpointArgs,
        model: ModelGardenModel,
        machine_spec: dict[str, Any],
        autoscaling: list[dict[str, Any]],
    ) -> pulumi.Output[str]:
        source_key = "publisher_model_name" if model.is_publisher_model else "hugging_face_model_id"
        source = {source_key: model.model}
        model_config: dict[str, Any] = {"accept_eula": model.accept_eula}
        if model.image is not None:
            model_config["container_spec"] = {"image_uri": model.image}
        endpoint_config: dict[str, Any] = {"endpoint_display_name": args.endpoint_name}
        if args.network_access == "psc":
            endpoint_config["private_service_connect_config"] = {
                "enable_private_service_connect": True,
                "project_allowlists": [args.project],
            }
        deployment = gcp.vertex.AiEndpointWithModelGardenDeployment(
            f"{name}-deployment",
            project=args.project,
            location=args.region,
            model_config=model_config,
            endpoint_config=endpoint_config,
            deploy_config={
                "dedicated_resources": {
                    "machine_spec": machine_spec,
                    "min_replica_count": args.min_replicas,
                    "max_replica_count": args.max_replicas,
                    "autoscaling_metric_specs": autoscaling,
                    "spot": args.spot,
                }
            },
            opts=child_options(self, depends_on=list(args.depends_on)),
            **source,
        )
        return deployment.endpoint
