"""Kubernetes objects run on nodes the estimate already prices (catalog/data/free_types.yaml),
except the two that make the cloud provision something billed on its own: a LoadBalancer
Service (a cloud load balancer) and a PersistentVolumeClaim (a cloud disk). The estimate does
not price those; they are reported as unknown with the reason, never as $0."""

from __future__ import annotations

from catalog.estimators.base import EstimateContext, Estimator, ResourceCost

SERVICE = "kubernetes:core/v1:Service"
PERSISTENT_VOLUME_CLAIM = "kubernetes:core/v1:PersistentVolumeClaim"


def service(ctx: EstimateContext) -> ResourceCost | None:
    spec = ctx.inputs.get("spec") or {}
    kind = spec.get("type") if isinstance(spec, dict) else None
    if kind != "LoadBalancer":
        return None  # ClusterIP / NodePort / headless: served by nodes already priced
    return ctx.unknown(
        "a LoadBalancer Service makes the cloud provision a load balancer, which the estimate does not price"
    )


def persistent_volume_claim(ctx: EstimateContext) -> ResourceCost | None:
    spec = ctx.inputs.get("spec") or {}
    if isinstance(spec, dict) and spec.get("storageClassName") == "" and spec.get("volumeName"):
        return None  # binds a volume that already exists (a file system the stack prices itself)
    requests = ((spec.get("resources") or {}).get("requests") or {}) if isinstance(spec, dict) else {}
    size = requests.get("storage") if isinstance(requests, dict) else None
    return ctx.unknown(
        "a PersistentVolumeClaim makes the cloud provision a disk (its storage class decides which), "
        "which the estimate does not price",
        f"{size or '?'} requested",
    )


ESTIMATORS: dict[str, Estimator] = {SERVICE: service, PERSISTENT_VOLUME_CLAIM: persistent_volume_claim}
