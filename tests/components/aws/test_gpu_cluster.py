"""ai-infra:aws:GpuCluster: a private, encrypted, logged EKS control plane with IRSA and a small
CPU system node group on hardened nodes."""

from __future__ import annotations

import json
import re

import pulumi
import pytest

from components.aws import GpuCluster, GpuClusterArgs
from tests.components.aws.taggable import is_taggable

TAGS = {"environment": "test", "owner": "ml", "cost-center": "cc-1"}
CLUSTER = "aws:eks/cluster:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
SUBNETS = ["subnet-a", "subnet-b"]
MANAGED = "arn:aws:iam::aws:policy/"


def make(export: bool = False, **overrides):
    args = {
        "cluster_name": "ai-infra-test",
        "version": "1.35",
        "region": "eu-west-1",
        "subnet_ids": SUBNETS,
        "tags": TAGS,
        **overrides,
    }

    def program():
        cluster = GpuCluster("gpu", GpuClusterArgs(**args))
        if export:
            pulumi.export("kubeconfig", cluster.kubeconfig)
            pulumi.export("oidc_provider_arn", cluster.oidc_provider_arn)
            pulumi.export("oidc_issuer", cluster.oidc_issuer)
            pulumi.export("cluster_name", cluster.cluster_name)

    return program


def test_api_endpoint_is_private_by_default(declare):
    vpc = declare(make()).one(CLUSTER).inputs["vpcConfig"]
    assert vpc["endpointPrivateAccess"] is True
    assert vpc["endpointPublicAccess"] is False
    assert "publicAccessCidrs" not in vpc
    assert vpc["subnetIds"] == SUBNETS


def test_public_endpoint_only_with_the_listed_cidrs(declare):
    vpc = declare(make(public_access_cidrs=["203.0.113.0/24"])).one(CLUSTER).inputs["vpcConfig"]
    assert vpc["endpointPublicAccess"] is True
    assert vpc["endpointPrivateAccess"] is True
    assert vpc["publicAccessCidrs"] == ["203.0.113.0/24"]


def test_secrets_are_envelope_encrypted_with_an_own_rotating_key(declare):
    run = declare(make())
    key = run.named("gpu-secrets-key")
    assert key.inputs["enableKeyRotation"] is True
    assert re.fullmatch(r"arn:aws:kms:us-east-1:123456789012:key/[0-9a-f-]{36}", key.outputs["arn"])
    encryption = run.one(CLUSTER).inputs["encryptionConfig"]
    assert encryption["resources"] == ["secrets"]
    assert encryption["provider"]["keyArn"] == key.outputs["arn"]


def test_control_plane_logs_go_to_a_retained_log_group_created_first(declare):
    run = declare(make(log_retention_days=30))
    cluster = run.one(CLUSTER)
    assert {"api", "audit", "authenticator"} <= set(cluster.inputs["enabledClusterLogTypes"])
    group = run.one("aws:cloudwatch/logGroup:LogGroup")
    assert group.inputs["name"] == "/aws/eks/ai-infra-test/cluster"
    assert group.inputs["retentionInDays"] == 30
    assert group.urn in cluster.dependencies


def test_control_plane_logs_are_encrypted_with_a_key_only_cloudwatch_logs_of_this_group_may_use(declare):
    run = declare(make())
    key = run.named("gpu-logs-key")
    assert run.one("aws:cloudwatch/logGroup:LogGroup").inputs["kmsKeyId"] == key.outputs["arn"]
    statements = {s["Sid"]: s for s in json.loads(key.inputs["policy"])["Statement"]}
    logs = statements["CloudWatchLogsEncryptsThisLogGroup"]
    assert logs["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    assert logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"].endswith(
        ":log-group:/aws/eks/ai-infra-test/cluster"
    )
    assert not any(a == "kms:*" for a in logs["Action"])


def test_node_volumes_are_encrypted_with_a_key_auto_scaling_may_use(declare):
    run = declare(make())
    key = run.named("gpu-node-volumes-key")
    assert key.inputs["enableKeyRotation"] is True
    statements = {s["Sid"]: s for s in json.loads(key.inputs["policy"])["Statement"]}
    grant = statements["AutoScalingAttachesNodeVolumes"]
    assert grant["Principal"]["AWS"].endswith(
        ":role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
    )
    assert grant["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}
    ebs = run.one("aws:ec2/launchTemplate:LaunchTemplate").inputs["blockDeviceMappings"][0]["ebs"]
    assert ebs["encrypted"] == "true" and ebs["kmsKeyId"] == key.outputs["arn"]


def test_pinned_version_api_auth_and_standard_support(declare):
    inputs = declare(make(version="1.34")).one(CLUSTER).inputs
    assert inputs["version"] == "1.34"
    assert inputs["name"] == "ai-infra-test"
    assert inputs["accessConfig"]["authenticationMode"] == "API"
    assert inputs["upgradePolicy"] == {"supportType": "STANDARD"}


def test_service_cidr_only_when_configured(declare):
    assert "kubernetesNetworkConfig" not in declare(make()).one(CLUSTER).inputs
    inputs = declare(make(service_cidr="172.20.0.0/16")).one(CLUSTER).inputs
    assert inputs["kubernetesNetworkConfig"] == {"serviceIpv4Cidr": "172.20.0.0/16"}


def test_prod_cluster_is_deletion_protected_and_retained(declare):
    run = declare(make(protect=True))
    cluster = run.one(CLUSTER)
    assert cluster.inputs["deletionProtection"] is True
    for record in (cluster, *run.of_type("aws:kms/key:Key")):
        assert record.protect and record.retain_on_delete, record.name


def test_dev_cluster_can_be_torn_down(declare):
    run = declare(make(protect=False))
    cluster = run.one(CLUSTER)
    assert cluster.inputs["deletionProtection"] is False
    assert not any(r.protect or r.retain_on_delete for r in run.resources)


def _attached(run, role_name):
    return {
        r.inputs["policyArn"]
        for r in run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if r.inputs["role"] == run.id_of(role_name)
    }


def test_roles_get_only_the_aws_managed_policies_eks_requires(declare):
    run = declare(make())
    roles = {r.name: json.loads(r.inputs["assumeRolePolicy"]) for r in run.of_type("aws:iam/role:Role")}
    assert roles["gpu-control-plane-role"]["Statement"][0]["Principal"] == {"Service": "eks.amazonaws.com"}
    assert roles["gpu-node-role"]["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    assert _attached(run, "gpu-control-plane-role") == {f"{MANAGED}AmazonEKSClusterPolicy"}
    assert _attached(run, "gpu-node-role") == {
        f"{MANAGED}AmazonEKSWorkerNodePolicy",
        f"{MANAGED}AmazonEKS_CNI_Policy",
        f"{MANAGED}AmazonEC2ContainerRegistryReadOnly",
    }
    # No policies of our own on cluster or nodes, hence no inline wildcards.
    assert run.of_type("aws:iam/rolePolicy:RolePolicy") == []
    assert run.of_type("aws:iam/policy:Policy") == []


def test_oidc_provider_for_irsa_trusts_sts_audience(declare):
    run = declare(make(export=True))
    provider = run.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    [identity] = run.one(CLUSTER).outputs["identities"]
    issuer = identity["oidcs"][0]["issuer"]
    assert re.fullmatch(r"https://oidc\.eks\.us-east-1\.amazonaws\.com/id/[0-9A-F]{32}", issuer)
    assert provider.inputs["url"] == issuer, "trusts this cluster's issuer"
    assert provider.inputs["clientIdLists"] == ["sts.amazonaws.com"]
    assert run.outputs["oidc_issuer"] == issuer
    assert run.outputs["oidc_provider_arn"] == provider.outputs["arn"]
    assert provider.outputs["arn"] == f"arn:aws:iam::123456789012:oidc-provider/{issuer.removeprefix('https://')}"
    assert run.outputs["cluster_name"] == "ai-infra-test"


def test_system_node_group_is_small_on_demand_cpu_on_hardened_nodes(declare):
    run = declare(make(system_instance_type="m6i.large", system_nodes=2))
    group = run.one(NODE_GROUP)
    assert group.inputs["instanceTypes"] == ["m6i.large"]
    assert group.inputs["capacityType"] == "ON_DEMAND"
    assert group.inputs["amiType"] == "AL2023_x86_64_STANDARD"
    assert group.inputs["scalingConfig"] == {"minSize": 2, "desiredSize": 2, "maxSize": 4}
    assert group.inputs["nodeRoleArn"] == run.named("gpu-node-role").outputs["arn"]
    assert "taints" not in group.inputs
    assert group.inputs["nodeRepairConfig"] == {"enabled": True}
    template = run.one("aws:ec2/launchTemplate:LaunchTemplate")
    assert group.inputs["launchTemplate"] == {"id": run.id_of(template.name), "version": "1"}
    assert template.inputs["metadataOptions"]["httpTokens"] == "required"
    assert template.inputs["metadataOptions"]["httpPutResponseHopLimit"] == 1
    ebs = template.inputs["blockDeviceMappings"][0]["ebs"]
    assert (ebs["volumeType"], ebs["encrypted"]) == ("gp3", "true")


def test_kubeconfig_is_a_secret_that_uses_aws_eks_get_token(declare):
    run = declare(make(export=True))
    assert "kubeconfig" in run.secret_outputs
    captured: dict = {}

    def program():
        cluster = GpuCluster(
            "gpu", GpuClusterArgs(cluster_name="ai-infra-test", version="1.35", region="eu-west-1", subnet_ids=SUBNETS)
        )
        cluster.kubeconfig.apply(lambda k: captured.setdefault("kubeconfig", k))

    program_run = declare(program)
    config = json.loads(captured["kubeconfig"])
    [user] = config["users"]
    assert set(user["user"]) == {"exec"}, "no token, password or client key in the kubeconfig"
    assert user["user"]["exec"]["command"] == "aws"
    assert user["user"]["exec"]["args"] == [
        "--region",
        "eu-west-1",
        "eks",
        "get-token",
        "--cluster-name",
        "ai-infra-test",
        "--output",
        "json",
    ]
    [cluster] = config["clusters"]
    assert cluster["cluster"]["server"] == program_run.one(CLUSTER).outputs["endpoint"]


def test_every_taggable_child_carries_the_tags(declare):
    run = declare(make())
    taggable = [r for r in run.resources if r.custom and is_taggable(r.type)]
    assert {r.type for r in taggable} >= {CLUSTER, NODE_GROUP, "aws:kms/key:Key", "aws:iam/role:Role"}
    for record in taggable:
        assert TAGS.items() <= record.inputs.get("tags", {}).items(), record.name


@pytest.mark.parametrize("log_types", [["api", "audit", "authenticator", "controllerManager", "scheduler"]])
def test_log_types_can_be_widened(declare, log_types):
    cluster = declare(make(log_types=log_types)).one(CLUSTER)
    assert cluster.inputs["enabledClusterLogTypes"] == log_types
