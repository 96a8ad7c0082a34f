"""`ai-infra:azure:FileSystem`: an Azure Managed Lustre file system in a subnet of its own that
admits the Lustre ports from the AKS node subnet only, encrypted with its own Key Vault key, with
blob integration (import, and export when asked) to one of the stack's containers, mounted into
AKS as a static volume of the Azure Lustre CSI driver."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s
from pulumi_azure_native import keyvault, managedidentity, network, storage, storagecache

from components.azure.key_vault import rotating_key, vault_properties
from components.azure.resource_ids import (
    key_vault_id,
    key_vault_key_id,
    provider_id,
    storage_container_id,
    subnet_id,
)
from components.azure.roles import BuiltInRole, assign_role
from components.kubernetes.shared_volume import SharedVolume, shared_volume
from components.options import child_options, stateful_options

CSI_DRIVER = "azurelustre.csi.azure.com"
LUSTRE_PORTS = ["988", "1018-1023"]
FILESYSTEM_NAME = "lustrefs"
"""The Lustre file system name AMLFS serves (fixed by the service)."""


@dataclass(frozen=True, kw_only=True)
class BlobLink:
    """The container the file system hydrates from (and archives to, with `export`)."""

    directory: str
    account_name: pulumi.Input[str]
    container_name: pulumi.Input[str]
    prefix: str = ""
    """Blob prefix imported at creation. Default: the whole container."""
    export: bool = False
    """Default False: import only. True: an auto-export job writes new and changed files back."""


@dataclass(frozen=True, kw_only=True)
class FileSystemArgs:
    """Inputs of `FileSystem`."""

    file_system_name: str
    """The config key (`train`): names the file system, its subnet, vault and volume."""
    subscription_id: str
    tenant_id: str
    resource_group_name: pulumi.Input[str]
    location: str
    zone: str
    """AMLFS is zonal: the zone of the GPU pools' first node."""
    vnet_name: pulumi.Input[str]
    subnet_cidr: str
    """The file system's own subnet (`stacks.config.file_systems.plan_amlfs_subnets`)."""
    client_cidr: str
    """The AKS node subnet: the only clients admitted on the Lustre ports."""
    key_vault_name: str
    """Globally unique, at most 24 characters."""
    capacity_tib: int
    throughput_mbps_per_tib: int
    kubernetes_provider: k8s.Provider
    namespace: str
    claim: str
    link: BlobLink | None = None
    """Default none: no blob integration."""
    storage_cache_principal_id: str | None = None
    """Object id of the "HPC Cache Resource Provider" service principal; required with `link`."""
    read_only: bool = False
    network_ready: Sequence[pulumi.Resource] = ()
    """What the subnet waits for (the VNet's other subnets: Azure refuses concurrent subnet changes)."""
    cluster_ready: Sequence[pulumi.Resource] = ()
    """What the volume waits for: the platform, which creates the team namespaces."""
    protect: bool = False
    """True (prod): file system, vault and key protected and retained, purge protection on."""
    tags: Mapping[str, str] = field(default_factory=dict)


class FileSystem(pulumi.ComponentResource):
    """Security group (Lustre ports from the node subnet and the file system's own subnet; the
    rest of the VNet and the internet denied) + subnet + user-assigned identity + Key Vault + key
    (+ the identity's crypto grant) + AMLFS `AMLFS-Durable-Premium-<throughput>` + with a link:
    the HPC Cache resource provider's grants on the account, an HSM logging container, and an
    auto-export job when exporting + a static PersistentVolume and its claim."""

    file_system_id: pulumi.Output[str]
    mgs_address: pulumi.Output[str]
    claim_name: str
    file_system: storagecache.AmlFilesystem
    """The native file system, for escape hatches."""

    def __init__(self, name: str, args: FileSystemArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:azure:FileSystem", name, None, opts)
        tags = {**args.tags, "ai-infra-file-system": args.file_system_name}
        placement = {"resource_group_name": args.resource_group_name, "location": args.location}
        fs_name = f"amlfs-{args.file_system_name}"

        nsg = network.NetworkSecurityGroup(
            f"{name}-nsg",
            network_security_group_name=f"nsg-{fs_name}",
            security_rules=_inbound_rules(args.client_cidr, args.subnet_cidr),
            tags=tags,
            **placement,
            opts=child_options(self),
        )
        subnet = network.Subnet(
            f"{name}-subnet",
            subnet_name=f"snet-{fs_name}",  # known before it exists: the linked account's firewall names it
            virtual_network_name=args.vnet_name,
            resource_group_name=args.resource_group_name,
            address_prefix=args.subnet_cidr,
            default_outbound_access=False,
            network_security_group={"id": nsg.id},
            # Blob integration reaches the linked account through its firewall via this endpoint
            # (the stack allows this subnet on the linked account).
            service_endpoints=[{"service": "Microsoft.Storage"}],
            opts=child_options(self, depends_on=list(args.network_ready)),
        )

        identity = managedidentity.UserAssignedIdentity(
            f"{name}-identity",
            resource_name_=f"id-{fs_name}",
            tags=tags,
            **placement,
            opts=child_options(self),
        )
        vault = keyvault.Vault(
            f"{name}-vault",
            vault_name=args.key_vault_name,
            properties=vault_properties(
                args.tenant_id,
                soft_delete_days=90 if args.protect else 7,
                purge_protection=args.protect,
                public_network_access=True,
            ),
            tags=tags,
            **placement,
            opts=stateful_options(self, args.protect),
        )
        key = rotating_key(
            f"{name}-key",
            parent=self,
            key_name=fs_name,
            vault_name=vault.name,
            resource_group_name=args.resource_group_name,
            tags=tags,
            protect=args.protect,
        )
        vault_id = key_vault_id(args.subscription_id, args.resource_group_name, vault.name)
        key_grant = assign_role(
            f"{name}-key-access",
            parent=self,
            subscription_id=args.subscription_id,
            role=BuiltInRole.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
            principal_id=identity.principal_id,
            scope=key_vault_key_id(args.subscription_id, args.resource_group_name, vault.name, key.name),
            description=f"Azure Managed Lustre {fs_name} wraps its data keys with this key",
        )

        waits: list[pulumi.Resource] = [key_grant]
        hsm = None
        if args.link is not None:
            hsm, grants = self._blob_integration(name, args, args.link)
            waits.extend(grants)
        self.file_system = storagecache.AmlFilesystem(
            f"{name}-amlfs",
            aml_filesystem_name=fs_name,
            sku={"name": f"AMLFS-Durable-Premium-{args.throughput_mbps_per_tib}"},
            storage_capacity_ti_b=float(args.capacity_tib),
            zones=[args.zone],
            filesystem_subnet=subnet_id(args.subscription_id, args.resource_group_name, args.vnet_name, subnet.name),
            maintenance_window={"day_of_week": "Sunday", "time_of_day_utc": "02:00"},
            identity={"type": "UserAssigned", "user_assigned_identities": [identity.id]},
            encryption_settings={
                "key_encryption_key": {"key_url": key.key_uri_with_version, "source_vault": {"id": vault_id}}
            },
            # Root from anywhere but the node subnet is squashed to nobody.
            root_squash_settings={
                "mode": "RootOnly",
                "no_squash_nid_lists": f"{args.client_cidr}@tcp",
                "squash_uid": 65534,
                "squash_gid": 65534,
            },
            hsm=hsm,
            tags=tags,
            **placement,
            opts=stateful_options(self, args.protect, depends_on=waits),
        )
        if args.link is not None and args.link.export:
            storagecache.AutoExportJob(
                f"{name}-export",
                auto_export_job_name=f"export-{args.link.directory}",
                aml_filesystem_name=self.file_system.name,
                auto_export_prefixes=[f"/{args.link.prefix}"],
                tags=tags,
                **placement,
                opts=child_options(self),
            )

        self.mgs_address = self.file_system.client_info.apply(lambda info: info.mgs_address)  # type: ignore[union-attr]
        self.claim_name = args.claim
        shared_volume(
            f"{name}-volume",
            SharedVolume(
                name=args.file_system_name,
                driver=CSI_DRIVER,
                volume_handle=pulumi.Output.concat(fs_name, "#", self.mgs_address),
                attributes={"mgs-ip-address": self.mgs_address, "fs-name": FILESYSTEM_NAME},
                capacity_gib=args.capacity_tib * 1024,
                namespace=args.namespace,
                claim=args.claim,
                read_only=args.read_only,
                mount_options=("noatime", "flock"),
            ),
            parent=self,
            provider=args.kubernetes_provider,
            depends_on=[self.file_system, *args.cluster_ready],
        )
        self.file_system_id = self.file_system.id
        self.register_outputs(
            {"file_system_id": self.file_system_id, "mgs_address": self.mgs_address, "claim_name": self.claim_name}
        )

    def _blob_integration(
        self, name: str, args: FileSystemArgs, link: BlobLink
    ) -> tuple[dict[str, object], list[pulumi.Resource]]:
        """HSM settings and the grants blob integration needs before the file system is created."""
        assert args.storage_cache_principal_id is not None  # config requires it with a link
        logs = storage.BlobContainer(
            f"{name}-hsm-logs",
            account_name=link.account_name,
            container_name=f"amlfs-{args.file_system_name}-logs",
            resource_group_name=args.resource_group_name,
            public_access="None",
            opts=stateful_options(self, args.protect),
        )
        account_id = provider_id(
            args.subscription_id, args.resource_group_name, "Microsoft.Storage/storageAccounts/{}", link.account_name
        )
        grants: list[pulumi.Resource] = [
            assign_role(
                f"{name}-hsm-{role.name.lower().replace('_', '-')}",
                parent=self,
                subscription_id=args.subscription_id,
                role=role,
                principal_id=args.storage_cache_principal_id,
                scope=account_id,
                description=f"Azure Managed Lustre amlfs-{args.file_system_name} imports from and exports to it",
            )
            for role in (BuiltInRole.STORAGE_ACCOUNT_CONTRIBUTOR, BuiltInRole.STORAGE_BLOB_DATA_CONTRIBUTOR)
        ]
        hsm: dict[str, object] = {
            "settings": {
                "container": storage_container_id(
                    args.subscription_id, args.resource_group_name, link.account_name, link.container_name
                ),
                "logging_container": storage_container_id(
                    args.subscription_id, args.resource_group_name, link.account_name, logs.name
                ),
                "import_prefixes_initial": [f"/{link.prefix}"],
            }
        }
        return hsm, grants


def _inbound_rules(client_cidr: str, own_cidr: str) -> list[dict[str, object]]:
    """Lustre from the nodes; anything within the file system's own subnet (its servers); every
    other source in the VNet, and the internet, denied."""
    common = {"direction": "Inbound", "source_port_range": "*", "destination_address_prefix": own_cidr}
    return [
        {
            "name": "allow-lustre-from-nodes",
            "description": "Lustre clients: the cluster's node subnet on the Lustre ports",
            "priority": 100,
            "access": "Allow",
            "protocol": "Tcp",
            "source_address_prefix": client_cidr,
            "destination_port_ranges": LUSTRE_PORTS,
            **common,
        },
        {
            "name": "allow-within-file-system",
            "description": "The file system's own servers talk to each other",
            "priority": 110,
            "access": "Allow",
            "protocol": "*",
            "source_address_prefix": own_cidr,
            "destination_port_range": "*",
            **common,
        },
        {
            "name": "deny-rest-of-vnet",
            "description": "No other subnet of the VNet reaches the file system",
            "priority": 4000,
            "access": "Deny",
            "protocol": "*",
            "source_address_prefix": "VirtualNetwork",
            "destination_port_range": "*",
            **common,
        },
        {
            "name": "deny-internet-inbound",
            "description": "Nothing from the internet",
            "priority": 4010,
            "access": "Deny",
            "protocol": "*",
            "source_address_prefix": "Internet",
            "destination_port_range": "*",
            **common,
        },
    ]
