"""The prod stack has one shared file system per cloud, linked to its datasets bucket, open only to
the cluster network, mounted into the cluster (CSI wiring + a static volume and claim in the
training namespace) and priced or explicitly unknown; dev has none."""

from __future__ import annotations

import pytest

from catalog.costs import estimate_resources
from preflight.costs.inputs import resource_inputs
from preflight.project import load_project, load_stack_config
from tests.conftest import REPO_ROOT

FILE_SYSTEMS = {
    "aws": "aws:fsx/lustreFileSystem:LustreFileSystem",
    "gcp": "gcp:lustre/instance:Instance",
    "azure": "azure-native:storagecache:AmlFilesystem",
    "alicloud": "alicloud:nas/fileSystem:FileSystem",
}
PV = "kubernetes:core/v1:PersistentVolume"
PVC = "kubernetes:core/v1:PersistentVolumeClaim"


def test_dev_has_no_file_system(stack_run):
    run = stack_run("dev")
    assert [r.name for r in run.resources if r.type in FILE_SYSTEMS.values()] == []
    assert run.of_type(PV) == []


@pytest.mark.parametrize("cloud", sorted(FILE_SYSTEMS))
def test_prod_has_one_protected_file_system_per_cloud_with_a_claim_in_ml(stack_run, cloud):
    run = stack_run("prod")
    [fs] = run.of_type(FILE_SYSTEMS[cloud])
    assert fs.protect and fs.retain_on_delete
    [volume] = [pv for pv in run.of_type(PV) if f"ai-infra:{cloud}:FileSystem$" in pv.urn]
    claim_ref = volume.inputs["spec"]["claimRef"]
    assert claim_ref == {"namespace": "ml", "name": "train"}
    assert volume.inputs["spec"]["persistentVolumeReclaimPolicy"] == "Retain"


def test_aws_lustre_links_datasets_and_is_mounted_through_the_fsx_csi_addon(stack_run):
    run = stack_run("prod")
    links = {
        r.inputs["fileSystemPath"]: r.inputs["dataRepositoryPath"]
        for r in run.of_type("aws:fsx/dataRepositoryAssociation:DataRepositoryAssociation")
    }
    assert links["/datasets"].startswith("s3://ai-infra-prod-datasets-")
    assert links["/checkpoints"].startswith("s3://ai-infra-prod-checkpoints-")
    addon = run.named("prod-fsx-csi-addon")
    assert addon.inputs["addonName"] == "aws-fsx-csi-driver"
    assert addon.inputs["podIdentityAssociations"][0]["serviceAccount"] == "fsx-csi-controller-sa"
    # The Lustre ports admit the cluster security group only.
    peers = {
        r.inputs["referencedSecurityGroupId"]
        for r in run.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if r.name.startswith("prod-fs-train-in-nodes")
    }
    cluster = run.one("aws:eks/cluster:Cluster")
    assert peers == {cluster.outputs["vpcConfig"]["clusterSecurityGroupId"]}


def test_gke_enables_the_lustre_csi_driver_and_lustre_reads_datasets(stack_run):
    run = stack_run("prod")
    cluster = run.one("gcp:container/cluster:Cluster")
    assert cluster.inputs["addonsConfig"]["lustreCsiDriverConfig"] == {"enabled": True}
    grants = {
        r.inputs["role"]
        for r in run.of_type("gcp:storage/bucketIAMMember:BucketIAMMember")
        if r.name.startswith("prod-fs-train-link-")
    }
    assert grants == {"roles/storage.objectViewer", "roles/storage.objectUser"}


def test_azure_amlfs_hydrates_from_datasets_and_its_subnet_is_admitted_by_the_account(stack_run):
    run = stack_run("prod")
    amlfs = run.one(FILE_SYSTEMS["azure"])
    assert "/containers/datasets" in amlfs.inputs["hsm"]["settings"]["container"]
    [account] = [r for r in run.of_type("azure-native:storage:StorageAccount") if "datasets" in r.name]
    rules = account.inputs["networkRuleSet"]["virtualNetworkRules"]
    assert any(rule["virtualNetworkResourceId"].endswith("/subnets/snet-amlfs-train") for rule in rules)


def test_file_systems_are_priced_or_unknown_with_a_reason(stack_run):
    run = stack_run("prod")
    config = load_stack_config(load_project(REPO_ROOT), "prod").values
    costs = {c.type: c for c in estimate_resources(resource_inputs(run, config)) if c.type in FILE_SYSTEMS.values()}
    assert costs[FILE_SYSTEMS["aws"]].known and costs[FILE_SYSTEMS["aws"]].ceiling_usd == pytest.approx(9600 * 0.145)
    for cloud in ("gcp", "azure", "alicloud"):
        assert not costs[FILE_SYSTEMS[cloud]].known and "not sourced" in costs[FILE_SYSTEMS[cloud]].unknown_reason
