"""The one way this project declares a storage account: identity-only access, TLS 1.2, no public
blobs, firewall default deny, infrastructure encryption. Used by `Bucket` and by `ModelEndpoint`
(the Azure ML workspace's own storage)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import storage

from components.options import stateful_options


@dataclass(frozen=True, kw_only=True)
class CustomerManagedKey:
    """A Key Vault key the account encrypts with, reached through a user-assigned identity."""

    vault_uri: pulumi.Input[str]
    key_name: pulumi.Input[str]
    identity_id: pulumi.Input[str]
    """Resource id of the user-assigned identity that holds Key Vault Crypto Service Encryption
    User on the key."""


def hardened_account(
    name: str,
    *,
    parent: pulumi.Resource,
    account_name: str,
    resource_group_name: pulumi.Input[str],
    location: str,
    tags: Mapping[str, str],
    sku: str = "Standard_ZRS",
    allowed_subnet_ids: Sequence[pulumi.Input[str]] = (),
    private_endpoints_only: bool = False,
    customer_managed_key: CustomerManagedKey | None = None,
    protect: bool = False,
    depends_on: Sequence[pulumi.Resource] = (),
) -> storage.StorageAccount:
    """A StorageV2 account that only Entra ID identities can use.

    Shared keys (and so account SAS and connection strings) are off; blobs can never be made
    public; requests need HTTPS with TLS 1.2+. The firewall denies by default: `allowed_subnet_ids`
    reach it through their storage service endpoint and trusted Azure services (Network Watcher,
    Azure ML, Monitor) through the bypass, both still needing an RBAC grant. With
    `private_endpoints_only` public network access is off entirely: only private endpoints
    reach it (and the bypass no longer applies)."""
    encryption: dict[str, object] = {
        # A second, independent layer of AES-256 at the infrastructure level.
        "require_infrastructure_encryption": True,
        "services": {
            "blob": {"enabled": True, "key_type": "Account"},
            "file": {"enabled": True, "key_type": "Account"},
        },
        "key_source": "Microsoft.Storage",
    }
    identity = None
    if customer_managed_key is not None:
        encryption.update(
            key_source="Microsoft.Keyvault",
            # No key version: the account follows the key's automatic rotation.
            key_vault_properties={
                "key_vault_uri": customer_managed_key.vault_uri,
                "key_name": customer_managed_key.key_name,
            },
            encryption_identity={"encryption_user_assigned_identity": customer_managed_key.identity_id},
        )
        identity = {
            "type": "UserAssigned",
            "user_assigned_identities": [customer_managed_key.identity_id],
        }
    return storage.StorageAccount(
        f"{name}-account",
        account_name=account_name,
        resource_group_name=resource_group_name,
        location=location,
        kind="StorageV2",
        sku={"name": sku},
        access_tier="Hot",
        allow_blob_public_access=False,
        allow_shared_key_access=False,
        default_to_o_auth_authentication=True,
        allow_cross_tenant_replication=False,
        is_local_user_enabled=False,
        is_sftp_enabled=False,
        minimum_tls_version="TLS1_2",
        enable_https_traffic_only=True,
        public_network_access="Disabled" if private_endpoints_only else "Enabled",
        network_rule_set={
            "default_action": "Deny",
            # Trusted Azure services (Azure ML, Backup, Monitor) still need an RBAC grant.
            "bypass": "AzureServices",
            "virtual_network_rules": [
                {"virtual_network_resource_id": subnet, "action": "Allow"} for subnet in allowed_subnet_ids
            ],
            "ip_rules": [],
        },
        encryption=encryption,
        identity=identity,
        tags=dict(tags),
        opts=stateful_options(parent, protect, depends_on=list(depends_on)),
    )
