"""AWS resources that cost money by the hour or by the GB, priced from their inputs."""

from __future__ import annotations

from typing import Any

from catalog.estimators.base import (
    HOURS_PER_MONTH,
    EstimateContext,
    Estimator,
    ResourceCost,
    combine,
    expected_size_gib,
    fee_cost,
    pool_cost,
    storage_cost,
    whole_number,
)
from catalog.prices import TIMES, Unpriced, usd_rate

NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
CLUSTER = "aws:eks/cluster:Cluster"
NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
ENDPOINT_CONFIGURATION = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
AUTOSCALING_TARGET = "aws:appautoscaling/target:Target"
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
EIP = "aws:ec2/eip:Eip"
KMS_KEY = "aws:kms/key:Key"
VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
CAPACITY_RESERVATION = "aws:ec2/capacityReservation:CapacityReservation"

KMS_BILLED_ROTATIONS = 2
"""AWS KMS bills the first two rotations of a key's material ($1/month each), later ones not."""

AUTOSCALING_HINT = "autoscaling"
"""Hint on an endpoint configuration: {variant name: (min, max)} from its autoscaling targets."""
LIFECYCLE_HINT = "lifecycle_transitions"
"""Hint on a bucket: [(days, storage class)] from its lifecycle configuration."""


def node_group(ctx: EstimateContext) -> ResourceCost:
    """An EKS managed node group: min..max nodes (less those on a capacity reservation) x its rate."""
    types = ctx.inputs.get("instanceTypes") or []
    scaling = ctx.inputs.get("scalingConfig") or {}
    low, high = whole_number(scaling.get("minSize")), whole_number(scaling.get("maxSize"))
    if not types or not isinstance(types, list):
        return ctx.unknown("no instanceTypes in the node group inputs (a launch template's instance type is not read)")
    if low is None or high is None:
        return ctx.unknown("scalingConfig.minSize / maxSize are not known from the inputs")
    spot = str(ctx.inputs.get("capacityType") or "ON_DEMAND").upper() == "SPOT"
    note = f"priced as the first of {len(types)} instance types" if len(types) > 1 else ""
    return pool_cost(
        ctx, machine_type=str(types[0]), low=low, high=high, spot=spot, note=note, tags=ctx.inputs.get("tags")
    )


def cluster(ctx: EstimateContext) -> ResourceCost:
    version = ctx.inputs.get("version")
    support = ctx.prices.catalog.cloud("aws").kubernetes
    if version is None:
        return fee_cost(
            ctx,
            "eks-standard-support",
            "EKS control plane (standard support)",
            note="no version set: EKS picks a current one",
        )
    version = str(version)
    if support is not None and version in support.extended_support:
        return fee_cost(ctx, "eks-extended-support", f"EKS control plane ({version}, extended support)")
    if support is not None and version in support.standard_support:
        return fee_cost(ctx, "eks-standard-support", f"EKS control plane ({version}, standard support)")
    return ctx.unknown(
        f"Kubernetes {version} is in neither support list of catalog/data/aws.yaml: control-plane fee unknown",
        f"{HOURS_PER_MONTH} h {TIMES} EKS control plane",
    )


def nat_gateway(ctx: EstimateContext) -> ResourceCost:
    return fee_cost(ctx, "nat-gateway", "NAT gateway", note="data processing per GB not modelled")


def endpoint_configuration(ctx: EstimateContext) -> ResourceCost:
    variants = ctx.inputs.get("productionVariants") or []
    scaling: dict[str, tuple[int, int]] = ctx.hints.get(AUTOSCALING_HINT) or {}
    parts = []
    for variant in variants if isinstance(variants, list) else []:
        parts.append(_variant_cost(ctx, variant, scaling))
    return combine(ctx, parts)


def _variant_cost(ctx: EstimateContext, variant: dict[str, Any], scaling: dict[str, tuple[int, int]]) -> ResourceCost:
    name = str(variant.get("variantName") or "")
    if variant.get("serverlessConfig"):
        return ctx.unknown(
            "serverless inference is billed per request and compute duration (not modelled)",
            f"variant {name or '?'}: serverless",
        )
    instance_type = variant.get("instanceType")
    if not instance_type:
        return ctx.unknown(f"variant {name or '?'} has no instanceType in the inputs")
    initial = whole_number(variant.get("initialInstanceCount"))
    managed = variant.get("managedInstanceScaling") or {}
    if name in scaling:
        low, high = scaling[name]
        note = f"variant {name}: min..max from its autoscaling target"
    elif str(managed.get("status", "")).upper() == "ENABLED":
        low = whole_number(managed.get("minInstanceCount")) or 0
        high = whole_number(managed.get("maxInstanceCount")) or low
        note = f"variant {name}: managed instance scaling"
    else:
        if initial is None:
            return ctx.unknown(f"variant {name or '?'}: initialInstanceCount is not known from the inputs")
        low = high = initial
        note = f"variant {name}: initialInstanceCount (no autoscaling target found)"
    return pool_cost(ctx, machine_type=str(instance_type), low=low, high=high, spot=False, role="endpoint", note=note)


def bucket(ctx: EstimateContext) -> ResourceCost:
    transitions = ctx.hints.get(LIFECYCLE_HINT)
    note = (
        "tiering from its lifecycle configuration"
        if transitions
        else "no lifecycle transitions found: all data in STANDARD"
    )
    return storage_cost(
        ctx,
        size_gib=expected_size_gib(ctx.inputs.get("tags")),
        base_class="STANDARD",
        transitions=transitions,
        tiering_note=note,
    )


def lifecycle_transitions(inputs: dict[str, Any]) -> list[tuple[int, str]]:
    """(days, storage class) of every enabled rule's transitions in a BucketLifecycleConfiguration."""
    found: list[tuple[int, str]] = []
    for rule in inputs.get("rules") or []:
        if not isinstance(rule, dict) or str(rule.get("status", "")).lower() != "enabled":
            continue
        for transition in rule.get("transitions") or []:
            days = whole_number(transition.get("days")) if isinstance(transition, dict) else None
            storage_class = transition.get("storageClass") if isinstance(transition, dict) else None
            if days is not None and storage_class:
                found.append((days, str(storage_class).upper()))
    return sorted(found)


def sagemaker_variant_target(inputs: dict[str, Any]) -> tuple[str, str, int, int] | None:
    """(endpoint name, variant name, min, max) of an autoscaling target of a SageMaker variant."""
    if str(inputs.get("serviceNamespace", "")).lower() != "sagemaker":
        return None
    parts = str(inputs.get("resourceId", "")).split("/")
    low, high = whole_number(inputs.get("minCapacity")), whole_number(inputs.get("maxCapacity"))
    if len(parts) != 4 or parts[0] != "endpoint" or parts[2] != "variant" or low is None or high is None:
        return None
    return parts[1], parts[3], low, high


def eip(ctx: EstimateContext) -> ResourceCost:
    return fee_cost(ctx, "public-ipv4", "public IPv4 address")


def kms_key(ctx: EstimateContext) -> ResourceCost:
    """$1 a month per key; with rotation on, each of the first two yearly rotations adds $1/month
    (floor: the first year, ceiling: after the second rotation)."""
    if not ctx.inputs.get("enableKeyRotation"):
        return fee_cost(ctx, "kms-key", "KMS key", note="requests not modelled")
    key = fee_cost(ctx, "kms-key", "KMS key")
    if not key.known or key.floor_usd is None:
        return key
    rotation = ctx.prices.fee("aws", "kms-key-rotation", ctx.region)
    if isinstance(rotation, Unpriced):
        return ctx.unknown(rotation.reason, key.basis)
    ctx.cite(rotation)
    discount = ctx.price_book.discount("aws")
    extra = KMS_BILLED_ROTATIONS * (discount.apply(rotation.price) if discount else rotation.price)
    basis = (
        f"{key.basis} (floor: first year) .. + {KMS_BILLED_ROTATIONS} rotations {TIMES} "
        f"{usd_rate(rotation.price)}/month (ceiling: after the second yearly rotation); requests not modelled"
    )
    return ctx.cost(key.floor_usd, key.floor_usd + extra, basis)


def vpc_endpoint(ctx: EstimateContext) -> ResourceCost:
    kind = str(ctx.inputs.get("vpcEndpointType") or "Gateway")
    if kind == "Interface":
        subnets = ctx.inputs.get("subnetIds")
        count = len(subnets) if isinstance(subnets, list) and subnets else 1
        return fee_cost(ctx, "vpc-endpoint-interface", "interface endpoint AZ", count=count)
    return fee_cost(ctx, f"vpc-endpoint-{kind.lower()}", f"{kind} endpoint")


def capacity_reservation(ctx: EstimateContext) -> ResourceCost:
    """An On-Demand Capacity Reservation bills its instances at the on-demand rate whether
    instances run in it or not (the pool that uses it leaves those nodes out of its own count)."""
    instance_type = ctx.inputs.get("instanceType")
    count = whole_number(ctx.inputs.get("instanceCount"))
    if not instance_type or count is None:
        return ctx.unknown("instanceType / instanceCount are not known from the inputs")
    return pool_cost(
        ctx,
        machine_type=str(instance_type),
        low=count,
        high=count,
        spot=False,
        note="reserved capacity: billed whether used or not",
    )


ESTIMATORS: dict[str, Estimator] = {
    NODE_GROUP: node_group,
    CLUSTER: cluster,
    NAT_GATEWAY: nat_gateway,
    ENDPOINT_CONFIGURATION: endpoint_configuration,
    BUCKET: bucket,
    EIP: eip,
    KMS_KEY: kms_key,
    VPC_ENDPOINT: vpc_endpoint,
    CAPACITY_RESERVATION: capacity_reservation,
}
