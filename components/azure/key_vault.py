"""The Key Vault pieces Azure components declare for their own keys: the vault's properties and a
rotating RSA key. Used by `Bucket` (customer-managed key), `ModelEndpoint` (workspace key) and
`GpuCluster` (KMS encryption of Kubernetes secrets)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
from pulumi_azure_native import keyvault

from components.options import stateful_options

WRAPPING_KEY_OPERATIONS = ("wrapKey", "unwrapKey")
"""What an encryption-at-rest key is for: wrapping the service's data keys."""


def vault_properties(
    tenant_id: str, *, soft_delete_days: int, purge_protection: bool, public_network_access: bool
) -> dict[str, object]:
    """Properties of a standard vault that grants access through Azure RBAC only, keeps deleted
    keys `soft_delete_days` days, and whose firewall denies everything but trusted Azure services.

    `purge_protection`: deleted keys cannot be purged before `soft_delete_days` end (it cannot be
    switched off again, and the vault's name stays taken that long). `public_network_access`:
    False turns the public endpoint off (reached through private endpoints only); True leaves
    Azure's default, the endpoint on behind that firewall."""
    properties: dict[str, object] = {
        "tenant_id": tenant_id,
        "sku": {"family": "A", "name": "standard"},
        "enable_rbac_authorization": True,
        "enable_soft_delete": True,
        "soft_delete_retention_in_days": soft_delete_days,
        "network_acls": {"default_action": "Deny", "bypass": "AzureServices"},
    }
    if not public_network_access:
        properties["public_network_access"] = "Disabled"
    if purge_protection:
        properties["enable_purge_protection"] = True
    return properties


def rotating_key(
    name: str,
    *,
    parent: pulumi.Resource,
    key_name: str,
    vault_name: pulumi.Input[str],
    resource_group_name: pulumi.Input[str],
    tags: Mapping[str, str],
    protect: bool,
    key_size: int = 3072,
    key_operations: Sequence[str] = WRAPPING_KEY_OPERATIONS,
) -> keyvault.Key:
    """An RSA key that Key Vault rotates every year (a new version) and that expires after two,
    with a notification 30 days before. Protected and retained with `protect`: losing it makes
    everything encrypted with it unreadable. Default: 3072 bits, for wrapping data keys."""
    return keyvault.Key(
        name,
        key_name=key_name,
        vault_name=vault_name,
        resource_group_name=resource_group_name,
        properties={
            "kty": "RSA",
            "key_size": key_size,
            "key_ops": list(key_operations),
            "rotation_policy": {
                "attributes": {"expiry_time": "P2Y"},
                "lifetime_actions": [
                    {"trigger": {"time_after_create": "P1Y"}, "action": {"type": "rotate"}},
                    {"trigger": {"time_before_expiry": "P30D"}, "action": {"type": "notify"}},
                ],
            },
        },
        tags=tags,
        opts=stateful_options(parent, protect),
    )
