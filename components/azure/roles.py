"""Built-in Azure roles the components grant, and a helper that grants one on a narrow scope.

Only data-plane or single-purpose roles appear here: no Owner, no Contributor, and scopes are
always one resource (container, account, key, vault, subnet), never a subscription or resource
group."""

from __future__ import annotations

import uuid
from enum import StrEnum

import pulumi
from pulumi_azure_native import authorization

from components.options import child_options


class BuiltInRole(StrEnum):
    """Built-in role definition GUIDs (the same in every tenant)."""

    STORAGE_BLOB_DATA_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
    STORAGE_BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
    STORAGE_ACCOUNT_CONTRIBUTOR = "17d1049b-9a84-46fb-8f53-869881c3d3ab"
    """Manages the account (not its data): Azure Managed Lustre's blob integration requires it."""
    KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER = "e147488a-f6f5-4113-8e2d-b22465e65bf6"
    NETWORK_CONTRIBUTOR = "4d97b98b-1d4f-4787-a291-c67834d212e7"
    KEY_VAULT_CRYPTO_USER = "12338af0-0e69-4776-bea7-57ae8d297424"
    READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
    """Reads one resource's configuration (granted on a single disk encryption set)."""
    KEY_VAULT_CONTRIBUTOR = "f25e0fa2-a7c8-4377-a976-54943a77a395"
    """Manages the vault resource (not its keys or secrets): AKS needs it on a private KMS vault
    to create the private endpoint its API server reaches the vault through."""


def role_definition_id(subscription_id: str, role: BuiltInRole) -> str:
    return f"/subscriptions/{subscription_id}/providers/Microsoft.Authorization/roleDefinitions/{role.value}"


def assign_role(
    name: str,
    *,
    parent: pulumi.Resource,
    subscription_id: str,
    role: BuiltInRole | None = None,
    principal_id: pulumi.Input[str],
    scope: pulumi.Input[str],
    description: str,
    depends_on: list[pulumi.Resource] | None = None,
    custom_role_id: pulumi.Input[str] | None = None,
) -> authorization.RoleAssignment:
    """Grant `role` (or the custom role definition `custom_role_id`, a resource id) to a managed
    identity (`principal_type=ServicePrincipal`, which also avoids the replication-delay failure
    right after the identity is created) on exactly `scope`.

    The assignment's own name must be a GUID: derived from the Pulumi name so that it is stable
    across runs and unique per subscription."""
    return authorization.RoleAssignment(
        name,
        role_assignment_name=str(uuid.uuid5(uuid.NAMESPACE_URL, f"ai-infra/{subscription_id}/{name}")),
        role_definition_id=custom_role_id
        if custom_role_id is not None
        else role_definition_id(subscription_id, _built_in(role)),
        principal_id=principal_id,
        principal_type="ServicePrincipal",
        scope=scope,
        description=description,
        opts=child_options(parent, depends_on=depends_on or []),
    )


def _built_in(role: BuiltInRole | None) -> BuiltInRole:
    if role is None:
        raise ValueError("assign_role needs a built-in `role` or a `custom_role_id`")
    return role
