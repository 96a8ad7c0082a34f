"""ai-infra:alicloud:FunctionEndpoint: a Function Compute GPU function in the VPC, no internet, no
trigger, no warm instances unless asked, a role that reads only the model bucket."""

from __future__ import annotations

import json

from components.alicloud import Bucket, BucketArgs
from components.alicloud.function_endpoint import FunctionEndpoint, FunctionEndpointArgs

FUNCTION = "alicloud:fc/v3Function:V3Function"
PROVISION = "alicloud:fc/v3ProvisionConfig:V3ProvisionConfig"
CONCURRENCY = "alicloud:fc/v3ConcurrencyConfig:V3ConcurrencyConfig"
TRIGGER = "alicloud:fc/v3Trigger:V3Trigger"


def make(**overrides):
    def program():
        models = Bucket("models", BucketArgs(bucket_name="ai-infra-test-models", purpose="models"))
        values = {
            "function_name": "ai-infra-test-chat",
            "region": "ap-southeast-1",
            "image": "registry-vpc.ap-southeast-1.aliyuncs.com/ml/vllm:0.6.3",
            "port": 8000,
            "command": ("vllm", "serve", "/mnt/model"),
            "model_bucket": models,
            "model_key": "chat/",
            "vpc_id": "vpc-1",
            "vswitch_ids": ["vsw-a", "vsw-b"],
            "security_group_id": "sg-1",
            "gpu_type": "fc.gpu.ampere.1",
            "gpu_memory_mb": 24576,
            "cpu": 4,
            "memory_mb": 16384,
            "max_instances": 2,
            **overrides,
        }
        FunctionEndpoint("chat", FunctionEndpointArgs(**values))

    return program


def test_gpu_function_in_the_vpc_without_internet_or_trigger(declare):
    run = declare(make())
    function = run.one(FUNCTION).inputs
    assert function["gpuConfig"] == {"gpuType": "fc.gpu.ampere.1", "gpuMemorySize": 24576}
    assert function["internetAccess"] is False
    assert function["vpcConfig"] == {"vpcId": "vpc-1", "vswitchIds": ["vsw-a", "vsw-b"], "securityGroupId": "sg-1"}
    assert function["customContainerConfig"]["commands"] == ["vllm", "serve", "/mnt/model"]
    assert not run.of_type(TRIGGER)


def test_scales_to_zero_with_a_capped_number_of_instances(declare):
    run = declare(make())
    assert not run.of_type(PROVISION)
    assert run.one(CONCURRENCY).inputs["reservedConcurrency"] == 2


def test_warm_instances_are_an_explicit_provision_config(declare):
    run = declare(make(min_instances=1))
    assert run.one(PROVISION).inputs["target"] == 1


def test_model_is_mounted_read_only_and_the_role_only_reads_its_bucket(declare):
    run = declare(make())
    (mount,) = run.one(FUNCTION).inputs["ossMountConfig"]["mountPoints"]
    assert mount["readOnly"] is True and mount["bucketPath"] == "/chat"
    assert mount["endpoint"] == "http://oss-ap-southeast-1-internal.aliyuncs.com"
    document = json.loads(run.named("chat-policy").inputs["policyDocument"])
    resources = {r for s in document["Statement"] for r in s["Resource"]}
    assert all("ai-infra-test-models" in r or ":kms:" in r for r in resources), resources
    trust = json.loads(run.named("chat-role").inputs["assumeRolePolicyDocument"])
    assert trust["Statement"][0]["Principal"] == {"Service": ["fc.aliyuncs.com"]}
