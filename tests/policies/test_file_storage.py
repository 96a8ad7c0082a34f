"""Shared file system rules: a known-good file system per cloud passes; one changed field (or a
missing hardening resource) is reported on the resource's URN."""

from __future__ import annotations

import dataclasses

import pytest

from policies.rules import file_storage as f
from tests.policies.builders import DELETE, assert_compliant, assert_flags, changed, res

NODES_SG = "sg-0nodes"


def good_file_systems():
    aws_key = res("aws:kms/key:Key", "fsx-key", {"enableKeyRotation": True})
    sg = res(f.AWS_SECURITY_GROUP, "fsx-sg", {"vpcId": "vpc-1"})
    gcp_key = res("gcp:kms/cryptoKey:CryptoKey", "lustre-key", {})
    azure_key = res("azure-native:keyvault:Key", "amlfs-key", {})
    nsg = res(
        f.AZURE_NSG,
        "amlfs-nsg",
        {
            "securityRules": [
                {
                    "name": "allow-lustre-from-nodes",
                    "direction": "Inbound",
                    "access": "Allow",
                    "sourceAddressPrefix": "10.30.0.0/17",
                },
                {
                    "name": "deny-rest",
                    "direction": "Inbound",
                    "access": "Deny",
                    "sourceAddressPrefix": "VirtualNetwork",
                },
            ]
        },
    )
    subnet = res(
        f.AZURE_SUBNET, "amlfs-subnet", {"networkSecurityGroup": {"id": "nsg-id"}}, deps={"networkSecurityGroup": nsg}
    )
    ali_key = res("alicloud:kms/key:Key", "nas-key", {})
    return [
        aws_key,
        sg,
        res(
            f.AWS_INGRESS_RULE,
            "fsx-in-nodes",
            {"securityGroupId": "sg-1", "referencedSecurityGroupId": NODES_SG, "fromPort": 988, "toPort": 988},
            deps={"securityGroupId": sg},
        ),
        res(
            f.FSX_LUSTRE,
            "fsx",
            {
                "deploymentType": "PERSISTENT_2",
                "kmsKeyId": "arn:aws:kms:us-east-1:123:key/abc",
                "securityGroupIds": ["sg-1"],
                "automaticBackupRetentionDays": 7,
                "skipFinalBackup": False,
            },
            deps={"kmsKeyId": aws_key, "securityGroupIds": sg},
        ),
        gcp_key,
        res(
            f.MANAGED_LUSTRE,
            "lustre",
            {
                "kmsKey": "projects/p/locations/r/keyRings/k/cryptoKeys/c",
                "accessRulesOptions": {
                    "defaultSquashMode": "ROOT_SQUASH",
                    "accessRules": [{"name": "cluster", "ipAddressRanges": ["10.0.0.0/20"], "squashMode": "NO_SQUASH"}],
                },
                "deletionPolicy": "PREVENT",
            },
            deps={"kmsKey": gcp_key},
        ),
        res(
            f.FILESTORE,
            "filestore",
            {
                "kmsKeyName": "projects/p/locations/r/keyRings/k/cryptoKeys/c",
                "networks": [{"network": "n", "connectMode": "PRIVATE_SERVICE_ACCESS"}],
                "fileShares": {"capacityGb": 1024, "nfsExportOptions": [{"ipRanges": ["10.0.0.0/20"]}]},
                "deletionProtectionEnabled": True,
            },
        ),
        azure_key,
        nsg,
        subnet,
        res(
            f.AML_FILESYSTEM,
            "amlfs",
            {
                "filesystemSubnet": "/subscriptions/s/resourceGroups/rg/subnets/x",
                "encryptionSettings": {"keyEncryptionKey": {"keyUrl": "https://kv.vault.azure.net/keys/k/1"}},
            },
            deps={"filesystemSubnet": subnet, "encryptionSettings": azure_key},
        ),
        ali_key,
        res(f.NAS_FILE_SYSTEM, "nas", {"encryptType": 2, "kmsKeyId": "key-1"}, deps={"kmsKeyId": ali_key}),
        res(f.NAS_ACCESS_RULE, "nas-rule", {"accessGroupName": "train", "sourceCidrIp": "10.40.0.0/20"}),
        res(f.NAS_MOUNT_TARGET, "nas-mount", {"networkType": "Vpc", "accessGroupName": "train"}),
    ]


@pytest.mark.parametrize("rule", [r.id for r in f.RULES])
def test_good_file_systems_pass(rule):
    assert_compliant(rule, good_file_systems())


@pytest.mark.parametrize(
    ("name", "path", "value", "says"),
    [
        ("fsx", "kmsKeyId", DELETE, "kmsKeyId"),
        ("lustre", "kmsKey", DELETE, "kmsKey"),
        ("filestore", "kmsKeyName", DELETE, "kmsKeyName"),
        ("amlfs", "encryptionSettings", DELETE, "encryptionSettings"),
        ("nas", "encryptType", 1, "encryptType"),
    ],
)
def test_file_system_without_customer_key_is_flagged(name, path, value, says):
    assert_flags("file-system-encrypted-with-cmk", changed(good_file_systems(), name, path, value), name, contains=says)


@pytest.mark.parametrize(
    ("name", "path", "value", "says"),
    [
        ("fsx-in-nodes", "cidrIpv4", "0.0.0.0/0", "admits 0.0.0.0/0"),
        ("lustre", "accessRulesOptions.defaultSquashMode", "NO_SQUASH", "ROOT_SQUASH"),
        ("filestore", "fileShares.nfsExportOptions", [{"ipRanges": ["0.0.0.0/0"]}], "ipRanges"),
        ("filestore", "networks", [{"network": "n", "connectMode": "DIRECT_PEERING"}], "private services access"),
        ("amlfs-nsg", "securityRules.0.sourceAddressPrefix", "VirtualNetwork", "allows inbound"),
        ("nas-rule", "sourceCidrIp", "0.0.0.0/0", "every address"),
        ("nas-mount", "accessGroupName", "DEFAULT_VPC_GROUP_NAME", "default permission group"),
    ],
)
def test_file_system_reachable_beyond_the_cluster_is_flagged(name, path, value, says):
    resources = changed(good_file_systems(), name, path, value)
    # The NSG rule and the ingress rule are reported on the file system they open up.
    target = {"fsx-in-nodes": "fsx", "amlfs-nsg": "amlfs"}.get(name, name)
    assert_flags("file-system-private-to-cluster", resources, target, contains=says)


def test_fsx_with_a_security_group_from_elsewhere_is_flagged():
    resources = changed(good_file_systems(), "fsx", "securityGroupIds", ["sg-external"])
    resources = [
        dataclasses.replace(r, property_dependencies={}, dependencies=()) if r.name == "fsx" else r for r in resources
    ]
    assert_flags("file-system-private-to-cluster", resources, "fsx", contains="no security group of this stack")


@pytest.mark.parametrize(
    ("name", "path", "value", "says"),
    [
        ("fsx", "automaticBackupRetentionDays", 0, "no daily backups"),
        ("fsx", "skipFinalBackup", True, "final backup"),
        ("lustre", "deletionPolicy", "DELETE", "PREVENT"),
        ("filestore", "deletionProtectionEnabled", False, "deletionProtectionEnabled"),
    ],
)
def test_file_system_without_backup_or_deletion_protection_is_flagged(name, path, value, says):
    assert_flags("file-system-backed-up", changed(good_file_systems(), name, path, value), name, contains=says)
