"""ai-infra:alicloud:FileSystem: Extreme NAS encrypted with its own KMS key, one mount target in
the cluster's vSwitch behind a permission group that admits the cluster's ranges only, bucket
links recorded as tags, and a static NAS CSI volume bound to one claim."""

from __future__ import annotations

import pulumi_kubernetes as k8s

from components.alicloud.file_system import FileSystem, FileSystemArgs

NAS = "alicloud:nas/fileSystem:FileSystem"
RULE = "alicloud:nas/accessRule:AccessRule"
TARGET = "alicloud:nas/mountTarget:MountTarget"
KEY = "alicloud:kms/key:Key"
PV = "kubernetes:core/v1:PersistentVolume"
CIDRS = ["10.40.0.0/20", "10.40.64.0/18"]


def make(**overrides):
    def program():
        values = {
            "file_system_name": "train",
            "cluster_name": "ai-infra-test",
            "zone_id": "ap-southeast-1a",
            "vpc_id": "vpc-1",
            "vswitch_id": "vsw-1",
            "client_cidrs": CIDRS,
            "capacity_gib": 100,
            "kubernetes_provider": k8s.Provider("k8s", kubeconfig="{}"),
            "namespace": "ml",
            "claim": "train",
            "links": {"datasets": "oss://ds/imagenet/"},
            **overrides,
        }
        FileSystem("fs", FileSystemArgs(**values))

    return program


def test_extreme_nas_with_a_customer_key(declare):
    run = declare(make(protect=True, tier="advance"))
    nas = run.one(NAS)
    assert nas.inputs["fileSystemType"] == "extreme" and nas.inputs["storageType"] == "advance"
    assert nas.inputs["capacity"] == 100 and nas.inputs["encryptType"] == 2
    assert nas.property_dependencies["kmsKeyId"] == [run.one(KEY).urn]
    assert nas.protect and run.one(KEY).protect
    assert nas.inputs["tags"]["ai-infra-link-datasets"] == "oss://ds/imagenet/"


def test_only_the_cluster_ranges_are_admitted(declare):
    run = declare(make())
    rules = run.of_type(RULE)
    assert sorted(r.inputs["sourceCidrIp"] for r in rules) == sorted(CIDRS)
    assert all(r.inputs["rwAccessType"] == "RDWR" for r in rules)
    target = run.one(TARGET)
    assert target.inputs["networkType"] == "Vpc" and target.inputs["vswitchId"] == "vsw-1"
    assert target.inputs["accessGroupName"] == "ai-infra-test-train"


def test_read_only_mount_is_read_only_on_the_server_too(declare):
    run = declare(make(read_only=True))
    assert {r.inputs["rwAccessType"] for r in run.of_type(RULE)} == {"RDONLY"}
    assert run.one(PV).inputs["spec"]["accessModes"] == ["ReadOnlyMany"]


def test_volume_mounts_the_mount_target(declare):
    run = declare(make())
    csi = run.one(PV).inputs["spec"]["csi"]
    assert csi["driver"] == "nasplugin.csi.alibabacloud.com"
    assert csi["volumeAttributes"] == {
        "server": run.one(TARGET).outputs["mountTargetDomain"],
        "path": "/share",
        "vers": "3",
    }
