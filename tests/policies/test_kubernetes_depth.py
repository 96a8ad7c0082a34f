"""Kubernetes and node-disk rules judged by meaning: API allow lists as address space (halves,
many /8s, IPv6, Google Cloud public ranges), control-plane authentication (ABAC, client
certificates, RBAC), network policy, SSH to nodes, disks of inline pools and launch templates,
customer-managed disk keys, and node pools that name their cluster by a plain string."""

from __future__ import annotations

import pytest

from policies.rules import kubernetes as k
from tests.policies.builders import DELETE, assert_compliant, assert_flags, changed, res

API = "k8s-api-endpoint-restricted"
AUTH = "k8s-control-plane-auth"
NETPOL = "k8s-network-policy-enforced"
SSH = "k8s-nodes-no-ssh"
SYSTEM_POOL = "k8s-system-pool-isolated"
ADMISSION = "k8s-admission-policy"
PUBLIC_IP = "k8s-nodes-no-public-ip"
IDENTITY = "k8s-workload-identity"
MAINTENANCE = "k8s-node-auto-repair-upgrade"
DISKS = "disks-encrypted"
DISKS_KEY = "disks-encrypted-with-cmk"
RULES = [API, AUTH, NETPOL, SSH, SYSTEM_POOL, ADMISSION, PUBLIC_IP, MAINTENANCE, DISKS, DISKS_KEY]

HALVES = ["0.0.0.0/1", "128.0.0.0/1"]
V6_HALVES = ["::/1", "8000::/1"]
MANY_EIGHTS = [f"{first}.0.0.0/8" for first in range(11, 200) if first not in (100, 127, 169, 172, 192, 198)]
KMS_KEY = "aws:kms/key:Key"
DES = "azure-native:compute:DiskEncryptionSet"


def good_eks():
    key = res(KMS_KEY, "node-volumes-key", {"enableKeyRotation": True})
    cluster = res(
        k.EKS_CLUSTER,
        "eks",
        {"name": "ai-infra", "vpcConfig": {"endpointPublicAccess": False, "endpointPrivateAccess": True}},
    )
    template = res(
        k.AWS_LAUNCH_TEMPLATE,
        "gpu-lt",
        {
            "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 1},
            "blockDeviceMappings": [
                {"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "kmsKeyId": "arn:aws:kms:us-east-1:1:key/k"}}
            ],
        },
        deps={"blockDeviceMappings": key},
    )
    group = res(
        k.EKS_NODE_GROUP,
        "gpu-nodes",
        {
            "clusterName": "ai-infra",
            "launchTemplate": {"id": "lt-1", "version": "1"},
            "nodeRepairConfig": {"enabled": True},
        },
        deps={"launchTemplate": template, "clusterName": cluster},
    )
    return [key, cluster, template, group]


def good_gke():
    cluster = res(
        k.GKE_CLUSTER,
        "gke",
        {
            "name": "ai-infra",
            "privateClusterConfig": {"enablePrivateEndpoint": True, "enablePrivateNodes": True},
            "masterAuthorizedNetworksConfig": {"cidrBlocks": [], "gcpPublicCidrsAccessEnabled": False},
            "masterAuth": {"clientCertificateConfig": {"issueClientCertificate": False}},
            "enableLegacyAbac": False,
            "datapathProvider": "ADVANCED_DATAPATH",
            "networkingMode": "VPC_NATIVE",
            "ipAllocationPolicy": {"clusterSecondaryRangeName": "pods"},
            "removeDefaultNodePool": True,
            "enableShieldedNodes": True,
        },
    )
    pool = res(
        k.GKE_NODE_POOL,
        "gke-l4",
        {
            # Names its cluster by a plain string: no property dependency to follow.
            "cluster": "projects/p/locations/us-central1/clusters/ai-infra",
            "management": {"autoRepair": True, "autoUpgrade": True},
            "nodeConfig": {
                "imageType": "COS_CONTAINERD",
                "bootDiskKmsKey": "projects/p/locations/us-central1/keyRings/r/cryptoKeys/node-disks",
                "workloadMetadataConfig": {"mode": "GKE_METADATA"},
                "metadata": {"disable-legacy-endpoints": "true"},
                "shieldedInstanceConfig": {"enableSecureBoot": True, "enableIntegrityMonitoring": True},
            },
        },
    )
    return [cluster, pool]


def good_aks():
    des = res(DES, "des", {"encryptionType": "EncryptionAtRestWithCustomerKey"})
    cluster = res(
        k.AKS_CLUSTER,
        "aks",
        {
            "resourceName": "aks-ai-infra",
            "apiServerAccessProfile": {"enablePrivateCluster": True},
            "enableRBAC": True,
            "aadProfile": {"managed": True, "enableAzureRBAC": True},
            "disableLocalAccounts": True,
            "networkProfile": {"networkPlugin": "azure", "networkPolicy": "cilium"},
            "diskEncryptionSetID": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/des",
            "autoUpgradeProfile": {"upgradeChannel": "stable", "nodeOSUpgradeChannel": "NodeImage"},
            "addonProfiles": {"azurepolicy": {"enabled": True}},
            "agentPoolProfiles": [
                {
                    "name": "system",
                    "mode": "System",
                    "type": "VirtualMachineScaleSets",
                    "nodeTaints": ["CriticalAddonsOnly=true:NoSchedule"],
                    "enableEncryptionAtHost": True,
                    "enableNodePublicIP": False,
                }
            ],
        },
        deps={"diskEncryptionSetID": des},
    )
    pool = res(
        k.AKS_AGENT_POOL,
        "aks-gpu",
        {"resourceName": "aks-ai-infra", "enableEncryptionAtHost": True, "enableNodePublicIP": False},
    )
    return [des, cluster, pool]


def good_ack():
    cluster = res(
        k.ACK_CLUSTER,
        "ack",
        {
            "slbInternetEnabled": False,
            "addons": [{"name": "terway-eniip", "config": '{"NetworkPolicy": "true"}'}, {"name": "csi-plugin"}],
        },
    )
    pool = res(
        k.ACK_NODE_POOL,
        "ack-gpu",
        {
            "clusterId": "c-1",
            "management": {"enable": True, "autoRepair": True, "autoUpgrade": True},
            "systemDiskEncrypted": True,
            "systemDiskKmsKey": "key-1",
            "dataDisks": [{"size": 200, "encrypted": "true", "kmsKeyId": "key-1"}],
        },
        deps={"clusterId": cluster},
    )
    return [cluster, pool]


GOOD = {"eks": good_eks, "gke": good_gke, "aks": good_aks, "ack": good_ack}


@pytest.mark.parametrize("cloud", sorted(GOOD))
@pytest.mark.parametrize("rule", RULES)
def test_hardened_clusters_pass(rule: str, cloud: str) -> None:
    assert_compliant(rule, GOOD[cloud]())


def _literal_key(resources, key_id):
    """The launch template with a literal key id (and so no dependency on the stack's key)."""
    template = next(r for r in resources if r.name == "gpu-lt")
    props = {**dict(template.props)}
    props["blockDeviceMappings"] = [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "kmsKeyId": key_id}}]
    if key_id is DELETE:
        del props["blockDeviceMappings"][0]["ebs"]["kmsKeyId"]
    return [res(k.AWS_LAUNCH_TEMPLATE, "gpu-lt", props) if r.name == "gpu-lt" else r for r in resources]


def _public_eks(cidrs):
    return lambda r: changed(r, "eks", "vpcConfig", {"endpointPublicAccess": True, "publicAccessCidrs": cidrs})


def _public_gke(networks):
    return lambda r: changed(
        changed(r, "gke", "privateClusterConfig.enablePrivateEndpoint", False),
        "gke",
        "masterAuthorizedNetworksConfig",
        networks,
    )


VIOLATIONS = [
    # -- API allow lists as address space --------------------------------------------------------------
    (API, "eks", _public_eks(HALVES), "eks", "every public IPv4 address"),
    (API, "eks", _public_eks(MANY_EIGHTS), "eks", "public IPv4 addresses"),
    (API, "eks", _public_eks(["10.0.0.0/8", *V6_HALVES]), "eks", "every public IPv6 address"),
    (API, "eks", lambda r: changed(r, "eks", "vpcConfig.endpointPublicAccess", DELETE), "eks", "0.0.0.0/0"),
    (API, "gke", _public_gke({"cidrBlocks": [], "gcpPublicCidrsAccessEnabled": True}), "gke", "Google Cloud"),
    (API, "gke", _public_gke({"cidrBlocks": [{"cidrBlock": c} for c in ("52.0.0.0/9", "52.128.0.0/9")]}), "gke", ""),
    (API, "gke", _public_gke(DELETE), "gke", "no master authorized networks"),
    (
        API,
        "aks",
        lambda r: changed(
            r, "aks", "apiServerAccessProfile", {"enablePrivateCluster": False, "authorizedIPRanges": HALVES}
        ),
        "aks",
        "every public IPv4 address",
    ),
    (
        API,
        "aks",
        lambda r: changed(r, "aks", "apiServerAccessProfile.enablePrivateCluster", False),
        "aks",
        "no authorizedIPRanges",
    ),
    (API, "ack", lambda r: changed(r, "ack", "slbInternetEnabled", DELETE), "ack", "slbInternetEnabled"),
    # -- authentication and authorization ----------------------------------------------------------------
    (AUTH, "gke", lambda r: changed(r, "gke", "enableLegacyAbac", True), "gke", "ABAC"),
    (
        AUTH,
        "gke",
        lambda r: changed(r, "gke", "masterAuth.clientCertificateConfig.issueClientCertificate", True),
        "gke",
        "client certificate",
    ),
    (AUTH, "gke", lambda r: changed(r, "gke", "masterAuth.username", "admin"), "gke", "basic authentication"),
    (AUTH, "aks", lambda r: changed(r, "aks", "enableRBAC", False), "aks", "enableRBAC"),
    (AUTH, "aks", lambda r: changed(r, "aks", "aadProfile", DELETE), "aks", "Entra ID"),
    # -- network policy ----------------------------------------------------------------------------------
    (NETPOL, "gke", lambda r: changed(r, "gke", "datapathProvider", "LEGACY_DATAPATH"), "gke", "NetworkPolicy"),
    (NETPOL, "gke", lambda r: changed(r, "gke", "networkingMode", "ROUTES"), "gke", "VPC-native"),
    (NETPOL, "aks", lambda r: changed(r, "aks", "networkProfile.networkPolicy", "none"), "aks", "networkPolicy"),
    (NETPOL, "ack", lambda r: changed(r, "ack", "addons.0.config", '{"NetworkPolicy": "false"}'), "ack", "terway"),
    # -- SSH to nodes -------------------------------------------------------------------------------------
    (SSH, "eks", lambda r: changed(r, "gpu-nodes", "remoteAccess", {"ec2SshKey": "ops"}), "gpu-nodes", "0.0.0.0/0"),
    (
        SSH,
        "eks",
        lambda r: changed(r, "gpu-nodes", "remoteAccess", {"ec2SshKey": "ops", "sourceSecurityGroupIds": ["sg-1"]}),
        "gpu-nodes",
        "SSH key",
    ),
    (
        SSH,
        "aks",
        lambda r: changed(
            r,
            "aks",
            "linuxProfile",
            {"adminUsername": "azureuser", "ssh": {"publicKeys": [{"keyData": "ssh-rsa AAA"}]}},
        ),
        "aks",
        "SSH key",
    ),
    (SSH, "ack", lambda r: changed(r, "ack-gpu", "keyName", "ops-keypair"), "ack-gpu", "SSH key pair"),
    (SYSTEM_POOL, "aks", lambda r: changed(r, "aks", "agentPoolProfiles.0.nodeTaints", []), "aks", "system"),
    (SYSTEM_POOL, "aks", lambda r: changed(r, "aks-gpu", "mode", "System"), "aks-gpu", "System pool"),
    (ADMISSION, "aks", lambda r: changed(r, "aks", "addonProfiles.azurepolicy.enabled", False), "aks", "azurepolicy"),
    (
        MAINTENANCE,
        "aks",
        lambda r: changed(r, "aks-gpu", "type", "AvailabilitySet"),
        "aks-gpu",
        "VirtualMachineScaleSets",
    ),
    (SSH, "ack", lambda r: changed(r, "ack-gpu", "password", "Hunter2!"), "ack-gpu", "password"),
    # -- node pools judged with the cluster they name by string --------------------------------------------
    (
        PUBLIC_IP,
        "gke",
        lambda r: changed(r, "gke", "privateClusterConfig.enablePrivateNodes", False),
        "gke-l4",
        "neither",
    ),
    (
        IDENTITY,
        "gke",
        lambda r: changed(r, "gke-l4", "nodeConfig.metadata.disable-legacy-endpoints", "false"),
        "gke-l4",
        "legacy",
    ),
    (
        MAINTENANCE,
        "gke",
        lambda r: changed(r, "gke-l4", "nodeConfig.imageType", "UBUNTU_CONTAINERD"),
        "gke-l4",
        "Container-Optimized",
    ),
    (
        MAINTENANCE,
        "gke",
        lambda r: changed(r, "gke-l4", "nodeConfig.shieldedInstanceConfig.enableIntegrityMonitoring", False),
        "gke-l4",
        "Integrity",
    ),
    # -- disks ---------------------------------------------------------------------------------------------
    (DISKS, "eks", lambda r: changed(r, "gpu-lt", "blockDeviceMappings", DELETE), "gpu-lt", "no blockDeviceMappings"),
    (DISKS, "aks", lambda r: changed(r, "aks", "agentPoolProfiles.0.enableEncryptionAtHost", False), "aks", "system"),
    (DISKS, "ack", lambda r: changed(r, "ack-gpu", "dataDisks.0.encrypted", "false"), "ack-gpu", "dataDisks[0]"),
    (
        DISKS_KEY,
        "eks",
        lambda r: _literal_key(r, "alias/aws/ebs"),
        "gpu-lt",
        "customer-managed",
    ),
    (
        DISKS_KEY,
        "eks",
        lambda r: _literal_key(r, DELETE),
        "gpu-lt",
        "kmsKeyId",
    ),
    (DISKS_KEY, "gke", lambda r: changed(r, "gke-l4", "nodeConfig.bootDiskKmsKey", DELETE), "gke-l4", "bootDiskKmsKey"),
    (DISKS_KEY, "aks", lambda r: changed(r, "aks", "diskEncryptionSetID", DELETE), "aks", "diskEncryptionSetID"),
    (DISKS_KEY, "ack", lambda r: changed(r, "ack-gpu", "dataDisks.0.kmsKeyId", DELETE), "ack-gpu", "dataDisks[0]"),
]


@pytest.mark.parametrize(
    ("rule", "cloud", "break_it", "flagged", "contains"), VIOLATIONS, ids=lambda v: v if isinstance(v, str) else ""
)
def test_each_form_of_the_weakness_is_reported(rule, cloud, break_it, flagged, contains) -> None:
    assert_flags(rule, break_it(GOOD[cloud]()), flagged, contains=contains)


# -- false positives and configuration -------------------------------------------------------------------
def test_a_public_endpoint_restricted_to_listed_networks_passes_unless_private_is_required() -> None:
    resources = _public_eks(["52.94.76.0/24", "10.0.0.0/8"])(good_eks())
    assert_compliant(API, resources)
    assert_flags(API, resources, "eks", {"privateEndpointRequired": True}, contains="requires a private endpoint")


def test_gke_authorized_networks_that_list_nothing_leave_no_public_access() -> None:
    assert_compliant(API, _public_gke({"cidrBlocks": [], "gcpPublicCidrsAccessEnabled": False})(good_gke()))


def test_a_node_pool_of_another_cluster_is_not_judged_by_this_one() -> None:
    resources = changed(good_gke(), "gke", "privateClusterConfig.enablePrivateNodes", False)
    resources = changed(resources, "gke-l4", "cluster", "projects/p/locations/us-central1/clusters/other")
    assert_compliant(PUBLIC_IP, resources)


def test_a_launch_template_without_mappings_is_fine_under_ebs_encryption_by_default() -> None:
    default = res("aws:ebs/encryptionByDefault:EncryptionByDefault", "ebs-default", {"enabled": True})
    assert_compliant(DISKS, [*changed(good_eks(), "gpu-lt", "blockDeviceMappings", DELETE), default])
