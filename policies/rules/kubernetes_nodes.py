"""Kubernetes nodes: no public IPs (S9), workload identity (S12), node service accounts (S13),
automatic repair and upgrade (S15)."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import Context, Example, Resource, Rule, as_bool, as_int, as_list, dig
from policies.rules.kubernetes_resources import (
    ACK_CLUSTER,
    ACK_NODE_POOL,
    AKS_AGENT_POOL,
    AKS_CLUSTER,
    AWS_LAUNCH_TEMPLATE,
    AWS_OIDC_PROVIDER,
    AWS_SUBNET,
    EKS_ADDON,
    EKS_CLUSTER,
    EKS_NODE_GROUP,
    GCP_TPU_VM,
    GKE_CLUSTER,
    GKE_NODE_POOL,
    clusters_of,
)
from policies.rules.references import SERVICE_ACCOUNT_TYPES, computed_from


# -- S9: no public node IPs -----------------------------------------------------------------------
def _s9_eks_group(group: Resource, ctx: Context) -> Iterator[str]:
    stack = ctx.require_stack()
    sources = set(group.property_dependencies.get("subnetIds", ()))
    for subnet in stack.of_type(AWS_SUBNET):
        if subnet.urn in sources and as_bool(subnet.get("mapPublicIpOnLaunch")):
            yield f"runs in subnet {subnet.name}, which gives instances public IPs (mapPublicIpOnLaunch)"


def _s9_subnet(subnet: Resource, ctx: Context) -> Iterator[str]:
    if as_bool(subnet.get("mapPublicIpOnLaunch")):
        yield "mapPublicIpOnLaunch is true: every instance launched here gets a public IP"


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
    clusters = clusters_of(ctx.require_stack(), pool)
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
    description="Nodes (and TPU VMs) have no public IP addresses, and subnets do not hand them out.",
    severity="high",
    tags=("security",),
    remediation=(
        "Place nodes in private subnets (no mapPublicIpOnLaunch, no associatePublicIpAddress), enable GKE private "
        "nodes, keep enableNodePublicIP / enableExternalIps off, give ACK pools no internet bandwidth; egress via NAT."
    ),
    rationale="A node with a public address is reachable from the internet on every port its security group or "
    "kubelet leaves open, and its egress bypasses the NAT's logging and fixed addresses. Private nodes behind NAT "
    "keep GPU hosts off internet scanners entirely. A pool that names its cluster by a plain string is matched to "
    "that cluster too.",
    examples=(
        Example(
            type=GKE_NODE_POOL,
            compliant={"cluster": "ai-infra", "networkConfig": {"enablePrivateNodes": True}},
            violating={"cluster": "ai-infra", "networkConfig": {"enablePrivateNodes": False}},
            note="public nodes in a private cluster",
        ),
    ),
    checks={
        EKS_NODE_GROUP: _s9_eks_group,
        AWS_SUBNET: _s9_subnet,
        AWS_LAUNCH_TEMPLATE: _s9_launch_template,
        GKE_CLUSTER: _s9_gke_cluster,
        GKE_NODE_POOL: _s9_gke_pool,
        GCP_TPU_VM: _s9_tpu_vm,
        AKS_CLUSTER: _s9_aks_cluster,
        AKS_AGENT_POOL: _s9_aks_pool,
        ACK_NODE_POOL: _s9_ack_pool,
    },
    needs_stack=True,
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
    if str(pool.get("nodeConfig.metadata.disable-legacy-endpoints", "true")).lower() == "false":
        yield "nodeConfig.metadata disable-legacy-endpoints is false (the v1beta1 metadata API serves credentials)"


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
    rationale="Without workload identity, pods either carry static cloud keys or borrow the node's role, so every "
    "pod on a GPU node can do whatever the node can (pull every image, read every bucket the node reads). IMDSv2 "
    "with a hop limit of 1 keeps containers from reaching the node's instance credentials at all.",
    examples=(
        Example(
            type=AWS_LAUNCH_TEMPLATE,
            compliant={"metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 1}},
            violating={"metadataOptions": {"httpTokens": "optional", "httpPutResponseHopLimit": 2}},
            note="IMDSv1 and a hop limit pods can reach",
        ),
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
    rationale="The Compute Engine default service account holds Editor on the project: a pod that reaches the node's "
    "credentials can then modify almost anything in it. A dedicated account limits the node to logging, "
    "monitoring and pulling images.",
    examples=(
        Example(
            type=GKE_NODE_POOL,
            compliant={"nodeConfig": {"serviceAccount": "gke-nodes@p.iam.gserviceaccount.com"}},
            violating={"nodeConfig": {"serviceAccount": "123456789-compute@developer.gserviceaccount.com"}},
            note="the Compute Engine default account",
        ),
    ),
    checks={GKE_NODE_POOL: _s13_gke_pool, GKE_CLUSTER: _s13_gke_cluster, GCP_TPU_VM: _s13_tpu_vm},
    # A dedicated account is usually created in the same program: its property dependency tells, at preview.
    needs_stack=True,
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
    if as_bool(pool.get("nodeConfig.shieldedInstanceConfig.enableIntegrityMonitoring")) is False:
        yield "nodeConfig.shieldedInstanceConfig.enableIntegrityMonitoring is false"
    image = pool.get("nodeConfig.imageType")
    if isinstance(image, str) and not image.upper().startswith("COS"):
        yield f"nodeConfig.imageType is {image!r}, not Container-Optimized OS (COS_CONTAINERD)"


def _s15_gke_cluster(cluster: Resource, ctx: Context) -> Iterator[str]:
    if as_bool(cluster.get("enableShieldedNodes")) is False:
        yield "enableShieldedNodes is false"


def _s15_aks(cluster: Resource, ctx: Context) -> Iterator[str]:
    if cluster.get("autoUpgradeProfile.nodeOSUpgradeChannel") not in ("NodeImage", "SecurityPatch"):
        yield "autoUpgradeProfile.nodeOSUpgradeChannel is not NodeImage or SecurityPatch (node OS is not patched)"
    for profile in as_list(cluster.get("agentPoolProfiles")):
        if dig(profile, "type", "VirtualMachineScaleSets") != "VirtualMachineScaleSets":
            name = dig(profile, "name", "?")
            yield f"agent pool profile {name} is not a scale set (no node image upgrades or repair)"


def _s15_aks_pool(pool: Resource, ctx: Context) -> Iterator[str]:
    if pool.get("type", "VirtualMachineScaleSets") != "VirtualMachineScaleSets":
        yield "type is not VirtualMachineScaleSets (availability-set pools get no node image upgrades or repair)"


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
    description="Nodes are repaired and upgraded automatically, boot verified (shielded) and run a hardened image "
    "where offered.",
    severity="medium",
    tags=("security",),
    remediation=(
        "EKS nodeRepairConfig.enabled; GKE management autoRepair/autoUpgrade, secure boot and integrity monitoring, "
        "COS_CONTAINERD images; AKS nodeOSUpgradeChannel NodeImage or SecurityPatch; ACK managed node pools with "
        "autoRepair/autoUpgrade."
    ),
    rationale="Node images age into known kernel and container-runtime CVEs within weeks; automatic upgrades and "
    "repairs keep long-lived GPU pools patched without a human remembering, and shielded, minimal images make a "
    "tampered boot chain or a persistent rootkit detectable.",
    examples=(
        Example(
            type=GKE_NODE_POOL,
            compliant={
                "management": {"autoRepair": True, "autoUpgrade": True},
                "nodeConfig": {"imageType": "COS_CONTAINERD", "shieldedInstanceConfig": {"enableSecureBoot": True}},
            },
            violating={
                "management": {"autoRepair": True, "autoUpgrade": False},
                "nodeConfig": {"imageType": "UBUNTU_CONTAINERD", "shieldedInstanceConfig": {"enableSecureBoot": True}},
            },
            note="no automatic upgrades, a general-purpose image",
        ),
    ),
    checks={
        EKS_NODE_GROUP: _s15_eks_group,
        GKE_NODE_POOL: _s15_gke_pool,
        GKE_CLUSTER: _s15_gke_cluster,
        AKS_CLUSTER: _s15_aks,
        AKS_AGENT_POOL: _s15_aks_pool,
        ACK_NODE_POOL: _s15_ack_pool,
    },
)
