"""Kubernetes rules (S8-S15, C10): a locked-down cluster and pool per cloud pass; one changed field
is reported on the cluster's or pool's URN."""

from __future__ import annotations

import pytest

from policies.rules import kubernetes as k
from policies.rules.storage import AZURE_DIAGNOSTIC_SETTING
from tests.policies.builders import DELETE, TAGS, assert_compliant, assert_flags, changed, res, without

KMS_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234"


def good_eks():
    cluster = res(
        k.EKS_CLUSTER,
        "eks",
        {
            "name": "dev-gpu",
            "version": "1.35",
            "vpcConfig": {"endpointPrivateAccess": True, "endpointPublicAccess": False, "subnetIds": ["subnet-1"]},
            "encryptionConfig": {"provider": {"keyArn": KMS_ARN}, "resources": ["secrets"]},
            "enabledClusterLogTypes": ["api", "audit", "authenticator"],
            "upgradePolicy": {"supportType": "STANDARD"},
            "tags": TAGS,
        },
        protect=True,
    )
    subnet = res(k.AWS_SUBNET, "private-a", {"cidrBlock": "10.0.0.0/19", "mapPublicIpOnLaunch": False})
    template = res(
        k.AWS_LAUNCH_TEMPLATE,
        "gpu-lt",
        {
            "metadataOptions": {"httpEndpoint": "enabled", "httpTokens": "required", "httpPutResponseHopLimit": 1},
            "networkInterfaces": [{"deviceIndex": 0, "interfaceType": "efa"}],
        },
    )
    return [
        cluster,
        subnet,
        template,
        res(
            k.AWS_OIDC_PROVIDER,
            "eks-oidc",
            {"url": "https://oidc.eks/id/X", "clientIdLists": ["sts.amazonaws.com"]},
            deps={"url": cluster},
        ),
        res(
            k.EKS_NODE_GROUP,
            "gpu-nodes",
            {
                "subnetIds": ["subnet-1"],
                "launchTemplate": {"id": "lt-1", "version": "1"},
                "nodeRepairConfig": {"enabled": True},
            },
            deps={"subnetIds": subnet, "launchTemplate": template, "clusterName": cluster},
        ),
    ]


def good_gke():
    cluster = res(
        k.GKE_CLUSTER,
        "gke",
        {
            "privateClusterConfig": {"enablePrivateEndpoint": True, "enablePrivateNodes": True},
            "databaseEncryption": {"state": "ENCRYPTED", "keyName": "projects/p/locations/l/keyRings/r/cryptoKeys/k"},
            "workloadIdentityConfig": {"workloadPool": "p.svc.id.goog"},
            "releaseChannel": {"channel": "REGULAR"},
            "removeDefaultNodePool": True,
            "enableShieldedNodes": True,
            "loggingService": "logging.googleapis.com/kubernetes",
            "resourceLabels": TAGS,
        },
        protect=True,
    )
    pool = res(
        k.GKE_NODE_POOL,
        "gke-l4",
        {
            "cluster": "projects/p/locations/l/clusters/gke",
            "management": {"autoRepair": True, "autoUpgrade": True},
            "nodeConfig": {
                "serviceAccount": "nodes@p.iam.gserviceaccount.com",
                "workloadMetadataConfig": {"mode": "GKE_METADATA"},
                "shieldedInstanceConfig": {"enableSecureBoot": True, "enableIntegrityMonitoring": True},
            },
        },
        deps={"cluster": cluster},
    )
    tpu = res(
        k.GCP_TPU_VM,
        "tpu-vm",
        {"networkConfig": {"enableExternalIps": False}, "serviceAccount": {"email": "tpu@p.iam.gserviceaccount.com"}},
        protect=True,
    )
    return [cluster, pool, tpu]


def good_aks():
    cluster = res(
        k.AKS_CLUSTER,
        "aks",
        {
            "kubernetesVersion": "1.35",
            "apiServerAccessProfile": {"enablePrivateCluster": True},
            "securityProfile": {
                "azureKeyVaultKms": {"enabled": True, "keyId": "https://v.vault.azure.net/keys/k/1"},
                "workloadIdentity": {"enabled": True},
            },
            "oidcIssuerProfile": {"enabled": True},
            "autoUpgradeProfile": {"upgradeChannel": "patch", "nodeOSUpgradeChannel": "NodeImage"},
            "disableLocalAccounts": True,
            "supportPlan": "KubernetesOfficial",
            "agentPoolProfiles": [{"name": "system", "enableNodePublicIP": False}],
            "tags": TAGS,
        },
        protect=True,
    )
    return [
        cluster,
        res(
            AZURE_DIAGNOSTIC_SETTING,
            "aks-audit",
            {"resourceUri": "/subscriptions/s/.../aks", "logs": [{"category": "kube-audit-admin", "enabled": True}]},
            deps={"resourceUri": cluster},
        ),
        res(k.AKS_AGENT_POOL, "aks-gpu", {"vmSize": "Standard_NC4as_T4_v3", "enableNodePublicIP": False}),
    ]


def good_ack():
    return [
        res(
            k.ACK_CLUSTER,
            "ack",
            {
                "version": "1.35.1-aliyun.1",
                "slbInternetEnabled": False,
                "encryptionProviderKey": "key-1",
                "auditLogConfig": {"enabled": True},
                "enableRrsa": True,
                "tags": TAGS,
            },
            protect=True,
        ),
        res(
            k.ACK_NODE_POOL,
            "ack-gpu",
            {"management": {"enable": True, "autoRepair": True, "autoUpgrade": True}, "internetMaxBandwidthOut": 0},
        ),
    ]


GOOD = {"eks": good_eks, "gke": good_gke, "aks": good_aks, "ack": good_ack}
RULES = [
    "k8s-api-endpoint-restricted",
    "k8s-nodes-no-public-ip",
    "k8s-secrets-encrypted-with-kms",
    "k8s-audit-logging",
    "k8s-workload-identity",
    "k8s-nodes-custom-service-account",
    "k8s-supported-version",
    "k8s-node-auto-repair-upgrade",
    "k8s-no-extended-support",
]


@pytest.mark.parametrize("cloud", sorted(GOOD))
@pytest.mark.parametrize("rule", RULES)
def test_locked_down_clusters_pass(rule: str, cloud: str) -> None:
    assert_compliant(rule, GOOD[cloud]())


VIOLATIONS = [
    # S8
    (
        "k8s-api-endpoint-restricted",
        "eks",
        lambda r: changed(r, "eks", "vpcConfig.endpointPublicAccess", DELETE),
        "eks",
        "0.0.0.0/0",
    ),
    (
        "k8s-api-endpoint-restricted",
        "eks",
        lambda r: changed(r, "eks", "vpcConfig", {"endpointPublicAccess": True, "publicAccessCidrs": ["0.0.0.0/0"]}),
        "eks",
        "",
    ),
    (
        "k8s-api-endpoint-restricted",
        "gke",
        lambda r: changed(r, "gke", "privateClusterConfig.enablePrivateEndpoint", False),
        "gke",
        "authorized",
    ),
    (
        "k8s-api-endpoint-restricted",
        "aks",
        lambda r: changed(r, "aks", "apiServerAccessProfile.enablePrivateCluster", False),
        "aks",
        "",
    ),
    ("k8s-api-endpoint-restricted", "ack", lambda r: changed(r, "ack", "slbInternetEnabled", True), "ack", ""),
    # S9
    (
        "k8s-nodes-no-public-ip",
        "eks",
        lambda r: changed(r, "private-a", "mapPublicIpOnLaunch", True),
        "gpu-nodes",
        "private-a",
    ),
    (
        "k8s-nodes-no-public-ip",
        "eks",
        lambda r: changed(r, "gpu-lt", "networkInterfaces.0.associatePublicIpAddress", "true"),
        "gpu-lt",
        "",
    ),
    (
        "k8s-nodes-no-public-ip",
        "gke",
        lambda r: changed(r, "gke", "privateClusterConfig.enablePrivateNodes", False),
        "gke-l4",
        "",
    ),
    (
        "k8s-nodes-no-public-ip",
        "gke",
        lambda r: changed(r, "tpu-vm", "networkConfig.enableExternalIps", True),
        "tpu-vm",
        "",
    ),
    ("k8s-nodes-no-public-ip", "aks", lambda r: changed(r, "aks-gpu", "enableNodePublicIP", True), "aks-gpu", ""),
    (
        "k8s-nodes-no-public-ip",
        "aks",
        lambda r: changed(r, "aks", "agentPoolProfiles.0.enableNodePublicIP", True),
        "aks",
        "system",
    ),
    ("k8s-nodes-no-public-ip", "ack", lambda r: changed(r, "ack-gpu", "internetMaxBandwidthOut", 10), "ack-gpu", ""),
    # S10
    (
        "k8s-secrets-encrypted-with-kms",
        "eks",
        lambda r: changed(r, "eks", "encryptionConfig", DELETE),
        "eks",
        "secrets",
    ),
    (
        "k8s-secrets-encrypted-with-kms",
        "gke",
        lambda r: changed(r, "gke", "databaseEncryption.state", "DECRYPTED"),
        "gke",
        "",
    ),
    (
        "k8s-secrets-encrypted-with-kms",
        "aks",
        lambda r: changed(r, "aks", "securityProfile.azureKeyVaultKms.enabled", False),
        "aks",
        "",
    ),
    ("k8s-secrets-encrypted-with-kms", "ack", lambda r: changed(r, "ack", "encryptionProviderKey", DELETE), "ack", ""),
    # S11
    ("k8s-audit-logging", "eks", lambda r: changed(r, "eks", "enabledClusterLogTypes", ["api"]), "eks", "audit"),
    ("k8s-audit-logging", "gke", lambda r: changed(r, "gke", "loggingService", "none"), "gke", ""),
    ("k8s-audit-logging", "aks", lambda r: without(r, "aks-audit"), "aks", "kube-audit"),
    ("k8s-audit-logging", "ack", lambda r: changed(r, "ack", "auditLogConfig.enabled", False), "ack", ""),
    # S12
    ("k8s-workload-identity", "eks", lambda r: without(r, "eks-oidc"), "eks", "OIDC"),
    (
        "k8s-workload-identity",
        "eks",
        lambda r: changed(r, "gpu-lt", "metadataOptions.httpPutResponseHopLimit", 2),
        "gpu-lt",
        "HopLimit",
    ),
    (
        "k8s-workload-identity",
        "eks",
        lambda r: changed(r, "gpu-lt", "metadataOptions.httpTokens", "optional"),
        "gpu-lt",
        "IMDSv1",
    ),
    (
        "k8s-workload-identity",
        "eks",
        lambda r: changed(r, "gpu-nodes", "launchTemplate", DELETE),
        "gpu-nodes",
        "hop limit of 2",
    ),
    ("k8s-workload-identity", "gke", lambda r: changed(r, "gke", "workloadIdentityConfig", DELETE), "gke", ""),
    (
        "k8s-workload-identity",
        "gke",
        lambda r: changed(r, "gke-l4", "nodeConfig.workloadMetadataConfig.mode", "GCE_METADATA"),
        "gke-l4",
        "",
    ),
    (
        "k8s-workload-identity",
        "aks",
        lambda r: changed(r, "aks", "oidcIssuerProfile.enabled", False),
        "aks",
        "oidcIssuer",
    ),
    ("k8s-workload-identity", "ack", lambda r: changed(r, "ack", "enableRrsa", False), "ack", "enableRrsa"),
    # S13
    (
        "k8s-nodes-custom-service-account",
        "gke",
        lambda r: changed(r, "gke-l4", "nodeConfig.serviceAccount", DELETE),
        "gke-l4",
        "default",
    ),
    (
        "k8s-nodes-custom-service-account",
        "gke",
        lambda r: changed(r, "tpu-vm", "serviceAccount.email", "123-compute@developer.gserviceaccount.com"),
        "tpu-vm",
        "",
    ),
    ("k8s-nodes-custom-service-account", "gke", lambda r: changed(r, "gke", "removeDefaultNodePool", False), "gke", ""),
    # S14
    ("k8s-supported-version", "eks", lambda r: changed(r, "eks", "version", "1.29"), "eks", "1.29"),
    ("k8s-supported-version", "gke", lambda r: changed(r, "gke", "releaseChannel", DELETE), "gke", "release channel"),
    (
        "k8s-supported-version",
        "aks",
        lambda r: changed(r, "aks", "autoUpgradeProfile.upgradeChannel", "none"),
        "aks",
        "",
    ),
    ("k8s-supported-version", "aks", lambda r: changed(r, "aks", "kubernetesVersion", "1.28.3"), "aks", "1.28.3"),
    ("k8s-supported-version", "ack", lambda r: changed(r, "ack", "version", "1.26.3-aliyun.1"), "ack", ""),
    # S15
    (
        "k8s-node-auto-repair-upgrade",
        "eks",
        lambda r: changed(r, "gpu-nodes", "nodeRepairConfig.enabled", False),
        "gpu-nodes",
        "",
    ),
    (
        "k8s-node-auto-repair-upgrade",
        "gke",
        lambda r: changed(r, "gke-l4", "management.autoUpgrade", False),
        "gke-l4",
        "",
    ),
    (
        "k8s-node-auto-repair-upgrade",
        "gke",
        lambda r: changed(r, "gke-l4", "nodeConfig.shieldedInstanceConfig.enableSecureBoot", False),
        "gke-l4",
        "",
    ),
    (
        "k8s-node-auto-repair-upgrade",
        "aks",
        lambda r: changed(r, "aks", "autoUpgradeProfile.nodeOSUpgradeChannel", "None"),
        "aks",
        "",
    ),
    (
        "k8s-node-auto-repair-upgrade",
        "ack",
        lambda r: changed(r, "ack-gpu", "management.autoRepair", False),
        "ack-gpu",
        "",
    ),
    # C10
    ("k8s-no-extended-support", "eks", lambda r: changed(r, "eks", "version", "1.32"), "eks", "extended support"),
    ("k8s-no-extended-support", "eks", lambda r: changed(r, "eks", "upgradePolicy", DELETE), "eks", "STANDARD"),
    ("k8s-no-extended-support", "gke", lambda r: changed(r, "gke", "releaseChannel.channel", "EXTENDED"), "gke", ""),
    ("k8s-no-extended-support", "aks", lambda r: changed(r, "aks", "supportPlan", "AKSLongTermSupport"), "aks", ""),
]


@pytest.mark.parametrize(
    ("rule", "cloud", "break_it", "flagged", "contains"), VIOLATIONS, ids=lambda v: v if isinstance(v, str) else ""
)
def test_one_change_is_reported(rule, cloud, break_it, flagged, contains) -> None:
    assert_flags(rule, break_it(GOOD[cloud]()), flagged, contains=contains)


def test_eks_public_endpoint_limited_to_listed_cidrs_passes() -> None:
    resources = changed(
        good_eks(), "eks", "vpcConfig", {"endpointPublicAccess": True, "publicAccessCidrs": ["203.0.113.0/24"]}
    )
    assert_compliant("k8s-api-endpoint-restricted", resources)


def test_pod_identity_agent_is_a_workload_identity_too() -> None:
    addon = res(k.EKS_ADDON, "pod-identity", {"clusterName": "dev-gpu", "addonName": "eks-pod-identity-agent"})
    assert_compliant("k8s-workload-identity", [*without(good_eks(), "eks-oidc"), addon])
