"""`ai-infra:alicloud:FunctionEndpoint`: a model served by a Function Compute 3.0 GPU function
(custom container) in the VPC, scaling to zero.

The function has no trigger (it is invoked through the signed Function Compute API, never an
anonymous HTTP trigger), no internet access (its only network is the VPC), runs as its own RAM
role that may read only the model bucket, and mounts the model read-only from that bucket.
Warm instances (`min_instances`) are a provision config, billed while idle; the default is none.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_alicloud as alicloud

from components.alicloud.bucket import Bucket
from components.options import child_options

MODEL_MOUNT = "/mnt/model"


@dataclass(frozen=True, kw_only=True)
class FunctionEndpointArgs:
    """Inputs of `FunctionEndpoint`."""

    function_name: str
    region: str
    image: str
    """Serving container in ACR (`registry-vpc.<region>.aliyuncs.com/...`)."""
    port: int
    command: Sequence[str] = ()
    """Start command. Default: the image's entrypoint."""
    model_bucket: Bucket
    """Bucket mounted read-only at /mnt/model; the role may read it and nothing else."""
    model_key: str
    """Directory of the model inside the bucket (ends in `/`)."""
    vpc_id: pulumi.Input[str]
    vswitch_ids: Sequence[pulumi.Input[str]]
    security_group_id: pulumi.Input[str]
    gpu_type: str | None = None
    """Function Compute GPU type (`fc.gpu.ampere.1`). Default None: CPU only."""
    gpu_memory_mb: int | None = None
    """GPU memory of one instance (the whole card for the catalog's types)."""
    cpu: float = 1.0
    memory_mb: int = 2048
    min_instances: int = 0
    """Provisioned (warm, billed while idle) instances. Default 0: scales to zero."""
    max_instances: int = 1
    """Reserved concurrency: the ceiling on instances, hence on spend. Default 1."""
    max_concurrency: int = 10
    """Requests one instance serves at once. Default 10."""
    timeout_seconds: int = 600
    tags: Mapping[str, str] = field(default_factory=dict)


class FunctionEndpoint(pulumi.ComponentResource):
    """Children: RAM role + policy + attachment, the V3 function, its concurrency cap and (when
    `min_instances` > 0) its provision config."""

    function_name: pulumi.Output[str]
    function: alicloud.fc.V3Function
    """The native function, for escape hatches."""

    def __init__(self, name: str, args: FunctionEndpointArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:alicloud:FunctionEndpoint", name, None, opts)
        tags = dict(args.tags)
        role = alicloud.ram.Role(
            f"{name}-role",
            role_name=f"{args.function_name}-fc"[:64],
            description=f"Function Compute endpoint {args.function_name}: reads its model bucket",
            assume_role_policy_document=_fc_trust(),
            max_session_duration=3600,
            tags=tags,
            opts=child_options(self),
        )
        policy = alicloud.ram.Policy(
            f"{name}-policy",
            policy_name=f"{args.function_name}-model-read"[:128],
            description=f"Model bucket read access of {args.function_name}",
            policy_document=args.model_bucket.access_statements("read").apply(
                lambda s: json.dumps({"Version": "1", "Statement": s})
            ),
            rotate_strategy="DeleteOldestNonDefaultVersionWhenLimitExceeded",
            tags=tags,
            opts=child_options(self),
        )
        attachment = alicloud.ram.RolePolicyAttachment(
            f"{name}-policy-attachment",
            role_name=role.role_name,
            policy_name=policy.policy_name,
            policy_type="Custom",
            opts=child_options(self),
        )
        container: dict = {"image": args.image, "port": args.port}
        if args.command:
            container["commands"] = list(args.command)
        gpu = None
        if args.gpu_type is not None:
            gpu = {"gpu_type": args.gpu_type, "gpu_memory_size": args.gpu_memory_mb}
        self.function = alicloud.fc.V3Function(
            f"{name}-function",
            function_name=args.function_name,
            description=f"Serves {args.image}; scales to zero",
            runtime="custom-container",
            handler="index.handler",
            custom_container_config=container,
            gpu_config=gpu,
            cpu=args.cpu,
            memory_size=args.memory_mb,
            disk_size=512,
            instance_concurrency=args.max_concurrency,
            timeout=args.timeout_seconds,
            role=role.arn,
            # The VPC is its only network: no calls out to the internet.
            internet_access=False,
            vpc_config={
                "vpc_id": args.vpc_id,
                "vswitch_ids": list(args.vswitch_ids),
                "security_group_id": args.security_group_id,
            },
            oss_mount_config={
                "mount_points": [
                    {
                        "bucket_name": args.model_bucket.bucket_name,
                        "bucket_path": "/" + args.model_key.strip("/"),
                        "endpoint": f"http://oss-{args.region}-internal.aliyuncs.com",
                        "mount_dir": MODEL_MOUNT,
                        "read_only": True,
                    }
                ]
            },
            environment_variables={"MODEL_DIR": MODEL_MOUNT},
            tags=tags,
            opts=child_options(self, depends_on=[attachment]),
        )
        alicloud.fc.V3ConcurrencyConfig(
            f"{name}-concurrency",
            function_name=self.function.function_name,
            reserved_concurrency=args.max_instances,
            opts=child_options(self),
        )
        if args.min_instances > 0:
            alicloud.fc.V3ProvisionConfig(
                f"{name}-provision",
                function_name=self.function.function_name,
                qualifier="LATEST",
                target=args.min_instances,
                opts=child_options(self),
            )
        self.function_name = self.function.function_name
        self.register_outputs({"function_name": self.function_name})


def _fc_trust() -> str:
    return json.dumps(
        {
            "Version": "1",
            "Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": ["fc.aliyuncs.com"]}}
            ],
        }
    )
