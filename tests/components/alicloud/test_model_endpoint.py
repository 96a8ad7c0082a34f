"""ai-infra:alicloud:ModelEndpoint: the EAS JSON service config is built from typed arguments and
parses back to exactly the VPC, instance type, replicas and autoscaling asked for."""

from __future__ import annotations

import json

import pytest

from components.alicloud import ModelEndpoint, ModelEndpointArgs, eas_instance_type

SERVICE = "alicloud:pai/service:Service"
TAGS = {"environment": "test", "owner": "ml"}


def make(**overrides):
    args = {
        "service_name": "test_chat",
        "instance_type": "ecs.gn7i-c8g1.2xlarge",
        "model_bucket": "ai-infra-test-models",
        "model_key": "chat/",
        "vpc_id": "vpc-1",
        "vswitch_id": "vsw-1",
        "security_group_id": "sg-1",
        "image": "registry-vpc.ap-southeast-1.aliyuncs.com/ml/vllm:0.6",
        "command": "vllm serve /mnt/model",
        "tags": TAGS,
        **overrides,
    }
    return lambda: ModelEndpoint("chat", ModelEndpointArgs(**args))


def service_config(run) -> dict:
    raw = run.one(SERVICE).inputs["serviceConfig"]
    assert isinstance(raw, str)
    return json.loads(raw)


def test_image_service_runs_in_the_vpc_on_the_catalog_instance_type(declare):
    config = service_config(declare(make()))
    assert config["metadata"] == {"name": "test_chat", "instance": 1}
    assert config["cloud"] == {
        "computing": {"instances": [{"type": "ecs.gn7i-c8g1.2xlarge"}]},
        "networking": {"vpc_id": "vpc-1", "vswitch_id": "vsw-1", "security_group_id": "sg-1"},
    }
    assert config["containers"] == [
        {
            "image": "registry-vpc.ap-southeast-1.aliyuncs.com/ml/vllm:0.6",
            "port": 8000,
            "script": "vllm serve /mnt/model",
        }
    ]
    assert config["storage"] == [
        {"oss": {"path": "oss://ai-infra-test-models/chat/", "readOnly": True}, "mount_path": "/mnt/model"}
    ]
    assert "autoscaler" not in config, "a fixed single replica has no autoscaler"


def test_autoscaling_between_min_and_max_on_qps(declare):
    config = service_config(declare(make(min_replicas=2, max_replicas=6, target_qps_per_replica=8.5)))
    assert config["metadata"]["instance"] == 2
    assert config["autoscaler"] == {"min": 2, "max": 6, "scaleStrategies": [{"metricName": "qps", "threshold": 8.5}]}


def test_processor_service_loads_the_model_path(declare):
    config = service_config(
        declare(make(image=None, command=None, processor="pytorch_gpu_1.10", model_key="chat/model.pt"))
    )
    assert config["processor"] == "pytorch_gpu_1.10"
    assert config["model_path"] == "oss://ai-infra-test-models/chat/model.pt"
    assert "containers" not in config and "storage" not in config


def test_service_tags_and_workspace(declare):
    run = declare(make(workspace_id="12345"))
    service = run.one(SERVICE).inputs
    assert service["tags"] == TAGS and service["workspaceId"] == "12345"
    assert service_config(run)["metadata"]["workspace_id"] == "12345"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"service_name": "Chat-1"}, "service name"),
        ({"processor": "pytorch_gpu_1.10"}, "exactly one"),
        ({"image": None, "command": None}, "exactly one"),
        ({"model_key": "chat/model.tar.gz"}, "end model_key with '/'"),
        ({"min_replicas": 0}, "min_replicas"),
        ({"min_replicas": 3, "max_replicas": 2}, "min_replicas"),
    ],
)
def test_invalid_arguments_are_refused(overrides, message):
    with pytest.raises(ValueError, match=message):
        make(**overrides)()


def test_eas_catalog_names_map_to_bare_instance_types():
    assert eas_instance_type("eas.ecs.gn7i-c8g1.2xlarge") == "ecs.gn7i-c8g1.2xlarge"
    with pytest.raises(ValueError, match="not an EAS catalog entry"):
        eas_instance_type("ecs.gn7i-c8g1.2xlarge")
