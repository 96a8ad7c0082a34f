"""A disk encryption set for AKS node disks: a dedicated Key Vault and rotating key, the set that
wraps managed-disk keys with it, and the two grants it needs. Used by `GpuCluster`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import compute, keyvault

from components.azure.key_vault import rotating_key, vault_properties
from components.azure.resource_ids import key_vault_id, key_vault_key_id
from components.azure.roles import BuiltInRole, assign_role
from components.options import stateful_options


@dataclass(frozen=True)
class DiskEncryption:
    disk_encryption_set: compute.DiskEncryptionSet
    grants: list[pulumi.Resource]
    """The set's key grant and the cluster's read grant on the set: the cluster depends on them."""


def disk_encryption(
    name: str,
    *,
    parent: pulumi.Resource,
    subscription_id: str,
    tenant_id: str,
    resource_group_name: pulumi.Input[str],
    location: str,
    vault_name: str,
    cluster_name: str,
    cluster_principal_id: pulumi.Input[str],
    tags: Mapping[str, str],
    protect: bool,
) -> DiskEncryption:
    """Vault `vault_name` (RBAC only, firewall denying all but trusted Azure services, which the
    disk encryption set is), a yearly-rotating key, and a disk encryption set with a system
    identity that follows the key's latest version. The set's identity may wrap and unwrap with
    the key (Key Vault Crypto Service Encryption User on the key); the cluster's control-plane
    identity may read the set. Vault, key and set are protected and retained with `protect`:
    losing them makes every node disk unreadable."""
    vault = keyvault.Vault(
        f"{name}-disk-vault",
        vault_name=vault_name,
        resource_group_name=resource_group_name,
        location=location,
        properties=vault_properties(
            tenant_id,
            soft_delete_days=90 if protect else 7,
            purge_protection=protect,
            public_network_access=True,
        ),
        tags=dict(tags),
        opts=stateful_options(parent, protect),
    )
    key = rotating_key(
        f"{name}-disk-key",
        parent=parent,
        key_name="node-disks",
        vault_name=vault.name,
        resource_group_name=resource_group_name,
        tags=tags,
        protect=protect,
    )
    des = compute.DiskEncryptionSet(
        f"{name}-disk-encryption-set",
        disk_encryption_set_name=f"des-{cluster_name}",
        resource_group_name=resource_group_name,
        location=location,
        encryption_type="EncryptionAtRestWithCustomerKey",
        active_key={
            "key_url": key.key_uri_with_version,
            "source_vault": {"id": key_vault_id(subscription_id, resource_group_name, vault.name)},
        },
        identity={"type": "SystemAssigned"},
        rotation_to_latest_key_version_enabled=True,
        tags=dict(tags),
        opts=stateful_options(parent, protect),
    )
    principal = des.identity.apply(lambda identity: identity.principal_id if identity else "")
    grants: list[pulumi.Resource] = [
        assign_role(
            f"{name}-disk-key-access",
            parent=parent,
            subscription_id=subscription_id,
            role=BuiltInRole.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
            principal_id=principal,
            scope=key_vault_key_id(subscription_id, resource_group_name, vault.name, key.name),
            description=f"The disk encryption set of AKS {cluster_name} wraps node disk keys with this key",
        ),
        assign_role(
            f"{name}-disk-set-read",
            parent=parent,
            subscription_id=subscription_id,
            role=BuiltInRole.READER,
            principal_id=cluster_principal_id,
            scope=des.id,
            description=f"AKS {cluster_name} control plane attaches node disks encrypted by this set",
        ),
    ]
    return DiskEncryption(disk_encryption_set=des, grants=grants)
