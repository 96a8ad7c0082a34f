"""ARM resource ids composed from names.

Azure ids are a pure function of subscription, resource group, provider path and names. Role
assignment and budget scopes are built this way (rather than from a resource's `.id`) so that
plans read as real scopes (`.../blobServices/default/containers/models`) and policies can tell a
container scope from a subscription scope before anything exists. The `Output` inputs keep the
dependency on the resources the names come from."""

from __future__ import annotations

import pulumi


def resource_group_id(subscription_id: str, resource_group: pulumi.Input[str]) -> pulumi.Output[str]:
    return pulumi.Output.concat("/subscriptions/", subscription_id, "/resourceGroups/", resource_group)


def provider_id(
    subscription_id: str, resource_group: pulumi.Input[str], provider_path: str, *names: pulumi.Input[str]
) -> pulumi.Output[str]:
    """`provider_id(sub, rg, "Microsoft.Storage/storageAccounts/{}/blobServices/default/containers/{}",
    account, container)` -> the full ARM id (each `{}` takes the next name)."""
    segments = provider_path.split("{}")
    if len(segments) != len(names) + 1:
        raise ValueError(f"{provider_path!r} has {len(segments) - 1} name slots, {len(names)} names given")
    pieces: list[pulumi.Input[str]] = [segments[0]]
    for name, segment in zip(names, segments[1:], strict=True):
        pieces.extend([name, segment])
    return pulumi.Output.concat(resource_group_id(subscription_id, resource_group), "/providers/", *pieces)


def storage_container_id(
    subscription_id: str,
    resource_group: pulumi.Input[str],
    account: pulumi.Input[str],
    container: pulumi.Input[str],
) -> pulumi.Output[str]:
    return provider_id(
        subscription_id,
        resource_group,
        "Microsoft.Storage/storageAccounts/{}/blobServices/default/containers/{}",
        account,
        container,
    )


def subnet_id(
    subscription_id: str, resource_group: pulumi.Input[str], vnet: pulumi.Input[str], subnet: pulumi.Input[str]
) -> pulumi.Output[str]:
    return provider_id(subscription_id, resource_group, "Microsoft.Network/virtualNetworks/{}/subnets/{}", vnet, subnet)


def key_vault_id(
    subscription_id: str, resource_group: pulumi.Input[str], vault: pulumi.Input[str]
) -> pulumi.Output[str]:
    return provider_id(subscription_id, resource_group, "Microsoft.KeyVault/vaults/{}", vault)


def key_vault_key_id(
    subscription_id: str, resource_group: pulumi.Input[str], vault: pulumi.Input[str], key: pulumi.Input[str]
) -> pulumi.Output[str]:
    """The id of a key (all its versions): the scope of a role assignment on that key only."""
    return provider_id(subscription_id, resource_group, "Microsoft.KeyVault/vaults/{}/keys/{}", vault, key)
