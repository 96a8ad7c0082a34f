"""Alibaba Cloud resources priced from their inputs: ACK node pools and clusters, NAT gateways,
OSS buckets, PAI-EAS services, EIPs and KMS keys. Where the catalog has no sourced Alibaba figure
(ECS and PAI-EAS instances, EIPs, KMS) they come out unknown with the reason, never $0, while
their basis still shows what would be billed."""

from __future__ import annotations

import json
from typing import Any

from catalog.estimators.base import (
    EstimateContext,
    Estimator,
    ResourceCost,
    expected_size_gib,
    fee_cost,
    pool_cost,
    storage_cost,
    whole_number,
)

NODE_POOL = "alicloud:cs/nodePool:NodePool"
MANAGED_KUBERNETES = "alicloud:cs/managedKubernetes:ManagedKubernetes"
NAT_GATEWAY = "alicloud:vpc/natGateway:NatGateway"
BUCKET = "alicloud:oss/bucket:Bucket"
PAI_SERVICE = "alicloud:pai/service:Service"
EIP = "alicloud:ecs/eipAddress:EipAddress"
KMS_KEY = "alicloud:kms/key:Key"

_OSS_CLASSES = {"standard": "STANDARD", "ia": "IA", "archive": "ARCHIVE", "coldarchive": "COLDARCHIVE"}


def node_pool(ctx: EstimateContext) -> ResourceCost:
    types = ctx.inputs.get("instanceTypes") or []
    if not types or not isinstance(types, list):
        return ctx.unknown("no instanceTypes in the node pool inputs")
    scaling = ctx.inputs.get("scalingConfig") or {}
    if scaling.get("enable"):
        low, high = whole_number(scaling.get("minSize")), whole_number(scaling.get("maxSize"))
        note = "auto scaling min..max"
    else:
        desired = whole_number(ctx.inputs.get("desiredSize"))
        low = high = desired
        note = "desiredSize"
    if low is None or high is None:
        return ctx.unknown("node counts (scalingConfig min/max or desiredSize) are not known from the inputs")
    spot = str(ctx.inputs.get("spotStrategy") or "NoSpot") in ("SpotWithPriceLimit", "SpotAsPriceGo")
    if len(types) > 1:
        note += f"; priced as the first of {len(types)} instance types"
    return pool_cost(
        ctx, machine_type=str(types[0]), low=low, high=high, spot=spot, note=note, tags=ctx.inputs.get("tags")
    )


def managed_kubernetes(ctx: EstimateContext) -> ResourceCost:
    spec = str(ctx.inputs.get("clusterSpec") or "ack.standard")
    fee = "ack-pro" if spec.startswith("ack.pro") else "ack-basic"
    return fee_cost(ctx, fee, f"ACK control plane ({spec})")


def nat_gateway(ctx: EstimateContext) -> ResourceCost:
    return fee_cost(ctx, "nat-gateway", "NAT gateway", note="capacity units and data processing not modelled")


def bucket(ctx: EstimateContext) -> ResourceCost:
    raw_class = str(ctx.inputs.get("storageClass") or "Standard")
    storage_class = _OSS_CLASSES.get(raw_class.lower(), raw_class.upper())
    return storage_cost(
        ctx,
        size_gib=expected_size_gib(ctx.inputs.get("tags")),
        base_class=storage_class,
        transitions=None,
        tiering_note=f"all data in {storage_class} (lifecycle rules are not correlated)",
    )


def pai_service(ctx: EstimateContext) -> ResourceCost:
    config = _service_config(ctx.inputs.get("serviceConfig"))
    if config is None:
        return ctx.unknown("serviceConfig is not a JSON object known from the inputs")
    metadata = config.get("metadata") or {}
    computing = (config.get("cloud") or {}).get("computing") or {}
    instances = computing.get("instances") or []
    first = instances[0] if isinstance(instances, list) and instances and isinstance(instances[0], dict) else {}
    instance_type = first.get("type") or computing.get("instance_type")
    replicas = whole_number(metadata.get("instance"))
    autoscaler = config.get("autoscaler") or {}
    low = whole_number(autoscaler.get("min"))
    high = whole_number(autoscaler.get("max"))
    if low is None or high is None:
        low = high = replicas if replicas is not None else 1
        note = "metadata.instance replicas"
    else:
        note = "autoscaler min..max"
    if not instance_type:
        return ctx.unknown("no instance type in serviceConfig (cloud.computing.instances[].type)")
    return pool_cost(ctx, machine_type=str(instance_type), low=low, high=high, spot=False, role="endpoint", note=note)


def _service_config(raw: Any) -> dict[str, Any] | None:
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, str):
        try:
            loaded = json.loads(raw)
        except json.JSONDecodeError:
            return None
        return loaded if isinstance(loaded, dict) else None
    return None


def eip(ctx: EstimateContext) -> ResourceCost:
    return fee_cost(ctx, "eip", "elastic IP", note="data transfer not modelled")


def kms_key(ctx: EstimateContext) -> ResourceCost:
    return fee_cost(ctx, "kms-key", "KMS key")


ESTIMATORS: dict[str, Estimator] = {
    NODE_POOL: node_pool,
    MANAGED_KUBERNETES: managed_kubernetes,
    NAT_GATEWAY: nat_gateway,
    BUCKET: bucket,
    PAI_SERVICE: pai_service,
    EIP: eip,
    KMS_KEY: kms_key,
}
