"""`ai-infra:alicloud:ModelEndpoint`: a PAI-EAS online service on dedicated GPU instances in the
environment's VPC, its JSON service config built from typed arguments."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_alicloud as alicloud

from components.options import child_options

EAS_CATALOG_PREFIX = "eas."
"""Catalog endpoint entries are keyed `eas.<ECS instance type>` (see catalog/data/alicloud.yaml)."""
SERVICE_NAME = re.compile(r"^[a-z][a-z0-9_]{2,62}$")
"""EAS service names: lowercase letters, digits and underscores, starting with a letter."""


def eas_instance_type(catalog_machine: str) -> str:
    """The ECS instance type an EAS service config names, for a catalog endpoint machine name."""
    if not catalog_machine.startswith(EAS_CATALOG_PREFIX):
        raise ValueError(f"{catalog_machine!r} is not an EAS catalog entry (expected '{EAS_CATALOG_PREFIX}<type>')")
    return catalog_machine.removeprefix(EAS_CATALOG_PREFIX)


@dataclass(frozen=True, kw_only=True)
class ModelEndpointArgs:
    """Inputs of `ModelEndpoint`. Exactly one of `image` and `processor` is given."""

    service_name: str
    """EAS service name (lowercase letters, digits, underscores; 3-63 characters)."""
    instance_type: str
    """ECS instance type of each replica (`ecs.gn7i-c8g1.2xlarge`; see `eas_instance_type`)."""
    model_bucket: pulumi.Input[str]
    """OSS bucket holding the model."""
    model_key: str
    """Key of the model in the bucket. With `image`: a directory prefix ending in `/`, mounted
    read-only at `model_mount_path`. With `processor`: the model file or directory EAS loads."""
    vpc_id: pulumi.Input[str]
    vswitch_id: pulumi.Input[str]
    security_group_id: pulumi.Input[str]
    """VPC direct connection: replicas get addresses in this vSwitch and this security group,
    so clients in the VPC reach the service without going through the internet."""
    image: str | None = None
    """Serving container image (custom deployment). Default None: use `processor`."""
    processor: str | None = None
    """Built-in EAS processor (`pytorch_gpu_1.10`, ...). Default None: use `image`."""
    port: int = 8000
    """Port the container listens on (image deployments). Default 8000."""
    command: str | None = None
    """Start command of the container. Default None: the image's entrypoint."""
    model_mount_path: str = "/mnt/model"
    """Where image deployments see the model directory. Default /mnt/model."""
    min_replicas: int = 1
    """Replicas at creation and autoscaler floor. Default 1 (EAS autoscaling needs at least 1)."""
    max_replicas: int = 1
    """Autoscaler ceiling. Default 1: no autoscaler (a fixed single replica)."""
    target_qps_per_replica: float = 10.0
    """Autoscaling target: queries per second per replica before EAS adds one. Default 10."""
    workspace_id: str | None = None
    """PAI workspace the service belongs to. Default None: the account's default."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for the service."""


class ModelEndpoint(pulumi.ComponentResource):
    """One `pai.Service` whose `service_config` is `eas_service_config(...)` rendered as JSON."""

    endpoint_name: pulumi.Output[str]
    service_config: pulumi.Output[str]
    service: alicloud.pai.Service
    """The native service, for escape hatches."""

    def __init__(self, name: str, args: ModelEndpointArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:alicloud:ModelEndpoint", name, None, opts)
        _check(args)

        self.service_config = pulumi.Output.all(
            args.model_bucket, args.vpc_id, args.vswitch_id, args.security_group_id
        ).apply(lambda v: json.dumps(eas_service_config(args, v[0], v[1], v[2], v[3]), sort_keys=True))
        self.service = alicloud.pai.Service(
            f"{name}-service",
            service_config=self.service_config,
            workspace_id=args.workspace_id,
            tags=dict(args.tags),
            opts=child_options(self),
        )
        self.endpoint_name = pulumi.Output.from_input(args.service_name)
        self.register_outputs({"endpoint_name": self.endpoint_name, "service_config": self.service_config})


def eas_service_config(
    args: ModelEndpointArgs, model_bucket: str, vpc_id: str, vswitch_id: str, security_group_id: str
) -> dict:
    """The EAS JSON service config (PAI "JSON deployment" parameters) for `args`."""
    metadata: dict[str, object] = {"name": args.service_name, "instance": args.min_replicas}
    if args.workspace_id:
        metadata["workspace_id"] = args.workspace_id
    config: dict[str, object] = {
        "metadata": metadata,
        "cloud": {
            "computing": {"instances": [{"type": args.instance_type}]},
            "networking": {"vpc_id": vpc_id, "vswitch_id": vswitch_id, "security_group_id": security_group_id},
        },
    }
    model_url = f"oss://{model_bucket}/{args.model_key}"
    if args.image is not None:
        container: dict[str, object] = {"image": args.image, "port": args.port}
        if args.command:
            container["script"] = args.command
        config["containers"] = [container]
        config["storage"] = [{"oss": {"path": model_url, "readOnly": True}, "mount_path": args.model_mount_path}]
    else:
        config["processor"] = args.processor
        config["model_path"] = model_url
    if args.max_replicas > args.min_replicas:
        config["autoscaler"] = {
            "min": args.min_replicas,
            "max": args.max_replicas,
            "scaleStrategies": [{"metricName": "qps", "threshold": args.target_qps_per_replica}],
        }
    return config


def _check(args: ModelEndpointArgs) -> None:
    if not SERVICE_NAME.match(args.service_name):
        raise ValueError(f"{args.service_name!r} is not an EAS service name (lowercase, digits, _; 3-63)")
    if (args.image is None) == (args.processor is None):
        raise ValueError(f"endpoint {args.service_name}: give exactly one of image and processor")
    if args.image is not None and not args.model_key.endswith("/"):
        raise ValueError(f"endpoint {args.service_name}: image deployments mount a directory; end model_key with '/'")
    if not 1 <= args.min_replicas <= args.max_replicas:
        raise ValueError(f"endpoint {args.service_name}: need 1 <= min_replicas <= max_replicas")
