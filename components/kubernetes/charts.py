"""The charts (and the few images) the in-cluster layer installs, each pinned to one version.

Upgrading is a reviewed change of one line here. Versions were checked against each project's
published charts (as of 2026-11): kubernetes/autoscaler, NVIDIA/k8s-device-plugin,
NVIDIA/dcgm-exporter, aws-neuron/neuron-helm-charts, aws/eks-charts, kubernetes-sigs/kueue,
kubernetes-sigs/jobset. Images are left to each chart's own pinned default (its appVersion)
except where the chart's default is a floating tag or must follow the cluster's version."""

from __future__ import annotations

from components.kubernetes.helm import HelmChart

CLUSTER_AUTOSCALER = HelmChart("cluster-autoscaler", "9.56.0", "https://kubernetes.github.io/autoscaler")
CLUSTER_AUTOSCALER_IMAGE = "registry.k8s.io/autoscaling/cluster-autoscaler"
CLUSTER_AUTOSCALER_TAGS = {"1.34": "v1.34.0", "1.35": "v1.35.0", "1.36": "v1.36.1"}
"""Kubernetes minor version -> Cluster Autoscaler image tag. The autoscaler simulates the
scheduler of its own minor version, so it must match the cluster's; every EKS version the
catalog allows has a row (tests check it)."""

NVIDIA_DEVICE_PLUGIN = HelmChart("nvidia-device-plugin", "0.18.0", "https://nvidia.github.io/k8s-device-plugin")
NEURON_DEVICE_PLUGIN = HelmChart("oci://public.ecr.aws/neuron/neuron-helm-chart", "1.5.0")
EFA_DEVICE_PLUGIN = HelmChart("aws-efa-k8s-device-plugin", "v0.5.20", "https://aws.github.io/eks-charts")
DCGM_EXPORTER = HelmChart("dcgm-exporter", "4.8.2", "https://nvidia.github.io/dcgm-exporter/helm-charts")

KUEUE = HelmChart("oci://registry.k8s.io/kueue/charts/kueue", "0.16.2")
KUEUE_IMAGE = ("registry.k8s.io/kueue/kueue", "v0.16.2")
"""The chart's source default is a moving `main` tag from a staging registry: name the release image."""
JOBSET = HelmChart("oci://registry.k8s.io/jobset/charts/jobset", "0.12.0")
JOBSET_IMAGE = ("registry.k8s.io/jobset/jobset", "v0.12.0")

ALL_CHARTS = (
    CLUSTER_AUTOSCALER,
    NVIDIA_DEVICE_PLUGIN,
    NEURON_DEVICE_PLUGIN,
    EFA_DEVICE_PLUGIN,
    DCGM_EXPORTER,
    KUEUE,
    JOBSET,
)


def cluster_autoscaler_tag(kubernetes_version: str) -> str:
    """The Cluster Autoscaler image tag for a cluster of `kubernetes_version` (`1.35` or `1.35.2`)."""
    minor = ".".join(kubernetes_version.lstrip("v").split(".")[:2])
    try:
        return CLUSTER_AUTOSCALER_TAGS[minor]
    except KeyError:
        known = ", ".join(sorted(CLUSTER_AUTOSCALER_TAGS))
        raise ValueError(
            f"no Cluster Autoscaler image is pinned for Kubernetes {minor} (pinned: {known}); "
            "add it to CLUSTER_AUTOSCALER_TAGS in components/kubernetes/charts.py"
        ) from None
