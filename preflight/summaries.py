"""The few inputs per resource type a reviewer looks at first (instance types, sizes, spot)."""

from __future__ import annotations

from typing import Any

from preflight.records import ResourceRecord

# type token -> (label, dotted input path). Types not listed show no settings column.
KEY_SETTINGS: dict[str, list[tuple[str, str]]] = {
    "aws:eks/cluster:Cluster": [
        ("version", "version"),
        ("private", "vpcConfig.endpointPrivateAccess"),
        ("public", "vpcConfig.endpointPublicAccess"),
    ],
    "aws:eks/nodeGroup:NodeGroup": [
        ("types", "instanceTypes"),
        ("capacity", "capacityType"),
        ("min", "scalingConfig.minSize"),
        ("max", "scalingConfig.maxSize"),
        ("desired", "scalingConfig.desiredSize"),
    ],
    "aws:ec2/natGateway:NatGateway": [("connectivity", "connectivityType")],
    "aws:ec2/vpc:Vpc": [("cidr", "cidrBlock")],
    "aws:ec2/subnet:Subnet": [("cidr", "cidrBlock"), ("zone", "availabilityZone")],
    "aws:s3/bucket:Bucket": [("bucket", "bucket"), ("force_destroy", "forceDestroy")],
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": [
        ("type", "productionVariants.0.instanceType"),
        ("initial", "productionVariants.0.initialInstanceCount"),
    ],
    "aws:appautoscaling/target:Target": [("min", "minCapacity"), ("max", "maxCapacity")],
    "aws:budgets/budget:Budget": [("limit", "limitAmount"), ("unit", "limitUnit")],
}


def dig(value: Any, path: str) -> Any:
    """`dig(inputs, "scalingConfig.minSize")`; list indices are numbers; None when absent."""
    for part in path.split("."):
        if isinstance(value, list) and part.isdigit():
            index = int(part)
            value = value[index] if index < len(value) else None
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value


def key_settings(record: ResourceRecord) -> str:
    parts = []
    for label, path in KEY_SETTINGS.get(record.type, []):
        value = dig(record.inputs, path)
        if value is None:
            continue
        if isinstance(value, list):
            value = ",".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = str(value).lower()
        parts.append(f"{label}={value}")
    return " ".join(parts)
