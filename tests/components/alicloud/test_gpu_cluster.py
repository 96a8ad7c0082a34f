"""ai-infra:alicloud:GpuCluster: a private ACK Pro cluster with RRSA, KMS-encrypted secrets and
control-plane logs, and GPU node pools that scale from zero behind a GPU taint."""

from __future__ import annotations

import pulumi
import pytest

from components.alicloud import GpuCluster, GpuClusterArgs, GpuPoolArgs

TAGS = {"environment": "test", "owner": "ml", "cost-center": "cc-1"}
CLUSTER = "alicloud:cs/managedKubernetes:ManagedKubernetes"
POOL = "alicloud:cs/nodePool:NodePool"
A10 = GpuPoolArgs(name="a10", accelerator="nvidia-a10", instance_types=["ecs.gn7i-c8g1.2xlarge"], max_nodes=3)


def make(**overrides):
    args = {
        "cluster_name": "ai-infra-test",
        "vswitch_ids": ["vsw-a", "vsw-b"],
        "pod_vswitch_ids": ["vsw-pa", "vsw-pb"],
        "security_group_id": "sg-1",
        "gpu_pools": [A10],
        "tags": TAGS,
        **overrides,
    }
    return lambda: GpuCluster("gpu", GpuClusterArgs(**args))


def gpu_pool(run, name="a10"):
    return run.named(f"gpu-{name}")


def test_cluster_is_pro_private_with_rrsa_kms_secrets_and_logs(declare):
    run = declare(make())
    cluster = run.one(CLUSTER).inputs
    assert cluster["clusterSpec"] == "ack.pro.small"
    assert cluster["slbInternetEnabled"] is False, "no public SLB for the API server by default"
    assert cluster["enableRrsa"] is True
    assert cluster["encryptionProviderKey"] == run.id_of("gpu-key")
    assert "disableEncryption" not in cluster
    assert {"apiserver", "kcm", "scheduler"} <= set(cluster["controlPlaneLogComponents"])
    assert cluster["controlPlaneLogTtl"] == "30"
    assert cluster["auditLogConfig"] == {"enabled": True}
    assert cluster["newNatGateway"] is False, "egress belongs to the Network component"
    assert cluster["vswitchIds"] == ["vsw-a", "vsw-b"] and "workerVswitchIds" not in cluster
    assert cluster["podVswitchIds"] == ["vsw-pa", "vsw-pb"]
    assert {a["name"] for a in cluster["addons"]} >= {"terway-eniip", "ack-pod-identity-webhook"}
    key = run.one("alicloud:kms/key:Key").inputs
    assert key["automaticRotation"] == "Enabled" and key["keySpec"] == "Aliyun_AES_256"


def test_public_api_server_only_when_asked(declare):
    assert declare(make(api_server_public=True)).one(CLUSTER).inputs["slbInternetEnabled"] is True


def test_dev_cluster_can_be_torn_down_prod_is_protected(declare):
    dev = declare(make(protect=False))
    assert dev.one(CLUSTER).inputs["deletionProtection"] is False
    assert not dev.one(CLUSTER).protect and not dev.one("alicloud:kms/key:Key").protect
    prod = declare(make(protect=True))
    assert prod.one(CLUSTER).inputs["deletionProtection"] is True
    for record in (prod.one(CLUSTER), prod.one("alicloud:kms/key:Key")):
        assert record.protect and record.retain_on_delete, record.type
    assert prod.one("alicloud:kms/key:Key").inputs["deletionProtection"] == "Enabled"


def test_gpu_pool_scales_from_zero_behind_the_gpu_taint(declare):
    run = declare(make())
    pool = gpu_pool(run).inputs
    assert pool["nodePoolName"] == "a10" and "name" not in pool
    assert pool["instanceTypes"] == ["ecs.gn7i-c8g1.2xlarge"]
    assert pool["scalingConfig"] == {"enable": True, "minSize": 0, "maxSize": 3, "type": "gpu"}
    assert "desiredSize" not in pool, "the cluster autoscaler owns the size"
    assert pool["taints"] == [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}]
    labels = {label["key"]: label["value"] for label in pool["labels"]}
    assert labels["ai-infra/pool"] == "a10" and labels["ai-infra/accelerator"] == "nvidia-a10"
    assert pool["securityGroupIds"] == ["sg-1"] and "securityGroupId" not in pool
    autoscaler = run.one("alicloud:cs/autoscalingConfig:AutoscalingConfig")
    assert autoscaler.inputs["scaleUpFromZero"] is True
    assert gpu_pool(run).urn in autoscaler.dependencies


def test_gpu_pool_disks_are_encrypted_with_the_cluster_key_and_nodes_self_repair(declare):
    run = declare(make())
    pool = gpu_pool(run).inputs
    assert pool["systemDiskEncrypted"] is True and pool["systemDiskKmsKey"] == run.id_of("gpu-key")
    [data_disk] = pool["dataDisks"]
    assert data_disk["encrypted"] == "true" and data_disk["kmsKeyId"] == run.id_of("gpu-key")
    assert pool["management"]["enable"] is True and pool["management"]["autoRepair"] is True
    assert pool["instanceMetadataOptions"] == {"httpTokens": "required"}


def test_every_pool_auto_repairs_and_auto_upgrades_one_node_at_a_time(declare):
    h100 = GpuPoolArgs(name="h100", accelerator="nvidia-h100", instance_types=["ecs.gn8v"], max_nodes=2)
    run = declare(make(gpu_pools=[A10, h100]))
    pools = run.of_type(POOL)
    assert {p.name for p in pools} == {"gpu-system", "gpu-a10", "gpu-h100"}
    for pool in pools:
        management = pool.inputs["management"]
        assert management["enable"] is True, pool.name
        assert management["autoRepair"] is True and management["autoUpgrade"] is True, pool.name
        assert management["autoUpgradePolicy"] == {"autoUpgradeKubelet": True}, pool.name
        assert management["autoVulFix"] is True, pool.name
        # One node per pool out of service at a time, and no surge: extra GPU nodes would bill
        # (and surge / surge_percentage are deprecated by the provider).
        assert management["maxUnavailable"] == 1, pool.name
        assert not {"surge", "surgePercentage"} & management.keys(), pool.name
        assert pool.inputs["rollingPolicy"] == {"maxParallelism": 1}, pool.name


def test_on_demand_pool_has_no_spot_bid(declare):
    pool = gpu_pool(declare(make())).inputs
    assert pool["spotStrategy"] == "NoSpot" and "spotPriceLimits" not in pool


def test_spot_pool_bids_with_a_price_limit_per_instance_type(declare):
    spot = GpuPoolArgs(
        name="a10",
        accelerator="nvidia-a10",
        instance_types=["ecs.gn7i-c8g1.2xlarge"],
        max_nodes=3,
        spot=True,
        spot_price_limit=1.25,
    )
    pool = gpu_pool(declare(make(gpu_pools=[spot]))).inputs
    assert pool["spotStrategy"] == "SpotWithPriceLimit"
    assert pool["spotPriceLimits"] == [{"instanceType": "ecs.gn7i-c8g1.2xlarge", "priceLimit": "1.2500"}]


def test_spot_without_a_price_limit_is_refused():
    spot = GpuPoolArgs(name="a10", accelerator="nvidia-a10", instance_types=["t"], max_nodes=1, spot=True)
    with pytest.raises(ValueError, match="spot_price_limit"):
        make(gpu_pools=[spot])()


def test_system_pool_is_fixed_size_cpu_and_untainted(declare):
    system = declare(make(system_nodes=3)).named("gpu-system").inputs
    assert system["desiredSize"] == "3" and "scalingConfig" not in system
    assert system["instanceTypes"] == ["ecs.g7.xlarge"] and "taints" not in system


def test_no_autoscaler_settings_without_gpu_pools(declare):
    run = declare(make(gpu_pools=[]))
    assert run.of_type("alicloud:cs/autoscalingConfig:AutoscalingConfig") == []
    assert [p.name for p in run.of_type(POOL)] == ["gpu-system"]


def test_tags_on_cluster_key_and_pools(declare):
    run = declare(make())
    for record in (run.one(CLUSTER), run.one("alicloud:kms/key:Key"), *run.of_type(POOL)):
        assert TAGS.items() <= record.inputs["tags"].items(), record.name


def test_outputs_oidc_from_rrsa_metadata_and_a_secret_kubeconfig(declare):
    def program():
        cluster = make()()
        pulumi.export("issuer", cluster.oidc_issuer)
        pulumi.export("provider", cluster.oidc_provider_arn)
        pulumi.export("kubeconfig", cluster.kubeconfig)

    run = declare(program)
    assert run.outputs["provider"].startswith("acs:ram::") and ":oidc-provider/ack-rrsa-" in run.outputs["provider"]
    assert run.outputs["issuer"].startswith("https://oidc-ack-")
    assert run.secret_outputs == ["kubeconfig"]


def test_a_fixed_size_pool_is_tagged_with_its_reason(declare):
    fixed = GpuPoolArgs(
        name="a10",
        accelerator="nvidia-a10",
        instance_types=["ecs.gn7i-c8g1.2xlarge"],
        min_nodes=2,
        max_nodes=2,
        fixed_size_reason="capacity reservation",
    )
    assert gpu_pool(declare(make(gpu_pools=[fixed]))).inputs["tags"]["ai-infra-fixed-size"] == "capacity reservation"
    assert "ai-infra-fixed-size" not in gpu_pool(declare(make())).inputs["tags"]
    unfixed = GpuPoolArgs(
        name="a10",
        accelerator="nvidia-a10",
        instance_types=["x"],
        max_nodes=2,
        fixed_size_reason="capacity reservation",
    )
    with pytest.raises(ValueError, match="min_nodes = max_nodes"):
        declare(make(gpu_pools=[unfixed]))
