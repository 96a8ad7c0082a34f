"""The dev and prod stacks' Google Cloud part, run under preflight's mock runtime."""

from __future__ import annotations

import importlib
import inspect
import re

import pytest

from catalog import stateful_types
from preflight.report import PlanReport

GCP_COMPONENTS = {
    "ai-infra:gcp:Network",
    "ai-infra:gcp:GpuCluster",
    "ai-infra:gcp:GpuPlatform",
    "ai-infra:gcp:TpuPool",
    "ai-infra:gcp:Bucket",
    "ai-infra:gcp:WorkloadIdentity",
    "ai-infra:gcp:Budget",
    "ai-infra:gcp:AlertRoute",
    "ai-infra:gcp:GpuMonitoring",
    "ai-infra:gcp:Dashboard",
}
ENDPOINT_COMPONENTS = {
    # Dev serves on Cloud Run (scales to zero); prod on Vertex AI, with endpoint alarms.
    "dev": {"ai-infra:gcp:CloudRunEndpoint"},
    "prod": {"ai-infra:gcp:ModelEndpoint", "ai-infra:gcp:EndpointAlarms", "ai-infra:gcp:EventBatchJob"},
}
NODE_POOL = "gcp:container/nodePool:NodePool"
LABEL_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
LABEL_VALUE = re.compile(r"^[a-z0-9_-]{0,63}$")
# SDK argument -> wire name of the resource's own GCP labels, most specific first (a notification
# channel's `labels` are channel settings such as the e-mail address; its labels are `user_labels`).
LABEL_ARGUMENTS = (("resource_labels", "resourceLabels"), ("user_labels", "userLabels"), ("labels", "labels"))


def gcp(run):
    return [r for r in run.resources if r.type.startswith("gcp:")]


def pool(run, name):
    return next(r for r in run.of_type(NODE_POOL) if r.inputs["name"] == name)


def sdk_args_class(type_: str):
    """`gcp:storage/bucket:Bucket` -> pulumi_gcp.storage.BucketArgs."""
    module, _, name = type_.split(":", 1)[1].partition(":")
    package = importlib.import_module(f"pulumi_gcp.{module.split('/')[0]}")
    return getattr(package, f"{name}Args")


def labelable(type_: str) -> str | None:
    """The input that carries GCP labels for this type (from the installed SDK), or None."""
    parameters = inspect.signature(sdk_args_class(type_).__init__).parameters
    return next((wire for argument, wire in LABEL_ARGUMENTS if argument in parameters), None)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_gcp_component_is_declared(stack_run, stack):
    run = stack_run(stack)
    expected = GCP_COMPONENTS | ENDPOINT_COMPONENTS[stack] | ({"ai-infra:gcp:FileSystem"} if stack == "prod" else set())
    assert {r.type for r in run.resources if r.type.startswith("ai-infra:gcp:")} == expected


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_one_explicit_provider_pinned_to_the_configured_project_and_region(stack_run, stack):
    run = stack_run(stack)
    [provider] = run.of_type("pulumi:providers:gcp")
    assert provider.inputs["project"] == f"acme-ml-{stack}"
    assert provider.inputs["region"] == "us-central1"
    for record in run.resources:
        if record.is_component and record.type.startswith("ai-infra:gcp:") and record.parent is None:
            assert record.provider is None or record.provider.startswith(provider.urn.rsplit("::", 1)[0])
    projects = {r.inputs["project"] for r in gcp(run) if "project" in r.inputs}
    assert projects == {f"acme-ml-{stack}"}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_labelable_resource_carries_the_environment_labels(stack_run, stack):
    run = stack_run(stack)
    checked = 0
    for record in gcp(run):
        paths = []
        if (key := labelable(record.type)) is not None:
            paths.append(record.inputs.get(key))
        if record.type == NODE_POOL:
            paths.append(record.inputs["nodeConfig"].get("resourceLabels"))
        for labels in paths:
            checked += 1
            assert labels, f"{record.type} {record.name} has no labels"
            assert labels["environment"] == stack
            assert labels["owner"] == "ml-platform"
            assert labels["cost-center"] == "cc-ml-1001"
            assert all(LABEL_KEY.match(k) and LABEL_VALUE.match(v) for k, v in labels.items()), labels
    assert checked > 10


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_buckets_with_an_expected_size_say_so_in_a_label(stack_run, stack):
    for bucket in stack_run(stack).of_type("gcp:storage/bucket:Bucket"):
        size = bucket.inputs["labels"].get("ai-infra-expected-size-gib")
        if bucket.inputs["labels"]["purpose"] == "access-logs":
            assert size is None
        else:
            assert size is not None and int(size) > 0


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_security_posture(stack_run, stack):
    run = stack_run(stack)
    for bucket in run.of_type("gcp:storage/bucket:Bucket"):
        assert bucket.inputs["publicAccessPrevention"] == "enforced"
        assert bucket.inputs["uniformBucketLevelAccess"] is True
        assert bucket.inputs["encryption"]["defaultKmsKeyName"].startswith(f"projects/acme-ml-{stack}/locations/")
    [cluster] = run.of_type("gcp:container/cluster:Cluster")
    assert cluster.inputs["privateClusterConfig"] == {"enablePrivateNodes": True, "enablePrivateEndpoint": True}
    assert cluster.inputs["databaseEncryption"]["state"] == "ENCRYPTED"
    assert cluster.inputs["workloadIdentityConfig"]["workloadPool"] == f"acme-ml-{stack}.svc.id.goog"
    for node_pool in run.of_type(NODE_POOL):
        config = node_pool.inputs["nodeConfig"]
        assert config["serviceAccount"].endswith(f"@acme-ml-{stack}.iam.gserviceaccount.com")
        assert "compute@developer" not in config["serviceAccount"]
        assert config["workloadMetadataConfig"]["mode"] == "GKE_METADATA"
    for firewall in run.of_type("gcp:compute/firewall:Firewall"):
        if firewall.inputs.get("allows"):
            assert "0.0.0.0/0" not in firewall.inputs.get("sourceRanges", [])
    roles = {r.inputs["role"] for r in gcp(run) if "role" in r.inputs}
    assert not roles & {"roles/owner", "roles/editor", "roles/viewer"}
    assert run.of_type("gcp:serviceaccount/key:Key") == []
    for tpu_vm in run.of_type("gcp:tpu/v2Vm:V2Vm"):
        assert tpu_vm.inputs["networkConfig"]["enableExternalIps"] is False


def test_dev_is_cheap_and_disposable(stack_run):
    run = stack_run("dev")
    l4 = pool(run, "l4")
    assert l4.inputs["nodeConfig"]["spot"] is True
    assert l4.inputs["autoscaling"]["totalMinNodeCount"] == 0
    tpu = pool(run, "v5e")
    assert tpu.inputs["nodeConfig"]["machineType"] == "ct5lp-hightpu-4t"
    assert tpu.inputs["nodeConfig"]["spot"] is True
    assert tpu.inputs["autoscaling"]["totalMinNodeCount"] == 0
    assert tpu.inputs["nodeConfig"]["taints"][0]["key"] == "google.com/tpu"
    [sandbox] = run.of_type("gcp:tpu/v2Vm:V2Vm")
    assert (sandbox.inputs["acceleratorType"], sandbox.inputs["schedulingConfig"]["spot"]) == ("v5litepod-1", True)
    [service] = run.of_type("gcp:cloudrunv2/service:Service")
    assert service.inputs["template"]["scaling"]["minInstanceCount"] == 0
    assert service.inputs["deletionProtection"] is False
    for bucket in run.of_type("gcp:storage/bucket:Bucket"):
        assert bucket.inputs["forceDestroy"] is True
    assert not any(r.protect for r in gcp(run))
    assert run.one("gcp:container/cluster:Cluster").inputs["deletionProtection"] is False


def test_prod_trains_on_h100_and_v5p_and_serves_from_two_replicas(stack_run):
    run = stack_run("prod")
    train = pool(run, "train")
    assert train.inputs["nodeConfig"]["machineType"] == "a3-highgpu-8g"
    assert train.inputs["nodeConfig"]["guestAccelerators"][0]["type"] == "nvidia-h100-80gb"
    assert train.inputs["placementPolicy"] == {"type": "COMPACT"}
    assert len(train.inputs["nodeLocations"]) == 1
    slices = [pool(run, f"pretrain-{index}") for index in range(2)]
    for slice_pool in slices:
        assert slice_pool.inputs["placementPolicy"] == {"type": "COMPACT", "tpuTopology": "2x2x2"}
        assert slice_pool.inputs["nodeConfig"]["machineType"] == "ct5p-hightpu-4t"
        assert slice_pool.inputs["autoscaling"] == {"totalMinNodeCount": 0, "totalMaxNodeCount": 2}
    resource_pool = run.one("gcp:vertex/aiDeploymentResourcePool:AiDeploymentResourcePool")
    assert resource_pool.inputs["dedicatedResources"]["minReplicaCount"] >= 2
    assert run.outputs["gcp_endpoint_serving_accounts"] == {
        "chat": "prod-chat-serving@acme-ml-prod.iam.gserviceaccount.com"
    }
    endpoint = run.one("gcp:vertex/aiEndpoint:AiEndpoint")
    assert endpoint.inputs["privateServiceConnectConfig"]["enablePrivateServiceConnect"] is True
    assert "kmsKeyName" in endpoint.inputs["encryptionSpec"]


def test_prod_stateful_resources_are_protected_and_retained(stack_run):
    run = stack_run("prod")
    stateful = stateful_types()["gcp"]
    found = [r for r in gcp(run) if r.type in stateful]
    assert {r.type for r in found} >= {
        "gcp:storage/bucket:Bucket",
        "gcp:kms/keyRing:KeyRing",
        "gcp:kms/cryptoKey:CryptoKey",
        "gcp:container/cluster:Cluster",
    }
    for record in found:
        assert record.protect and record.retain_on_delete, f"{record.type} {record.name}"
    assert run.one("gcp:container/cluster:Cluster").inputs["deletionProtection"] is True
    for bucket in run.of_type("gcp:storage/bucket:Bucket"):
        assert bucket.inputs["forceDestroy"] is False


def test_prod_buckets_with_access_logging_log_to_the_log_bucket(stack_run):
    run = stack_run("prod")
    buckets = {b.inputs["labels"]["purpose"]: b for b in run.of_type("gcp:storage/bucket:Bucket")}
    log_bucket = buckets["access-logs"].inputs["name"]
    for purpose in ("datasets", "models", "checkpoints"):
        assert buckets[purpose].inputs["logging"]["logBucket"] == log_bucket
    assert "logging" not in buckets["access-logs"].inputs


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_outputs_and_json_report(stack_run, stack):
    run = stack_run(stack)
    assert run.outputs["gcp_cluster_name"] == f"ai-infra-{stack}"
    assert "gcp_kubeconfig" in run.secret_outputs
    assert set(run.outputs["gcp_bucket_names"]) >= {"datasets", "models", "checkpoints"}
    assert set(run.outputs["gcp_endpoint_names"]) == {"chat"}
    accounts = run.outputs["gcp_workload_service_accounts"]
    assert accounts["trainer"] == f"{stack}-trainer@acme-ml-{stack}.iam.gserviceaccount.com"
    document = PlanReport.of(run).to_json()
    listed = {r["type"] for r in document["resources"]}
    assert {
        "gcp:container/nodePool:NodePool",
        "gcp:storage/bucket:Bucket",
        "gcp:billing/budget:Budget",
        "gcp:serviceaccount/iAMMember:IAMMember",
    } <= listed
    budget = next(r for r in document["resources"] if r["type"] == "gcp:billing/budget:Budget")
    assert [rule["thresholdPercent"] for rule in budget["inputs"]["thresholdRules"]] == [0.5, 0.8, 1, 1]
