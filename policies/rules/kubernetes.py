"""Kubernetes: control planes and node pools on EKS, GKE, AKS and ACK (S8-S15) and the
extended-support fee (C10)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from catalog import CatalogError, load_catalog
from policies.framework import Context, Resource, Rule, as_bool, as_int, as_list, dig
from policies.rules.references import SERVICE_ACCOUNT_TYPES, computed_from, names_customer_key
from policies.rules.storage import AZURE_DIAGNOSTIC_SETTING

EKS_CLUSTER = "aws:eks/cluster:Cluster"
EKS_NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
EKS_ADDON = "aws:eks/addon:Addon"
AWS_OIDC_PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
AWS_LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
AWS_SUBNET = "aws:ec2/subnet:Subnet"
GKE_CLUSTER = "gcp:container/cluster:Cluster"
GKE_NODE_POOL = "gcp:container/nodePool:NodePool"
GCP_TPU_VM = "gcp:tpu/v2Vm:V2Vm"
AKS_CLUSTER = "azure-native:containerservice:ManagedCluster"
AKS_AGENT_POOL = "azure-native:containerservice:AgentPool"
ACK_CLUSTER = "alicloud:cs/managedKubernetes:ManagedKubernetes"
ACK_NODE_POOL = "alicloud:cs/nodePool:NodePool"

OPEN_CIDRS = {"0.0.0.0/0", "::/0", "*", "0.0.0.0"}
_MINOR_VERSION = re.compile(r"^v?(\d+\.\d+)")


def _open(cidrs: list[object]) -> list[str]:
    return sorted({str(c) for c in cidrs if c in OPEN_CIDRS})


# -- S8: API endpoint -----------------------------------------------------------------------------
def _s8_eks(cluster: Resource, ctx: Context) -> Iterator[str]:
    # EKS turns the public endpoint on, open to 0.0.0.0/0, unless told otherwise.
    if as_bool(cluster.get("vpcConfig.endpointPublicAccess")) is False:
        return
    cidrs = as_list(cluster.get("vpcConfig.publicAccessCidrs")) or ["0.0.0.0/0"]
    if _open(cidrs):
        yield f"the public API endpoint is open to {', '.join(_open(cidrs))} (endpointPublicAccess is not false)"


def _s8_gke(cluster: Resource, ctx: Context) -> Iterator[str]:
    if as_bool(cluster.get("privateClusterConfig.enablePrivateEndpoint")):
        return
    if as_bool(cluster.get("controlPlaneEndpointsConfig.ipEndpointsConfig.enabled")) is False:
        return  # DNS endpoint only, reached through IAM
    cidrs = [dig(b, "cidrBlock") for b in as_list(cluster.get("masterAuthorizedNetworksConfig.cidrBlocks"))]
    if not cidrs:
        yield "the control plane has a public endpoint and no master authorized networks"
    elif _open(cidrs):
        yield f"master authorized networks include {', '.join(_open(cidrs))}"


def _s8_aks(cluster: Resource, ctx: Context) -> Iterator[str]:
    if (
        as_bool(cluster.get("apiServerAccessProfile.enablePrivateCluster"))
        or cluster.get("publicNetworkAccess") == "Disabled"
    ):
        return
    ranges = as_list(cluster.get("apiServerAccessProfile.authorizedIPRanges"))
    if not ranges:
        yield "the API server is public and apiServerAccessProfile.authorizedIPRanges is empty"
    elif _open(ranges):
        yield f"authorizedIPRanges include {', '.join(_open(ranges))}"


def _s8_ack(cluster: Resource, ctx: Context) -> Iterator[str]:
    if as_bool(cluster.get("slbInternetEnabled")) is not False:
        yield "slbInternetEnabled is not false (the API server gets an internet-facing load balancer)"


K8S_API_RESTRICTED = Rule(
    id="k8s-api-endpoint-restricted",
    ref="S8",
    domain="kubernetes",
    description="The Kubernetes API endpoint is private, or public only to listed CIDRs.",
    severity="high",
    tags=("security",),
    remediation=(
        "EKS: endpointPublicAccess=false (or publicAccessCidrs without 0.0.0.0/0). GKE: private endpoint or master "
        "authorized networks. AKS: private cluster or authorizedIPRanges. ACK: slbInternetEnabled=false."
    ),
    checks={EKS_CLUSTER: _s8_eks, GKE_CLUSTER: _s8_gke, AKS_CLUSTER: _s8_aks, ACK_CLUSTER: _s8_ack},
)


# -- S9: no public node IPs -----------------------------------------------------------------------
def _s9_eks_group(group: Resource, ctx: Context) -> Iterator[str]:
    stack = ctx.require_stack()
    sources = set(group.property_dependencies.get("subnetIds", ()))
    for subnet in stack.of_type(AWS_SUBNET):
        if subnet.urn in sources and as_bool(subnet.get("mapPublicIpOnLaunch")):
            yield f"runs in subnet {subnet.name}, which gives instances public IPs (mapPublicIpOnLaunch)"


def _s9_launch_template(template: Resource, ctx: Context) -> Iterator[str]:
    for index, interface in enumerate(as_list(template.get("networkInterfaces"))):
        if as_bool(dig(interface, "associatePublicIpAddress")):
            yield f"networkInterfaces[{index}] associates a public IP address"


def _s9_gke_cluster(cluster: Resource, ctx: Context) -> Iterator[str]:
    # With the default pool removed, every pool says for itself (networkConfig.enablePrivateNodes).
    private = as_bool(cluster.get("privateClusterConfig.enablePrivateNodes"))
    if not private and not as_bool(cluster.get("removeDefaultNodePool")):
        yield "privateClusterConfig.enablePrivateNodes is not true (nodes get external IPs)"


def _s9_gke_pool(pool: Resource, ctx: Context) -> Iterator[str]:
    if as_bool(pool.get("networkConfig.enablePrivateNodes")) is False:
        yield "networkConfig.enablePrivateNodes is false"
        return
    if as_bool(pool.get("networkConfig.enablePrivateNodes")):
        return
    clusters = [c for c in ctx.require_stack().of_type(GKE_CLUSTER) if pool.comes_from("cluster", c.urn)]
    if clusters and not any(as_bool(c.get("privateClusterConfig.enablePrivateNodes")) for c in clusters):
        yield "neither the pool nor its cluster enables private nodes (nodes get external IPs)"


def _s9_tpu_vm(vm: Resource, ctx: Context) -> Iterator[str]:
    if as_bool(vm.get("networkConfig.enableExternalIps")):
        yield "networkConfig.enableExternalIps is true"


def _s9_aks_cluster(cluster: Resource, ctx: Context) -> Iterator[str]:
    for profile in as_list(cluster.get("agentPoolProfiles")):
        if as_bool(dig(profile, "enableNodePublicIP")):
            yield f"agent pool profile {dig(profile, 'name', '?')} has enableNodePublicIP=true"


def _s9_aks_pool(pool: Resource, ctx: Context) -> Iterator[str]:
    if as_bool(pool.get("enableNodePublicIP")):
        yield "enableNodePublicIP is true"


def _s9_ack_pool(pool: Resource, ctx: Context) -> Iterator[str]:
    if (as_int(pool.get("internetMaxBandwidthOut")) or 0) > 0:
        yield "internetMaxBandwidthOut > 0 gives every node a public IP"
    if as_bool(pool.get("scalingConfig.isBondEip")) or (as_int(pool.get("scalingConfig.eipBandwidth")) or 0) > 0:
        yield "scalingConfig binds an EIP to every node"


K8S_NODES_PRIVATE = Rule(
    id="k8s-nodes-no-public-ip",
    ref="S9",
    domain="kubernetes",
    description="Nodes (and TPU VMs) have no public IP addresses.",
    severity="high",
    tags=("security",),
    remediation=(
        "Place nodes in private subnets (no mapPublicIpOnLaunch, no associatePublicIpAddress), enable GKE private "
        "nodes, keep enableNodePublicIP / enableExternalIps off, give ACK pools no internet bandwidth; egress via NAT."
    ),
    checks={
        EKS_NODE_GROUP: _s9_eks_group,
        AWS_LAUNCH_TEMPLATE: _s9_launch_template,
        GKE_CLUSTER: _s9_gke_cluster,
        GKE_NODE_POOL: _s9_gke_pool,
        GCP_TPU_VM: _s9_tpu_vm,
        AKS_CLUSTER: _s9_aks_cluster,
        AKS_AGENT_POOL: _s9_aks_pool,
        ACK_NODE_POOL: _s9_ack_pool,
    },
    needs_stack=True,
    covers=(AWS_SUBNET,),
)


# -- S10: secrets encryption ----------------------------------------------------------------------
def _s10_eks(cluster: Resource, ctx: Context) -> Iterator[str]:
    configs = cluster.get("encryptionConfig")
    configs = configs if isinstance(configs, list) else [configs] if isinstance(configs, dict) else []
    if not any(
        "secrets" in as_list(dig(c, "resources"))
        and names_customer_key(ctx, cluster, "encryptionConfig", dig(c, "provider.keyArn"))
        for c in configs
    ):
        yield "encryptionConfig does not encrypt 'secrets' with a KMS key (provider.keyArn)"


def _s10_gke(cluster: Resource, ctx: Context) -> Iterator[str]:
    key = cluster.get("databaseEncryption.keyName")
    if cluster.get("databaseEncryption.state") != "ENCRYPTED" or not names_customer_key(
        ctx, cluster, "databaseEncryption", key
    ):
        yield "databaseEncryption is not ENCRYPTED with a Cloud KMS keyName"


def _s10_aks(cluster: Resource, ctx: Context) -> Iterator[str]:
    if not as_bool(cluster.get("securityProfile.azureKeyVaultKms.enabled")) or not names_customer_key(
        ctx, cluster, "securityProfile", cluster.get("securityProfile.azureKeyVaultKms.keyId")
    ):
        yield "securityProfile.azureKeyVaultKms is not enabled with a keyId"


def _s10_ack(cluster: Resource, ctx: Context) -> Iterator[str]:
    if not names_customer_key(ctx, cluster, "encryptionProviderKey", cluster.get("encryptionProviderKey")):
        yield "encryptionProviderKey is not set"


K8S_SECRETS_KMS = Rule(
    id="k8s-secrets-encrypted-with-kms",
    ref="S10",
    domain="kubernetes",
    description="Kubernetes secrets are envelope-encrypted with a KMS key.",
    severity="high",
    tags=("security",),
    remediation=(
        "EKS encryptionConfig {resources: [secrets], provider.keyArn}; GKE databaseEncryption ENCRYPTED with keyName; "
        "AKS securityProfile.azureKeyVaultKms; ACK encryptionProviderKey."
    ),
    checks={EKS_CLUSTER: _s10_eks, GKE_CLUSTER: _s10_gke, AKS_CLUSTER: _s10_aks, ACK_CLUSTER: _s10_ack},
    # The key is often created in the same program: its property dependency tells, at preview.
    needs_stack=True,
)


# -- S11: audit logs ------------------------------------------------------------------------------
def _s11_eks(cluster: Resource, ctx: Context) -> Iterator[str]:
    if "audit" not in as_list(cluster.get("enabledClusterLogTypes")):
        yield "enabledClusterLogTypes does not include 'audit'"


def _s11_gke(cluster: Resource, ctx: Context) -> Iterator[str]:
    if cluster.get("loggingService") == "none":
        yield "loggingService is 'none'"
    components = cluster.get("loggingConfig.enableComponents")
    if isinstance(components, list) and not components:
        yield "loggingConfig.enableComponents is empty"


def _s11_aks(cluster: Resource, ctx: Context) -> Iterator[str]:
    for setting in ctx.require_stack().of_type(AZURE_DIAGNOSTIC_SETTING):
        if not setting.comes_from("resourceUri", cluster.urn):
            continue
        for log in as_list(setting.get("logs")):
            if not isinstance(log, dict) or as_bool(log.get("enabled")) is False:
                continue
            if str(log.get("category", "")).lower() in ("kube-audit", "kube-audit-admin") or str(
                log.get("categoryGroup", "")
            ).lower() in ("audit", "alllogs"):
                return
    yield "no DiagnosticSetting sends kube-audit (or kube-audit-admin) logs of this cluster"


def _s11_ack(cluster: Resource, ctx: Context) -> Iterator[str]:
    if not as_bool(cluster.get("auditLogConfig.enabled")):
        yield "auditLogConfig.enabled is not true"


K8S_AUDIT_LOGS = Rule(
    id="k8s-audit-logging",
    ref="S11",
    domain="kubernetes",
    description="Control-plane audit logging is on.",
    severity="medium",
    tags=("security",),
    remediation=(
        "EKS enabledClusterLogTypes with 'audit'; GKE logging not disabled; AKS a DiagnosticSetting with the "
        "kube-audit-admin category; ACK auditLogConfig.enabled=true."
    ),
    checks={EKS_CLUSTER: _s11_eks, GKE_CLUSTER: _s11_gke, AKS_CLUSTER: _s11_aks, ACK_CLUSTER: _s11_ack},
    needs_stack=True,
    covers=(AZURE_DIAGNOSTIC_SETTING,),
)


# -- S12: workload identity, node credentials out of reach ----------------------------------------
def _s12_eks(cluster: Resource, ctx: Context) -> Iterator[str]:
    stack = ctx.require_stack()
    name = cluster.get("name")
    oidc = [p for p in stack.of_type(AWS_OIDC_PROVIDER) if p.comes_from("url", cluster.urn)]
    pod_identity = [
        a
        for a in stack.of_type(EKS_ADDON)
        if a.get("addonName") == "eks-pod-identity-agent"
        and (a.comes_from("clusterName", cluster.urn) or (isinstance(name, str) and a.get("clusterName") == name))
    ]
    if not oidc and not pod_identity:
        yield "no IAM OIDC provider for the cluster's issuer (IRSA) and no eks-pod-identity-agent add-on"


def _s12_launch_template(template: Resource, ctx: Context) -> Iterator[str]:
    if template.get("metadataOptions.httpTokens") != "required":
        yield "metadataOptions.httpTokens is not 'required' (IMDSv1 stays reachable)"
    if as_int(template.get("metadataOptions.httpPutResponseHopLimit")) != 1:
        yield "metadataOptions.httpPutResponseHopLimit is not 1 (pods can reach the node's instance credentials)"


def _s12_eks_group(group: Resource, ctx: Context) -> Iterator[str]:
    if not group.get("launchTemplate"):
        yield "no launch template: nodes keep the default metadata hop limit of 2, so pods can read node credentials"


def _s12_gke_cluster(cluster: Resource, ctx: Context) -> Iterator[str]:
    if not cluster.get("workloadIdentityConfig.workloadPool"):
        yield "workloadIdentityConfig.workloadPool is not set"


def _s12_gke_pool(pool: Resource, ctx: Context) -> Iterator[str]:
    if pool.get("nodeConfig.workloadMetadataConfig.mode") != "GKE_METADATA":
        yield "nodeConfig.workloadMetadataConfig.mode is not GKE_METADATA (pods can read node credentials)"


def _s12_aks(cluster: Resource, ctx: Context) -> Iterator[str]:
    if not as_bool(cluster.get("securityProfile.workloadIdentity.enabled")):
        yield "securityProfile.workloadIdentity.enabled is not true"
    if not as_bool(cluster.get("oidcIssuerProfile.enabled")):
        yield "oidcIssuerProfile.enabled is not true"


def _s12_ack(cluster: Resource, ctx: Context) -> Iterator[str]:
    if not as_bool(cluster.get("enableRrsa")):
        yield "enableRrsa is not true (no RAM roles for service accounts)"


K8S_WORKLOAD_IDENTITY = Rule(
    id="k8s-workload-identity",
    ref="S12",
    domain="kubernetes",
    description="Pods get keyless workload identities and cannot read the node's credentials.",
    severity="high",
    tags=("security",),
    remediation=(
        "EKS: IRSA OIDC provider or Pod Identity, and launch templates with httpTokens=required and hop limit 1. "
        "GKE: workload pool + GKE_METADATA on every pool. AKS: workload identity + OIDC issuer. ACK: enableRrsa."
    ),
    checks={
        EKS_CLUSTER: _s12_eks,
        AWS_LAUNCH_TEMPLATE: _s12_launch_template,
        EKS_NODE_GROUP: _s12_eks_group,
        GKE_CLUSTER: _s12_gke_cluster,
        GKE_NODE_POOL: _s12_gke_pool,
        AKS_CLUSTER: _s12_aks,
        ACK_CLUSTER: _s12_ack,
    },
    needs_stack=True,
    covers=(AWS_OIDC_PROVIDER, EKS_ADDON),
)


# -- S13: node service accounts -------------------------------------------------------------------
def _default_gcp_account(email: object) -> bool:
    return (
        not email
        or email == "default"
        or (isinstance(email, str) and email.endswith("-compute@developer.gserviceaccount.com"))
    )


def _default_account_of(ctx: Context, holder: Resource, prop: str, path: str) -> bool:
    """Whether `holder` runs as a default service account; an account e-mail computed from a
    dedicated account created in this stack is not one."""
    email = holder.get(path)
    if computed_from(ctx, holder, prop, email, SERVICE_ACCOUNT_TYPES):
        return False
    return _default_gcp_account(email)


def _s13_gke_pool(pool: Resource, ctx: Context) -> Iterator[str]:
    if _default_account_of(ctx, pool, "nodeConfig", "nodeConfig.serviceAccount"):
        yield "nodeConfig.serviceAccount is the Compute Engine default service account (Editor on the project)"


def _s13_gke_cluster(cluster: Resource, ctx: Context) -> Iterator[str]:
    if as_bool(cluster.get("removeDefaultNodePool")) or as_bool(cluster.get("enableAutopilot")):
        return
    if _default_account_of(ctx, cluster, "nodeConfig", "nodeConfig.serviceAccount"):
        yield "the default node pool runs as the Compute Engine default service account"


def _s13_tpu_vm(vm: Resource, ctx: Context) -> Iterator[str]:
    if _default_account_of(ctx, vm, "serviceAccount", "serviceAccount.email"):
        yield "serviceAccount.email is not a dedicated service account"


K8S_NODE_SERVICE_ACCOUNT = Rule(
    id="k8s-nodes-custom-service-account",
    ref="S13",
    domain="kubernetes",
    description="Nodes and TPU VMs run as a dedicated least-privilege service account, not the default one.",
    severity="high",
    tags=("security",),
    remediation="Create a service account with only logging/monitoring/artifact-read roles and set it as "
    "nodeConfig.serviceAccount (TPU VMs: serviceAccount.email). AWS, Azure and Alibaba nodes have no default account.",
    checks={GKE_NODE_POOL: _s13_gke_pool, GKE_CLUSTER: _s13_gke_cluster, GCP_TPU_VM: _s13_tpu_vm},
    # A dedicated account is usually created in the same program: its property dependency tells, at preview.
    needs_stack=True,
)


# -- S14 / C10: versions --------------------------------------------------------------------------
def minor_version(version: object) -> str | None:
    if not isinstance(version, str):
        return None
    match = _MINOR_VERSION.match(version)
    return match.group(1) if match else None


def _versions(cloud: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(standard support, extended support) from the catalog; None when it has no list."""
    try:
        versions = load_catalog().cloud(cloud).kubernetes
    except CatalogError:
        return None
    if versions is None:
        return None
    return versions.standard_support, versions.extended_support


def _unsupported(cloud: str, version: object) -> Iterator[str]:
    minor = minor_version(version)
    known = _versions(cloud)
    if minor is None or known is None:
        return
    standard, extended = known
    if minor not in standard and minor not in extended:
        supported = ", ".join((*standard, *extended))
        yield f"Kubernetes {version} is not a supported version (catalog: {supported})"


def _s14_eks(cluster: Resource, ctx: Context) -> Iterator[str]:
    yield from _unsupported("aws", cluster.get("version"))


def _s14_gke(cluster: Resource, ctx: Context) -> Iterator[str]:
    if cluster.get("releaseChannel.channel") in (None, "UNSPECIFIED"):
        yield "no release channel (releaseChannel.channel): the control plane is not kept on supported versions"


def _s14_aks(cluster: Resource, ctx: Context) -> Iterator[str]:
    yield from _unsupported("azure", cluster.get("kubernetesVersion"))
    if cluster.get("autoUpgradeProfile.upgradeChannel") in (None, "none"):
        yield "autoUpgradeProfile.upgradeChannel is not set (the cluster is not kept on supported versions)"


def _s14_ack(cluster: Resource, ctx: Context) -> Iterator[str]:
    yield from _unsupported("alicloud", cluster.get("version"))


K8S_SUPPORTED_VERSION = Rule(
    id="k8s-supported-version",
    ref="S14",
    domain="kubernetes",
    description="Clusters run a supported Kubernetes version or follow a release channel.",
    severity="medium",
    tags=("security",),
    remediation="Pin a version from the catalog's supported list (catalog/data/<cloud>.yaml `kubernetes`), or "
    "enrol the cluster in a release channel / auto-upgrade channel.",
    checks={EKS_CLUSTER: _s14_eks, GKE_CLUSTER: _s14_gke, AKS_CLUSTER: _s14_aks, ACK_CLUSTER: _s14_ack},
)


def _extended(cloud: str, version: object) -> Iterator[str]:
    minor = minor_version(version)
    known = _versions(cloud)
    if minor is not None and known is not None and minor in known[1]:
        yield f"Kubernetes {version} is in extended support (the control plane bills at a premium)"


def _c10_eks(cluster: Resource, ctx: Context) -> Iterator[str]:
    yield from _extended("aws", cluster.get("version"))
    if cluster.get("upgradePolicy.supportType") != "STANDARD":
        yield (
            "upgradePolicy.supportType is not STANDARD: EKS moves the cluster to extended support "
            "(six times the control-plane fee) when standard support ends"
        )


def _c10_gke(cluster: Resource, ctx: Context) -> Iterator[str]:
    if cluster.get("releaseChannel.channel") == "EXTENDED":
        yield "releaseChannel is EXTENDED (extended-support fee)"


def _c10_aks(cluster: Resource, ctx: Context) -> Iterator[str]:
    yield from _extended("azure", cluster.get("kubernetesVersion"))
    if cluster.get("supportPlan") == "AKSLongTermSupport":
        yield "supportPlan is AKSLongTermSupport (Premium tier fee)"


def _c10_ack(cluster: Resource, ctx: Context) -> Iterator[str]:
    yield from _extended("alicloud", cluster.get("version"))


K8S_NO_EXTENDED_SUPPORT = Rule(
    id="k8s-no-extended-support",
    ref="C10",
    domain="kubernetes",
    description="Clusters stay out of extended / long-term support, which multiplies the control-plane fee.",
    severity="medium",
    tags=("cost",),
    remediation="Upgrade to a version in standard support; on EKS set upgradePolicy.supportType=STANDARD; avoid the "
    "GKE EXTENDED channel and the AKS LTS plan unless the fee is budgeted.",
    checks={EKS_CLUSTER: _c10_eks, GKE_CLUSTER: _c10_gke, AKS_CLUSTER: _c10_aks, ACK_CLUSTER: _c10_ack},
)


# -- S15: node maintenance ------------------------------------------------------------------------
def _s15_eks_group(group: Resource, ctx: Context) -> Iterator[str]:
    if not as_bool(group.get("nodeRepairConfig.enabled")):
        yield "nodeRepairConfig.enabled is not true (unhealthy nodes are not replaced)"


def _s15_gke_pool(pool: Resource, ctx: Context) -> Iterator[str]:
    off = [f"management.{k}" for k in ("autoRepair", "autoUpgrade") if not as_bool(pool.get(f"management.{k}"))]
    if off:
        yield f"{', '.join(off)} not true"
    if not as_bool(pool.get("nodeConfig.shieldedInstanceConfig.enableSecureBoot")):
        yield "nodeConfig.shieldedInstanceConfig.enableSecureBoot is not true"


def _s15_gke_cluster(cluster: Resource, ctx: Context) -> Iterator[str]:
    if as_bool(cluster.get("enableShieldedNodes")) is False:
        yield "enableShieldedNodes is false"


def _s15_aks(cluster: Resource, ctx: Context) -> Iterator[str]:
    if cluster.get("autoUpgradeProfile.nodeOSUpgradeChannel") not in ("NodeImage", "SecurityPatch"):
        yield "autoUpgradeProfile.nodeOSUpgradeChannel is not NodeImage or SecurityPatch (node OS is not patched)"


def _s15_ack_pool(pool: Resource, ctx: Context) -> Iterator[str]:
    management = pool.get("management", {})
    management = management if isinstance(management, dict) else {}
    off = [f"management.{k}" for k in ("enable", "autoRepair", "autoUpgrade") if not as_bool(management.get(k))]
    if off:
        yield f"{', '.join(off)} not true (a managed node pool repairs and upgrades its nodes)"


K8S_NODE_MAINTENANCE = Rule(
    id="k8s-node-auto-repair-upgrade",
    ref="S15",
    domain="kubernetes",
    description="Nodes are repaired and upgraded automatically, and boot verified (shielded) where offered.",
    severity="medium",
    tags=("security",),
    remediation=(
        "EKS nodeRepairConfig.enabled; GKE management autoRepair/autoUpgrade + secure boot; AKS "
        "nodeOSUpgradeChannel NodeImage or SecurityPatch; ACK managed node pools with autoRepair/autoUpgrade."
    ),
    checks={
        EKS_NODE_GROUP: _s15_eks_group,
        GKE_NODE_POOL: _s15_gke_pool,
        GKE_CLUSTER: _s15_gke_cluster,
        AKS_CLUSTER: _s15_aks,
        ACK_NODE_POOL: _s15_ack_pool,
    },
)


RULES = [
    K8S_API_RESTRICTED,
    K8S_NODES_PRIVATE,
    K8S_SECRETS_KMS,
    K8S_AUDIT_LOGS,
    K8S_WORKLOAD_IDENTITY,
    K8S_NODE_SERVICE_ACCOUNT,
    K8S_SUPPORTED_VERSION,
    K8S_NODE_MAINTENANCE,
    K8S_NO_EXTENDED_SUPPORT,
]
