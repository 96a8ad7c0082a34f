"""ai-infra:aws:ModelEndpoint: an isolated SageMaker endpoint in private subnets, a least-privilege
execution role, instance type from the catalog, and autoscaling between min and max replicas."""

from __future__ import annotations

import json
import re

import pytest

from components.aws import Bucket, BucketArgs, ModelEndpoint, ModelEndpointArgs
from components.aws.model_endpoint import ecr_repository_arn
from tests.components.aws.iam_documents import assert_no_wildcards, policy_documents
from tests.components.aws.taggable import is_taggable

TAGS = {"environment": "test", "owner": "ml", "cost-center": "cc-1"}
IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.4.0-gpu"
SUBNETS = ["subnet-a", "subnet-b"]
CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
MODEL = "aws:sagemaker/model:Model"


def make(**overrides):
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
            "subnet_ids": SUBNETS,
            "tags": TAGS,
            **overrides,
        }
        ModelEndpoint("chat", ModelEndpointArgs(**values))

    return program


def _execution_policy(run):
    return json.loads(run.named("chat-role-policy").inputs["policy"])


def test_model_is_network_isolated_in_private_subnets(declare):
    run = declare(make())
    model = run.one(MODEL).inputs
    assert model["enableNetworkIsolation"] is True
    assert model["vpcConfig"] == {"subnets": SUBNETS, "securityGroupIds": [run.id_of("chat-sg")]}
    assert model["primaryContainer"]["image"] == IMAGE
    assert model["primaryContainer"]["modelDataUrl"] == "s3://ai-infra-test-models/chat/model.tar.gz"
    assert model["executionRoleArn"] == run.named("chat-role").outputs["arn"]


def test_security_group_has_no_ingress_and_no_internet_egress(declare):
    run = declare(make())
    group = run.one("aws:ec2/securityGroup:SecurityGroup").inputs
    assert group["vpcId"] == "vpc-1"
    assert not group.get("ingress") and not group.get("egress")
    assert run.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") == []
    [egress] = run.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
    assert egress.inputs["securityGroupId"] == run.id_of("chat-sg")
    assert (egress.inputs["ipProtocol"], egress.inputs["fromPort"], egress.inputs["toPort"]) == ("tcp", 443, 443)
    assert egress.inputs["cidrIpv4"] == "10.0.0.0/16"


def test_instance_type_from_the_catalog_and_initial_count_is_min(declare):
    run = declare(make(min_replicas=2, max_replicas=4))
    [variant] = run.one(CONFIG).inputs["productionVariants"]
    assert variant["instanceType"] == "ml.g6.xlarge"
    assert variant["initialInstanceCount"] == 2
    assert variant["modelName"] == run.one(MODEL).outputs["name"]
    endpoint = run.one("aws:sagemaker/endpoint:Endpoint").inputs
    assert endpoint["name"] == "ai-infra-test-chat"
    assert endpoint["endpointConfigName"] == run.one(CONFIG).outputs["name"]


def test_own_volume_key_where_the_instance_type_accepts_one(declare):
    run = declare(make(accelerator="aws-inferentia2"))
    key = run.named("chat-key")
    assert key.inputs["enableKeyRotation"] is True
    config = run.one(CONFIG).inputs
    assert config["productionVariants"][0]["instanceType"] == "ml.inf2.xlarge"
    assert config["kmsKeyArn"] == key.outputs["arn"]


def test_no_volume_key_on_instance_store_types_where_sagemaker_refuses_it(declare):
    # ml.g6 has local NVMe (hardware-encrypted); CreateEndpointConfig fails if KmsKeyId is set.
    run = declare(make(accelerator="nvidia-l4"))
    assert "kmsKeyArn" not in run.one(CONFIG).inputs
    # The only keys: the models bucket's and the endpoint log group's; no volume key.
    assert sorted(k.name for k in run.of_type("aws:kms/key:Key")) == ["chat-logs-key", "models-key"]


def test_autoscaling_between_min_and_max_on_invocations_per_instance(declare):
    run = declare(make(min_replicas=2, max_replicas=5, target_invocations_per_replica=70))
    target = run.one("aws:appautoscaling/target:Target").inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (2, 5)
    assert target["serviceNamespace"] == "sagemaker"
    assert target["resourceId"] == "endpoint/ai-infra-test-chat/variant/primary"
    assert target["scalableDimension"] == "sagemaker:variant:DesiredInstanceCount"
    policy = run.one("aws:appautoscaling/policy:Policy").inputs
    assert policy["policyType"] == "TargetTrackingScaling"
    assert policy["resourceId"] == target["resourceId"]
    tracking = policy["targetTrackingScalingPolicyConfiguration"]
    assert tracking["predefinedMetricSpecification"]["predefinedMetricType"] == "SageMakerVariantInvocationsPerInstance"
    assert tracking["targetValue"] == 70


def test_role_trusts_sagemaker_for_this_account_only(declare):
    role = declare(make()).named("chat-role").inputs
    [statement] = json.loads(role["assumeRolePolicy"])["Statement"]
    assert statement["Principal"] == {"Service": "sagemaker.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}


def test_role_reads_exactly_the_model_object_and_pulls_exactly_its_repository(declare):
    run = declare(make())
    statements = {s["Sid"]: s for s in _execution_policy(run)["Statement"]}
    assert statements["ReadModelArtifact"]["Action"] == ["s3:GetObject"]
    assert statements["ReadModelArtifact"]["Resource"] == ["arn:aws:s3:::ai-infra-test-models/chat/model.tar.gz"]
    assert statements["PullServingImage"]["Resource"] == [
        "arn:aws:ecr:us-east-1:763104351884:repository/huggingface-pytorch-tgi-inference"
    ]
    assert statements["UseBucketKey"] == {
        "Sid": "UseBucketKey",
        "Effect": "Allow",
        "Action": ["kms:Decrypt"],
        "Resource": [run.named("models-key").outputs["arn"]],
    }
    assert statements["WriteOwnLogs"]["Resource"] == [
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/ai-infra-test-chat",
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/ai-infra-test-chat:log-stream:*",
    ]
    assert "WriteDataCapture" not in statements


def test_interfaces_only_in_the_endpoint_subnets_and_security_group(declare):
    statements = {s["Sid"]: s for s in _execution_policy(declare(make()))["Statement"]}
    resources = set(statements["CreateInterfacesInOwnSubnets"]["Resource"])
    [security_group] = [r for r in resources if ":security-group/" in r]
    assert re.fullmatch(r"arn:aws:ec2:us-east-1:123456789012:security-group/sg-[0-9a-f]+", security_group)
    assert resources - {security_group} == {
        "arn:aws:ec2:us-east-1:123456789012:network-interface/*",
        "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-a",
        "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-b",
    }
    assert statements["ManageOwnInterfaces"]["Resource"] == ["arn:aws:ec2:us-east-1:123456789012:network-interface/*"]
    # `network-interface/*` is every interface of the account: the condition holds both to the VPC.
    own_vpc = {"StringEquals": {"ec2:Vpc": "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-1"}}
    assert statements["CreateInterfacesInOwnSubnets"]["Condition"] == own_vpc
    assert statements["ManageOwnInterfaces"]["Condition"] == own_vpc


def test_no_wildcard_actions_and_star_resources_only_where_iam_requires(declare):
    run = declare(make(data_capture=True))
    assert assert_no_wildcards(run) == 4  # role trust, execution policy, the bucket's TLS policy, the log key
    [(_, policy)] = [(r, d) for r, d in policy_documents(run) if r.name == "chat-role-policy"]
    star = sorted(s["Sid"] for s in policy["Statement"] if s["Resource"] == "*")
    assert star == ["DescribeVpc", "EcrLogin", "PublishEndpointMetrics"]


def test_data_capture_writes_only_under_its_prefix_with_the_bucket_key(declare):
    assert "dataCaptureConfig" not in declare(make()).one(CONFIG).inputs
    run = declare(make(data_capture=True, data_capture_percent=25))
    capture = run.one(CONFIG).inputs["dataCaptureConfig"]
    assert capture["enableCapture"] is True
    assert capture["initialSamplingPercentage"] == 25
    assert capture["destinationS3Uri"] == "s3://ai-infra-test-models/data-capture/ai-infra-test-chat"
    assert capture["kmsKeyId"] == run.named("models-key").outputs["arn"]
    statements = {s["Sid"]: s for s in _execution_policy(run)["Statement"]}
    assert statements["WriteDataCapture"]["Resource"] == [
        "arn:aws:s3:::ai-infra-test-models/data-capture/ai-infra-test-chat/*"
    ]
    assert statements["UseBucketKey"]["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]


def test_container_logs_are_retained(declare):
    group = declare(make(log_retention_days=14)).named("chat-logs").inputs
    assert group["name"] == "/aws/sagemaker/Endpoints/ai-infra-test-chat"
    assert group["retentionInDays"] == 14


def test_prod_key_is_protected_but_the_model_stays_replaceable(declare):
    run = declare(make(accelerator="aws-inferentia2", protect=True))
    key = run.named("chat-key")
    assert key.protect and key.retain_on_delete
    # A rollout replaces the model; protecting it would make every new image fail to deploy.
    model = run.one(MODEL)
    assert not model.protect and not model.retain_on_delete


def test_every_taggable_child_carries_the_tags(declare):
    run = declare(make(accelerator="aws-inferentia2"))
    component = run.one("ai-infra:aws:ModelEndpoint")
    children = [r for r in run.children_of(component.urn) if is_taggable(r.type)]
    assert len(children) == 10  # + the log group's KMS key
    for record in children:
        assert TAGS.items() <= record.inputs["tags"].items(), record.name


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"min_replicas": 0}, "replicas"),
        ({"min_replicas": 3, "max_replicas": 2}, "replicas"),
        ({"image": "docker.io/library/nginx:latest"}, "ECR"),
        ({"machine_type": "ml.g5.xlarge"}, "nvidia-a10g"),
    ],
)
def test_refuses_what_sagemaker_would_refuse(declare, overrides, message):
    with pytest.raises(ValueError, match=message):
        declare(make(**overrides))


@pytest.mark.parametrize(
    ("image", "arn"),
    [
        (IMAGE, "arn:aws:ecr:us-east-1:763104351884:repository/huggingface-pytorch-tgi-inference"),
        (
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/server@sha256:abc",
            "arn:aws:ecr:eu-west-1:123456789012:repository/team/server",
        ),
        ("ghcr.io/org/server:1", None),
    ],
)
def test_ecr_repository_arn(image, arn):
    assert ecr_repository_arn(image) == arn
