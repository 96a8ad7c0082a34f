"""The dev and prod stacks' Alibaba Cloud sections, run under the mock runtime exactly as
`preflight dev` / `preflight prod` run them."""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import re
from pathlib import Path

import pulumi
import pytest
import yaml

from catalog import load_catalog, stateful_types
from catalog.costs import EXPECTED_SIZE_TAG
from preflight.engine import run_declarations
from preflight.records import ProgramRun, ResourceRecord
from stacks.alicloud import declare_alicloud
from stacks.config import parse_environment

REPO = Path(__file__).resolve().parents[2]
COMPONENTS = {
    "ai-infra:alicloud:Network",
    "ai-infra:alicloud:GpuCluster",
    "ai-infra:alicloud:Bucket",
    "ai-infra:alicloud:WorkloadIdentity",
    "ai-infra:alicloud:Budget",
}
ENDPOINT_COMPONENT = {"dev": "ai-infra:alicloud:FunctionEndpoint", "prod": "ai-infra:alicloud:ModelEndpoint"}
"""Dev serves on a Function Compute GPU function (scales to zero), prod on PAI-EAS."""
ENV_TAGS = {"environment", "owner", "cost-center", "managed-by", "project"}


def alicloud_resources(run: ProgramRun) -> list[ResourceRecord]:
    return [r for r in run.resources if r.type.startswith("alicloud:")]


def one_named(run: ProgramRun, type_: str, suffix: str) -> ResourceRecord:
    [record] = [r for r in run.of_type(type_) if r.name.endswith(suffix)]
    return record


@functools.cache
def sdk_class(type_: str) -> type:
    """`alicloud:cs/nodePool:NodePool` -> pulumi_alicloud.cs.NodePool."""
    _, module_path, name = type_.split(":")
    return getattr(importlib.import_module(f"pulumi_alicloud.{module_path.split('/')[0]}"), name)


def camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part.title() for part in rest)


@functools.cache
def deprecated_inputs(type_: str) -> frozenset[str]:
    """Wire names of the arguments the SDK warns about as deprecated for this resource type."""
    source = Path(inspect.getsourcefile(sdk_class(type_)) or "").read_text(encoding="utf-8")
    return frozenset(camel(n) for n in re.findall(r'log\.warn\("""([a-z0-9_]+) is deprecated', source))


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stack_declares_every_alicloud_component(stack_run, stack):
    run = stack_run(stack)
    assert {r.type for r in run.resources} >= COMPONENTS | {ENDPOINT_COMPONENT[stack]}
    for record in alicloud_resources(run):
        # DR replicas (prod dr_region) use the second provider, pinned to the DR region.
        in_dr_region = "-dr-replica-" in record.name or "access-logs-dr-" in record.name
        provider = "alicloud-dr" if in_dr_region else "alicloud"
        assert (record.provider or "").endswith(f"pulumi:providers:alicloud::{provider}"), record.name


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_no_argument_the_provider_marks_deprecated(stack_run, stack):
    for record in alicloud_resources(stack_run(stack)):
        used = deprecated_inputs(record.type) & record.inputs.keys()
        assert not used, f"{record.name} ({record.type}) uses deprecated {sorted(used)}"


def test_the_deprecation_scan_sees_known_deprecations():
    assert {"name", "workerVswitchIds"} & deprecated_inputs("alicloud:cs/managedKubernetes:ManagedKubernetes")
    assert "acl" in deprecated_inputs("alicloud:oss/bucket:Bucket")
    assert "name" in deprecated_inputs("alicloud:vpc/network:Network")


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_environment_tags_on_every_taggable_resource(stack_run, stack):
    taggable = [
        r
        for r in alicloud_resources(stack_run(stack))
        if "tags" in inspect.signature(sdk_class(r.type)._internal_init).parameters
    ]
    assert taggable
    for record in taggable:
        assert set(record.inputs.get("tags", {})) >= ENV_TAGS, record.name


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_buckets_with_an_expected_size_carry_the_cost_tag(stack_run, stack):
    config = yaml.safe_load((REPO / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8"))["config"]
    buckets = config["ai-infra:clouds"]["alicloud"]["buckets"]
    run = stack_run(stack)
    for purpose, spec in buckets.items():
        tags = one_named(run, "alicloud:oss/bucket:Bucket", f"-alicloud-{purpose}-bucket").inputs["tags"]
        size = spec.get("expected_size_gib", 0)
        assert tags.get(EXPECTED_SIZE_TAG) == (str(round(size)) if size > 0 else None), purpose


def test_dev_gpu_pool_is_spot_a10_from_zero_with_a_price_limit(stack_run):
    run = stack_run("dev")
    pool = one_named(run, "alicloud:cs/nodePool:NodePool", "-a10").inputs
    assert pool["instanceTypes"] == [load_catalog().machine_for("alicloud", "nvidia-a10").name]
    assert pool["scalingConfig"]["minSize"] == 0
    assert pool["spotStrategy"] == "SpotWithPriceLimit" and pool["spotPriceLimits"][0]["priceLimit"]
    assert {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"} in pool["taints"]
    assert run.one("alicloud:cs/autoscalingConfig:AutoscalingConfig").inputs["scaleUpFromZero"] is True


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_cluster_is_private_with_rrsa_and_encrypted_secrets(stack_run, stack):
    cluster = stack_run(stack).one("alicloud:cs/managedKubernetes:ManagedKubernetes").inputs
    assert cluster["slbInternetEnabled"] is False and cluster["enableRrsa"] is True
    assert cluster["encryptionProviderKey"] and cluster["clusterSpec"] == "ack.pro.small"
    assert cluster["deletionProtection"] is (stack == "prod")


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stateful_resources_are_protected_in_prod_only(stack_run, stack):
    stateful = [r for r in alicloud_resources(stack_run(stack)) if r.type in stateful_types()["alicloud"]]
    # Dev has no shared file system (off by default).
    expected = set(stateful_types()["alicloud"]) - ({"alicloud:nas/fileSystem:FileSystem"} if stack == "dev" else set())
    assert {r.type for r in stateful} == expected
    for record in stateful:
        assert (record.protect, record.retain_on_delete) == ((True, True) if stack == "prod" else (False, False))


def test_stateful_type_tokens_exist_in_the_sdk():
    for type_ in stateful_types()["alicloud"]:
        source = inspect.getsource(sdk_class(type_)._internal_init)
        assert f"'{type_}'" in source, type_


def test_prod_spans_three_zones_with_per_zone_egress(stack_run):
    run = stack_run("prod")
    assert len(run.of_type("alicloud:vpc/switch:Switch")) == 6
    assert len(run.of_type("alicloud:ecs/eipAddress:EipAddress")) == 3
    assert run.one("alicloud:vpc/natGateway:NatGateway").inputs["availabilityMode"] == "CrossAZ"


def test_prod_endpoint_autoscales_in_the_vpc(stack_run):
    run = stack_run("prod")
    config = json.loads(run.one("alicloud:pai/service:Service").inputs["serviceConfig"])
    assert config["autoscaler"]["min"] == 2 and config["autoscaler"]["max"] == 6
    assert config["autoscaler"]["scaleStrategies"] == [{"metricName": "qps", "threshold": 10.0}]
    assert config["cloud"]["computing"]["instances"] == [{"type": "ecs.gn7i-c8g1.2xlarge"}]
    network = config["cloud"]["networking"]
    assert network["vpc_id"] == run.id_of("prod-alicloud-network-vpc")
    assert network["security_group_id"] == run.id_of("prod-alicloud-network-nodes-sg")


def test_prod_buckets_log_access_to_a_separate_bucket(stack_run):
    run = stack_run("prod")
    logging = run.of_type("alicloud:oss/bucketLogging:BucketLogging")
    purposes = ("datasets", "models", "checkpoints")
    assert {r.name for r in logging} == {f"prod-alicloud-{purpose}-logging" for purpose in purposes} | {
        f"prod-alicloud-{purpose}-dr-replica-logging" for purpose in purposes
    }
    # OSS delivers logs within a region: replicas log to an access-log bucket in the DR region.
    for record in logging:
        prefix = "ai-infra-prod-access-logs-dr-" if "-dr-" in record.name else "ai-infra-prod-access-logs-"
        assert record.inputs["targetBucket"].startswith(prefix), record.name
        if "-dr-" not in record.name:
            assert not record.inputs["targetBucket"].startswith("ai-infra-prod-access-logs-dr-")


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_bucket_is_encrypted_with_its_own_customer_key(stack_run, stack):
    run = stack_run(stack)
    keys = {r.name: r for r in run.of_type("alicloud:kms/key:Key")}
    encryption = run.of_type("alicloud:oss/bucketServerSideEncryption:BucketServerSideEncryption")
    assert len(encryption) == len(run.of_type("alicloud:oss/bucket:Bucket"))
    for record in encryption:
        key_name = record.name.removesuffix("-encryption") + "-key"
        assert record.inputs["sseAlgorithm"] == "KMS" and record.inputs["kmsMasterKeyId"] == run.id_of(key_name)
        assert keys[key_name].protect is (stack == "prod"), key_name
    if stack == "prod":
        assert "prod-alicloud-access-logs-encryption" in {r.name for r in encryption}


@pytest.mark.parametrize(("stack", "days"), [("dev", 30), ("prod", 90)])
def test_vpc_flow_log_goes_to_an_account_unique_sls_project_with_bounded_retention(stack_run, stack, days):
    run = stack_run(stack)
    flow_log = run.one("alicloud:vpc/flowLog:FlowLog").inputs
    store = run.one("alicloud:log/store:Store").inputs
    project = run.one("alicloud:log/project:Project").inputs["projectName"]
    assert re.fullmatch(rf"ai-infra-{stack}-flow-logs-[0-9a-f]{{8}}", project), project
    assert flow_log["resourceType"] == "VPC" and flow_log["trafficType"] == "All"
    assert flow_log["resourceId"] == run.id_of(f"{stack}-alicloud-network-vpc")
    assert flow_log["projectName"] == store["projectName"] == project
    assert flow_log["logStoreName"] == store["logstoreName"]
    assert store["retentionPeriod"] == days


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stack_outputs(stack_run, stack):
    run = stack_run(stack)
    assert run.outputs["alicloud_cluster_name"] == f"ai-infra-{stack}"
    assert "alicloud_kubeconfig" in run.secret_outputs
    assert set(run.outputs["alicloud_bucket_names"]) >= {"datasets", "models"}
    endpoint_name = {"dev": "ai-infra-dev-chat", "prod": "prod_chat"}[stack]  # FC function / EAS service
    assert run.outputs["alicloud_endpoint_names"] == {"chat": endpoint_name}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_budget_figures_reach_the_policy_inputs(stack_run, stack):
    config = yaml.safe_load((REPO / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8"))["config"]
    budget = config["ai-infra:clouds"]["alicloud"]["budget"]
    record = stack_run(stack).one("ai-infra:alicloud:Budget")
    assert record.inputs == {
        "monthlyUsd": budget["monthly_usd"],
        "alertEmails": budget["alert_emails"],
        "providerSupport": "none",
    }


def test_the_budget_gap_is_logged_once_as_a_warning():
    config = yaml.safe_load((REPO / "Pulumi.dev.yaml").read_text(encoding="utf-8"))["config"]
    env = parse_environment(
        {
            "environment": "dev",
            "owner": "ml",
            "cost_center": "cc-1",
            "clouds": {"alicloud": config["ai-infra:clouds"]["alicloud"]},
        }
    )

    def program():
        for key, value in declare_alicloud(env, env.clouds.alicloud).items():
            pulumi.export(key, value)

    _run, log = run_declarations(program, project="ai-infra", stack="dev")
    warnings = [message for level, message in log if level == "warning" and "no budget resource" in message]
    amount = config["ai-infra:clouds"]["alicloud"]["budget"]["monthly_usd"]
    assert len(warnings) == 1 and f"{amount:g} USD" in warnings[0]
