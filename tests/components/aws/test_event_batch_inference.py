"""ai-infra:aws:EventBatchInference: S3 object created under a prefix -> EventBridge -> Step
Functions -> SageMaker batch transform, with three narrowly scoped roles."""

from __future__ import annotations

import json

from components.aws import Bucket, BucketArgs
from components.aws.event_batch_inference import EventBatchInference, EventBatchInferenceArgs
from tests.components.aws.iam_documents import assert_no_wildcards

IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.4.0-gpu"
MACHINE = "aws:sfn/stateMachine:StateMachine"
RULE = "aws:cloudwatch/eventRule:EventRule"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"


def program():
    buckets = {p: Bucket(p, BucketArgs(bucket_name=f"ai-infra-test-{p}", purpose=p)) for p in ("datasets", "models")}
    EventBatchInference(
        "score",
        EventBatchInferenceArgs(
            job_prefix="ai-infra-test-score",
            region="us-east-1",
            account_id="123456789012",
            image=IMAGE,
            instance_type="ml.g6.xlarge",
            model_bucket=buckets["models"],
            model_key="chat/model.tar.gz",
            vpc_id="vpc-1",
            vpc_cidr="10.0.0.0/16",
            subnet_ids=["subnet-a"],
            input_bucket=buckets["datasets"],
            input_prefix="incoming/",
            output_bucket=buckets["models"],
            output_prefix="scores/",
        ),
    )


def policy(run, name):
    return {s["Sid"]: s for s in json.loads(run.named(name).inputs["policy"])["Statement"] if "Sid" in s}


def test_objects_created_under_the_input_prefix_of_the_input_bucket_start_the_machine(declare):
    run = declare(program)
    pattern = json.loads(run.one(RULE).inputs["eventPattern"])
    assert pattern == {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": ["ai-infra-test-datasets"]}, "object": {"key": [{"prefix": "incoming/"}]}},
    }
    target = run.one(TARGET).inputs
    assert target["arn"] == run.one(MACHINE).outputs["arn"]
    assert run.named("score-notifications").inputs == {"bucket": "ai-infra-test-datasets", "eventbridge": True}


def test_each_object_becomes_one_transform_written_under_the_output_prefix(declare):
    run = declare(program)
    definition = json.loads(run.one(MACHINE).inputs["definition"])
    task = definition["States"]["Transform"]
    assert task["Resource"] == "arn:aws:states:::sagemaker:createTransformJob.sync"
    params = task["Parameters"]
    assert params["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri.$"] == (
        "States.Format('s3://ai-infra-test-datasets/{}', $.detail.object.key)"
    )
    assert params["TransformOutput"]["S3OutputPath"] == "s3://ai-infra-test-models/scores/"
    assert params["TransformOutput"]["KmsKeyId"] == run.named("models-key").outputs["arn"]
    assert params["TransformResources"] == {"InstanceType": "ml.g6.xlarge", "InstanceCount": 1}
    model = run.one("aws:sagemaker/model:Model").inputs
    assert model["enableNetworkIsolation"] is True
    assert model["vpcConfig"] == {"subnets": ["subnet-a"], "securityGroupIds": [run.id_of("score-sg")]}


def test_identities_are_scoped_to_the_prefixes_the_machine_and_its_jobs(declare):
    run = declare(program)
    model = policy(run, "score-model-role-policy")
    assert model["ReadModelArtifact"]["Resource"] == ["arn:aws:s3:::ai-infra-test-models/chat/model.tar.gz"]
    assert model["ReadInput"]["Resource"] == ["arn:aws:s3:::ai-infra-test-datasets/incoming/*"]
    assert model["ListInputPrefix"]["Condition"] == {"StringLike": {"s3:prefix": ["incoming/*"]}}
    assert model["WriteOutput"]["Resource"] == ["arn:aws:s3:::ai-infra-test-models/scores/*"]
    machine = policy(run, "score-machine-role-policy")
    assert machine["RunOwnTransformJobs"]["Resource"] == [
        "arn:aws:sagemaker:us-east-1:123456789012:transform-job/ai-infra-test-score-*"
    ]
    events = json.loads(run.named("score-events-role-policy").inputs["policy"])["Statement"]
    assert events == [
        {"Effect": "Allow", "Action": ["states:StartExecution"], "Resource": [run.one(MACHINE).outputs["arn"]]}
    ]
    assert_no_wildcards(run)
