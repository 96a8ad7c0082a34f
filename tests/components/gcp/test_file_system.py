"""ai-infra:gcp:FileSystem: Managed Lustre (or Filestore Zonal) on private services access,
encrypted with its own key the service agent may use, reachable with root only from the
cluster's ranges, its agent granted read (or read/write for export) on linked buckets, and a
static volume bound to one claim."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.gcp.file_system import BucketLink, FileSystem, FileSystemArgs

LUSTRE = "gcp:lustre/instance:Instance"
FILESTORE = "gcp:filestore/instance:Instance"
GRANT = "gcp:storage/bucketIAMMember:BucketIAMMember"
KEY_GRANT = "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember"
PV = "kubernetes:core/v1:PersistentVolume"
RANGES = ["10.0.0.0/20", "10.64.0.0/14"]


def make(**overrides):
    def program():
        provider = k8s.Provider("k8s", kubeconfig="{}")
        peering = pulumi.CustomResource("gcp:servicenetworking/connection:Connection", "peering", {})
        values = {
            "file_system_name": "train",
            "kind": "lustre",
            "project": "acme",
            "project_number": "123",
            "region": "us-central1",
            "zone": "us-central1-a",
            "network": "projects/acme/global/networks/ai-infra",
            "client_ranges": RANGES,
            "private_services_connection": peering,
            "capacity_gib": 36000,
            "throughput_mbps_per_tib": 250,
            "kubernetes_provider": provider,
            "namespace": "ml",
            "claim": "train",
            "links": [
                BucketLink(directory="datasets", bucket_name="ds"),
                BucketLink(directory="checkpoints", bucket_name="ck", export=True),
            ],
            **overrides,
        }
        FileSystem("fs", FileSystemArgs(**values))

    return program


def test_managed_lustre_uses_its_own_key_and_waits_for_the_peering_and_the_grant(declare):
    run = declare(make(protect=True))
    lustre = run.one(LUSTRE)
    assert lustre.inputs["capacityGib"] == "36000" and lustre.inputs["perUnitStorageThroughput"] == "250"
    assert lustre.inputs["gkeSupportEnabled"] is True
    assert lustre.inputs["kmsKey"].endswith("/cryptoKeys/" + run.named("fs-key").outputs["name"])
    grant = run.one(KEY_GRANT)
    assert grant.inputs["member"] == "serviceAccount:service-123@gcp-sa-lustre.iam.gserviceaccount.com"
    assert grant.urn in lustre.dependencies and run.named("peering").urn in lustre.dependencies
    assert lustre.protect and lustre.inputs["deletionPolicy"] == "PREVENT"


def test_root_is_squashed_outside_the_cluster_ranges(declare):
    rules = declare(make()).one(LUSTRE).inputs["accessRulesOptions"]
    assert rules["defaultSquashMode"] == "ROOT_SQUASH"
    assert rules["accessRules"] == [{"name": "cluster", "ipAddressRanges": RANGES, "squashMode": "NO_SQUASH"}]


def test_links_grant_the_lustre_agent_read_or_write_on_their_bucket(declare):
    grants = {g.inputs["bucket"]: g.inputs for g in declare(make()).of_type(GRANT)}
    assert grants["ds"]["role"] == "roles/storage.objectViewer"
    assert grants["ck"]["role"] == "roles/storage.objectUser"
    assert grants["ds"]["member"] == "serviceAccount:service-123@gcp-sa-lustre.iam.gserviceaccount.com"


def test_lustre_volume_names_instance_and_mount_ip(declare):
    run = declare(make())
    csi = run.one(PV).inputs["spec"]["csi"]
    assert csi["driver"] == "lustre.csi.storage.gke.io"
    assert csi["volumeHandle"] == "acme/us-central1-a/train-lustre"
    mount_point = run.one(LUSTRE).outputs["mountPoint"]
    assert csi["volumeAttributes"] == {"ip": mount_point.split("@")[0], "filesystem": "train"}


def test_filestore_exports_to_the_cluster_ranges_only(declare):
    run = declare(make(kind="filestore", capacity_gib=1024, throughput_mbps_per_tib=None, links=[]))
    filestore = run.one(FILESTORE)
    assert filestore.inputs["tier"] == "ZONAL"
    [export] = filestore.inputs["fileShares"]["nfsExportOptions"]
    assert export["ipRanges"] == RANGES
    assert filestore.inputs["networks"][0]["connectMode"] == "PRIVATE_SERVICE_ACCESS"
    assert "kmsKeyName" in filestore.inputs and not filestore.inputs["deletionProtectionEnabled"]
    assert run.one(KEY_GRANT).inputs["member"].endswith("@cloud-filer.iam.gserviceaccount.com")
    assert run.one(PV).inputs["spec"]["csi"]["driver"] == "filestore.csi.storage.gke.io"
