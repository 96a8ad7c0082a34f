"""The fake clouds' answers in the update phase: ids, outputs and invoke results in each provider's
real shape, with the account, project, subscription and region of the stack's config."""

from __future__ import annotations

import re
from typing import Any

import pytest

from preflight.fakes import Fakes, World
from preflight.wire import UNKNOWN

CONFIG = {
    "aws:region": "eu-west-1",
    "gcp:project": "acme-dev",
    "gcp:region": "us-west1",
    "gcp:zone": "us-west1-b",
    "azure-native:subscriptionId": "2f6a1c3e-8b4d-4e9a-9c1b-5d7e0f3a2b61",
    "alicloud:region": "cn-hangzhou",
}
ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def fakes() -> Fakes:
    return Fakes(World(CONFIG))


def create(fakes: Fakes, token: str, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(id, what the program reads) of a resource after `pulumi up`."""
    where = fakes.where(token, None)
    checked = fakes.checked_inputs(token, name, inputs)
    id_, state = fakes.created(token, name, checked, where)
    return id_, fakes.as_program_sees(token, name, state, where)


def invoke(fakes: Fakes, token: str, args: dict[str, Any]) -> dict[str, Any] | None:
    return fakes.invoke(token, args, fakes.where(token, None))


# -- nested outputs ---------------------------------------------------------------------------------
def test_nested_outputs_are_filled_not_none(fakes: Fakes) -> None:
    """A value the provider computes inside an object the program passed (a GCE access config's
    NAT address) is there after the update, never None."""
    _, seen = create(
        fakes,
        "gcp:compute/instance:Instance",
        "vm",
        {"machineType": "e2-small", "networkInterfaces": [{"subnetwork": "default", "accessConfigs": [{}]}]},
    )
    nic = seen["networkInterfaces"][0]
    assert re.fullmatch(r"203\.0\.113\.\d+", nic["accessConfigs"][0]["natIp"])
    assert nic["networkIp"].startswith("10.128.")
    assert all(value is not None for value in nic.values())


def test_nested_outputs_of_an_invoke_are_filled() -> None:
    from pulumi_alicloud.ecs.get_images import GetImagesResult

    from preflight.fakes.shapes import fill_result

    filled = fill_result(GetImagesResult, {"images": [{"id": "img"}]}, lambda prop: f"x-{prop}")
    image = filled["images"][0]
    assert image["id"] == "img"
    assert image["osType"] == "x-osType" and image["size"] == 0 and image["diskDeviceMappings"]


# -- AWS --------------------------------------------------------------------------------------------
def test_aws_instance_in_the_default_vpc_gets_public_addresses(fakes: Fakes) -> None:
    id_, seen = create(fakes, "aws:ec2/instance:Instance", "web", {"ami": "ami-1", "instanceType": "t3.micro"})
    assert re.fullmatch(r"i-[0-9a-f]{17}", id_)
    assert re.fullmatch(r"198\.51\.100\.\d+", seen["publicIp"])
    assert seen["publicDns"] == f"ec2-{seen['publicIp'].replace('.', '-')}.eu-west-1.compute.amazonaws.com"
    assert seen["privateDns"].endswith(".eu-west-1.compute.internal")
    assert seen["arn"] == f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/{id_}"


def test_aws_instance_in_a_subnet_has_no_public_address_unless_asked(fakes: Fakes) -> None:
    _, private = create(fakes, "aws:ec2/instance:Instance", "app", {"subnetId": "subnet-1"})
    _, public = create(
        fakes, "aws:ec2/instance:Instance", "bastion", {"subnetId": "subnet-1", "associatePublicIpAddress": True}
    )
    assert (private["publicIp"], private["publicDns"]) == ("", "")
    assert public["publicIp"].startswith("198.51.100.")


def test_aws_api_stages_have_invoke_urls_and_execution_arns(fakes: Fakes) -> None:
    _, rest = create(fakes, "aws:apigateway/stage:Stage", "prod", {"restApi": "a1b2c3", "stageName": "prod"})
    assert rest["invokeUrl"] == "https://a1b2c3.execute-api.eu-west-1.amazonaws.com/prod"
    assert rest["executionArn"] == f"arn:aws:execute-api:eu-west-1:{ACCOUNT}:a1b2c3/prod"
    _, http = create(fakes, "aws:apigatewayv2/stage:Stage", "live", {"apiId": "d4e5f6", "name": "live"})
    assert http["invokeUrl"] == "https://d4e5f6.execute-api.eu-west-1.amazonaws.com/live"


def test_aws_route53_record_id_and_fqdn(fakes: Fakes) -> None:
    id_, seen = create(
        fakes, "aws:route53/record:Record", "www", {"zoneId": "Z123", "name": "www.example.com.", "type": "A"}
    )
    assert id_ == "Z123_www.example.com_A"
    assert seen["fqdn"] == "www.example.com"


def test_aws_dynamodb_table_arns(fakes: Fakes) -> None:
    _, streamed = create(fakes, "aws:dynamodb/table:Table", "t", {"name": "orders", "streamEnabled": True})
    assert streamed["arn"] == f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/orders"
    assert streamed["streamArn"].startswith(streamed["arn"] + "/stream/")
    _, plain = create(fakes, "aws:dynamodb/table:Table", "u", {"name": "users"})
    assert (plain["streamArn"], plain["streamLabel"]) == ("", "")


def test_aws_rds_instance_is_autonamed_and_has_an_endpoint(fakes: Fakes) -> None:
    id_, seen = create(fakes, "aws:rds/instance:Instance", "orders-db", {"engine": "postgres"})
    assert re.fullmatch(r"db-[0-9A-F]{26}", id_)
    assert re.fullmatch(r"orders-db-[0-9a-f]{7}", seen["identifier"])
    assert seen["endpoint"] == f"{seen['address']}:5432"
    assert seen["address"].endswith(".eu-west-1.rds.amazonaws.com")
    assert seen["arn"] == f"arn:aws:rds:eu-west-1:{ACCOUNT}:db:{seen['identifier']}"
    _, mysql = create(fakes, "aws:rds/instance:Instance", "shop", {"engine": "mysql", "identifier": "shop"})
    assert mysql["port"] == 3306 and mysql["identifier"] == "shop"


def test_aws_ids_of_node_groups_objects_and_subscriptions(fakes: Fakes) -> None:
    group_id, _ = create(fakes, "aws:eks/nodeGroup:NodeGroup", "nodes", {"clusterName": "prod"})
    assert re.fullmatch(r"prod:nodes-[0-9a-f]{7}", group_id)
    object_id, _ = create(fakes, "aws:s3/bucketObject:BucketObject", "index", {"bucket": "site", "key": "index.html"})
    assert object_id == "index.html"
    topic = f"arn:aws:sns:eu-west-1:{ACCOUNT}:orders"
    sub_id, sub = create(fakes, "aws:sns/topicSubscription:TopicSubscription", "s", {"topic": topic, "protocol": "sqs"})
    assert re.fullmatch(re.escape(topic) + r":[0-9a-f-]{36}", sub_id)
    assert sub["arn"] == sub_id


def test_aws_listener_arn_extends_its_load_balancer(fakes: Fakes) -> None:
    balancer, _ = create(fakes, "aws:lb/loadBalancer:LoadBalancer", "web", {"name": "web"})
    listener, seen = create(fakes, "aws:lb/listener:Listener", "http", {"loadBalancerArn": balancer, "port": 80})
    assert balancer == f"arn:aws:elasticloadbalancing:eu-west-1:{ACCOUNT}:loadbalancer/app/web/{balancer[-16:]}"
    assert re.fullmatch(re.escape(balancer.replace(":loadbalancer/", ":listener/")) + r"/[0-9a-f]{16}", listener)
    assert seen["arn"] == listener


# -- Google Cloud -----------------------------------------------------------------------------------
def test_gcp_instance_is_zonal_in_the_configured_project(fakes: Fakes) -> None:
    id_, seen = create(fakes, "gcp:compute/instance:Instance", "web", {"name": "web"})
    assert id_ == "projects/acme-dev/zones/us-west1-b/instances/web"
    assert seen["selfLink"] == f"https://www.googleapis.com/compute/v1/{id_}"


def test_gcp_bucket_object_links(fakes: Fakes) -> None:
    id_, seen = create(fakes, "gcp:storage/bucketObject:BucketObject", "readme", {"bucket": "b1", "name": "a.txt"})
    assert id_ == "b1-a.txt"
    assert seen["selfLink"] == "https://www.googleapis.com/storage/v1/b/b1/o/a.txt"
    assert seen["outputName"] == "a.txt"
    assert seen["mediaLink"].startswith("https://storage.googleapis.com/download/storage/v1/b/b1/o/a.txt?")


@pytest.mark.parametrize(
    ("token", "inputs", "expected"),
    [
        (
            "gcp:projects/iAMMember:IAMMember",
            {"project": "acme-dev", "role": "roles/viewer", "member": "user:a@example.com"},
            "acme-dev/roles/viewer/user:a@example.com",
        ),
        (
            "gcp:serviceaccount/iAMMember:IAMMember",
            {"serviceAccountId": "projects/acme-dev/serviceAccounts/ci@acme-dev.iam.gserviceaccount.com"}
            | {"role": "roles/iam.serviceAccountUser", "member": "group:ops@example.com"},
            "projects/acme-dev/serviceAccounts/ci@acme-dev.iam.gserviceaccount.com/roles/iam.serviceAccountUser/"
            "group:ops@example.com",
        ),
        (
            "gcp:cloudrunv2/serviceIamMember:ServiceIamMember",
            {"name": "hello", "location": "us-east1", "role": "roles/run.invoker", "member": "allUsers"},
            "projects/acme-dev/locations/us-east1/services/hello/roles/run.invoker/allUsers",
        ),
        (
            "gcp:container/nodePool:NodePool",
            {"cluster": "primary", "location": "europe-west4", "name": "pool"},
            "projects/acme-dev/locations/europe-west4/clusters/primary/nodePools/pool",
        ),
    ],
)
def test_gcp_ids_follow_the_provider(fakes: Fakes, token: str, inputs: dict[str, Any], expected: str) -> None:
    assert create(fakes, token, "r", inputs)[0] == expected


# -- Azure ------------------------------------------------------------------------------------------
SUBSCRIPTION = "/subscriptions/2f6a1c3e-8b4d-4e9a-9c1b-5d7e0f3a2b61"


def test_azure_inline_subnets_come_back_with_ids(fakes: Fakes) -> None:
    id_, seen = create(
        fakes,
        "azure-native:network:VirtualNetwork",
        "vnet",
        {"resourceGroupName": "rg1", "subnets": [{"name": "default", "addressPrefix": "10.0.1.0/24"}]},
    )
    assert id_.startswith(f"{SUBSCRIPTION}/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/vnet")
    assert seen["subnets"][0]["id"] == f"{id_}/subnets/default"
    assert seen["subnets"][0]["addressPrefix"] == "10.0.1.0/24"


@pytest.mark.parametrize(
    ("token", "segment"),
    [
        ("azure-native:web:AppServicePlan", "Microsoft.Web/serverfarms"),
        ("azure-native:web:WebApp", "Microsoft.Web/sites"),
    ],
)
def test_azure_web_ids_use_arm_type_names(fakes: Fakes, token: str, segment: str) -> None:
    id_, _ = create(fakes, token, "app", {"resourceGroupName": "rg1", "name": "app1"})
    assert id_ == f"{SUBSCRIPTION}/resourceGroups/rg1/providers/{segment}/app1"
    assert id_.split("/")[4] == "rg1"


# -- Alibaba Cloud ----------------------------------------------------------------------------------
def test_alicloud_images_match_the_name_regex(fakes: Fakes) -> None:
    found = invoke(fakes, "alicloud:ecs/getImages:getImages", {"nameRegex": "^ubuntu_22_04", "mostRecent": True})
    assert found is not None
    image = found["images"][0]
    assert image["id"] == "ubuntu_22_04_x64_20G_alibase_20260101.vhd"
    assert found["ids"] == [image["id"]] and image["osType"] == "linux"
    default = invoke(fakes, "alicloud:ecs/getImages:getImages", {})
    assert default is not None and default["images"][0]["id"].startswith("aliyun_3_x64")


def test_alicloud_instance_has_a_public_address_only_with_bandwidth(fakes: Fakes) -> None:
    _, public = create(fakes, "alicloud:ecs/instance:Instance", "web", {"internetMaxBandwidthOut": 5})
    _, private = create(fakes, "alicloud:ecs/instance:Instance", "db", {})
    assert re.fullmatch(r"198\.18\.\d+\.\d+", public["publicIp"])
    assert private["publicIp"] == "" and private["privateIp"].startswith("172.16.")
    assert UNKNOWN not in public.values()
