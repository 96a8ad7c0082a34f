"""ai-infra:gcp:TpuPool: GKE TPU node pools (single- and multi-host) and Cloud TPU VMs."""

from __future__ import annotations

import pytest

from catalog.tpu import tpu_slice
from components.gcp import TpuPool, TpuPoolArgs

PROJECT = "acme-test"
NODE_POOL = "gcp:container/nodePool:NodePool"
VM = "gcp:tpu/v2Vm:V2Vm"
LABELS = {"environment": "test", "owner": "ml", "cost-center": "cc-1"}
NODE_SA = "nodes@acme-test.iam.gserviceaccount.com"


def gke(generation="tpu-v5e", topology="2x2", **overrides):
    args = {
        "pool_name": "v5e",
        "tpu": tpu_slice(generation, topology),
        "project": PROJECT,
        "zone": "us-central1-a",
        "labels": LABELS,
        "cluster_id": f"projects/{PROJECT}/locations/us-central1/clusters/c",
        "cluster_location": "us-central1",
        "node_service_account": NODE_SA,
        **overrides,
    }
    return lambda: TpuPool("tpu", TpuPoolArgs(**args))


def vm(generation="tpu-v5e", topology="2x2", **overrides):
    args = {
        "pool_name": "sandbox",
        "tpu": tpu_slice(generation, topology),
        "project": PROJECT,
        "zone": "us-central1-a",
        "form": "tpu-vm",
        "labels": LABELS,
        "network": f"projects/{PROJECT}/global/networks/net",
        "subnetwork": f"projects/{PROJECT}/regions/us-central1/subnetworks/net",
        **overrides,
    }
    return lambda: TpuPool("tpu", TpuPoolArgs(**args))


def test_single_host_slice_is_one_autoscaled_pool_of_tpu_machines(declare):
    [pool] = declare(gke(spot=True, slices=3, min_slices=0)).of_type(NODE_POOL)
    config = pool.inputs["nodeConfig"]
    assert config["machineType"] == "ct5lp-hightpu-4t"
    assert config["spot"] is True
    assert config["taints"] == [{"key": "google.com/tpu", "value": "present", "effect": "NO_SCHEDULE"}]
    assert config["labels"] == {
        "ai-infra/pool": "v5e",
        "ai-infra/accelerator": "tpu-v5e",
        "ai-infra/tpu-topology": "2x2",
    }
    assert config["serviceAccount"] == NODE_SA
    assert config["workloadMetadataConfig"] == {"mode": "GKE_METADATA"}
    assert config["resourceLabels"] == LABELS
    assert "guestAccelerators" not in config
    assert pool.inputs["autoscaling"] == {"totalMinNodeCount": 0, "totalMaxNodeCount": 3}
    assert pool.inputs["nodeLocations"] == ["us-central1-a"]
    assert pool.inputs["management"] == {"autoRepair": True, "autoUpgrade": True}
    assert "placementPolicy" not in pool.inputs


def test_multi_host_slices_are_compact_pools_with_the_topology_and_hosts_from_the_catalog(declare):
    run = declare(gke("tpu-v5p", "2x2x2", pool_name="pretrain", slices=2, min_slices=1))
    pools = sorted(run.of_type(NODE_POOL), key=lambda r: r.inputs["name"])
    assert [p.inputs["name"] for p in pools] == ["pretrain-0", "pretrain-1"]
    for pool in pools:
        assert pool.inputs["placementPolicy"] == {"type": "COMPACT", "tpuTopology": "2x2x2"}
        assert pool.inputs["nodeConfig"]["machineType"] == "ct5p-hightpu-4t"
        assert pool.inputs["autoscaling"]["totalMaxNodeCount"] == 2  # 8 chips / 4 per host
        assert pool.inputs["nodeConfig"]["spot"] is False
    # min_slices=1: the first slice stays up whole, the second scales to zero.
    assert [p.inputs["autoscaling"]["totalMinNodeCount"] for p in pools] == [2, 0]


def test_one_multi_host_slice_keeps_the_pool_name(declare):
    [pool] = declare(gke("tpu-v6e", "4x4")).of_type(NODE_POOL)
    assert pool.inputs["name"] == "v5e"
    assert pool.inputs["placementPolicy"]["tpuTopology"] == "4x4"
    assert pool.inputs["autoscaling"] == {"totalMinNodeCount": 0, "totalMaxNodeCount": 4}


def test_tpu_vm_by_accelerator_type_private_spot_with_its_own_account(declare):
    run = declare(vm(spot=True))
    [tpu] = run.of_type(VM)
    assert tpu.inputs["acceleratorType"] == "v5litepod-4"
    assert "acceleratorConfig" not in tpu.inputs
    assert tpu.inputs["runtimeVersion"] == "v2-alpha-tpuv5-lite"
    assert tpu.inputs["schedulingConfig"] == {"spot": True}
    assert tpu.inputs["networkConfig"]["enableExternalIps"] is False
    assert tpu.inputs["zone"] == "us-central1-a"
    assert tpu.inputs["labels"] == LABELS
    account = run.one("gcp:serviceaccount/account:Account")
    assert tpu.inputs["serviceAccount"]["email"] == f"{account.inputs['accountId']}@{PROJECT}.iam.gserviceaccount.com"
    assert "compute@developer" not in tpu.inputs["serviceAccount"]["email"]
    roles = {r.inputs["role"] for r in run.of_type("gcp:projects/iAMMember:IAMMember")}
    assert roles == {"roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/artifactregistry.reader"}
    assert run.of_type("gcp:compute/firewall:Firewall") == []  # one host: no worker traffic


def test_v5p_tpu_vm_by_accelerator_config_and_workers_may_talk_to_each_other(declare):
    run = declare(vm("tpu-v5p", "2x2x2", runtime_version="v2-alpha-tpuv5-custom"))
    [tpu] = run.of_type(VM)
    assert tpu.inputs["acceleratorConfig"] == {"type": "V5P", "topology": "2x2x2"}
    assert "acceleratorType" not in tpu.inputs
    assert tpu.inputs["runtimeVersion"] == "v2-alpha-tpuv5-custom"
    firewall = run.one("gcp:compute/firewall:Firewall")
    assert firewall.inputs["sourceTags"] == firewall.inputs["targetTags"] == tpu.inputs["tags"]
    assert "sourceRanges" not in firewall.inputs


def test_tpu_vms_are_protected_in_prod_only(declare):
    assert not declare(vm()).one(VM).protect
    record = declare(vm(protect=True, slices=2)).of_type(VM)[0]
    assert record.protect and record.retain_on_delete


def test_missing_inputs_for_the_form_are_refused(declare):
    with pytest.raises(ValueError, match="gke-node-pool form needs"):
        declare(gke(cluster_id=None))
    with pytest.raises(ValueError, match="tpu-vm form needs"):
        declare(vm(network=None))


def test_tpu_nodes_leave_the_boot_disk_type_to_gke(declare):
    [pool] = declare(gke("tpu-v6e", "2x2")).of_type(NODE_POOL)
    assert "diskType" not in pool.inputs["nodeConfig"]
    assert pool.inputs["nodeConfig"]["machineType"] == "ct6e-standard-4t"


def test_gke_tpu_nodes_boot_from_disks_encrypted_with_the_clusters_key(declare):
    key = f"projects/{PROJECT}/locations/us-central1/keyRings/r/cryptoKeys/node-disks"
    run = declare(gke(boot_disk_kms_key=key))
    pools = run.of_type("gcp:container/nodePool:NodePool")
    assert pools and all(p.inputs["nodeConfig"]["bootDiskKmsKey"] == key for p in pools)
