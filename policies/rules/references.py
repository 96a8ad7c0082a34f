"""What a reference names, judged by meaning: a customer-managed key, a dedicated identity, a
private network. A reference may be a literal (an ARN, a key id, an e-mail) or, at a preview, an
unknown value computed from another resource of the same program; then the property dependency
says what it names (`Context.resolved_by`)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from policies.framework import UNKNOWN, Context, Resource

CUSTOMER_KEY_TYPES = (
    "aws:kms/key:Key",
    "aws:kms/replicaKey:ReplicaKey",
    "aws:kms/externalKey:ExternalKey",
    "aws:kms/alias:Alias",
    "gcp:kms/cryptoKey:CryptoKey",
    "azure-native:keyvault:Key",
    "alicloud:kms/key:Key",
    "azure-native:compute:DiskEncryptionSet",
)
"""Resources that are (or name) a key the customer manages."""
SERVICE_ACCOUNT_TYPES = ("gcp:serviceaccount/account:Account",)
PRIVATE_NETWORK_TYPES = (
    "aws:ec2/subnet:Subnet",
    "aws:ec2/securityGroup:SecurityGroup",
    "gcp:compute/network:Network",
    "gcp:compute/subnetwork:Subnetwork",
    "azure-native:network:Subnet",
    "azure-native:network:VirtualNetwork",
    "alicloud:vpc/network:Network",
    "alicloud:vpc/switch:Switch",
    "alicloud:ecs/securityGroup:SecurityGroup",
)

_AWS_MANAGED_KEY = re.compile(r"(^|:)alias/aws/")
"""`alias/aws/s3`, `arn:aws:kms:...:alias/aws/ebs`: keys AWS creates and manages for a service."""


def provider_managed_key(value: str) -> bool:
    """A key reference that names a key the cloud provider manages, not the customer."""
    return bool(_AWS_MANAGED_KEY.search(value))


def names_customer_key(ctx: Context, holder: Resource, prop: str, value: object) -> bool:
    """Whether `value`, read from `holder`'s input `prop`, names a customer-managed key: a
    literal that is not a provider-managed key, or (unknown at preview) a value computed from a
    customer key created in this stack."""
    if value is UNKNOWN:
        return bool(ctx.resolved_by(holder, prop, CUSTOMER_KEY_TYPES))
    return isinstance(value, str) and bool(value.strip()) and not provider_managed_key(value)


def computed_from(ctx: Context, holder: Resource, prop: str, value: object, types: Sequence[str]) -> bool:
    """Whether an unknown `value` of `holder`'s input `prop` comes from a resource of `types`
    in this stack (False for a known value: the caller judges literals itself)."""
    return value is UNKNOWN and bool(ctx.resolved_by(holder, prop, types))
