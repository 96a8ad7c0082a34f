"""ai-infra:gcp:GpuCluster: private GKE with Workload Identity, KMS secrets, own node account, GPU pools."""

from __future__ import annotations

import json
import re

import pulumi

from components.gcp import GpuCluster, GpuClusterArgs, GpuNodePoolArgs

PROJECT = "acme-test"
NUMBER = "123456789012"
CLUSTER = "gcp:container/cluster:Cluster"
NODE_POOL = "gcp:container/nodePool:NodePool"
LABELS = {"environment": "test", "owner": "ml", "cost-center": "cc-1"}
NODE_SA = "ai-infra-test-nodes@acme-test.iam.gserviceaccount.com"

L4 = GpuNodePoolArgs(
    name="l4",
    accelerator="nvidia-l4",
    machine_type="g2-standard-4",
    accelerator_type="nvidia-l4",
    accelerator_count=1,
    max_nodes=3,
    spot=True,
)
H100 = GpuNodePoolArgs(
    name="train",
    accelerator="nvidia-h100",
    machine_type="a3-highgpu-8g",
    accelerator_type="nvidia-h100-80gb",
    accelerator_count=8,
    max_nodes=4,
    compact_placement=True,
    reservation="h100-reservation",
    labels={"team": "research"},
)


def make(**overrides):
    args = {
        "cluster_name": "ai-infra-test",
        "project": PROJECT,
        "project_number": NUMBER,
        "location": "us-central1",
        "kms_location": "us-central1",
        "node_zones": ["us-central1-a", "us-central1-b"],
        "network": f"projects/{PROJECT}/global/networks/net",
        "subnetwork": f"projects/{PROJECT}/regions/us-central1/subnetworks/net",
        "pods_range_name": "pods",
        "services_range_name": "services",
        "gpu_pools": [L4, H100],
        "labels": LABELS,
        **overrides,
    }

    def program():
        cluster = GpuCluster("gke", GpuClusterArgs(**args))
        pulumi.export("kubeconfig", cluster.kubeconfig)

    return program


def pool(run, name):
    return next(r for r in run.of_type(NODE_POOL) if r.inputs["name"] == name)


def test_default_pool_removed_private_nodes_and_private_endpoint(declare):
    cluster = declare(make()).one(CLUSTER)
    assert cluster.inputs["removeDefaultNodePool"] is True
    assert cluster.inputs["privateClusterConfig"] == {"enablePrivateNodes": True, "enablePrivateEndpoint": True}
    assert cluster.inputs["masterAuthorizedNetworksConfig"]["cidrBlocks"] == []
    assert cluster.inputs["masterAuthorizedNetworksConfig"]["gcpPublicCidrsAccessEnabled"] is False
    assert cluster.inputs["masterAuth"]["clientCertificateConfig"]["issueClientCertificate"] is False


def test_public_endpoint_only_with_authorized_networks(declare):
    cluster = declare(make(master_authorized_networks=["203.0.113.0/24"])).one(CLUSTER)
    assert cluster.inputs["privateClusterConfig"]["enablePrivateEndpoint"] is False
    assert cluster.inputs["privateClusterConfig"]["enablePrivateNodes"] is True
    assert [b["cidrBlock"] for b in cluster.inputs["masterAuthorizedNetworksConfig"]["cidrBlocks"]] == [
        "203.0.113.0/24"
    ]


def test_workload_identity_release_channel_shielded_nodes_vpc_native(declare):
    cluster = declare(make(release_channel="STABLE")).one(CLUSTER)
    assert cluster.inputs["workloadIdentityConfig"] == {"workloadPool": "acme-test.svc.id.goog"}
    assert cluster.inputs["releaseChannel"] == {"channel": "STABLE"}
    assert cluster.inputs["enableShieldedNodes"] is True
    assert cluster.inputs["enableLegacyAbac"] is False
    assert cluster.inputs["ipAllocationPolicy"] == {
        "clusterSecondaryRangeName": "pods",
        "servicesSecondaryRangeName": "services",
    }


def test_secrets_encrypted_with_the_clusters_own_kms_key_usable_by_the_gke_agent(declare):
    run = declare(make())
    cluster = run.one(CLUSTER)
    key = run.named("gke-secrets-key")
    encryption = cluster.inputs["databaseEncryption"]
    assert encryption["state"] == "ENCRYPTED"
    assert re.fullmatch(
        f"projects/{PROJECT}/locations/us-central1/keyRings/[^/]+/cryptoKeys/[^/]+", encryption["keyName"]
    )
    assert key.urn in cluster.dependencies or any(key.urn in d for d in cluster.property_dependencies.values())
    assert key.inputs["rotationPeriod"] == "7776000s"
    grant = run.named("gke-secrets-key-agent")
    assert grant.inputs["cryptoKeyId"] == encryption["keyName"]
    assert grant.inputs["role"] == "roles/cloudkms.cryptoKeyEncrypterDecrypter"
    assert grant.inputs["member"] == f"serviceAccount:service-{NUMBER}@container-engine-robot.iam.gserviceaccount.com"
    assert grant.urn in cluster.dependencies


def test_every_node_uses_the_dedicated_node_account_and_the_gke_metadata_server(declare):
    run = declare(make())
    account = run.one("gcp:serviceaccount/account:Account")
    assert account.inputs["accountId"] == "ai-infra-test-nodes"
    configs = [run.one(CLUSTER).inputs["nodeConfig"]] + [r.inputs["nodeConfig"] for r in run.of_type(NODE_POOL)]
    assert len(configs) == 4
    for config in configs:
        assert config["serviceAccount"] == NODE_SA
        assert "compute@developer" not in config["serviceAccount"]
        assert config["workloadMetadataConfig"] == {"mode": "GKE_METADATA"}
        assert config["shieldedInstanceConfig"] == {"enableSecureBoot": True, "enableIntegrityMonitoring": True}
        assert config["metadata"]["disable-legacy-endpoints"] == "true"


def test_node_account_has_only_node_roles(declare):
    run = declare(make())
    roles = {r.inputs["role"] for r in run.of_type("gcp:projects/iAMMember:IAMMember")}
    assert roles == {"roles/container.defaultNodeServiceAccount", "roles/artifactregistry.reader"}
    assert not roles & {"roles/owner", "roles/editor", "roles/viewer"}
    assert run.of_type("gcp:serviceaccount/key:Key") == []


def test_gpu_pool_machine_accelerator_driver_spot_taint_labels_autoscaling(declare):
    l4 = pool(declare(make()), "l4")
    config = l4.inputs["nodeConfig"]
    assert config["machineType"] == "g2-standard-4"
    assert config["guestAccelerators"] == [
        {"type": "nvidia-l4", "count": 1, "gpuDriverInstallationConfig": {"gpuDriverVersion": "DEFAULT"}}
    ]
    assert config["spot"] is True
    assert config["taints"] == [{"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"}]
    assert config["labels"] == {"ai-infra/pool": "l4", "ai-infra/accelerator": "nvidia-l4"}
    assert config["resourceLabels"] == LABELS
    assert l4.inputs["autoscaling"] == {"totalMinNodeCount": 0, "totalMaxNodeCount": 3, "locationPolicy": "ANY"}
    assert l4.inputs["initialNodeCount"] == 0
    assert l4.inputs["management"] == {"autoRepair": True, "autoUpgrade": True}
    assert l4.inputs["nodeLocations"] == ["us-central1-a", "us-central1-b"]
    assert "placementPolicy" not in l4.inputs


def test_multi_node_pool_is_compact_in_one_zone_and_consumes_its_reservation(declare):
    train = pool(declare(make()), "train")
    assert train.inputs["placementPolicy"] == {"type": "COMPACT"}
    assert train.inputs["nodeLocations"] == ["us-central1-a"]
    config = train.inputs["nodeConfig"]
    assert config["spot"] is False
    assert config["guestAccelerators"][0]["type"] == "nvidia-h100-80gb"
    assert config["guestAccelerators"][0]["count"] == 8
    assert config["reservationAffinity"] == {
        "consumeReservationType": "SPECIFIC_RESERVATION",
        "key": "compute.googleapis.com/reservation-name",
        "values": ["h100-reservation"],
    }
    assert config["labels"]["team"] == "research"
    assert train.inputs["autoscaling"]["locationPolicy"] == "BALANCED"


def test_system_pool_is_small_cpu_and_untainted(declare):
    system = pool(declare(make(system_nodes=2)), "system")
    assert system.inputs["nodeConfig"]["machineType"] == "e2-standard-4"
    assert "guestAccelerators" not in system.inputs["nodeConfig"]
    assert "taints" not in system.inputs["nodeConfig"]
    assert system.inputs["autoscaling"]["totalMinNodeCount"] == 2


def test_dev_cluster_can_be_deleted(declare):
    run = declare(make(protect=False))
    cluster = run.one(CLUSTER)
    assert cluster.inputs["deletionProtection"] is False
    assert not cluster.protect


def test_prod_cluster_and_key_are_protected_and_retained(declare):
    run = declare(make(protect=True))
    assert run.one(CLUSTER).inputs["deletionProtection"] is True
    records = [run.one(CLUSTER), *run.of_type("gcp:kms/cryptoKey:CryptoKey"), *run.of_type("gcp:kms/keyRing:KeyRing")]
    for record in records:
        assert record.protect and record.retain_on_delete, record.name


def test_labels_on_cluster_and_key(declare):
    run = declare(make())
    assert run.one(CLUSTER).inputs["resourceLabels"] == LABELS
    for key in run.of_type("gcp:kms/cryptoKey:CryptoKey"):
        assert key.inputs["labels"] == LABELS, key.name


def test_node_boot_disks_are_encrypted_with_a_key_the_compute_agent_may_use(declare):
    run = declare(make())
    grant = run.named("gke-node-disks-key-agent")
    assert grant.inputs["member"] == f"serviceAccount:service-{NUMBER}@compute-system.iam.gserviceaccount.com"
    key_id = grant.inputs["cryptoKeyId"]
    assert re.fullmatch(f"projects/{PROJECT}/locations/us-central1/keyRings/[^/]+/cryptoKeys/[^/]+", key_id)
    configs = [run.one(CLUSTER).inputs["nodeConfig"], *(p.inputs["nodeConfig"] for p in run.of_type(NODE_POOL))]
    assert len(configs) > 2
    assert {c.get("bootDiskKmsKey") for c in configs} == {key_id}
    assert grant.urn in run.one(CLUSTER).dependencies


def test_kubeconfig_is_a_secret_that_uses_the_gke_auth_plugin(declare):
    run = declare(make())
    assert "kubeconfig" in run.secret_outputs
    captured = {}

    def program():
        cluster = GpuCluster("gke", GpuClusterArgs(**{**_base_args(), "gpu_pools": []}))
        cluster.kubeconfig.apply(lambda text: captured.setdefault("config", json.loads(text)))

    declare(program)
    config = captured["config"]
    assert config["users"][0]["user"]["exec"]["command"] == "gke-gcloud-auth-plugin"
    assert config["clusters"][0]["cluster"]["server"].startswith("https://")
    assert config["clusters"][0]["cluster"]["certificate-authority-data"]


def _base_args():
    return {
        "cluster_name": "ai-infra-test",
        "project": PROJECT,
        "project_number": NUMBER,
        "location": "us-central1",
        "kms_location": "us-central1",
        "node_zones": ["us-central1-a"],
        "network": "net",
        "subnetwork": "subnet",
        "pods_range_name": "pods",
        "services_range_name": "services",
    }


def test_gpu_metrics_come_from_gkes_managed_dcgm_package_into_managed_prometheus(declare):
    monitoring = declare(make()).one(CLUSTER).inputs["monitoringConfig"]
    assert monitoring == {"enableComponents": ["SYSTEM_COMPONENTS", "DCGM"], "managedPrometheus": {"enabled": True}}
    off = declare(make(gpu_metrics=False)).one(CLUSTER).inputs["monitoringConfig"]
    assert off["enableComponents"] == ["SYSTEM_COMPONENTS"]


def test_every_gpu_pool_has_gke_install_the_driver(declare):
    run = declare(make())
    for name in ("l4", "train"):
        [accelerator] = pool(run, name).inputs["nodeConfig"]["guestAccelerators"]
        assert accelerator["gpuDriverInstallationConfig"] == {"gpuDriverVersion": "DEFAULT"}


def test_a_fixed_size_pool_carries_its_reason_as_a_vm_label(declare):
    fixed = GpuNodePoolArgs(
        name="l4",
        accelerator="nvidia-l4",
        machine_type="g2-standard-4",
        accelerator_type="nvidia-l4",
        accelerator_count=1,
        min_nodes=2,
        max_nodes=2,
        fixed_size_reason="Reserved capacity, 1y",
    )
    labels = pool(declare(make(gpu_pools=[fixed])), "l4").inputs["nodeConfig"]["resourceLabels"]
    assert labels["ai-infra-fixed-size"] == "reserved-capacity--1y"
    assert "ai-infra-fixed-size" not in pool(declare(make()), "l4").inputs["nodeConfig"]["resourceLabels"]
