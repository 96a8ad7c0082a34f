"""`ai-infra:azure:ModelEndpoint`: an Azure ML workspace locked to private networking, a managed
online endpoint and one deployment serving a model from a `Bucket`, taking all traffic."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi
from pulumi_azure_native import (
    keyvault,
    resources,
)
from pulumi_azure_native import machinelearningservices as ml

from components.azure.bucket import Bucket, BucketArgs, CustomerKeyArgs
from components.azure.key_vault import vault_properties
from components.azure.ml_serving_container import ServingContainer, serving_environment
from components.azure.ml_workspace_parts import (
    content_version,
    iso_duration_ms,
    traffic_template,
    workspace_insights,
    workspace_key,
    workspace_private_endpoint,
    workspace_registry,
)
from components.options import child_options, stateful_options

DEPLOYMENT_NAME = "primary"
WORKSPACE_DNS_ZONES = ("privatelink.api.azureml.ms", "privatelink.notebooks.azure.net")
"""Private DNS zones a workspace private endpoint registers in (pass them to `Network`)."""
_AUTH_MODES = {"aad_token": "AADToken", "key": "Key"}
_ISOLATION_MODES = {
    "allow-internet-outbound": "AllowInternetOutbound",
    "allow-only-approved-outbound": "AllowOnlyApprovedOutbound",
}


@dataclass(frozen=True, kw_only=True)
class ModelEndpointArgs:
    """Inputs of `ModelEndpoint`."""

    subscription_id: str
    tenant_id: str
    resource_group_name: pulumi.Input[str]
    location: str
    workspace_name: str
    endpoint_name: str
    """Region-unique online endpoint name (3-32 characters)."""
    storage_account_name: str
    """Globally unique name of the workspace's own storage account (a `Bucket`)."""
    key_vault_name: str
    """Globally unique name of the workspace's Key Vault."""
    registry_name: str
    """Globally unique name of the workspace's container registry (5-50 letters and digits)."""
    instance_type: str
    """Azure ML VM size (`Standard_NC24ads_A100_v4`), from the catalog."""
    container: ServingContainer
    model_bucket: Bucket
    model_path: str
    """Path of the model inside `model_bucket`'s container (`chat/model`)."""
    log_workspace_id: pulumi.Input[str]
    """Log Analytics workspace behind Application Insights and the storage access logs."""
    tags: Mapping[str, str] = field(default_factory=dict)
    min_instances: int = 1
    """Floor of the autoscaler; managed online deployments keep at least 1. Default 1."""
    max_instances: int = 1
    target_utilization_percentage: int = 70
    """Scale out above this average CPU utilization. Default 70."""
    request_timeout_ms: int = 60_000
    max_concurrent_requests_per_instance: int = 1
    auth_mode: Literal["aad_token", "key"] = "aad_token"
    """Default `aad_token`: callers present Entra ID tokens. `key`: long-lived endpoint keys."""
    public_network_access: bool = False
    """Default false: the endpoint (and workspace) are reachable through the private endpoint
    only. True opens the scoring URI to the internet (dev only; the stack refuses it in prod)."""
    managed_network: Literal["allow-internet-outbound", "allow-only-approved-outbound"] = "allow-internet-outbound"
    """Outbound isolation of the workspace's managed network. Default: internet allowed out,
    nothing in."""
    private_endpoint_subnet_id: pulumi.Input[str] | None = None
    """Subnet for the workspace's private endpoint. Default None: no private endpoint (the
    workspace is then reachable by nobody outside Azure ML)."""
    private_dns_zone_ids: Sequence[pulumi.Input[str]] = ()
    """Ids of the `WORKSPACE_DNS_ZONES` zones (from `Network`) the private endpoint registers in."""
    storage_sku: str = "Standard_ZRS"
    """Redundancy of the workspace's storage account. Default Standard_ZRS."""
    registry_sku: Literal["Basic", "Standard", "Premium"] = "Premium"
    """Default Premium: the only tier that can turn public network access off."""
    customer_managed_key: bool = False
    """Default False: Microsoft-managed keys. True: the workspace encrypts with a rotating key in
    its Key Vault (purge protection then on), used through a user-assigned identity that holds
    Key Vault Crypto Service Encryption User on that key only, and its storage account gets a
    customer-managed key in a vault named `storage_key_vault_name`. Azure ML then keeps the
    workspace's metadata in a Cosmos DB, AI Search and storage account it creates (and bills) in
    a Microsoft-managed resource group."""
    storage_key_vault_name: str | None = None
    """Globally unique name of the storage account's key vault (with `customer_managed_key`)."""
    protect: bool = False
    """True (prod): workspace, its storage and Key Vault are protected and retained; the vault
    has purge protection and 90-day soft delete (7 days without purge protection otherwise)."""


class ModelEndpoint(pulumi.ComponentResource):
    """Children: Application Insights (on the given Log Analytics workspace); the workspace's
    storage (a private-endpoint-only `Bucket` with access logs), Key Vault (RBAC, no public
    access) and container registry (no admin user, no public access); with
    `customer_managed_key` a key, identity and grant for workspace encryption; the Azure ML
    workspace (system-assigned identity, public
    network access off, managed network with a private endpoint to the model bucket, identity
    based datastores); an optional private endpoint for the workspace; a datastore for the model
    bucket; model and environment versions; the online endpoint (system-assigned identity);
    read-only role assignments on the model container for the workspace and the endpoint; the
    online deployment; and the traffic step that sends 100 % of requests to it."""

    endpoint_name: pulumi.Output[str]
    scoring_uri: pulumi.Output[str]
    workspace_name: pulumi.Output[str]
    workspace: ml.Workspace
    """The native workspace, for escape hatches."""

    def __init__(self, name: str, args: ModelEndpointArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:azure:ModelEndpoint", name, None, opts)
        tags = dict(args.tags)
        common = {"resource_group_name": args.resource_group_name, "location": args.location}

        insights = workspace_insights(
            name,
            parent=self,
            workspace_name=args.workspace_name,
            log_workspace_id=args.log_workspace_id,
            tags=tags,
            resource_group_name=args.resource_group_name,
            location=args.location,
        )
        if args.customer_managed_key and args.storage_key_vault_name is None:
            raise ValueError("customer_managed_key needs storage_key_vault_name")
        workspace_storage = Bucket(
            f"{name}-storage",
            BucketArgs(
                subscription_id=args.subscription_id,
                resource_group_name=args.resource_group_name,
                location=args.location,
                account_name=args.storage_account_name,
                purpose="workspace",
                tags=tags,
                sku=args.storage_sku,
                # The workspace reaches its storage through its managed network's private endpoints.
                private_endpoints_only=True,
                access_log_workspace_id=args.log_workspace_id,
                customer_key=(
                    CustomerKeyArgs(tenant_id=args.tenant_id, key_vault_name=args.storage_key_vault_name)
                    if args.customer_managed_key and args.storage_key_vault_name is not None
                    else None
                ),
                protect=args.protect,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        vault = keyvault.Vault(
            f"{name}-vault",
            vault_name=args.key_vault_name,
            properties=vault_properties(
                args.tenant_id,
                soft_delete_days=90 if args.protect else 7,
                # Purge protection cannot be switched off again (and encryption keys require it); dev
                # without keys leaves it off so a torn-down environment can reuse the vault name.
                purge_protection=args.protect or args.customer_managed_key,
                public_network_access=False,
            ),
            tags=tags,
            **common,
            opts=stateful_options(self, args.protect),
        )
        workspace_identity: dict[str, object] = {"type": "SystemAssigned"}
        encryption: ml.EncryptionPropertyArgs | None = None
        encryption_grants: list[pulumi.Resource] = []
        if args.customer_managed_key:
            workspace_identity, encryption, encryption_grants = workspace_key(
                name,
                parent=self,
                workspace_name=args.workspace_name,
                subscription_id=args.subscription_id,
                resource_group_name=args.resource_group_name,
                location=args.location,
                vault=vault,
                tags=tags,
                protect=args.protect,
            )
        registry = workspace_registry(
            name,
            parent=self,
            registry_name=args.registry_name,
            sku=args.registry_sku,
            tags=tags,
            resource_group_name=args.resource_group_name,
            location=args.location,
        )
        bucket = args.model_bucket
        self.workspace = ml.Workspace(
            f"{name}-workspace",
            workspace_name=args.workspace_name,
            friendly_name=args.workspace_name,
            kind="Default",
            sku={"name": "Basic", "tier": "Basic"},
            identity=workspace_identity,
            encryption=encryption,
            storage_account=workspace_storage.account.id,
            key_vault=vault.id,
            application_insights=insights.id,
            container_registry=registry.id,
            public_network_access="Disabled",
            # Datastores reach storage with Entra ID identities: the storage has no shared keys.
            system_datastores_auth_mode="Identity",
            v1_legacy_mode=False,
            managed_network=ml.ManagedNetworkSettingsArgs(
                isolation_mode=_ISOLATION_MODES[args.managed_network],
                outbound_rules={
                    # The model bucket's firewall denies by default: reach it by private endpoint.
                    "model-bucket": ml.PrivateEndpointOutboundRuleArgs(
                        type="PrivateEndpoint",
                        category="UserDefined",
                        destination=ml.PrivateEndpointDestinationArgs(
                            service_resource_id=bucket.account_id, subresource_target="blob"
                        ),
                    )
                },
            ),
            tags=tags,
            **common,
            opts=stateful_options(self, args.protect, depends_on=encryption_grants),
        )
        workspace_name = self.workspace.name
        ml_scope = {"resource_group_name": args.resource_group_name, "workspace_name": workspace_name}

        if args.private_endpoint_subnet_id is not None:
            workspace_private_endpoint(
                name,
                parent=self,
                workspace_name=args.workspace_name,
                workspace_id=self.workspace.id,
                subnet_id=args.private_endpoint_subnet_id,
                private_dns_zone_ids=args.private_dns_zone_ids,
                resource_group_name=args.resource_group_name,
                location=args.location,
                tags=tags,
            )

        workspace_read = bucket.grant(
            f"{name}-workspace-model-read",
            parent=self,
            principal_id=self.workspace.identity.apply(lambda identity: identity.principal_id if identity else ""),
            mode="read",
            who=f"Azure ML workspace {args.workspace_name}",
        )
        datastore_name = f"bucket_{bucket.purpose}".replace("-", "_")
        datastore = ml.Datastore(
            f"{name}-datastore",
            name=datastore_name,
            **ml_scope,
            properties=ml.AzureBlobDatastoreArgs(
                datastore_type="AzureBlob",
                account_name=bucket.account_name,
                container_name=bucket.container_name,
                endpoint="core.windows.net",
                protocol="https",
                subscription_id=args.subscription_id,
                resource_group=args.resource_group_name,
                # No stored secret: the workspace's identity reads the container.
                credentials=ml.NoneDatastoreCredentialsArgs(credentials_type="None"),
                service_data_access_auth_identity="WorkspaceSystemAssignedIdentity",
                tags=tags,
            ),
            opts=child_options(self, depends_on=[workspace_read]),
        )
        model = ml.ModelVersion(
            f"{name}-model",
            name=args.endpoint_name,
            # Versions are immutable: a new model path is a new version.
            version=content_version(bucket.purpose, args.model_path),
            **ml_scope,
            properties={
                "model_type": "custom_model",
                "model_uri": pulumi.Output.concat("azureml://datastores/", datastore.name, "/paths/", args.model_path),
                "description": f"{args.model_path} in bucket {bucket.purpose}",
                "tags": tags,
            },
            opts=child_options(self),
        )
        container = args.container
        environment = serving_environment(
            name, parent=self, endpoint_name=args.endpoint_name, container=container, ml_scope=ml_scope, tags=tags
        )

        endpoint_properties = {
            "auth_mode": _AUTH_MODES[args.auth_mode],
            "public_network_access": "Enabled" if args.public_network_access else "Disabled",
            "description": f"ai-infra endpoint {args.endpoint_name}",
        }
        online_endpoint = ml.OnlineEndpoint(
            f"{name}-endpoint",
            endpoint_name=args.endpoint_name,
            identity={"type": "SystemAssigned"},
            properties=endpoint_properties,
            tags=tags,
            **ml_scope,
            location=args.location,
            # Traffic is set by the traffic step below, once the deployment exists.
            opts=child_options(self, ignore_changes=["properties.traffic"]),
        )
        endpoint_read = bucket.grant(
            f"{name}-endpoint-model-read",
            parent=self,
            principal_id=online_endpoint.identity.apply(lambda identity: identity.principal_id if identity else ""),
            mode="read",
            who=f"online endpoint {args.endpoint_name}",
        )
        deployment = ml.OnlineDeployment(
            f"{name}-deployment",
            deployment_name=DEPLOYMENT_NAME,
            endpoint_name=online_endpoint.name,
            **ml_scope,
            location=args.location,
            # The sku capacity is the instance count at creation; the autoscaler moves it.
            sku={"name": "Default", "capacity": args.min_instances},
            properties=ml.ManagedOnlineDeploymentArgs(
                endpoint_compute_type="Managed",
                instance_type=args.instance_type,
                model=model.id,
                environment_id=environment.id,
                app_insights_enabled=True,
                # egress_public_network_access stays unset: it belongs to the legacy per-deployment
                # isolation; outbound traffic is governed by the workspace's managed network.
                scale_settings=ml.TargetUtilizationScaleSettingsArgs(
                    scale_type="TargetUtilization",
                    min_instances=args.min_instances,
                    max_instances=args.max_instances,
                    target_utilization_percentage=args.target_utilization_percentage,
                    polling_interval="PT1M",
                ),
                request_settings=ml.OnlineRequestSettingsArgs(
                    request_timeout=iso_duration_ms(args.request_timeout_ms),
                    max_concurrent_requests_per_instance=args.max_concurrent_requests_per_instance,
                ),
                # Large models take minutes to load: liveness waits, readiness gates traffic.
                liveness_probe=ml.ProbeSettingsArgs(
                    initial_delay="PT10M", period="PT10S", timeout="PT2S", failure_threshold=30, success_threshold=1
                ),
                readiness_probe=ml.ProbeSettingsArgs(
                    initial_delay="PT10S", period="PT10S", timeout="PT2S", failure_threshold=30, success_threshold=1
                ),
            ),
            tags=tags,
            opts=child_options(self, depends_on=[endpoint_read]),
        )

        # Azure ML refuses traffic to a deployment that does not exist yet, and the deployment
        # needs the endpoint first: the split is set by re-applying the endpoint (same settings
        # plus traffic) in an incremental ARM deployment after the deployment. Deleting this step
        # deletes only the deployment record, never the endpoint.
        resources.Deployment(
            f"{name}-traffic",
            deployment_name=f"{args.endpoint_name}-traffic",
            resource_group_name=args.resource_group_name,
            properties={
                "mode": "Incremental",
                "template": pulumi.Output.all(workspace_name, deployment.name).apply(
                    lambda names: traffic_template(
                        args.endpoint_name, args.location, tags, names[0], names[1], endpoint_properties
                    )
                ),
            },
            tags=tags,
            opts=child_options(self, depends_on=[deployment]),
        )

        self.workspace_name = workspace_name
        self.endpoint_name = online_endpoint.name
        self.scoring_uri = online_endpoint.properties.apply(lambda p: p.scoring_uri or "")
        self.register_outputs(
            {"endpoint_name": self.endpoint_name, "scoring_uri": self.scoring_uri, "workspace_name": workspace_name}
        )
