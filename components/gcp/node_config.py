"""The hardened `node_config` every GKE node pool of the project shares (system, GPU and TPU pools)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
"""With a dedicated least-privilege service account, IAM (not scopes) decides what nodes can do."""


def node_config(
    *,
    machine_type: str,
    service_account: pulumi.Input[str],
    resource_labels: Mapping[str, str],
    kubernetes_labels: Mapping[str, str] | None = None,
    taint_key: str | None = None,
    spot: bool = False,
    disk_gib: int = 100,
    disk_type: str | None = "pd-balanced",
    guest_accelerator: Mapping[str, Any] | None = None,
    reservation: str | None = None,
    boot_disk_kms_key: pulumi.Input[str] | None = None,
) -> dict[str, Any]:
    """Node settings: the node service account (never the Compute Engine default one), the GKE
    metadata server (pods see their Workload Identity, never the node's credentials), shielded
    VMs with secure boot and integrity monitoring, legacy metadata endpoints off, gVNIC,
    COS containerd image, a `disk_type` boot disk (None: GKE's default for the machine type)
    encrypted with `boot_disk_kms_key` (a Cloud KMS key id; None: Google-managed keys); plus the
    pool's own machine, spot, taint (`<taint_key>=present:NoSchedule`), labels, accelerator and
    reservation."""
    config: dict[str, Any] = {
        "machine_type": machine_type,
        "service_account": service_account,
        "oauth_scopes": [CLOUD_PLATFORM_SCOPE],
        "workload_metadata_config": {"mode": "GKE_METADATA"},
        "shielded_instance_config": {"enable_secure_boot": True, "enable_integrity_monitoring": True},
        "metadata": {"disable-legacy-endpoints": "true"},
        "image_type": "COS_CONTAINERD",
        "disk_size_gb": disk_gib,
        "gvnic": {"enabled": True},
        "spot": spot,
        "resource_labels": dict(resource_labels),
        "labels": dict(kubernetes_labels or {}),
    }
    if disk_type is not None:
        config["disk_type"] = disk_type
    if boot_disk_kms_key is not None:
        config["boot_disk_kms_key"] = boot_disk_kms_key
    if taint_key is not None:
        config["taints"] = [{"key": taint_key, "value": "present", "effect": "NO_SCHEDULE"}]
    if guest_accelerator is not None:
        config["guest_accelerators"] = [dict(guest_accelerator)]
    if reservation is not None:
        config["reservation_affinity"] = {
            "consume_reservation_type": "SPECIFIC_RESERVATION",
            "key": "compute.googleapis.com/reservation-name",
            "values": [reservation],
        }
    return config
