"""`ai-infra:azure:Bucket`: one storage account with one private blob container, hardened the way
model and dataset storage should be. One account per purpose (see README, config-azure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi
from pulumi_azure_native import keyvault, managedidentity, monitor, storage

from catalog.costs import with_expected_size_tag
from components.azure.key_vault import rotating_key, vault_properties
from components.azure.resource_ids import key_vault_key_id, provider_id, storage_container_id
from components.azure.roles import BuiltInRole, assign_role
from components.azure.storage_account import CustomerManagedKey, hardened_account
from components.options import child_options, stateful_options

AccessMode = Literal["read", "write"]
ACCESS_LOG_CATEGORIES = ("StorageRead", "StorageWrite", "StorageDelete")
_ROLE_FOR_MODE = {"read": BuiltInRole.STORAGE_BLOB_DATA_READER, "write": BuiltInRole.STORAGE_BLOB_DATA_CONTRIBUTOR}


@dataclass(frozen=True, kw_only=True)
class BlobTiering:
    """Days after a blob's last modification at which it moves to a cheaper access tier.
    A step left as None is skipped."""

    cool_days: int | None = 30
    """To Cool. Default 30 days."""
    cold_days: int | None = None
    """To Cold. Default: never."""
    archive_days: int | None = None
    """To Archive (offline: hours to rehydrate). Default: never."""


@dataclass(frozen=True, kw_only=True)
class CustomerKeyArgs:
    """Where the bucket's customer-managed key lives."""

    tenant_id: str
    key_vault_name: str
    """Globally unique Key Vault name (3-24 characters)."""


@dataclass(frozen=True, kw_only=True)
class BucketArgs:
    """Inputs of `Bucket`."""

    subscription_id: str
    resource_group_name: pulumi.Input[str]
    location: str
    account_name: str
    """Globally unique storage account name (3-24 lowercase letters and digits)."""
    purpose: str
    """What the bucket holds (`datasets`, `models`, ...): the container name and `purpose` tag."""
    tags: Mapping[str, str] = field(default_factory=dict)
    expected_size_gib: float = 0
    """Expected stored size; when above 0 the account carries the `ai-infra-expected-size-gib`
    tag that the cost estimate reads. Default 0: no tag."""
    sku: str = "Standard_ZRS"
    """Redundancy. Default Standard_ZRS (three zones); Standard_LRS is cheaper for dev."""
    allowed_subnet_ids: Sequence[pulumi.Input[str]] = ()
    """Subnets the firewall lets in (service endpoint). Default none."""
    private_endpoints_only: bool = False
    """Default False: the public endpoint is on behind the firewall (default Deny; allowed subnets
    and trusted Azure services with an RBAC grant get in). True: public network access off,
    private endpoints only."""
    access_log_workspace_id: pulumi.Input[str] | None = None
    """Log Analytics workspace for the blob service's StorageRead/Write/Delete logs. Default
    None: no access logs."""
    tiering: BlobTiering = field(default_factory=BlobTiering)
    """Lifecycle tiering. Default: Cool after 30 days, nothing colder."""
    noncurrent_version_days: int = 30
    """Replaced blob versions are deleted this many days after they were replaced. Default 30."""
    soft_delete_days: int = 7
    """Deleted blobs and containers stay recoverable this many days. Default 7."""
    customer_key: CustomerKeyArgs | None = None
    """Default None: Microsoft-managed keys (with infrastructure encryption). Set: a dedicated
    Key Vault (RBAC, purge protection) with a rotating RSA key the account encrypts with."""
    protect: bool = False
    """True (prod): account, container, vault and key are protected and retained if removed
    from the program. False (dev): deleting the stack deletes the data."""


class Bucket(pulumi.ComponentResource):
    """Children: optional Key Vault + key + identity + role assignment (customer-managed key);
    the storage account (see `hardened_account`); blob service properties (versioning, blob and
    container soft delete); the private container; an optional diagnostic setting (access logs);
    a management policy (tiering, deletion of old versions)."""

    bucket_name: pulumi.Output[str]
    """`<account>/<container>`: the address tools such as azcopy take."""
    account_name: pulumi.Output[str]
    container_name: pulumi.Output[str]
    container_id: pulumi.Output[str]
    """ARM id of the container: the scope of every role assignment on this bucket."""
    account_id: pulumi.Output[str]
    """ARM id of the storage account."""
    account: storage.StorageAccount
    """The native account, for escape hatches."""

    def __init__(self, name: str, args: BucketArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:azure:Bucket", name, None, opts)
        self._subscription_id = args.subscription_id
        self.purpose = args.purpose
        tags = {**args.tags, "purpose": args.purpose}
        account_tags = with_expected_size_tag(tags, args.expected_size_gib)

        key, key_access = (None, None)
        if args.customer_key is not None:
            key, key_access = self._customer_key(name, args, args.customer_key, tags)

        self.account = hardened_account(
            name,
            parent=self,
            account_name=args.account_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=account_tags,
            sku=args.sku,
            allowed_subnet_ids=args.allowed_subnet_ids,
            private_endpoints_only=args.private_endpoints_only,
            customer_managed_key=key,
            protect=args.protect,
            depends_on=[key_access] if key_access is not None else [],
        )
        blob_service = storage.BlobServiceProperties(
            f"{name}-blob-service",
            account_name=self.account.name,
            resource_group_name=args.resource_group_name,
            blob_services_name="default",
            is_versioning_enabled=True,
            delete_retention_policy={"enabled": True, "days": args.soft_delete_days},
            container_delete_retention_policy={"enabled": True, "days": args.soft_delete_days},
            opts=child_options(self),
        )
        container = storage.BlobContainer(
            f"{name}-container",
            account_name=self.account.name,
            resource_group_name=args.resource_group_name,
            container_name=args.purpose,
            public_access="None",
            opts=stateful_options(self, args.protect, depends_on=[blob_service]),
        )
        if args.access_log_workspace_id is not None:
            monitor.DiagnosticSetting(
                f"{name}-access-logs",
                name="access-logs",
                resource_uri=blob_service.id,
                workspace_id=args.access_log_workspace_id,
                logs=[{"category": category, "enabled": True} for category in ACCESS_LOG_CATEGORIES],
                opts=child_options(self),
            )
        storage.ManagementPolicy(
            f"{name}-lifecycle",
            account_name=self.account.name,
            resource_group_name=args.resource_group_name,
            management_policy_name="default",
            policy={"rules": _lifecycle_rules(args)},
            # Rules on versions need versioning on first.
            opts=child_options(self, depends_on=[blob_service]),
        )

        self.account_name = self.account.name
        self.container_name = container.name
        self.bucket_name = pulumi.Output.concat(self.account.name, "/", container.name)
        self.account_id = provider_id(
            args.subscription_id, args.resource_group_name, "Microsoft.Storage/storageAccounts/{}", self.account.name
        )
        self.container_id = storage_container_id(
            args.subscription_id, args.resource_group_name, self.account.name, container.name
        )
        self.register_outputs(
            {
                "bucket_name": self.bucket_name,
                "account_name": self.account_name,
                "container_name": self.container_name,
                "container_id": self.container_id,
            }
        )

    def grant(
        self, name: str, *, parent: pulumi.Resource, principal_id: pulumi.Input[str], mode: AccessMode, who: str
    ) -> pulumi.Resource:
        """Give a managed identity `read` (Storage Blob Data Reader) or `write` (Storage Blob Data
        Contributor) on this bucket's container only. The assignment is a child of `parent`."""
        return assign_role(
            name,
            parent=parent,
            subscription_id=self._subscription_id,
            role=_ROLE_FOR_MODE[mode],
            principal_id=principal_id,
            scope=self.container_id,
            description=f"{who}: {mode} access to one container",
        )

    def _customer_key(
        self, name: str, args: BucketArgs, key_args: CustomerKeyArgs, tags: dict[str, str]
    ) -> tuple[CustomerManagedKey, pulumi.Resource]:
        vault_name = key_args.key_vault_name
        identity = managedidentity.UserAssignedIdentity(
            f"{name}-key-identity",
            resource_name_=f"id-{args.account_name}-cmk",
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=tags,
            opts=child_options(self),
        )
        vault = keyvault.Vault(
            f"{name}-vault",
            vault_name=vault_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            # Storage refuses a key from a vault without soft delete and purge protection: a
            # deleted key must stay recoverable.
            properties=vault_properties(
                key_args.tenant_id, soft_delete_days=90, purge_protection=True, public_network_access=True
            ),
            tags=tags,
            opts=stateful_options(self, args.protect),
        )
        key = rotating_key(
            f"{name}-key",
            parent=self,
            key_name=f"{args.purpose}-cmk",
            vault_name=vault.name,
            resource_group_name=args.resource_group_name,
            tags=tags,
            protect=args.protect,
        )
        key_access = assign_role(
            f"{name}-key-access",
            parent=self,
            subscription_id=args.subscription_id,
            role=BuiltInRole.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
            principal_id=identity.principal_id,
            scope=key_vault_key_id(args.subscription_id, args.resource_group_name, vault.name, key.name),
            description=f"storage account {args.account_name} wraps its data keys with this key",
        )
        vault_uri = vault.properties.apply(lambda p: p.vault_uri)
        return CustomerManagedKey(vault_uri=vault_uri, key_name=key.name, identity_id=identity.id), key_access


def _lifecycle_rules(args: BucketArgs) -> list[dict]:
    # Filters are prefixes of `<container>/`: the account has one container, and naming it keeps
    # the rules correct if another container is ever added by hand.
    filters = {"blob_types": ["blockBlob"], "prefix_match": [f"{args.purpose}/"]}
    tiers = {
        key: {"days_after_modification_greater_than": days}
        for key, days in (
            ("tier_to_cool", args.tiering.cool_days),
            ("tier_to_cold", args.tiering.cold_days),
            ("tier_to_archive", args.tiering.archive_days),
        )
        if days is not None
    }
    rules: list[dict] = [
        {
            "name": "delete-old-versions",
            "type": "Lifecycle",
            "enabled": True,
            "definition": {
                "filters": filters,
                "actions": {"version": {"delete": {"days_after_creation_greater_than": args.noncurrent_version_days}}},
            },
        }
    ]
    if tiers:
        rules.append(
            {
                "name": "tiering",
                "type": "Lifecycle",
                "enabled": True,
                "definition": {"filters": filters, "actions": {"base_blob": tiers}},
            }
        )
    return rules
