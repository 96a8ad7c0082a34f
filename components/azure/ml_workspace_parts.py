"""Parts of `ai-infra:azure:ModelEndpoint` that stand on their own: the workspace's customer key
and the identity that reads it, the workspace's private endpoint, and the ARM template that sets
the endpoint's traffic split. Children are created under the component (`parent`), with the
names the component always gave them, so URNs do not change."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence

import pulumi
from pulumi_azure_native import applicationinsights, containerregistry, keyvault, managedidentity, network
from pulumi_azure_native import machinelearningservices as ml

from components.azure.key_vault import rotating_key
from components.azure.resource_ids import key_vault_id, key_vault_key_id
from components.azure.roles import BuiltInRole, assign_role
from components.options import child_options

ENDPOINT_API_VERSION = "2025-12-01"
"""The Azure ML API version of azure-native 3.x's OnlineEndpoint (used by the traffic step)."""


def workspace_key(
    name: str,
    *,
    parent: pulumi.Resource,
    workspace_name: str,
    subscription_id: str,
    resource_group_name: pulumi.Input[str],
    location: str,
    vault: keyvault.Vault,
    tags: dict[str, str],
    protect: bool,
) -> tuple[dict[str, object], ml.EncryptionPropertyArgs, list[pulumi.Resource]]:
    """A key in the workspace's vault and the user-assigned identity the workspace reads it
    with (the system-assigned identity cannot be granted before the workspace exists)."""
    identity = managedidentity.UserAssignedIdentity(
        f"{name}-cmk-identity",
        resource_name_=f"id-{workspace_name}-cmk",
        resource_group_name=resource_group_name,
        location=location,
        tags=tags,
        opts=child_options(parent),
    )
    key = rotating_key(
        f"{name}-cmk-key",
        parent=parent,
        key_name="workspace-cmk",
        vault_name=vault.name,
        resource_group_name=resource_group_name,
        tags=tags,
        protect=protect,
    )
    grant = assign_role(
        f"{name}-cmk-key-access",
        parent=parent,
        subscription_id=subscription_id,
        role=BuiltInRole.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
        principal_id=identity.principal_id,
        scope=key_vault_key_id(subscription_id, resource_group_name, vault.name, key.name),
        description=f"Azure ML workspace {workspace_name} encrypts with this key",
    )
    encryption = ml.EncryptionPropertyArgs(
        status="Enabled",
        key_vault_properties=ml.KeyVaultPropertiesArgs(
            key_vault_arm_id=key_vault_id(subscription_id, resource_group_name, vault.name),
            key_identifier=key.key_uri_with_version,
            identity_client_id=identity.client_id,
        ),
        identity=ml.IdentityForCmkArgs(user_assigned_identity=identity.id),
    )
    # The system-assigned identity stays the workspace's primary identity.
    workspace_identity: dict[str, object] = {
        "type": "SystemAssigned,UserAssigned",
        "user_assigned_identities": [identity.id],
    }
    return workspace_identity, encryption, [grant]


def workspace_private_endpoint(
    name: str,
    *,
    parent: pulumi.Resource,
    workspace_name: str,
    workspace_id: pulumi.Input[str],
    subnet_id: pulumi.Input[str],
    private_dns_zone_ids: Sequence[pulumi.Input[str]],
    resource_group_name: pulumi.Input[str],
    location: str,
    tags: dict[str, str],
) -> network.PrivateEndpoint:
    """The workspace's private endpoint in `subnet_id` (group `amlworkspace`), registered in the
    private DNS zones when any are given."""
    endpoint = network.PrivateEndpoint(
        f"{name}-private-endpoint",
        private_endpoint_name=f"pe-{workspace_name}",
        subnet={"id": subnet_id},
        private_link_service_connections=[
            {
                "name": f"pe-{workspace_name}",
                "private_link_service_id": workspace_id,
                "group_ids": ["amlworkspace"],
            }
        ],
        tags=tags,
        resource_group_name=resource_group_name,
        location=location,
        opts=child_options(parent),
    )
    if private_dns_zone_ids:
        network.PrivateDnsZoneGroup(
            f"{name}-private-dns",
            private_dns_zone_group_name="default",
            private_endpoint_name=endpoint.name,
            resource_group_name=resource_group_name,
            private_dns_zone_configs=[
                {"name": f"zone-{index}", "private_dns_zone_id": zone_id}
                for index, zone_id in enumerate(private_dns_zone_ids)
            ],
            opts=child_options(parent),
        )
    return endpoint


def content_version(*parts: object) -> str:
    return hashlib.sha256(json.dumps([str(p) for p in parts]).encode()).hexdigest()[:12]


def iso_duration_ms(milliseconds: int) -> str:
    seconds, millis = divmod(milliseconds, 1000)
    return f"PT{seconds}S" if millis == 0 else f"PT{seconds}.{millis:03d}S"


def traffic_template(
    endpoint_name: str,
    location: str,
    tags: Mapping[str, str],
    workspace_name: str,
    deployment_name: str,
    endpoint_properties: Mapping[str, str],
) -> dict:
    wire = {
        "authMode": endpoint_properties["auth_mode"],
        "publicNetworkAccess": endpoint_properties["public_network_access"],
        "description": endpoint_properties["description"],
        "traffic": {deployment_name: 100},
    }
    return {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [
            {
                "type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
                "apiVersion": ENDPOINT_API_VERSION,
                "name": f"{workspace_name}/{endpoint_name}",
                "location": location,
                "tags": dict(tags),
                "identity": {"type": "SystemAssigned"},
                "properties": wire,
            }
        ],
    }


def workspace_insights(
    name: str,
    *,
    parent: pulumi.Resource,
    workspace_name: str,
    log_workspace_id: pulumi.Input[str],
    tags: dict[str, str],
    resource_group_name: pulumi.Input[str],
    location: str,
) -> applicationinsights.Component:
    """The workspace's Application Insights, writing into the environment's Log Analytics workspace."""
    return applicationinsights.Component(
        f"{name}-insights",
        resource_name_=f"appi-{workspace_name}",
        kind="web",
        application_type="web",
        ingestion_mode="LogAnalytics",
        workspace_resource_id=log_workspace_id,
        tags=tags,
        resource_group_name=resource_group_name,
        location=location,
        opts=child_options(parent),
    )


def workspace_registry(
    name: str,
    *,
    parent: pulumi.Resource,
    registry_name: str,
    sku: str,
    tags: dict[str, str],
    resource_group_name: pulumi.Input[str],
    location: str,
) -> containerregistry.Registry:
    """The workspace's container registry: no admin user, no anonymous pull; Premium is private
    (data endpoints, no public network access) and prunes untagged manifests."""
    return containerregistry.Registry(
        f"{name}-registry",
        registry_name=registry_name,
        sku={"name": sku},
        admin_user_enabled=False,
        anonymous_pull_enabled=False,
        # Regional data endpoints (Premium): layer downloads go through the private endpoint too.
        data_endpoint_enabled=sku == "Premium",
        # Premium only: untagged manifests left by rebuilt images are deleted after a week.
        policies={"retention_policy": {"status": "enabled", "days": 7}} if sku == "Premium" else None,
        public_network_access="Disabled" if sku == "Premium" else "Enabled",
        network_rule_bypass_options="AzureServices",
        tags=tags,
        resource_group_name=resource_group_name,
        location=location,
        opts=child_options(parent),
    )
