"""Cost rules: accelerators (C1-C4), log retention (C9), regions (C11), budgets, tags (C12) and the
estimate-based rules (C5, C6, C13). Known-good pools and endpoints on every cloud pass; one
changed field is reported on the resource (or, for stack totals, on the stack's URN)."""

from __future__ import annotations

import json

import pytest

from policies.framework import StackEnv
from policies.rules import workloads as w
from tests.policies.builders import (
    DELETE,
    ENV,
    TAGS,
    assert_compliant,
    assert_flags,
    changed,
    find,
    judge,
    res,
)

AWS_PROVIDER = res("pulumi:providers:aws", "aws", {"region": "us-east-1"})


def good_capacity():
    endpoint_config = res(
        w.AWS_ENDPOINT_CONFIG,
        "chat-config",
        {
            "name": "chat-config",
            "productionVariants": [{"variantName": "main", "instanceType": "ml.g6.xlarge", "initialInstanceCount": 1}],
        },
    )
    endpoint = res(
        w.AWS_ENDPOINT,
        "chat-endpoint",
        {"name": "chat", "endpointConfigName": "chat-config"},
        deps={"endpointConfigName": endpoint_config},
    )
    return [
        res(
            w.AWS_NODE_GROUP,
            "aws-l4",
            {
                "instanceTypes": ["g6.xlarge"],
                "capacityType": "SPOT",
                "scalingConfig": {"minSize": 0, "maxSize": 2, "desiredSize": 0},
            },
        ),
        res(
            w.AWS_NODE_GROUP,
            "aws-system",
            {
                "instanceTypes": ["m6i.large"],
                "capacityType": "ON_DEMAND",
                "scalingConfig": {"minSize": 2, "maxSize": 4},
            },
        ),
        res(
            w.GCP_NODE_POOL,
            "gcp-l4",
            {
                "nodeConfig": {"machineType": "g2-standard-4", "spot": True},
                "autoscaling": {"totalMinNodeCount": 0, "totalMaxNodeCount": 2},
            },
        ),
        res(
            w.AZURE_AGENT_POOL,
            "az-t4",
            {
                "vmSize": "Standard_NC4as_T4_v3",
                "enableAutoScaling": True,
                "minCount": 0,
                "maxCount": 2,
                "scaleSetPriority": "Spot",
            },
        ),
        res(
            w.ALICLOUD_NODE_POOL,
            "ali-a10",
            {
                "instanceTypes": ["ecs.gn7i-c8g1.2xlarge"],
                "scalingConfig": {"enable": True, "minSize": 0, "maxSize": 2},
                "spotStrategy": "SpotAsPriceGo",
            },
        ),
        res(w.GCP_TPU_VM, "tpu", {"acceleratorType": "v5litepod-8", "schedulingConfig": {"spot": True}}, protect=True),
        endpoint_config,
        endpoint,
        res(
            w.AWS_SCALING_TARGET,
            "chat-target",
            {
                "resourceId": "endpoint/chat/variant/main",
                "minCapacity": 0,
                "maxCapacity": 2,
                "serviceNamespace": "sagemaker",
            },
            deps={"resourceId": endpoint},
        ),
        res(
            w.GCP_DEPLOYMENT_POOL,
            "vertex-pool",
            {
                "dedicatedResources": {
                    "machineSpec": {
                        "machineType": "g2-standard-8",
                        "acceleratorType": "NVIDIA_L4",
                        "acceleratorCount": 1,
                    },
                    "minReplicaCount": 0,
                    "maxReplicaCount": 2,
                }
            },
        ),
        res(
            w.AZURE_ONLINE_DEPLOYMENT,
            "az-deploy",
            {
                "properties": {
                    "instanceType": "Standard_NC4as_T4_v3",
                    "scaleSettings": {"scaleType": "TargetUtilization", "minInstances": 0, "maxInstances": 2},
                }
            },
        ),
        res(
            w.ALICLOUD_EAS_SERVICE,
            "eas",
            {
                "serviceConfig": json.dumps(
                    {
                        "metadata": {"instance": 0},
                        "cloud": {"computing": {"instances": [{"type": "ecs.gn7i-c8g1.2xlarge"}]}},
                        "autoscaler": {"min": 0, "max": 2},
                    }
                )
            },
        ),
    ]


CAPACITY_RULES = [
    "accelerator-allowed",
    "accelerator-pool-uses-spot",
    "accelerator-capacity-limits",
    "gpu-pool-scales-to-zero",
    "endpoint-scales-to-zero",
]


@pytest.mark.parametrize("rule", CAPACITY_RULES)
def test_spot_pools_and_idle_endpoints_pass(rule: str) -> None:
    assert_compliant(rule, good_capacity())


def test_every_capacity_reader_sees_its_accelerator() -> None:
    readings = {r.name: w.capacity_of(r) for r in good_capacity()}
    assert readings["aws-system"] is None  # a CPU pool is no accelerator capacity
    assert readings["aws-l4"].machines[0].accelerator == "nvidia-l4"
    assert readings["gcp-l4"].machines[0].accelerator == "nvidia-l4"
    assert readings["az-t4"].machines[0].accelerator == "nvidia-t4"
    assert readings["ali-a10"].machines[0].accelerator == "nvidia-a10"
    assert (readings["tpu"].machines[0].accelerator, readings["tpu"].per_unit) == ("tpu-v5e", 8)
    assert readings["vertex-pool"].machines[0].accelerator == "nvidia-l4"
    assert readings["az-deploy"].machines[0].accelerator == "nvidia-t4"
    assert readings["eas"].machines[0].accelerator == "nvidia-a10"


DEV_ALLOW_LIST = {"allowedAccelerators": ["nvidia-a10", "nvidia-l4", "nvidia-t4", "tpu-v5e"]}
VIOLATIONS = [
    # C1
    ("accelerator-allowed", lambda r: changed(r, "aws-l4", "instanceTypes", ["p5.48xlarge"]), "aws-l4", "nvidia-h100"),
    (
        "accelerator-allowed",
        lambda r: changed(r, "gcp-l4", "nodeConfig.machineType", "a4-highgpu-8g"),
        "gcp-l4",
        "not in the catalog",
    ),
    (
        "accelerator-allowed",
        lambda r: changed(r, "az-t4", "vmSize", "Standard_ND96isr_H100_v5"),
        "az-t4",
        "nvidia-h100",
    ),
    (
        "accelerator-allowed",
        lambda r: changed(r, "ali-a10", "instanceTypes", ["ecs.gn7-c12g1.3xlarge"]),
        "ali-a10",
        "nvidia-a100",
    ),
    ("accelerator-allowed", lambda r: changed(r, "tpu", "acceleratorType", "v6e-8"), "tpu", "tpu-v6e"),
    (
        "accelerator-allowed",
        lambda r: changed(r, "chat-config", "productionVariants.0.instanceType", "ml.p5.48xlarge"),
        "chat-config",
        "nvidia-h100",
    ),
    # C2
    ("accelerator-pool-uses-spot", lambda r: changed(r, "aws-l4", "capacityType", "ON_DEMAND"), "aws-l4", "on-demand"),
    ("accelerator-pool-uses-spot", lambda r: changed(r, "gcp-l4", "nodeConfig.spot", False), "gcp-l4", ""),
    ("accelerator-pool-uses-spot", lambda r: changed(r, "az-t4", "scaleSetPriority", "Regular"), "az-t4", ""),
    ("accelerator-pool-uses-spot", lambda r: changed(r, "ali-a10", "spotStrategy", "NoSpot"), "ali-a10", ""),
    ("accelerator-pool-uses-spot", lambda r: changed(r, "tpu", "schedulingConfig.spot", False), "tpu", ""),
    # C4
    ("gpu-pool-scales-to-zero", lambda r: changed(r, "aws-l4", "scalingConfig.minSize", 1), "aws-l4", "1 nodes"),
    ("gpu-pool-scales-to-zero", lambda r: changed(r, "gcp-l4", "autoscaling.totalMinNodeCount", 1), "gcp-l4", ""),
    ("gpu-pool-scales-to-zero", lambda r: changed(r, "az-t4", "minCount", 2), "az-t4", "2 nodes"),
    ("gpu-pool-scales-to-zero", lambda r: changed(r, "ali-a10", "scalingConfig.minSize", 1), "ali-a10", ""),
    ("endpoint-scales-to-zero", lambda r: changed(r, "chat-target", "minCapacity", 1), "chat-config", "1 replicas"),
    (
        "endpoint-scales-to-zero",
        lambda r: changed(r, "vertex-pool", "dedicatedResources.minReplicaCount", 1),
        "vertex-pool",
        "",
    ),
    (
        "endpoint-scales-to-zero",
        lambda r: changed(r, "az-deploy", "properties.scaleSettings.minInstances", 1),
        "az-deploy",
        "",
    ),
    (
        "endpoint-scales-to-zero",
        lambda r: changed(
            r,
            "eas",
            "serviceConfig",
            json.dumps(
                {
                    "metadata": {"instance": 1},
                    "cloud": {"computing": {"instances": [{"type": "ecs.gn7i-c8g1.2xlarge"}]}},
                }
            ),
        ),
        "eas",
        "",
    ),
    # C3: one pool over the node ceiling
    ("accelerator-capacity-limits", lambda r: changed(r, "aws-l4", "scalingConfig.maxSize", 17), "aws-l4", "17 nodes"),
]


@pytest.mark.parametrize(
    ("rule", "break_it", "flagged", "contains"), VIOLATIONS, ids=lambda v: v if isinstance(v, str) else ""
)
def test_one_change_is_reported(rule, break_it, flagged, contains) -> None:
    config = DEV_ALLOW_LIST if rule == "accelerator-allowed" else None
    assert_compliant(rule, good_capacity(), config)
    assert_flags(rule, break_it(good_capacity()), flagged, config, contains=contains)


def test_machines_the_catalog_does_not_know_are_never_allowed() -> None:
    unknown = changed(good_capacity(), "aws-l4", "instanceTypes", ["p9.96xlarge"])
    assert_flags("accelerator-allowed", unknown, "aws-l4", contains="not in the catalog")


def test_cpu_system_pools_are_left_alone() -> None:
    for rule in ("accelerator-pool-uses-spot", "gpu-pool-scales-to-zero", "accelerator-allowed"):
        assert all(f.urn != find(good_capacity(), "aws-system").urn for f in judge(rule, good_capacity())), rule


def test_allow_list_comes_from_config() -> None:
    assert_flags(
        "accelerator-allowed", good_capacity(), "aws-l4", {"allowedAccelerators": ["nvidia-t4"]}, contains="nvidia-l4"
    )


def test_stack_wide_gpu_and_tpu_totals_are_reported_on_the_stack() -> None:
    resources = good_capacity()
    # pools 4 x 2 GPUs + endpoints 4 x 2 GPUs = 16 GPUs; one TPU VM of 8 chips.
    assert judge("accelerator-capacity-limits", resources, {"maxGpusPerStack": 16, "maxTpuChipsPerStack": 8}) == []
    findings = judge("accelerator-capacity-limits", resources, {"maxGpusPerStack": 15, "maxTpuChipsPerStack": 7})
    assert {f.urn for f in findings} == {ENV.stack_urn}
    assert any("16 GPUs" in f.message for f in findings) and any("8 TPU chips" in f.message for f in findings)


# -- C9 -------------------------------------------------------------------------------------------
def good_logs():
    return [
        res("aws:eks/cluster:Cluster", "eks", {"name": "c1", "enabledClusterLogTypes": ["audit"]}, protect=True),
        res("aws:cloudwatch/logGroup:LogGroup", "eks-logs", {"name": "/aws/eks/c1/cluster", "retentionInDays": 90}),
        res("aws:sagemaker/endpoint:Endpoint", "chat", {"name": "chat"}),
        res(
            "aws:cloudwatch/logGroup:LogGroup",
            "chat-logs",
            {"name": "/aws/sagemaker/Endpoints/chat", "retentionInDays": 30},
        ),
        res("gcp:logging/projectBucketConfig:ProjectBucketConfig", "gcp-logs", {"retentionDays": 30}),
        res("azure-native:operationalinsights:Workspace", "law", {"retentionInDays": 30}),
        res("alicloud:log/store:Store", "sls", {"retentionPeriod": 30}),
        res(
            "alicloud:cs/managedKubernetes:ManagedKubernetes",
            "ack",
            {"controlPlaneLogComponents": ["apiserver"], "controlPlaneLogTtl": "30"},
            protect=True,
        ),
    ]


def test_bounded_log_retention_passes() -> None:
    assert_compliant("log-retention-set", good_logs(), {"maxRetentionDays": 90})


@pytest.mark.parametrize(
    ("break_it", "flagged", "contains"),
    [
        (lambda r: changed(r, "eks-logs", "retentionInDays", DELETE), "eks-logs", "never expire"),
        (lambda r: changed(r, "eks-logs", "retentionInDays", 400), "eks-logs", "400 days"),
        (lambda r: changed(r, "eks-logs", "name", "/other"), "eks", "/aws/eks/c1/cluster"),
        (lambda r: changed(r, "chat-logs", "name", "/other"), "chat", "/aws/sagemaker/Endpoints/chat"),
        (lambda r: changed(r, "gcp-logs", "retentionDays", 3650), "gcp-logs", ""),
        (lambda r: changed(r, "law", "retentionInDays", 730), "law", ""),
        (lambda r: changed(r, "sls", "retentionPeriod", 3650), "sls", ""),
        (lambda r: changed(r, "ack", "controlPlaneLogTtl", "365"), "ack", ""),
    ],
)
def test_unbounded_retention_is_reported(break_it, flagged, contains) -> None:
    assert_flags("log-retention-set", break_it(good_logs()), flagged, {"maxRetentionDays": 90}, contains=contains)


# -- C11 ------------------------------------------------------------------------------------------
def good_regions():
    gcp_provider = res("pulumi:providers:gcp", "gcp", {"project": "p", "region": "us-central1"})
    return [
        AWS_PROVIDER,
        gcp_provider,
        res("aws:s3/bucket:Bucket", "bucket", {"bucket": "b"}, provider=AWS_PROVIDER),
        res("gcp:storage/bucket:Bucket", "gcs", {"location": "US-CENTRAL1"}, provider=gcp_provider),
        res("gcp:container/nodePool:NodePool", "pool", {"location": "us-central1-a"}, provider=gcp_provider),
        res("azure-native:storage:StorageAccount", "account", {"location": "West Europe"}),
        res("gcp:kms/keyRing:KeyRing", "ring", {"location": "global"}, provider=gcp_provider),
    ]


def test_approved_regions_pass() -> None:
    assert_compliant("region-allowed", good_regions())


@pytest.mark.parametrize(
    ("break_it", "flagged", "contains"),
    [
        (lambda r: changed(r, "aws", "region", "eu-north-1"), "aws", "eu-north-1"),
        (lambda r: changed(r, "gcs", "location", "US"), "gcs", "'US'"),
        (lambda r: changed(r, "pool", "location", "me-central2-a"), "pool", "me-central2-a"),
        (lambda r: changed(r, "account", "location", "brazilsouth"), "account", ""),
    ],
)
def test_unapproved_region_is_reported(break_it, flagged, contains) -> None:
    assert_flags("region-allowed", break_it(good_regions()), flagged, contains=contains)


def test_default_provider_region_comes_from_stack_config() -> None:
    bucket = res("aws:s3/bucket:Bucket", "bucket", {"bucket": "b"})
    approved = StackEnv(stack="test", project="proj", config={"aws:region": "us-east-1"})
    rule = "region-allowed"
    from policies.rules import rules_by_id

    assert rules_by_id()[rule].evaluate([bucket], approved) == []
    elsewhere = StackEnv(stack="test", project="proj", config={"aws:region": "eu-north-1"})
    findings = rules_by_id()[rule].evaluate([bucket], elsewhere)
    assert [f.urn for f in findings] == [elsewhere.stack_urn]
    assert "aws:region" in findings[0].message


def test_region_list_comes_from_config() -> None:
    assert_flags(
        "region-allowed", good_regions(), "aws", {"allowedRegions": {"aws": ["us-west-2"]}}, contains="us-west-2"
    )


# -- budgets --------------------------------------------------------------------------------------
def test_each_cloud_with_resources_needs_a_budget() -> None:
    bucket = res("aws:s3/bucket:Bucket", "bucket", {"bucket": "b"})
    budget = res("aws:budgets/budget:Budget", "budget", {"limitAmount": "3000.00", "limitUnit": "USD"})
    oss = res("alicloud:oss/bucket:Bucket", "oss", {"bucket": "o"})
    ali_budget = res("ai-infra:alicloud:Budget", "ali-budget", {"monthlyUsd": 500, "providerSupport": "none"})
    assert judge("budget-defined", [bucket, budget, oss, ali_budget]) == []
    findings = judge("budget-defined", [bucket, oss, ali_budget])
    assert [f.urn for f in findings] == [ENV.stack_urn] and "aws" in findings[0].message


def test_alibaba_budget_without_a_provider_resource_is_a_finding() -> None:
    budget = res(
        "ai-infra:alicloud:Budget",
        "ali-budget",
        {"monthlyUsd": 500, "alertEmails": ["a@example.com"], "providerSupport": "none"},
    )
    assert_flags("budget-enforced-by-provider", [budget], "ali-budget", contains="500 USD")
    assert_compliant("budget-enforced-by-provider", changed([budget], "ali-budget", "providerSupport", "native"))


# -- C12 ------------------------------------------------------------------------------------------
def good_tagged():
    return [
        res("aws:s3/bucket:Bucket", "bucket", {"bucket": "b", "tags": TAGS}),
        res(
            "gcp:container/nodePool:NodePool",
            "pool",
            {"nodeConfig": {"resourceLabels": TAGS, "labels": {"pool": "l4"}}},
        ),
        res("gcp:storage/bucket:Bucket", "gcs", {"labels": TAGS}),
        res("azure-native:storage:StorageAccount", "account", {"tags": TAGS}),
        res("alicloud:oss/bucket:Bucket", "oss", {"tags": TAGS}),
        res("aws:iam/rolePolicy:RolePolicy", "untaggable", {"policy": "{}"}),
    ]


def test_tagged_resources_pass() -> None:
    assert_compliant("cost-allocation-tags", good_tagged())


@pytest.mark.parametrize(
    ("break_it", "flagged"),
    [
        (lambda r: changed(r, "bucket", "tags.owner", DELETE), "bucket"),
        (lambda r: changed(r, "pool", "nodeConfig.resourceLabels", DELETE), "pool"),
        (lambda r: changed(r, "gcs", "labels", {}), "gcs"),
        (lambda r: changed(r, "account", "tags.cost-center", DELETE), "account"),
        (lambda r: changed(r, "oss", "tags", DELETE), "oss"),
    ],
)
def test_missing_tag_is_reported(break_it, flagged) -> None:
    assert_flags("cost-allocation-tags", break_it(good_tagged()), flagged, contains="lacks")


def test_kubernetes_labels_are_not_billing_labels() -> None:
    resources = changed(good_tagged(), "pool", "nodeConfig.resourceLabels", DELETE)
    assert_flags("cost-allocation-tags", resources, "pool", contains="nodeConfig.resourceLabels")


def test_aws_provider_default_tags_count() -> None:
    provider = res("pulumi:providers:aws", "aws", {"region": "us-east-1", "defaultTags": {"tags": TAGS}})
    bare = res("aws:s3/bucket:Bucket", "bucket", {"bucket": "b"}, provider=provider)
    assert_compliant("cost-allocation-tags", [bare])
