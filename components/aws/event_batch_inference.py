"""`ai-infra:aws:EventBatchInference`: a new object under an input prefix starts a SageMaker batch
transform of that object, results written under an output prefix.

S3 (EventBridge notifications on the input bucket) -> EventBridge rule (this bucket, this prefix,
`Object Created`) -> Step Functions state machine -> `createTransformJob.sync`. Three roles, each
scoped: EventBridge may start only this state machine; the state machine may run only transform
jobs named after it; the model may read only the input prefix and its artefact and write only the
output prefix. Nothing runs (or bills) between objects."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.aws.bucket import Bucket
from components.aws.model_endpoint import ecr_repository_arn
from components.aws.sagemaker_iam import execution_policy, sagemaker_trust
from components.aws.vpc_https_security_group import vpc_https_security_group
from components.options import child_options

SYNC_RULE = "StepFunctionsGetEventsForSageMakerTransformJobsRule"
"""The managed rule Step Functions uses to wait for transform jobs (`.sync`)."""


@dataclass(frozen=True, kw_only=True)
class EventBatchInferenceArgs:
    """Inputs of `EventBatchInference`."""

    job_prefix: str
    """Names the state machine, rule and transform jobs (`<job_prefix>-<execution id>`; at most 26 characters)."""
    region: str
    account_id: pulumi.Input[str]
    partition: str = "aws"
    image: str
    """Serving container in ECR."""
    instance_type: str
    """SageMaker `ml.*` type the transform runs on (catalog's endpoint type for the accelerator)."""
    model_bucket: Bucket
    model_key: str
    vpc_id: pulumi.Input[str]
    vpc_cidr: pulumi.Input[str]
    """The VPC range: the transform instances' only egress (HTTPS to VPC endpoints and services)."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """Private subnets the transform instances run in."""
    input_bucket: Bucket
    input_prefix: str
    """Objects created under this prefix start a transform (ends with `/`)."""
    output_bucket: Bucket
    output_prefix: str
    max_concurrent_transforms: int = 1
    """Requests in flight per instance. Default 1."""
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.job_prefix) > 26:
            raise ValueError(f"{self.job_prefix!r}: at most 26 characters (a job name is <prefix>-<uuid>, 63 at most)")


class EventBatchInference(pulumi.ComponentResource):
    """Children: bucket EventBridge notifications, model role + policy + Model, state machine role +
    policy + state machine, EventBridge rule, its role + policy, and its target."""

    state_machine_arn: pulumi.Output[str]
    rule_name: pulumi.Output[str]

    def __init__(self, name: str, args: EventBatchInferenceArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:aws:EventBatchInference", name, None, opts)
        repository_arn = ecr_repository_arn(args.image)
        if repository_arn is None:
            raise ValueError(f"{args.image!r} is not an ECR image URI")
        tags = {**args.tags, "batch": args.job_prefix}
        arn = f"arn:{args.partition}"
        account = pulumi.Output.from_input(args.account_id)
        notifications = aws.s3.BucketNotification(
            f"{name}-notifications",
            bucket=args.input_bucket.bucket_name,
            eventbridge=True,
            opts=child_options(self),
        )
        security_group = vpc_https_security_group(
            name,
            parent=self,
            description=f"Batch transforms of {args.job_prefix}: no ingress, HTTPS egress inside the VPC",
            vpc_id=args.vpc_id,
            vpc_cidr=args.vpc_cidr,
            tags=tags,
        )
        model_role = aws.iam.Role(
            f"{name}-model-role",
            description=f"Batch transforms of {args.job_prefix}: read the input prefix, write the output prefix",
            assume_role_policy=account.apply(sagemaker_trust),
            tags=tags,
            opts=child_options(self),
        )
        model_policy = aws.iam.RolePolicy(
            f"{name}-model-role-policy",
            role=model_role.id,
            policy=pulumi.Output.all(
                model=args.model_bucket.bucket_arn,
                model_key=args.model_bucket.kms_key_arn,
                input=args.input_bucket.bucket_arn,
                input_key=args.input_bucket.kms_key_arn,
                output=args.output_bucket.bucket_arn,
                output_key=args.output_bucket.kms_key_arn,
                account=account,
                security_group=security_group.arn,
                subnets=pulumi.Output.all(*args.subnet_ids),
                vpc=args.vpc_id,
            ).apply(lambda v: _model_policy(args, v, repository_arn, arn)),
            opts=child_options(self),
        )
        model = aws.sagemaker.Model(
            f"{name}-model",
            execution_role_arn=model_role.arn,
            primary_container={
                "image": args.image,
                "mode": "SingleModel",
                "model_data_url": pulumi.Output.concat("s3://", args.model_bucket.bucket_name, "/", args.model_key),
            },
            vpc_config={"subnets": list(args.subnet_ids), "security_group_ids": [security_group.id]},
            # The container gets no network: it sees only the objects SageMaker hands it.
            enable_network_isolation=True,
            tags=tags,
            opts=child_options(self, depends_on=[model_policy]),
        )
        machine_role = aws.iam.Role(
            f"{name}-machine-role",
            description=f"Step Functions: runs transform jobs {args.job_prefix}-*",
            assume_role_policy=account.apply(lambda a: _service_trust("states.amazonaws.com", a)),
            tags=tags,
            opts=child_options(self),
        )
        machine_policy = aws.iam.RolePolicy(
            f"{name}-machine-role-policy",
            role=machine_role.id,
            policy=account.apply(lambda a: _machine_policy(args, a, arn)),
            opts=child_options(self),
        )
        machine = aws.sfn.StateMachine(
            f"{name}-machine",
            name=args.job_prefix,
            role_arn=machine_role.arn,
            definition=pulumi.Output.all(
                model=model.name,
                input=args.input_bucket.bucket_name,
                output=args.output_bucket.bucket_name,
                output_key=args.output_bucket.kms_key_arn,
            ).apply(lambda v: _definition(args, v)),
            tags=tags,
            opts=child_options(self, depends_on=[machine_policy]),
        )
        rule = aws.cloudwatch.EventRule(
            f"{name}-rule",
            name=f"{args.job_prefix}-new-input",
            description=f"New objects under s3://.../{args.input_prefix} start {args.job_prefix}",
            event_pattern=pulumi.Output.json_dumps(
                {
                    "source": ["aws.s3"],
                    "detail-type": ["Object Created"],
                    "detail": {
                        "bucket": {"name": [args.input_bucket.bucket_name]},
                        "object": {"key": [{"prefix": args.input_prefix}]},
                    },
                }
            ),
            tags=tags,
            opts=child_options(self, depends_on=[notifications]),
        )
        events_role = aws.iam.Role(
            f"{name}-events-role",
            description=f"EventBridge: starts state machine {args.job_prefix} only",
            assume_role_policy=account.apply(lambda a: _service_trust("events.amazonaws.com", a)),
            tags=tags,
            opts=child_options(self),
        )
        events_policy = aws.iam.RolePolicy(
            f"{name}-events-role-policy",
            role=events_role.id,
            policy=machine.arn.apply(
                lambda machine_arn: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {"Effect": "Allow", "Action": ["states:StartExecution"], "Resource": [machine_arn]}
                        ],
                    }
                )
            ),
            opts=child_options(self),
        )
        aws.cloudwatch.EventTarget(
            f"{name}-target",
            rule=rule.name,
            arn=machine.arn,
            role_arn=events_role.arn,
            opts=child_options(self, depends_on=[events_policy]),
        )
        self.state_machine_arn = machine.arn
        self.rule_name = rule.name
        self.register_outputs({"state_machine_arn": self.state_machine_arn, "rule_name": self.rule_name})


def _service_trust(service: str, account_id: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": service},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
                }
            ],
        }
    )


def _machine_policy(args: EventBatchInferenceArgs, account: str, arn: str) -> str:
    jobs_arn = f"{arn}:sagemaker:{args.region}:{account}:transform-job/{args.job_prefix}-*"
    statements = [
        {
            "Sid": "RunOwnTransformJobs",
            "Effect": "Allow",
            "Action": [
                "sagemaker:CreateTransformJob",
                "sagemaker:DescribeTransformJob",
                "sagemaker:StopTransformJob",
                "sagemaker:AddTags",
            ],
            "Resource": [jobs_arn],
        },
        {
            "Sid": "WaitForJobs",
            "Effect": "Allow",
            "Action": ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
            "Resource": [f"{arn}:events:{args.region}:{account}:rule/{SYNC_RULE}"],
        },
    ]
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def _model_policy(args: EventBatchInferenceArgs, v: dict, repository_arn: str, arn: str) -> str:
    """The hosting policy of components/aws/sagemaker_iam.py (model artefact, image, logs, VPC
    interfaces) for the transform jobs' log group, plus the input prefix (read, list) and the
    output prefix (write), with the keys of both buckets."""
    group = f"{arn}:logs:{args.region}:{v['account']}:log-group:/aws/sagemaker/TransformJobs"
    document = json.loads(
        execution_policy(
            region=args.region,
            account=v["account"],
            model_object_arn=f"{v['model']}/{args.model_key}",
            capture_arn=None,
            bucket_key_arn=v["model_key"],
            repository_arn=repository_arn,
            log_group_arn=group,
            security_group_arn=v["security_group"],
            subnet_ids=v["subnets"],
            vpc_id=v["vpc"],
        )
    )
    statements: list[dict] = document["Statement"]
    statements += [
        {
            "Sid": "ReadInput",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": [f"{v['input']}/{args.input_prefix}*"],
        },
        {
            "Sid": "ListInputPrefix",
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": [v["input"]],
            "Condition": {"StringLike": {"s3:prefix": [f"{args.input_prefix}*"]}},
        },
        {
            "Sid": "WriteOutput",
            "Effect": "Allow",
            "Action": ["s3:PutObject"],
            "Resource": [f"{v['output']}/{args.output_prefix}*"],
        },
    ]
    if v["input_key"]:
        statements.append(
            {"Sid": "DecryptInput", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [v["input_key"]]}
        )
    if v["output_key"]:
        statements.append(
            {
                "Sid": "EncryptOutput",
                "Effect": "Allow",
                "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                "Resource": [v["output_key"]],
            }
        )
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def _definition(args: EventBatchInferenceArgs, v: dict) -> str:
    output: dict = {"S3OutputPath": f"s3://{v['output']}/{args.output_prefix}", "AssembleWith": "Line"}
    if v["output_key"]:
        output["KmsKeyId"] = v["output_key"]
    transform = {
        "TransformJobName.$": f"States.Format('{args.job_prefix}-{{}}', $$.Execution.Name)",
        "ModelName": v["model"],
        "MaxConcurrentTransforms": args.max_concurrent_transforms,
        "TransformInput": {
            "DataSource": {
                "S3DataSource": {
                    "S3DataType": "S3Prefix",
                    "S3Uri.$": f"States.Format('s3://{v['input']}/{{}}', $.detail.object.key)",
                }
            },
            "SplitType": "Line",
        },
        "TransformOutput": output,
        "TransformResources": {"InstanceType": args.instance_type, "InstanceCount": 1},
    }
    return json.dumps(
        {
            "Comment": f"Batch inference of each new object under {args.input_prefix}",
            "StartAt": "Transform",
            "States": {
                "Transform": {
                    "Type": "Task",
                    "Resource": f"arn:{args.partition}:states:::sagemaker:createTransformJob.sync",
                    "Parameters": transform,
                    "End": True,
                }
            },
        }
    )
