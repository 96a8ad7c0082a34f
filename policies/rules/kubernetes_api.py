"""Kubernetes control planes: API endpoint exposure (S8), secrets encryption (S10), audit logs (S11)."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import Context, Example, Resource, Rule, as_bool, as_list, dig, parse_json
from policies.rules.address_space import (
    GOOGLE_CLOUD_PUBLIC,
    OPEN_SOURCE_PROPERTIES,
    AddressSet,
    open_prefixes,
    parse_sources,
)
from policies.rules.kubernetes_resources import (
    ACK_CLUSTER,
    AKS_CLUSTER,
    EKS_CLUSTER,
    GKE_CLUSTER,
)
from policies.rules.references import names_customer_key
from policies.rules.storage_resources import AZURE_DIAGNOSTIC_SETTING


# -- S8: API endpoint -----------------------------------------------------------------------------
def _endpoint(ctx: Context, sources: AddressSet, where: str) -> Iterator[str]:
    """A public endpoint reachable from `sources`: a finding when the sources are the internet, or
    when this environment requires private endpoints."""
    v4, v6 = open_prefixes(ctx.config)
    names = ", ".join(sources.names) or "no address"
    if sources.is_open(v4, v6):
        yield f"the public API endpoint is open to {names} ({sources.reach_text()}) {where}".rstrip()
    elif ctx.config["privateEndpointRequired"]:
        yield f"the API endpoint is public (reachable from {names}); this environment requires a private endpoint"


def _s8_eks(cluster: Resource, ctx: Context) -> Iterator[str]:
    # EKS turns the public endpoint on, open to 0.0.0.0/0, unless told otherwise.
    if as_bool(cluster.get("vpcConfig.endpointPublicAccess")) is False:
        return
    cidrs = as_list(cluster.get("vpcConfig.publicAccessCidrs")) or ["0.0.0.0/0"]
    yield from _endpoint(ctx, parse_sources(cidrs), "(endpointPublicAccess is not false)")


def _s8_gke(cluster: Resource, ctx: Context) -> Iterator[str]:
    if as_bool(cluster.get("privateClusterConfig.enablePrivateEndpoint")):
        return
    ip_endpoints = "controlPlaneEndpointsConfig.ipEndpointsConfig"
    if as_bool(cluster.get(f"{ip_endpoints}.enabled")) is False:
        return  # DNS endpoint only, reached through IAM
    if as_bool(cluster.get(f"{ip_endpoints}.enablePublicEndpoint")) is False:
        return
    networks = cluster.get("masterAuthorizedNetworksConfig")
    if not isinstance(networks, dict):
        yield from _endpoint(ctx, AddressSet.everything(), "(no master authorized networks)")
        return
    sources = parse_sources(dig(b, "cidrBlock") for b in as_list(networks.get("cidrBlocks")))
    if as_bool(networks.get("gcpPublicCidrsAccessEnabled")):
        sources = sources.union(GOOGLE_CLOUD_PUBLIC)
    yield from _endpoint(ctx, sources, "through master authorized networks")


def _s8_aks(cluster: Resource, ctx: Context) -> Iterator[str]:
    if (
        as_bool(cluster.get("apiServerAccessProfile.enablePrivateCluster"))
        or cluster.get("publicNetworkAccess") == "Disabled"
    ):
        return
    ranges = as_list(cluster.get("apiServerAccessProfile.authorizedIPRanges"))
    sources = parse_sources(ranges) if ranges else AddressSet.everything()
    yield from _endpoint(
        ctx, sources, "(apiServerAccessProfile.authorizedIPRanges)" if ranges else "(no authorizedIPRanges)"
    )


def _s8_ack(cluster: Resource, ctx: Context) -> Iterator[str]:
    if as_bool(cluster.get("slbInternetEnabled")) is not False:
        yield "slbInternetEnabled is not false (the API server gets an internet-facing load balancer)"


K8S_API_RESTRICTED = Rule(
    id="k8s-api-endpoint-restricted",
    ref="S8",
    domain="kubernetes",
    description="The Kubernetes API endpoint is private, or public only to listed networks that are not the internet.",
    severity="high",
    tags=("security",),
    remediation=(
        "EKS: endpointPublicAccess=false (or publicAccessCidrs naming your networks). GKE: private endpoint, or master "
        "authorized networks without gcpPublicCidrsAccessEnabled. AKS: private cluster or authorizedIPRanges. ACK: "
        "slbInternetEnabled=false. Where privateEndpointRequired is set (prod), only a private endpoint passes."
    ),
    rationale="The API server is the cluster's front door: a credential leak, an authentication bug or a "
    "misconfigured RBAC binding is exploitable by anyone who can reach it. Allow lists are judged as address space, "
    "so 0.0.0.0/0 written as halves or many /8s, IPv6 ::/0, and GKE's 'Google Cloud public ranges' (every Google "
    "Cloud customer's VMs) all count as the internet.",
    examples=(
        Example(
            type=EKS_CLUSTER,
            compliant={"vpcConfig": {"endpointPublicAccess": False, "endpointPrivateAccess": True}},
            violating={"vpcConfig": {"endpointPublicAccess": True, "publicAccessCidrs": ["0.0.0.0/1", "128.0.0.0/1"]}},
            note="the whole internet as two halves",
        ),
        Example(
            type=GKE_CLUSTER,
            compliant={"privateClusterConfig": {"enablePrivateEndpoint": True, "enablePrivateNodes": True}},
            violating={
                "privateClusterConfig": {"enablePrivateEndpoint": False},
                "masterAuthorizedNetworksConfig": {"cidrBlocks": [], "gcpPublicCidrsAccessEnabled": True},
            },
            note="Google Cloud public ranges let every GCP customer in",
        ),
    ),
    checks={EKS_CLUSTER: _s8_eks, GKE_CLUSTER: _s8_gke, AKS_CLUSTER: _s8_aks, ACK_CLUSTER: _s8_ack},
    properties={
        "privateEndpointRequired": {
            "type": "boolean",
            "default": False,
            "description": "Whether only a private API endpoint passes (a public one restricted to listed networks "
            "does not).",
        },
        **OPEN_SOURCE_PROPERTIES,
    },
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
    rationale="Kubernetes secrets (registry credentials, tokens, TLS keys) sit in etcd; envelope encryption with a "
    "key you manage means a snapshot or backup of etcd is useless without access to the key, and revoking the key "
    "revokes the data. A provider-managed key such as alias/aws/... does not count.",
    examples=(
        Example(
            type=EKS_CLUSTER,
            compliant={
                "encryptionConfig": {
                    "resources": ["secrets"],
                    "provider": {"keyArn": "arn:aws:kms:us-east-1:123456789012:key/1234"},
                }
            },
            violating={"encryptionConfig": {"resources": ["secrets"], "provider": {"keyArn": "alias/aws/eks"}}},
            note="an AWS-managed key is not a customer key",
        ),
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
    if cluster.get("monitoringService") == "none":
        yield "monitoringService is 'none' (no control-plane or node metrics)"
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
    description="Control-plane audit logging (and on GKE, monitoring) is on.",
    severity="medium",
    tags=("security",),
    remediation=(
        "EKS enabledClusterLogTypes with 'audit'; GKE logging and monitoring not disabled; AKS a DiagnosticSetting "
        "with the kube-audit-admin category; ACK auditLogConfig.enabled=true."
    ),
    rationale="The audit log is the only record of who read which secret, exec'd into which pod or bound "
    "cluster-admin to whom; without it an incident cannot be scoped and a leaked credential cannot be traced.",
    examples=(
        Example(
            type=EKS_CLUSTER,
            compliant={"enabledClusterLogTypes": ["api", "audit", "authenticator"]},
            violating={"enabledClusterLogTypes": ["api", "authenticator"]},
            note="no audit log type",
        ),
    ),
    checks={EKS_CLUSTER: _s11_eks, GKE_CLUSTER: _s11_gke, AKS_CLUSTER: _s11_aks, ACK_CLUSTER: _s11_ack},
    needs_stack=True,
    covers=(AZURE_DIAGNOSTIC_SETTING,),
)


# -- control-plane authentication and authorization -----------------------------------------------
def _auth_gke(cluster: Resource, ctx: Context) -> Iterator[str]:
    if as_bool(cluster.get("enableLegacyAbac")):
        yield "enableLegacyAbac is true (legacy ABAC grants broad rights outside RBAC)"
    if as_bool(cluster.get("masterAuth.clientCertificateConfig.issueClientCertificate")):
        yield "masterAuth issues a client certificate (a static, unrevocable admin credential)"
    if cluster.get("masterAuth.username") or cluster.get("masterAuth.password"):
        yield "masterAuth sets a username/password (basic authentication)"


def _auth_aks(cluster: Resource, ctx: Context) -> Iterator[str]:
    if as_bool(cluster.get("enableRBAC")) is False:
        yield "enableRBAC is false (every authenticated user is cluster admin)"
    if not isinstance(cluster.get("aadProfile"), dict):
        yield "aadProfile is not set (users are not authenticated with Entra ID)"


K8S_CONTROL_PLANE_AUTH = Rule(
    id="k8s-control-plane-auth",
    ref="",
    domain="kubernetes",
    description="Control planes authorize with RBAC and identity-provider tokens: no legacy ABAC, client "
    "certificates or basic authentication.",
    severity="high",
    tags=("security",),
    remediation="GKE: enableLegacyAbac false, masterAuth.clientCertificateConfig.issueClientCertificate false, no "
    "masterAuth username/password. AKS: enableRBAC true with an aadProfile (managed Entra ID, Azure RBAC); turn "
    "local accounts off (iam-no-long-lived-keys).",
    rationale="Legacy ABAC, client certificates and basic-auth passwords are credentials RBAC cannot scope and "
    "nobody can revoke short of rotating the cluster CA; a cluster without RBAC makes every authenticated user "
    "cluster-admin, including every workload's service account.",
    examples=(
        Example(
            type=GKE_CLUSTER,
            compliant={
                "enableLegacyAbac": False,
                "masterAuth": {"clientCertificateConfig": {"issueClientCertificate": False}},
            },
            violating={
                "enableLegacyAbac": True,
                "masterAuth": {"clientCertificateConfig": {"issueClientCertificate": True}},
            },
            note="legacy ABAC and a client certificate",
        ),
        Example(
            type=AKS_CLUSTER,
            compliant={"enableRBAC": True, "aadProfile": {"managed": True, "enableAzureRBAC": True}},
            violating={"enableRBAC": False},
            note="RBAC off and no Entra ID",
        ),
    ),
    checks={GKE_CLUSTER: _auth_gke, AKS_CLUSTER: _auth_aks},
)


# -- pod network ----------------------------------------------------------------------------------
def _network_gke(cluster: Resource, ctx: Context) -> Iterator[str]:
    dataplane_v2 = cluster.get("datapathProvider") == "ADVANCED_DATAPATH"
    if not dataplane_v2 and not as_bool(cluster.get("networkPolicy.enabled")):
        yield "NetworkPolicy is not enforced (neither GKE Dataplane V2 nor networkPolicy.enabled)"
    if cluster.get("networkingMode") == "ROUTES" or (
        cluster.get("networkingMode") is None and not isinstance(cluster.get("ipAllocationPolicy"), dict)
    ):
        yield "the cluster is not VPC-native (no ipAllocationPolicy / alias IP ranges for pods)"


def _network_aks(cluster: Resource, ctx: Context) -> Iterator[str]:
    if not cluster.get("networkProfile.networkPolicy") or cluster.get("networkProfile.networkPolicy") == "none":
        yield "networkProfile.networkPolicy is not set (NetworkPolicy objects are not enforced)"


def _network_ack(cluster: Resource, ctx: Context) -> Iterator[str]:
    for addon in as_list(cluster.get("addons")):
        config = parse_json(dig(addon, "config"))
        settings = {str(k).lower(): str(v).lower() for k, v in config.items()} if isinstance(config, dict) else {}
        if str(dig(addon, "name", "")).startswith("terway") and settings.get("networkpolicy") == "true":
            return
    yield "no terway add-on with NetworkPolicy enabled (NetworkPolicy objects are not enforced)"


K8S_POD_NETWORK_POLICY = Rule(
    id="k8s-network-policy-enforced",
    ref="",
    domain="kubernetes",
    description="Clusters enforce Kubernetes NetworkPolicy (and GKE pods get VPC-native addresses).",
    severity="medium",
    tags=("security",),
    remediation="GKE: Dataplane V2 (datapathProvider ADVANCED_DATAPATH) or networkPolicy.enabled, VPC-native "
    "networking. AKS: networkProfile.networkPolicy azure, calico or cilium. ACK: the terway add-on with "
    '{"NetworkPolicy": "true"}.',
    rationale="Without an enforcing dataplane a NetworkPolicy is accepted and silently ignored: every pod can reach "
    "every other pod, the node metadata endpoints and the model servers, so one compromised notebook reaches "
    "everything in the cluster.",
    examples=(
        Example(
            type=AKS_CLUSTER,
            compliant={"networkProfile": {"networkPlugin": "azure", "networkPolicy": "cilium"}},
            violating={"networkProfile": {"networkPlugin": "azure"}},
            note="no network policy engine",
        ),
    ),
    checks={GKE_CLUSTER: _network_gke, AKS_CLUSTER: _network_aks, ACK_CLUSTER: _network_ack},
)


# -- admission policy -----------------------------------------------------------------------------
def _admission_aks(cluster: Resource, ctx: Context) -> Iterator[str]:
    profiles = cluster.get("addonProfiles")
    addon = None
    if isinstance(profiles, dict):
        addon = next((v for k, v in profiles.items() if str(k).lower() == "azurepolicy"), None)
    if not as_bool(dig(addon, "enabled")):
        yield "addonProfiles.azurepolicy is not enabled (no admission control enforces pod security policies)"


K8S_ADMISSION_POLICY = Rule(
    id="k8s-admission-policy",
    ref="",
    domain="kubernetes",
    description="AKS clusters run the Azure Policy add-on, so admission policies (pod security, allowed images) are "
    "enforced and reported.",
    severity="medium",
    tags=("security",),
    remediation="Set addonProfiles.azurepolicy.enabled true and assign the Kubernetes pod security baseline "
    "initiative.",
    rationale="Without admission control any workload that can create pods can run privileged containers, mount the "
    "host filesystem or pull images from anywhere; the Azure Policy add-on (Gatekeeper) enforces and audits those "
    "rules cluster-wide.",
    examples=(
        Example(
            type=AKS_CLUSTER,
            compliant={"addonProfiles": {"azurepolicy": {"enabled": True}}},
            violating={"addonProfiles": {}},
            note="no Azure Policy add-on",
        ),
    ),
    checks={AKS_CLUSTER: _admission_aks},
)
