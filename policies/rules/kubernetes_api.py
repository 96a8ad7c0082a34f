"""Kubernetes control planes: API endpoint exposure (S8), secrets encryption (S10), audit logs (S11)."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import Context, Resource, Rule, as_bool, as_list, dig
from policies.rules.kubernetes_resources import (
    ACK_CLUSTER,
    AKS_CLUSTER,
    EKS_CLUSTER,
    GKE_CLUSTER,
)
from policies.rules.references import names_customer_key
from policies.rules.storage_resources import AZURE_DIAGNOSTIC_SETTING

OPEN_CIDRS = {"0.0.0.0/0", "::/0", "*", "0.0.0.0"}


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
