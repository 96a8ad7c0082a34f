"""SageMaker Serverless Inference (ai-infra:aws:ServerlessEndpoint) and the asynchronous mode of
ai-infra:aws:ModelEndpoint: what scales to zero, where results go, who is told, what the roles
may do."""

from __future__ import annotations

import json

import pytest

from components.aws import Bucket, BucketArgs, ModelEndpoint, ModelEndpointArgs
from components.aws.async_inference import AsyncInference
from components.aws.serverless_endpoint import ServerlessEndpoint, ServerlessEndpointArgs
from tests.components.aws.iam_documents import assert_no_wildcards

IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.4.0-gpu"
CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
TARGET = "aws:appautoscaling/target:Target"
POLICY = "aws:appautoscaling/policy:Policy"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"


def serverless(**overrides):
    def program():
        models = Bucket("models", BucketArgs(bucket_name="ai-infra-test-models", purpose="models"))
        values = {
            "endpoint_name": "ai-infra-test-embed",
            "account_id": "123456789012",
            "image": IMAGE,
            "model_bucket": models,
            "model_key": "embed/model.tar.gz",
            **overrides,
        }
        ServerlessEndpoint("embed", ServerlessEndpointArgs(**values))

    return program


def asynchronous(**overrides):
    def program():
        models = Bucket("models", BucketArgs(bucket_name="ai-infra-test-models", purpose="models"))
        values = {
            "endpoint_name": "ai-infra-test-chat",
            "region": "us-east-1",
            "account_id": "123456789012",
            "accelerator": "nvidia-l4",
            "image": IMAGE,
            "model_bucket": models,
            "model_key": "chat/model.tar.gz",
            "vpc_id": "vpc-1",
            "vpc_cidr": "10.0.0.0/16",
            "subnet_ids": ["subnet-a"],
            "min_replicas": 0,
            "max_replicas": 2,
            "async_inference": AsyncInference(max_concurrent_invocations_per_instance=3),
            **overrides,
        }
        ModelEndpoint("chat", ModelEndpointArgs(**values))

    return program


def test_serverless_variant_has_memory_and_concurrency_cap_and_no_instances(declare):
    run = declare(serverless(memory_mb=3072, max_concurrency=5))
    (variant,) = run.one(CONFIG).inputs["productionVariants"]
    assert variant["serverlessConfig"] == {"memorySizeInMb": 3072, "maxConcurrency": 5}
    assert "instanceType" not in variant and "initialInstanceCount" not in variant
    assert not run.of_type(TARGET)  # nothing to scale: SageMaker scales serverless to zero itself


def test_provisioned_concurrency_is_opt_in(declare):
    run = declare(serverless(max_concurrency=5, provisioned_concurrency=2))
    assert run.one(CONFIG).inputs["productionVariants"][0]["serverlessConfig"]["provisionedConcurrency"] == 2


@pytest.mark.parametrize("change", [{"memory_mb": 1500}, {"memory_mb": 8192}, {"max_concurrency": 201}])
def test_serverless_limits_of_sagemaker_are_enforced(change):
    with pytest.raises(ValueError):
        ServerlessEndpointArgs(
            endpoint_name="x", account_id="1", image=IMAGE, model_bucket=None, model_key="k", **change
        )  # type: ignore[arg-type]


def test_serverless_role_reads_only_its_model_and_writes_only_its_logs(declare):
    run = declare(serverless())
    statements = {s["Sid"]: s for s in json.loads(run.named("embed-role-policy").inputs["policy"])["Statement"]}
    assert statements["ReadModelArtifact"]["Resource"] == ["arn:aws:s3:::ai-infra-test-models/embed/model.tar.gz"]
    assert set(statements) == {"ReadModelArtifact", "PullServingImage", "EcrLogin", "WriteOwnLogs", "UseBucketKey"}
    assert run.named("embed-logs").inputs["name"] == "/aws/sagemaker/Endpoints/ai-infra-test-embed"


def test_async_endpoint_scales_between_zero_and_max_on_its_queue(declare):
    run = declare(asynchronous())
    target = run.one(TARGET).inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (0, 2)
    policies = {p.name: p.inputs for p in run.of_type(POLICY)}
    assert set(policies) == {"chat-backlog-policy", "chat-wake-policy"}
    tracking = policies["chat-backlog-policy"]["targetTrackingScalingPolicyConfiguration"]
    assert tracking["customizedMetricSpecification"]["metricName"] == "ApproximateBacklogSizePerInstance"
    alarm = run.one(ALARM).inputs
    assert alarm["metricName"] == "HasBacklogWithoutCapacity"
    assert alarm["alarmActions"] == [run.named("chat-wake-policy").outputs["arn"]]


def test_async_results_go_to_the_endpoint_prefix_encrypted_and_notify_a_topic(declare):
    run = declare(asynchronous())
    config = run.one(CONFIG).inputs
    output = config["asyncInferenceConfig"]["outputConfig"]
    assert output["s3OutputPath"] == "s3://ai-infra-test-models/async-inference/ai-infra-test-chat/out"
    assert output["s3FailurePath"] == "s3://ai-infra-test-models/async-inference/ai-infra-test-chat/failed"
    assert output["kmsKeyId"] == run.named("models-key").outputs["arn"]
    topic = run.one(TOPIC)
    assert topic.inputs["kmsMasterKeyId"] == "alias/aws/sns"
    assert output["notificationConfig"] == {"successTopic": topic.outputs["arn"], "errorTopic": topic.outputs["arn"]}
    assert config["asyncInferenceConfig"]["clientConfig"] == {"maxConcurrentInvocationsPerInstance": 3}
    # SageMaker starts an endpoint with one instance; the queue then scales it to zero.
    assert config["productionVariants"][0]["initialInstanceCount"] == 1


def test_async_role_writes_only_under_its_output_prefix_and_publishes_only_to_its_topic(declare):
    run = declare(asynchronous())
    statements = {s["Sid"]: s for s in json.loads(run.named("chat-role-policy").inputs["policy"])["Statement"]}
    assert statements["WriteAsyncResults"]["Resource"] == [
        "arn:aws:s3:::ai-infra-test-models/async-inference/ai-infra-test-chat/*"
    ]
    assert statements["NotifyResults"]["Resource"] == [run.one(TOPIC).outputs["arn"]]
    assert "kms:GenerateDataKey" in statements["UseBucketKey"]["Action"]
    assert_no_wildcards(run)


def test_realtime_endpoint_still_refuses_zero_replicas():
    with pytest.raises(ValueError, match="1 <= min"):
        asynchronous(async_inference=None)()
