"""Kubernetes versions: supported (S14) and out of extended support (C10)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from catalog import CatalogError, load_catalog
from policies.framework import Context, Example, Resource, Rule
from policies.rules.kubernetes_resources import (
    ACK_CLUSTER,
    AKS_CLUSTER,
    EKS_CLUSTER,
    GKE_CLUSTER,
)

_MINOR_VERSION = re.compile(r"^v?(\d+\.\d+)")


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
    rationale="A Kubernetes minor version out of support gets no security fixes; providers then force-upgrade it on"
    " their schedule. Pinning a supported version, or following a release channel, keeps upgrades planned"
    " and patched.",
    examples=(
        Example(
            type=EKS_CLUSTER,
            compliant={"version": "1.35"},
            violating={"version": "1.29"},
            note="a version out of support",
        ),
    ),
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
    rationale="Extended and long-term support multiply the control-plane fee (six times on EKS) for a version that "
    "should have been upgraded; the cost arrives silently when standard support ends.",
    examples=(
        Example(
            type=GKE_CLUSTER,
            compliant={"releaseChannel": {"channel": "REGULAR"}},
            violating={"releaseChannel": {"channel": "EXTENDED"}},
            note="the extended channel",
        ),
    ),
    checks={EKS_CLUSTER: _c10_eks, GKE_CLUSTER: _c10_gke, AKS_CLUSTER: _c10_aks, ACK_CLUSTER: _c10_ack},
)
