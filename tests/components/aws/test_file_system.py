"""ai-infra:aws:FileSystem: FSx for Lustre PERSISTENT_2 encrypted with its own KMS key, a security
group that admits the Lustre ports from the cluster nodes (and itself) only, a data repository
association per bucket link, the CSI role's describe grant on this file system alone, and a
static PersistentVolume bound to one claim."""

from __future__ import annotations

import json

import pulumi_kubernetes as k8s

from components.aws.file_system import FileSystem, FileSystemArgs, S3Link
from components.aws.fsx_csi_driver import FsxCsiDriver, FsxCsiDriverArgs

FSX = "aws:fsx/lustreFileSystem:LustreFileSystem"
DRA = "aws:fsx/dataRepositoryAssociation:DataRepositoryAssociation"
KEY = "aws:kms/key:Key"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
PV = "kubernetes:core/v1:PersistentVolume"
PVC = "kubernetes:core/v1:PersistentVolumeClaim"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ADDON = "aws:eks/addon:Addon"
NODES_SG = "sg-0nodes"


def make(**overrides):
    def program():
        provider = k8s.Provider("k8s", kubeconfig="{}")
        driver = FsxCsiDriver(
            "csi",
            FsxCsiDriverArgs(
                cluster_name="ai-infra-test",
                cluster_name_output="ai-infra-test",
                region="us-east-1",
                account_id="123456789012",
            ),
        )
        values = {
            "file_system_name": "train",
            "vpc_id": "vpc-1",
            "subnet_id": "subnet-1",
            "client_security_group_id": NODES_SG,
            "capacity_gib": 2400,
            "throughput_mbps_per_tib": 500,
            "cluster_name": "ai-infra-test",
            "kubernetes_provider": provider,
            "csi_driver": driver,
            "namespace": "ml",
            "claim": "train",
            "links": [
                S3Link(directory="datasets", bucket_name="ds-bucket", prefix="imagenet/"),
                S3Link(directory="checkpoints", bucket_name="ck-bucket", export=True),
            ],
            "tags": {"environment": "test"},
            **overrides,
        }
        FileSystem("fs", FileSystemArgs(**values))

    return program


def test_lustre_is_persistent_2_encrypted_with_its_own_rotating_key(declare):
    run = declare(make(protect=True, backup_retention_days=7))
    fsx = run.one(FSX)
    assert fsx.inputs["deploymentType"] == "PERSISTENT_2" and fsx.inputs["storageType"] == "SSD"
    assert fsx.inputs["storageCapacity"] == 2400 and fsx.inputs["perUnitStorageThroughput"] == 500
    key = run.one(KEY)
    assert key.inputs["enableKeyRotation"] is True
    assert fsx.property_dependencies["kmsKeyId"] == [key.urn]
    # Prod: protected, retained, backed up daily, final backup kept.
    assert fsx.protect and fsx.retain_on_delete and key.protect
    assert fsx.inputs["automaticBackupRetentionDays"] == 7 and fsx.inputs["skipFinalBackup"] is False


def test_dev_file_system_has_no_backups_and_can_be_torn_down(declare):
    fsx = declare(make()).one(FSX)
    assert not fsx.protect and fsx.inputs["automaticBackupRetentionDays"] == 0 and fsx.inputs["skipFinalBackup"]


def test_only_the_cluster_nodes_and_the_file_servers_reach_the_lustre_ports(declare):
    run = declare(make())
    rules = run.of_type(INGRESS) + run.of_type(EGRESS)
    assert len(rules) == 8
    sg = run.named("fs-sg")
    for rule in rules:
        assert "cidrIpv4" not in rule.inputs and "cidrIpv6" not in rule.inputs
        assert rule.inputs["ipProtocol"] == "tcp" and rule.inputs["tags"]["environment"] == "test"
        assert (rule.inputs["fromPort"], rule.inputs["toPort"]) in {(988, 988), (1018, 1023)}
        peer = rule.inputs["referencedSecurityGroupId"]
        assert peer == NODES_SG or rule.property_dependencies["referencedSecurityGroupId"] == [sg.urn]
    assert sorted(
        r.inputs["fromPort"] for r in run.of_type(INGRESS) if r.inputs["referencedSecurityGroupId"] == NODES_SG
    ) == [
        988,
        1018,
    ]


def test_each_link_is_a_data_repository_association_import_or_export(declare):
    run = declare(make())
    links = {r.inputs["fileSystemPath"]: r.inputs for r in run.of_type(DRA)}
    assert links["/datasets"]["dataRepositoryPath"] == "s3://ds-bucket/imagenet/"
    assert "autoExportPolicy" not in links["/datasets"]["s3"]
    assert links["/checkpoints"]["s3"]["autoExportPolicy"]["events"] == ["NEW", "CHANGED", "DELETED"]
    assert all(link["deleteDataInFilesystem"] is False for link in links.values())


def test_the_csi_role_may_describe_this_file_system_only(declare):
    run = declare(make())
    grant = run.named("fs-csi-describe")
    [statement] = json.loads(grant.inputs["policy"])["Statement"]
    assert statement["Action"] == ["fsx:DescribeFileSystems"]
    assert statement["Resource"] == run.named("fs-fsx").outputs["arn"]
    assert grant.property_dependencies["role"] == [run.named("csi-role").urn]


def test_the_volume_is_static_retained_and_bound_to_its_claim_only(declare):
    run = declare(make(read_only=True))
    pv, pvc = run.one(PV), run.one(PVC)
    spec = pv.inputs["spec"]
    assert spec["persistentVolumeReclaimPolicy"] == "Retain" and spec["storageClassName"] == ""
    assert spec["claimRef"] == {"namespace": "ml", "name": "train"}
    assert spec["accessModes"] == ["ReadOnlyMany"] and spec["csi"]["driver"] == "fsx.csi.aws.com"
    assert spec["csi"]["volumeHandle"] == run.id_of("fs-fsx")
    assert pvc.inputs["spec"]["volumeName"] == pv.inputs["metadata"]["name"] == "train-ml"
    assert run.named("csi-addon").urn in pv.dependencies
