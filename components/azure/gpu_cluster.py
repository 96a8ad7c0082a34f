"""`ai-infra:azure:GpuCluster`: an AKS cluster with Entra ID-only access, workload identity and
one autoscaling GPU node pool per configured pool."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi
from pulumi_azure_native import containerservice, keyvault, managedidentity, monitor

from components.azure.autoscaler_profile import AUTOSCALER_PROFILE
from components.azure.disk_encryption import disk_encryption
from components.azure.gpu_pool import GpuPoolArgs, gpu_agent_pool
from components.azure.key_vault import rotating_key, vault_properties
from components.azure.resource_ids import key_vault_id, key_vault_key_id
from components.azure.roles import BuiltInRole, assign_role
from components.options import child_options, stateful_options

SYSTEM_POOL = "system"
AUDIT_LOG_CATEGORIES = ("kube-audit-admin", "guard")
"""Control-plane writes and Entra ID authentication decisions (reads are omitted: high volume)."""


@dataclass(frozen=True, kw_only=True)
class GpuClusterArgs:
    """Inputs of `GpuCluster`."""

    subscription_id: str
    tenant_id: str
    """Entra ID tenant for the cluster's Entra integration."""
    resource_group_name: pulumi.Input[str]
    location: str
    cluster_name: str
    node_subnet_id: pulumi.Input[str]
    """Subnet for all node pools (from `Network`)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    kubernetes_version: str | None = None
    """Default None: AKS's default at creation, then moved by the auto-upgrade channel."""
    auto_upgrade_channel: Literal["rapid", "stable", "patch", "node-image"] = "stable"
    """Default `stable`. Node OS images are patched by the `NodeImage` channel regardless."""
    authorized_ip_ranges: Sequence[str] = ()
    """Default empty: a private cluster (API server on a private IP in the VNet, no public
    FQDN). Non-empty: a public API server that accepts only these ranges."""
    sku_tier: Literal["Free", "Standard"] = "Standard"
    """Default `Standard` (financially backed uptime SLA); `Free` only for dev."""
    admin_group_object_ids: Sequence[str] = ()
    """Entra ID groups with cluster-admin. Default none: grant Azure RBAC roles instead."""
    system_vm_size: str = "Standard_D4ds_v5"
    system_nodes: int = 2
    zones: Sequence[str] = ("1", "2")
    """Zones for the system pool. GPU pools are not pinned to zones: GPU sizes are offered in
    different zones per region and pinning makes scale-ups fail where capacity exists."""
    pod_cidr: str = "10.244.0.0/16"
    service_cidr: str = "10.0.0.0/16"
    dns_service_ip: str = "10.0.0.10"
    outbound: Literal["nat-gateway", "none"] = "nat-gateway"
    """`nat-gateway` (default): egress through the NAT gateway already on the node subnet.
    `none`: a network-isolated cluster (no egress; images come from the AKS artifact cache)."""
    encryption_at_host: bool = True
    """Default true: temp disks and caches encrypted at the host (needs the subscription feature
    `Microsoft.Compute/EncryptionAtHost`)."""
    api_server_subnet_id: pulumi.Input[str] | None = None
    """Subnet delegated to AKS (from `Network`) for API Server VNet Integration (an internal load
    balancer in the VNet). Default None: no integration, so no private KMS vault either."""
    kms_key_vault_name: str | None = None
    """Default None: etcd is encrypted with platform keys only. Set (needs
    `api_server_subnet_id`): Kubernetes secrets are envelope-encrypted (KMS) with a rotating key
    in a dedicated private Key Vault of this name, which the control plane reaches through a
    private endpoint."""
    disk_key_vault_name: str | None = None
    """Default None: platform-managed node disk keys. Set: a Key Vault of this name, a rotating key
    and a disk encryption set for every node disk."""
    log_workspace_id: pulumi.Input[str] | None = None
    """Log Analytics workspace for control-plane audit logs (`kube-audit-admin`, `guard`).
    Default None: no audit logs."""
    gpu_pools: Sequence[GpuPoolArgs] = ()
    managed_prometheus: bool = True
    """Default True: the Azure Monitor managed Prometheus add-on (ama-metrics) runs in the
    cluster and reads `azmonitoring.coreos.com` scrape objects (the DCGM exporter's); the
    workspace and data collection rule it sends to are set up by the monitoring layer."""
    protect: bool = False
    """True (prod): the cluster is protected and retained if removed from the program."""


class GpuCluster(pulumi.ComponentResource):
    """Children: a user-assigned control-plane identity with Network Contributor on the node (and
    API server) subnet only; an optional private Key Vault and key for KMS secret encryption; the
    AKS cluster (Entra ID + Azure RBAC, local accounts disabled, OIDC issuer and workload identity
    on, private or IP-restricted API server, Cilium network policy, auto-upgrade, a tainted system
    pool); one autoscaling `AgentPool` per GPU pool; an optional diagnostic setting for audit
    logs."""

    cluster_name: pulumi.Output[str]
    oidc_issuer_url: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    """Entra ID (exec plugin, `kubelogin`) kubeconfig of a cluster user: no admin credentials."""
    cluster: containerservice.ManagedCluster
    """The native cluster, for escape hatches."""
    pools: dict[str, containerservice.AgentPool]

    def __init__(self, name: str, args: GpuClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:azure:GpuCluster", name, None, opts)
        tags = dict(args.tags)
        common = {"resource_group_name": args.resource_group_name, "location": args.location}

        identity = managedidentity.UserAssignedIdentity(
            f"{name}-identity",
            resource_name_=f"id-{args.cluster_name}",
            tags=tags,
            **common,
            opts=child_options(self),
        )
        # The control plane joins nodes to the subnet (and its NAT gateway), and places the API
        # server's load balancer in its own subnet: those subnets, nothing wider.
        grants: list[pulumi.Resource] = [
            assign_role(
                f"{name}-subnet-access",
                parent=self,
                subscription_id=args.subscription_id,
                role=BuiltInRole.NETWORK_CONTRIBUTOR,
                principal_id=identity.principal_id,
                scope=args.node_subnet_id,
                description=f"AKS {args.cluster_name} control plane manages its node subnet",
            )
        ]
        if args.api_server_subnet_id is not None:
            grants.append(
                assign_role(
                    f"{name}-api-subnet-access",
                    parent=self,
                    subscription_id=args.subscription_id,
                    role=BuiltInRole.NETWORK_CONTRIBUTOR,
                    principal_id=identity.principal_id,
                    scope=args.api_server_subnet_id,
                    description=f"AKS {args.cluster_name} control plane manages its API server subnet",
                )
            )
        kms: dict[str, object] | None = None
        if args.kms_key_vault_name is not None:
            if args.api_server_subnet_id is None:
                raise ValueError(
                    "kms_key_vault_name needs api_server_subnet_id: a private KMS vault is reached "
                    "through API Server VNet Integration"
                )
            kms, kms_grants = self._kms(name, args, args.kms_key_vault_name, identity, tags)
            grants.extend(kms_grants)

        disk_encryption_set_id: pulumi.Input[str] | None = None
        if args.disk_key_vault_name is not None:
            disks = disk_encryption(
                name,
                parent=self,
                subscription_id=args.subscription_id,
                tenant_id=args.tenant_id,
                resource_group_name=args.resource_group_name,
                location=args.location,
                vault_name=args.disk_key_vault_name,
                cluster_name=args.cluster_name,
                cluster_principal_id=identity.principal_id,
                tags=tags,
                protect=args.protect,
            )
            disk_encryption_set_id = disks.disk_encryption_set.id
            grants.extend(disks.grants)

        private = not args.authorized_ip_ranges
        api_server: dict[str, object] = (
            {"enable_private_cluster": True, "enable_private_cluster_public_fqdn": False}
            if private
            else {"enable_private_cluster": False, "authorized_ip_ranges": list(args.authorized_ip_ranges)}
        )
        if args.api_server_subnet_id is not None:
            api_server.update(enable_vnet_integration=True, subnet_id=args.api_server_subnet_id)
        security: dict[str, object] = {"workload_identity": {"enabled": True}}
        if kms is not None:
            security["azure_key_vault_kms"] = kms
        self.cluster = containerservice.ManagedCluster(
            f"{name}-cluster",
            resource_name_=args.cluster_name,
            dns_prefix=args.cluster_name,
            kubernetes_version=args.kubernetes_version,
            sku={"name": "Base", "tier": args.sku_tier},
            identity={"type": "UserAssigned", "user_assigned_identities": [identity.id]},
            enable_rbac=True,
            aad_profile={
                "managed": True,
                "enable_azure_rbac": True,
                "tenant_id": args.tenant_id,
                "admin_group_object_ids": list(args.admin_group_object_ids),
            },
            disable_local_accounts=True,
            disk_encryption_set_id=disk_encryption_set_id,
            addon_profiles={"azurepolicy": {"enabled": True}},  # admission policies (Gatekeeper)
            oidc_issuer_profile={"enabled": True},
            security_profile=security,
            api_server_access_profile=api_server,
            auto_upgrade_profile={
                "upgrade_channel": args.auto_upgrade_channel,
                "node_os_upgrade_channel": "NodeImage",
            },
            network_profile={
                "network_plugin": "azure",
                "network_plugin_mode": "overlay",
                "network_dataplane": "cilium",
                "network_policy": "cilium",
                "pod_cidr": args.pod_cidr,
                "service_cidr": args.service_cidr,
                "dns_service_ip": args.dns_service_ip,
                "load_balancer_sku": "standard",
                "outbound_type": "userAssignedNATGateway" if args.outbound == "nat-gateway" else "none",
            },
            bootstrap_profile={"artifact_source": "Cache"} if args.outbound == "none" else None,
            auto_scaler_profile=AUTOSCALER_PROFILE,
            azure_monitor_profile={"metrics": {"enabled": args.managed_prometheus}},
            agent_pool_profiles=[
                {
                    "name": SYSTEM_POOL,
                    "mode": "System",
                    "vm_size": args.system_vm_size,
                    "count": args.system_nodes,
                    "availability_zones": list(args.zones),
                    "os_type": "Linux",
                    "os_sku": "AzureLinux",
                    "type": "VirtualMachineScaleSets",
                    "vnet_subnet_id": args.node_subnet_id,
                    "enable_node_public_ip": False,
                    "enable_encryption_at_host": args.encryption_at_host,
                    # Keep application pods off the system pool.
                    "node_taints": ["CriticalAddonsOnly=true:NoSchedule"],
                    "tags": tags,
                }
            ],
            tags=tags,
            **common,
            opts=stateful_options(self, args.protect, depends_on=grants),
        )
        cluster_name = self.cluster.name

        if args.log_workspace_id is not None:
            monitor.DiagnosticSetting(
                f"{name}-audit",
                name="audit-to-log-analytics",
                resource_uri=self.cluster.id,
                workspace_id=args.log_workspace_id,
                log_analytics_destination_type="Dedicated",
                logs=[{"category": category, "enabled": True} for category in AUDIT_LOG_CATEGORIES],
                opts=child_options(self),
            )

        self.pools = {}
        for pool in args.gpu_pools:
            self.pools[pool.name] = gpu_agent_pool(self, name, pool, args, cluster_name, tags, identity.principal_id)

        credentials = containerservice.list_managed_cluster_user_credentials_output(
            resource_group_name=args.resource_group_name,
            resource_name=cluster_name,
            format="exec",
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        self.kubeconfig = pulumi.Output.secret(
            credentials.apply(lambda result: base64.b64decode(result.kubeconfigs[0].value).decode())
        )
        self.cluster_name = cluster_name
        self.oidc_issuer_url = self.cluster.oidc_issuer_profile.apply(
            lambda profile: profile.issuer_url if profile else ""
        )
        self.register_outputs(
            {"cluster_name": self.cluster_name, "oidc_issuer_url": self.oidc_issuer_url, "kubeconfig": self.kubeconfig}
        )

    def _kms(
        self,
        name: str,
        args: GpuClusterArgs,
        vault_name: str,
        identity: managedidentity.UserAssignedIdentity,
        tags: dict[str, str],
    ) -> tuple[dict[str, object], list[pulumi.Resource]]:
        vault = keyvault.Vault(
            f"{name}-kms-vault",
            vault_name=vault_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            properties=vault_properties(
                args.tenant_id,
                soft_delete_days=90 if args.protect else 7,
                # Losing this key makes every Kubernetes secret unreadable: keep it recoverable.
                purge_protection=args.protect,
                # AKS reaches a private vault through a private endpoint it creates itself.
                public_network_access=False,
            ),
            tags=tags,
            opts=stateful_options(self, args.protect),
        )
        key = rotating_key(
            f"{name}-kms-key",
            parent=self,
            key_name="etcd-kms",
            vault_name=vault.name,
            resource_group_name=args.resource_group_name,
            tags=tags,
            protect=args.protect,
            key_size=2048,
            key_operations=("encrypt", "decrypt"),
        )
        vault_id = key_vault_id(args.subscription_id, args.resource_group_name, vault.name)
        grants: list[pulumi.Resource] = [
            assign_role(
                f"{name}-kms-key-access",
                parent=self,
                subscription_id=args.subscription_id,
                role=BuiltInRole.KEY_VAULT_CRYPTO_USER,
                principal_id=identity.principal_id,
                scope=key_vault_key_id(args.subscription_id, args.resource_group_name, vault.name, key.name),
                description=f"AKS {args.cluster_name} encrypts etcd secrets with this key",
            ),
            assign_role(
                f"{name}-kms-vault-access",
                parent=self,
                subscription_id=args.subscription_id,
                role=BuiltInRole.KEY_VAULT_CONTRIBUTOR,
                principal_id=identity.principal_id,
                scope=vault_id,
                description=f"AKS {args.cluster_name} creates the private endpoint to its KMS vault",
            ),
        ]
        kms = {
            "enabled": True,
            # A versioned key id, as AKS requires; rotating means moving this to the new version.
            "key_id": key.key_uri_with_version,
            "key_vault_network_access": "Private",
            "key_vault_resource_id": vault_id,
        }
        return kms, grants
