"""Azure provider functions answered for the configured subscription.

Listings of keys and credentials return secrets. At the first preview they depend on resources
that do not exist yet, so the SDK's dependency gate makes them unknown before they reach here;
when a program passes plain names instead, the values are placeholders marked secret."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from preflight.fakes.world import AZURE_TENANT, Where, guid
from preflight.wire import secret

State = dict[str, Any]


def _client_config(args: Mapping[str, Any], where: Where) -> State:
    return {
        "clientId": guid("azure-client", "preflight"),
        "objectId": guid("azure-object", "preflight"),
        "subscriptionId": where.account,
        "tenantId": AZURE_TENANT,
    }


def _storage_keys(args: Mapping[str, Any], where: Where) -> State:
    return {
        "keys": [
            {"keyName": name, "value": secret(f"preflight-placeholder-{name}"), "permissions": "FULL"}
            for name in ("key1", "key2")
        ]
    }


def _kubeconfig(user: str, exec_login: bool) -> str:
    """A kubeconfig in the shape AKS returns; `exec_login` logs in through kubelogin (Entra ID)
    with no client certificate or token in it."""
    server = "https://cluster-dns.privatelink.eastus.azmk8s.io:443"
    if exec_login:
        auth = (
            "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: kubelogin\n"
            "      args: [get-token, --login, azurecli, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630]\n"
        )
    else:
        auth = "    client-certificate-data: UFJFRkxJR0hULUNFUlQ=\n    client-key-data: UFJFRkxJR0hULUtFWQ==\n"
    text = (
        "apiVersion: v1\nkind: Config\n"
        f'clusters:\n- name: cluster\n  cluster: {{server: "{server}", certificate-authority-data: TU9DSy1DQQ==}}\n'
        f"contexts:\n- name: cluster\n  context: {{cluster: cluster, user: {user}}}\n"
        f"current-context: cluster\nusers:\n- name: {user}\n  user:\n{auth}"
    )
    return base64.b64encode(text.encode()).decode()


def _credentials(user: str, *, exec_login: bool) -> Any:
    def answer(args: Mapping[str, Any], where: Where) -> State:
        value = _kubeconfig(user, exec_login)
        return {"kubeconfigs": [{"name": user, "value": secret(value) if not exec_login else value}]}

    return answer


def _resource_group(args: Mapping[str, Any], where: Where) -> State:
    name = str(args.get("resourceGroupName") or "rg")
    return {
        "id": f"/subscriptions/{where.account}/resourceGroups/{name}",
        "name": name,
        "location": where.region,
        "type": "Microsoft.Resources/resourceGroups",
        "properties": {"provisioningState": "Succeeded"},
    }


INVOKES = {
    "azure-native:authorization:getClientConfig": _client_config,
    "azure-native:storage:listStorageAccountKeys": _storage_keys,
    # `format=exec` credentials log in through Entra ID and carry no secret material.
    "azure-native:containerservice:listManagedClusterUserCredentials": _credentials("clusterUser", exec_login=True),
    "azure-native:containerservice:listManagedClusterAdminCredentials": _credentials("clusterAdmin", exec_login=False),
    "azure-native:resources:getResourceGroup": _resource_group,
}
