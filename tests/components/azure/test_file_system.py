"""ai-infra:azure:FileSystem: Azure Managed Lustre in its own subnet whose security group admits
the Lustre ports from the node subnet only, encrypted with its own Key Vault key through a
user-assigned identity, hydrated from one container with the HPC Cache provider's grants, and a
static Azure Lustre CSI volume bound to one claim."""

from __future__ import annotations

import pulumi_kubernetes as k8s

from components.azure.file_system import BlobLink, FileSystem, FileSystemArgs

AMLFS = "azure-native:storagecache:AmlFilesystem"
NSG = "azure-native:network:NetworkSecurityGroup"
SUBNET = "azure-native:network:Subnet"
ROLE = "azure-native:authorization:RoleAssignment"
EXPORT = "azure-native:storagecache:AutoExportJob"
PV = "kubernetes:core/v1:PersistentVolume"
SUB = "00000000-0000-0000-0000-000000000000"
HPC = "33333333-3333-3333-3333-333333333333"
NODES = "10.30.0.0/17"
OWN = "10.30.224.0/27"


def make(**overrides):
    def program():
        values = {
            "file_system_name": "train",
            "subscription_id": SUB,
            "tenant_id": "11111111-1111-1111-1111-111111111111",
            "resource_group_name": "rg",
            "location": "eastus",
            "zone": "1",
            "vnet_name": "vnet",
            "subnet_cidr": OWN,
            "client_cidr": NODES,
            "key_vault_name": "kv-fs-test",
            "capacity_tib": 8,
            "throughput_mbps_per_tib": 250,
            "kubernetes_provider": k8s.Provider("k8s", kubeconfig="{}"),
            "namespace": "ml",
            "claim": "train",
            "link": BlobLink(directory="datasets", account_name="stdatasets", container_name="datasets"),
            "storage_cache_principal_id": HPC,
            **overrides,
        }
        FileSystem("fs", FileSystemArgs(**values))

    return program


def test_amlfs_sku_size_zone_and_customer_key(declare):
    run = declare(make(protect=True))
    amlfs = run.one(AMLFS)
    assert amlfs.inputs["sku"] == {"name": "AMLFS-Durable-Premium-250"}
    assert amlfs.inputs["storageCapacityTiB"] == 8 and amlfs.inputs["zones"] == ["1"]
    kek = amlfs.inputs["encryptionSettings"]["keyEncryptionKey"]
    assert kek["sourceVault"]["id"].endswith("/providers/Microsoft.KeyVault/vaults/kv-fs-test")
    assert amlfs.inputs["identity"]["type"] == "UserAssigned"
    assert amlfs.protect and run.named("fs-vault").protect
    assert amlfs.inputs["filesystemSubnet"].endswith("/virtualNetworks/vnet/subnets/snet-amlfs-train")
    assert amlfs.inputs["rootSquashSettings"]["noSquashNidLists"] == f"{NODES}@tcp"


def test_only_the_node_subnet_reaches_the_lustre_ports(declare):
    run = declare(make())
    rules = {r["name"]: r for r in run.one(NSG).inputs["securityRules"]}
    lustre = rules["allow-lustre-from-nodes"]
    assert lustre["sourceAddressPrefix"] == NODES and lustre["destinationPortRanges"] == ["988", "1018-1023"]
    allows = [r for r in rules.values() if r["access"] == "Allow"]
    assert {r["sourceAddressPrefix"] for r in allows} == {NODES, OWN}
    assert rules["deny-rest-of-vnet"]["sourceAddressPrefix"] == "VirtualNetwork"
    subnet = run.one(SUBNET)
    assert subnet.inputs["addressPrefix"] == OWN and subnet.inputs["defaultOutboundAccess"] is False


def test_blob_integration_grants_the_hpc_cache_provider_on_the_linked_account_only(declare):
    run = declare(make())
    hsm_grants = [r for r in run.of_type(ROLE) if r.inputs["principalId"] == HPC]
    assert len(hsm_grants) == 2
    assert all(g.inputs["scope"].endswith("/storageAccounts/stdatasets") for g in hsm_grants)
    settings = run.one(AMLFS).inputs["hsm"]["settings"]
    assert settings["container"].endswith("/storageAccounts/stdatasets/blobServices/default/containers/datasets")
    assert settings["loggingContainer"].endswith("/containers/amlfs-train-logs")
    assert not run.of_type(EXPORT)


def test_export_adds_an_auto_export_job(declare):
    run = declare(
        make(link=BlobLink(directory="ck", account_name="stck", container_name="ck", prefix="runs/", export=True))
    )
    assert run.one(EXPORT).inputs["autoExportPrefixes"] == ["/runs/"]


def test_volume_mounts_the_mgs_address(declare):
    run = declare(make(link=None, storage_cache_principal_id=None))
    csi = run.one(PV).inputs["spec"]["csi"]
    mgs = run.one(AMLFS).outputs["clientInfo"]["mgsAddress"]
    assert csi["driver"] == "azurelustre.csi.azure.com"
    assert csi["volumeAttributes"] == {"mgs-ip-address": mgs, "fs-name": "lustrefs"}
    assert "hsm" not in run.one(AMLFS).inputs
