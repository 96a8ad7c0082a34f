"""The dev and prod stacks' AWS part, run from Pulumi.<stack>.yaml under mocks: what they
contain, how stateful resources are protected, tags everywhere, and dev costs nothing idle."""

from __future__ import annotations

import pytest

from catalog import stateful_types
from tests.components.aws.iam_documents import assert_no_wildcards
from tests.components.aws.taggable import is_taggable

COUNTS = {
    "dev": {
        "aws:ec2/vpc:Vpc": 1,
        "aws:ec2/subnet:Subnet": 4,
        "aws:ec2/natGateway:NatGateway": 1,
        "aws:ec2/eip:Eip": 1,
        "aws:ec2/internetGateway:InternetGateway": 1,
        "aws:ec2/routeTable:RouteTable": 3,
        "aws:ec2/flowLog:FlowLog": 1,
        "aws:ec2/vpcEndpoint:VpcEndpoint": 1,
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": 1,
        "aws:eks/cluster:Cluster": 1,
        "aws:eks/nodeGroup:NodeGroup": 2,
        "aws:ec2/launchTemplate:LaunchTemplate": 2,
        "aws:ec2/placementGroup:PlacementGroup": 0,
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider": 1,
        "aws:iam/role:Role": 6,
        "aws:kms/key:Key": 10,  # + node volumes and three log groups (cluster, flow logs, endpoint)
        "aws:s3/bucket:Bucket": 3,
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 3,
        "aws:s3/bucketLogging:BucketLogging": 0,
        "aws:cloudwatch/logGroup:LogGroup": 3,
        "aws:sagemaker/model:Model": 1,
        "aws:sagemaker/endpointConfiguration:EndpointConfiguration": 1,
        "aws:sagemaker/endpoint:Endpoint": 1,
        "aws:appautoscaling/target:Target": 1,
        # Asynchronous endpoint: target tracking on the queue and a step policy that wakes it from zero.
        "aws:appautoscaling/policy:Policy": 2,
        "aws:budgets/budget:Budget": 1,
        "ai-infra:aws:GpuNodePool": 1,
        "ai-infra:aws:WorkloadIdentity": 1,
        "ai-infra:aws:GpuPlatform": 1,
        "ai-infra:aws:ClusterAutoscaler": 1,
        "aws:eks/podIdentityAssociation:PodIdentityAssociation": 1,
        "aws:eks/addon:Addon": 1,
        # One node-template tag per label (3), taint (1) and extended resource (1) of the pool.
        "aws:autoscaling/tag:Tag": 5,
    },
    "prod": {
        "aws:ec2/vpc:Vpc": 1,
        "aws:ec2/subnet:Subnet": 6,
        "aws:ec2/natGateway:NatGateway": 3,
        "aws:ec2/eip:Eip": 3,
        "aws:ec2/internetGateway:InternetGateway": 1,
        "aws:ec2/routeTable:RouteTable": 4,
        "aws:ec2/flowLog:FlowLog": 1,
        "aws:ec2/vpcEndpoint:VpcEndpoint": 1,
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": 1,
        "aws:eks/cluster:Cluster": 1,
        "aws:eks/nodeGroup:NodeGroup": 3,
        "aws:ec2/launchTemplate:LaunchTemplate": 3,
        "aws:ec2/placementGroup:PlacementGroup": 1,
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider": 1,
        # DR (dr_region us-west-2): a replica, its key and a replication role per configured bucket,
        # plus an access-log bucket in the DR region; and the batch path's model, state machine and
        # EventBridge roles; the FSx CSI driver's role and the file system's key.
        "aws:iam/role:Role": 14,
        "aws:kms/key:Key": 14,
        "aws:s3/bucket:Bucket": 8,
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 8,
        "aws:s3/bucketLogging:BucketLogging": 6,
        "aws:s3/bucketReplicationConfig:BucketReplicationConfig": 3,
        "aws:cloudwatch/logGroup:LogGroup": 3,
        "aws:sagemaker/model:Model": 2,
        "aws:sagemaker/endpointConfiguration:EndpointConfiguration": 1,
        "aws:sagemaker/endpoint:Endpoint": 1,
        "aws:appautoscaling/target:Target": 1,
        "aws:appautoscaling/policy:Policy": 1,
        "aws:budgets/budget:Budget": 1,
        "ai-infra:aws:GpuNodePool": 2,
        "ai-infra:aws:WorkloadIdentity": 2,
        "ai-infra:aws:GpuPlatform": 1,
        "ai-infra:aws:ClusterAutoscaler": 1,
        "aws:eks/podIdentityAssociation:PodIdentityAssociation": 1,
        "aws:eks/addon:Addon": 2,  # Pod Identity agent, FSx CSI driver
        # train: 3 labels, 1 taint, GPUs + EFA; inference: 3 labels, 1 taint, GPUs.
        "aws:autoscaling/tag:Tag": 11,
    },
}
AWS_STATEFUL = stateful_types()["aws"]


def aws_resources(run):
    return [r for r in run.resources if r.type.startswith("aws:")]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_resource_counts_per_type(stack_run, stack):
    run = stack_run(stack)
    counts = {type_: len(run.of_type(type_)) for type_ in COUNTS[stack]}
    assert counts == COUNTS[stack]


def test_prod_stateful_resources_are_protected_and_retained(stack_run):
    stateful = [r for r in stack_run("prod").resources if r.type in AWS_STATEFUL]
    assert {r.type for r in stateful} == AWS_STATEFUL
    for record in stateful:
        assert record.protect and record.retain_on_delete, f"{record.type} {record.name}"
    assert stack_run("prod").one("aws:eks/cluster:Cluster").inputs["deletionProtection"] is True


def test_prod_protects_only_stateful_resources(stack_run):
    protected = {r.type for r in aws_resources(stack_run("prod")) if r.protect}
    assert protected <= AWS_STATEFUL


def test_dev_protects_nothing_and_buckets_are_force_destroyable(stack_run):
    run = stack_run("dev")
    assert [r.name for r in run.resources if r.protect or r.retain_on_delete] == []
    assert all(b.inputs["forceDestroy"] is True for b in run.of_type("aws:s3/bucket:Bucket"))
    assert run.one("aws:eks/cluster:Cluster").inputs["deletionProtection"] is False


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_taggable_aws_resource_carries_the_environment_tags(stack_run, stack):
    run = stack_run(stack)
    expected = {
        "environment": stack,
        "owner": "ml-platform",
        "cost-center": "cc-ml-1001",
        "managed-by": "pulumi",
        "project": "ai-infra",
    }
    taggable = [r for r in aws_resources(run) if is_taggable(r.type)]
    assert len(taggable) > 40
    missing = [f"{r.type} {r.name}" for r in taggable if not expected.items() <= (r.inputs.get("tags") or {}).items()]
    assert missing == []


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_aws_resource_uses_the_explicit_regional_provider(stack_run, stack):
    run = stack_run(stack)
    providers = {r.name: r for r in run.resources if r.type == "pulumi:providers:aws"}
    # Prod has a second provider for disaster recovery (dr_region); dev has none.
    assert {name: p.inputs["region"] for name, p in providers.items()} == (
        {"aws": "us-east-1", "aws-dr": "us-west-2"} if stack == "prod" else {"aws": "us-east-1"}
    )
    for record in aws_resources(run):
        # The replicas and the DR access-log bucket live in the DR region; roles and rules do not.
        in_dr_region = "-dr-replica-" in record.name or "access-logs-dr-" in record.name
        assert record.provider == providers["aws-dr" if in_dr_region else "aws"].urn, record.name


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_no_wildcards_in_any_iam_policy(stack_run, stack):
    assert assert_no_wildcards(stack_run(stack)) >= 10


def test_dev_gpu_pool_scales_to_zero_on_spot(stack_run):
    run = stack_run("dev")
    [pool] = [g for g in run.of_type("aws:eks/nodeGroup:NodeGroup") if g.inputs["labels"]["ai-infra/pool"] == "l4"]
    assert pool.inputs["capacityType"] == "SPOT"
    assert pool.inputs["scalingConfig"]["minSize"] == 0
    assert pool.inputs["scalingConfig"]["desiredSize"] == 0
    assert pool.inputs["instanceTypes"] == ["g6.xlarge"]


def test_prod_training_pool_is_multi_node_h100_with_efa_in_one_zone(stack_run):
    run = stack_run("prod")
    groups = {g.inputs["labels"]["ai-infra/pool"]: g.inputs for g in run.of_type("aws:eks/nodeGroup:NodeGroup")}
    train = groups["train"]
    assert train["instanceTypes"] == ["p5.48xlarge"]
    assert train["capacityType"] == "ON_DEMAND"
    assert train["scalingConfig"]["minSize"] == 0
    assert train["subnetIds"] == [run.id_of("prod-network-private-us-east-1a")]
    template = run.named("prod-train-lt").inputs
    assert template["networkInterfaces"][0]["interfaceType"] == "efa"
    assert groups["inference"]["instanceTypes"] == ["g6e.2xlarge"]
    assert len(groups["inference"]["subnetIds"]) == 3


def test_prod_endpoint_keeps_two_replicas_or_more(stack_run):
    target = stack_run("prod").one("aws:appautoscaling/target:Target").inputs
    assert target["minCapacity"] >= 2
    [variant] = (
        stack_run("prod").one("aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs["productionVariants"]
    )
    assert variant["initialInstanceCount"] >= 2


def test_buckets_carry_their_expected_size_for_the_cost_estimator(stack_run):
    sizes = {
        b.inputs["tags"]["purpose"]: b.inputs["tags"].get("ai-infra-expected-size-gib")
        for b in stack_run("dev").of_type("aws:s3/bucket:Bucket")
    }
    assert sizes == {"datasets": "500", "models": "100", "checkpoints": "200"}


def test_prod_access_logs_go_to_a_dedicated_log_bucket(stack_run):
    run = stack_run("prod")
    targets = {r.name: r.inputs["targetBucket"] for r in run.of_type("aws:s3/bucketLogging:BucketLogging")}
    # S3 delivers access logs within a region: DR replicas log to a log bucket in the DR region.
    for name, target in targets.items():
        in_dr_region = "-dr-" in name
        expected = (
            "ai-infra-prod-access-logs-dr-123456789012" if in_dr_region else "ai-infra-prod-access-logs-123456789012"
        )
        assert target == expected, name
    assert len(targets) == 6


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stack_outputs(stack_run, stack):
    run = stack_run(stack)
    assert run.outputs["aws_cluster_name"] == f"ai-infra-{stack}"
    assert "aws_kubeconfig" in run.secret_outputs
    assert run.outputs["aws_bucket_names"]["models"] == f"ai-infra-{stack}-models-123456789012"
    assert run.outputs["aws_endpoint_names"] == {"chat": f"ai-infra-{stack}-chat"}
