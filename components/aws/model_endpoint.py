"""`ai-infra:aws:ModelEndpoint`: a SageMaker real-time endpoint serving one model from a project
bucket, network-isolated inside the VPC, autoscaled on invocations per instance."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from catalog import MachineType, load_catalog
from components.aws.async_inference import (
    AsyncInference,
    async_inference_config,
    backlog_scaling,
    notification_topic,
    output_prefix,
)
from components.aws.bucket import Bucket
from components.aws.sagemaker_iam import execution_policy, sagemaker_trust
from components.aws.service_keys import log_group_key
from components.aws.vpc_https_security_group import vpc_https_security_group
from components.options import child_options, stateful_options

VARIANT = "primary"
INVOCATIONS_METRIC = "SageMakerVariantInvocationsPerInstance"
ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/(?P<repository>[a-z0-9._/-]+)(?:[:@].+)?$"
)
"""`<account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag|@digest]`."""


@dataclass(frozen=True, kw_only=True)
class ModelEndpointArgs:
    """Inputs of `ModelEndpoint`."""

    endpoint_name: str
    """SageMaker endpoint name (also names its log group and the autoscaling resource id)."""
    region: str
    """Region of the endpoint (scopes the role's EC2 and log permissions)."""
    account_id: pulumi.Input[str]
    """Account of the endpoint (scopes the role's EC2 and log permissions)."""
    accelerator: str
    """Neutral accelerator name; the catalog's `endpoint` machine for it is used."""
    image: str
    """Serving container in ECR (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>`)."""
    model_bucket: Bucket
    """Project bucket that holds the model artefact (read access to it and its key is granted)."""
    model_key: str
    """Object key of the artefact (`model.tar.gz`) inside `model_bucket`."""
    vpc_id: pulumi.Input[str]
    vpc_cidr: pulumi.Input[str]
    """The VPC range: the endpoint's only egress (HTTPS to VPC endpoints and services)."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """Private subnets; SageMaker spreads instances across their zones."""
    machine_type: str | None = None
    """SageMaker `ml.*` hosting type override; it must carry `accelerator`. Default: catalog."""
    min_replicas: int = 1
    """Instances at creation and the autoscaling floor. Default 1 (a real-time endpoint cannot
    scale to zero). Use 2 or more in prod so that instances spread over two zones."""
    max_replicas: int = 1
    """Autoscaling ceiling. Default 1 (no scale-out)."""
    target_invocations_per_replica: int = 100
    """Target tracking value: invocations per instance per minute. Default 100."""
    data_capture: bool = False
    """Default False. True: sample requests and responses to
    `s3://<model bucket>/data-capture/<endpoint name>/`, encrypted with the bucket's key."""
    data_capture_percent: int = 10
    """Share of requests captured when `data_capture` is on. Default 10%."""
    async_inference: AsyncInference | None = None
    """Default None: a real-time endpoint. Set: an asynchronous endpoint (components/aws/async_inference.py)
    whose instances scale on its queue, down to `min_replicas` (0 allowed)."""
    log_retention_days: int = 90
    """Days CloudWatch keeps the endpoint's container logs. Default 90."""
    protect: bool = False
    """True (prod): the endpoint's KMS key is protected and retained (the model is not: it is
    replaced on every rollout, and its artefact lives in the protected models bucket)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every taggable child."""


class ModelEndpoint(pulumi.ComponentResource):
    """Execution role + policy, security group + egress rule, log group, KMS key (where the
    instance type accepts one), Model, EndpointConfiguration, Endpoint, autoscaling target and
    target-tracking policy."""

    endpoint_name: pulumi.Output[str]
    role_arn: pulumi.Output[str]
    machine: MachineType
    """The catalog hosting type the endpoint runs on."""
    volume_key: aws.kms.Key | None
    """The endpoint's own storage-volume key; None on types with local NVMe storage (see catalog/data/aws.yaml)."""
    endpoint: aws.sagemaker.Endpoint
    """The native endpoint, for escape hatches."""

    def __init__(self, name: str, args: ModelEndpointArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:aws:ModelEndpoint", name, None, opts)
        self.machine = _machine(args)
        floor = 0 if args.async_inference is not None else 1
        if not floor <= args.min_replicas <= args.max_replicas:
            raise ValueError(
                f"replicas must satisfy {floor} <= min ({args.min_replicas}) <= max ({args.max_replicas}) on SageMaker"
            )
        repository_arn = ecr_repository_arn(args.image)
        if repository_arn is None:
            raise ValueError(
                f"{args.image!r} is not an ECR image URI (<account>.dkr.ecr.<region>.amazonaws.com/<repo>)"
            )
        tags = {**args.tags, "endpoint": args.endpoint_name}

        log_group_name = f"/aws/sagemaker/Endpoints/{args.endpoint_name}"
        logs_key = log_group_key(
            f"{name}-logs-key",
            parent=self,
            region=args.region,
            log_group=log_group_name,
            tags=tags,
            protect=args.protect,
        )
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            # SageMaker writes container logs to this exact name.
            name=log_group_name,
            retention_in_days=args.log_retention_days,
            kms_key_id=logs_key.arn,
            tags=tags,
            opts=child_options(self),
        )
        security_group = vpc_https_security_group(
            name,
            parent=self,
            description=f"SageMaker endpoint {args.endpoint_name}: no ingress, HTTPS egress inside the VPC",
            vpc_id=args.vpc_id,
            vpc_cidr=args.vpc_cidr,
            tags=tags,
        )

        # Types with local NVMe storage (the catalog's `local_nvme` families) are encrypted in
        # hardware, and CreateEndpointConfig *fails* if a KMS key is given for them: the endpoint's
        # own volume key exists only for the other families (inf2, ...).
        self.volume_key = None
        if not load_catalog().cloud("aws").has_local_nvme(self.machine.name):
            self.volume_key = aws.kms.Key(
                f"{name}-key",
                description=f"Storage volumes of SageMaker endpoint {args.endpoint_name}",
                enable_key_rotation=True,
                deletion_window_in_days=30,
                tags=tags,
                opts=stateful_options(self, args.protect),
            )

        topic = None
        if args.async_inference is not None:
            topic = notification_topic(self, name, args.endpoint_name, tags)
        async_prefix = output_prefix(args.endpoint_name)
        model_object_arn = pulumi.Output.concat(args.model_bucket.bucket_arn, "/", args.model_key)
        capture_prefix = f"data-capture/{args.endpoint_name}"
        role = aws.iam.Role(
            f"{name}-role",
            description=f"Execution role of SageMaker endpoint {args.endpoint_name}",
            assume_role_policy=pulumi.Output.from_input(args.account_id).apply(sagemaker_trust),
            tags=tags,
            opts=child_options(self),
        )
        role_policy = aws.iam.RolePolicy(
            f"{name}-role-policy",
            role=role.id,
            policy=pulumi.Output.all(
                account=args.account_id,
                model_object=model_object_arn,
                bucket=args.model_bucket.bucket_arn,
                bucket_key=args.model_bucket.kms_key_arn,
                log_group=log_group.arn,
                security_group=security_group.arn,
                subnets=pulumi.Output.all(*args.subnet_ids),
                vpc=args.vpc_id,
                topic=topic.arn if topic is not None else None,
            ).apply(
                lambda v: execution_policy(
                    region=args.region,
                    account=v["account"],
                    model_object_arn=v["model_object"],
                    capture_arn=f"{v['bucket']}/{capture_prefix}/*" if args.data_capture else None,
                    bucket_key_arn=v["bucket_key"],
                    repository_arn=repository_arn,
                    log_group_arn=v["log_group"],
                    security_group_arn=v["security_group"],
                    subnet_ids=v["subnets"],
                    vpc_id=v["vpc"],
                    async_output_arn=f"{v['bucket']}/{async_prefix}/*" if topic is not None else None,
                    topic_arns=[v["topic"]] if topic is not None else None,
                )
            ),
            opts=child_options(self),
        )

        model = aws.sagemaker.Model(
            f"{name}-model",
            execution_role_arn=role.arn,
            primary_container={
                "image": args.image,
                "mode": "SingleModel",
                "model_data_url": pulumi.Output.concat("s3://", args.model_bucket.bucket_name, "/", args.model_key),
            },
            vpc_config={"subnets": list(args.subnet_ids), "security_group_ids": [security_group.id]},
            # The container gets no network at all: no calls out, nothing to exfiltrate to.
            enable_network_isolation=True,
            tags=tags,
            # SageMaker checks the role's access when the model is created: policy first.
            # Not protected: a new image or artefact replaces the model (the artefact itself lives
            # in the protected models bucket), and a protected model would block that rollout.
            opts=child_options(self, depends_on=[role_policy]),
        )
        data_capture_config = None
        if args.data_capture:
            data_capture_config = {
                "enable_capture": True,
                "initial_sampling_percentage": args.data_capture_percent,
                "destination_s3_uri": pulumi.Output.concat("s3://", args.model_bucket.bucket_name, "/", capture_prefix),
                "kms_key_id": args.model_bucket.kms_key_arn,
                "capture_options": [{"capture_mode": "Input"}, {"capture_mode": "Output"}],
            }
        config = aws.sagemaker.EndpointConfiguration(
            f"{name}-config",
            production_variants=[
                {
                    "variant_name": VARIANT,
                    "model_name": model.name,
                    "instance_type": self.machine.name,
                    # SageMaker starts with at least one; an async endpoint then scales to its minimum.
                    "initial_instance_count": max(args.min_replicas, 1),
                    "initial_variant_weight": 1,
                }
            ],
            kms_key_arn=self.volume_key.arn if self.volume_key is not None else None,
            data_capture_config=data_capture_config,
            async_inference_config=(
                async_inference_config(
                    args.async_inference,
                    args.model_bucket.bucket_name,
                    args.endpoint_name,
                    args.model_bucket.kms_key_arn,
                    topic,
                )
                if args.async_inference is not None and topic is not None
                else None
            ),
            tags=tags,
            opts=child_options(self),
        )
        self.endpoint = aws.sagemaker.Endpoint(
            f"{name}-endpoint",
            name=args.endpoint_name,
            endpoint_config_name=config.name,
            tags=tags,
            opts=child_options(self, depends_on=[log_group]),
        )

        target = aws.appautoscaling.Target(
            f"{name}-scaling-target",
            service_namespace="sagemaker",
            resource_id=pulumi.Output.concat("endpoint/", self.endpoint.name, "/variant/", VARIANT),
            scalable_dimension="sagemaker:variant:DesiredInstanceCount",
            min_capacity=args.min_replicas,
            max_capacity=args.max_replicas,
            tags=tags,
            opts=child_options(self),
        )
        if args.async_inference is not None:
            backlog_scaling(self, name, target, args.endpoint_name, args.async_inference, tags)
        else:
            aws.appautoscaling.Policy(
                f"{name}-scaling-policy",
                policy_type="TargetTrackingScaling",
                service_namespace=target.service_namespace,
                resource_id=target.resource_id,
                scalable_dimension=target.scalable_dimension,
                target_tracking_scaling_policy_configuration={
                    "target_value": float(args.target_invocations_per_replica),
                    "predefined_metric_specification": {"predefined_metric_type": INVOCATIONS_METRIC},
                    # Scale out fast on load, scale in slowly (GPU instances take minutes to start).
                    "scale_out_cooldown": 60,
                    "scale_in_cooldown": 600,
                },
                opts=child_options(self),
            )

        self.endpoint_name = self.endpoint.name
        self.role_arn = role.arn
        self.register_outputs({"endpoint_name": self.endpoint_name, "role_arn": self.role_arn})


def ecr_repository_arn(image: str) -> str | None:
    """`123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:1.0` ->
    `arn:aws:ecr:us-east-1:123456789012:repository/team/app`; None if the image is not in ECR."""
    match = ECR_IMAGE.match(image)
    if match is None:
        return None
    return f"arn:aws:ecr:{match['region']}:{match['account']}:repository/{match['repository']}"


def _machine(args: ModelEndpointArgs) -> MachineType:
    catalog = load_catalog()
    if args.machine_type is None:
        return catalog.machine_for("aws", args.accelerator, "endpoint")
    machine = catalog.machine("aws", args.machine_type)
    if machine.role != "endpoint" or machine.accelerator != args.accelerator:
        raise ValueError(
            f"{args.machine_type} is a {machine.role} type with {machine.accelerator}, not {args.accelerator}"
        )
    return machine
