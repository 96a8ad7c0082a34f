"""`ai-infra:gcp:CloudRunEndpoint`: a model served by a Cloud Run service that scales to zero.

The service is reachable from inside the project's VPC only (internal ingress), has no public
invoker (callers are granted `roles/run.invoker` by name), runs as its own service account that
may read only the model bucket, mounts the model read-only from that bucket, sends its egress to
private ranges through the VPC, and encrypts its image and data with its own KMS key. With an
accelerator it gets one NVIDIA L4 per instance (Cloud Run GPU); without, it runs on CPU.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp

from components.gcp.bucket import ACCESS_ROLES
from components.gcp.encryption_key import encryption_key, service_agent
from components.gcp.service_accounts import service_account
from components.options import child_options

MODEL_MOUNT = "/mnt/model"
INTERNAL_INGRESS = "INGRESS_TRAFFIC_INTERNAL_ONLY"


@dataclass(frozen=True, kw_only=True)
class CloudRunEndpointArgs:
    """Inputs of `CloudRunEndpoint`."""

    service_name: str
    """Cloud Run service name (`<env>-<endpoint>`)."""
    project: str
    project_number: pulumi.Input[str]
    """Numeric project id: names the Cloud Run service agent that uses the KMS key."""
    region: str
    image: str
    """Serving container image (Artifact Registry in the same project is recommended)."""
    model_bucket_name: pulumi.Input[str]
    """Bucket mounted read-only at /mnt/model; the service account may read it and nothing else."""
    network: pulumi.Input[str]
    subnetwork: pulumi.Input[str]
    """VPC and subnet the instances send their egress to (Direct VPC egress, private ranges only)."""
    gpu: str | None = None
    """Cloud Run accelerator name (`nvidia-l4`). Default None: CPU only."""
    cpu: float = 1
    """vCPUs per instance. Default 1 (GPU instances need at least 4: the caller passes the catalog's)."""
    memory_mb: int = 2048
    """Memory per instance. Default 2 GiB."""
    min_instances: int = 0
    """Instances kept warm (and billed) while idle. Default 0: scales to zero."""
    max_instances: int = 1
    """Ceiling on instances, hence on spend. Default 1."""
    max_concurrency: int = 10
    """Requests one instance serves at once. Default 10."""
    invokers: Sequence[str] = ()
    """IAM members (`serviceAccount:...`, `group:...`) granted roles/run.invoker. Default none: only
    principals with project-level Cloud Run rights can call it. `allUsers` is refused."""
    labels: Mapping[str, str] = field(default_factory=dict)
    protect: bool = False
    """True (prod): the service cannot be deleted by accident and its key is protected and retained."""

    def __post_init__(self) -> None:
        public = {"allUsers", "allAuthenticatedUsers"} & set(self.invokers)
        if public:
            raise ValueError(f"{self.service_name}: {sorted(public)} would make the service public")
        if not 0 <= self.min_instances <= self.max_instances:
            raise ValueError(f"{self.service_name}: instances must satisfy 0 <= min <= max")


class CloudRunEndpoint(pulumi.ComponentResource):
    """Children: KMS key ring + key (+ Cloud Run service agent grant), service account, its read
    grant on the model bucket, the Cloud Run v2 service, one invoker grant per `invokers` entry."""

    service_name: pulumi.Output[str]
    endpoint_url: pulumi.Output[str]
    service_account_email: pulumi.Output[str]
    service: gcp.cloudrunv2.Service
    """The native service, for escape hatches."""

    def __init__(self, name: str, args: CloudRunEndpointArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:gcp:CloudRunEndpoint", name, None, opts)
        key = encryption_key(
            self,
            name,
            project=args.project,
            location=args.region,
            service_agent=service_agent(args.project_number, "serverless-robot-prod"),
            labels=args.labels,
            protect=args.protect,
        )
        account = service_account(
            self,
            f"{name}-serving",
            project=args.project,
            account=f"{args.service_name}-run",
            description=f"Serves Cloud Run endpoint {args.service_name}; reads only its model bucket",
        )
        model_read = gcp.storage.BucketIAMMember(
            f"{name}-serving-model-read",
            bucket=args.model_bucket_name,
            role=ACCESS_ROLES["read"],
            member=account.member,
            opts=child_options(self),
        )
        limits = {"cpu": _cpu(args.cpu), "memory": f"{args.memory_mb}Mi"}
        template: dict = {
            "service_account": account.email,
            "encryption_key": key.key_id,
            "scaling": {"min_instance_count": args.min_instances, "max_instance_count": args.max_instances},
            "max_instance_request_concurrency": args.max_concurrency,
            "vpc_access": {
                "network_interfaces": [{"network": args.network, "subnetwork": args.subnetwork}],
                "egress": "PRIVATE_RANGES_ONLY",
            },
            "volumes": [{"name": "model", "gcs": {"bucket": args.model_bucket_name, "read_only": True}}],
            "labels": dict(args.labels),
        }
        if args.gpu is not None:
            limits["nvidia.com/gpu"] = "1"
            template["node_selector"] = {"accelerator": args.gpu}
            # One zone's GPU quota is enough for a service that scales to zero; zonal redundancy
            # would reserve (and bill) standby capacity in a second zone.
            template["gpu_zonal_redundancy_disabled"] = True
        template["containers"] = [
            {
                "image": args.image,
                "resources": {"limits": limits, "cpu_idle": args.gpu is None, "startup_cpu_boost": True},
                "envs": [{"name": "MODEL_DIR", "value": MODEL_MOUNT}],
                "volume_mounts": [{"name": "model", "mount_path": MODEL_MOUNT}],
            }
        ]
        self.service = gcp.cloudrunv2.Service(
            f"{name}-service",
            name=args.service_name,
            project=args.project,
            location=args.region,
            description=f"Serves {args.image} with the model from its bucket; scales to zero",
            ingress=INTERNAL_INGRESS,
            invoker_iam_disabled=False,
            deletion_protection=args.protect,
            template=template,
            labels=dict(args.labels),
            opts=child_options(self, depends_on=[key.grant, model_read]),
        )
        for index, member in enumerate(args.invokers):
            gcp.cloudrunv2.ServiceIamMember(
                f"{name}-invoker-{index}",
                project=args.project,
                location=args.region,
                name=self.service.name,
                role="roles/run.invoker",
                member=member,
                opts=child_options(self),
            )
        self.service_name = self.service.name
        self.endpoint_url = self.service.uri
        self.service_account_email = account.email
        self.register_outputs(
            {
                "service_name": self.service_name,
                "endpoint_url": self.endpoint_url,
                "service_account_email": account.email,
            }
        )


def _cpu(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
