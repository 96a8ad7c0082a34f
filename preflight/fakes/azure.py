"""Fake Azure outputs (names, principal ids, issuer URLs, endpoints) for the mock runtime.

A resource's `id` comes from the mock engine (`<name>-id`); what the fakes add are the outputs
programs read: the resource's Azure name, managed identities' principal and client ids, the
cluster's OIDC issuer, storage and Key Vault endpoints. Ids of identities are uuid5 of the
Pulumi name, so they are stable across runs."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from typing import Any

TENANT_ID = "11111111-1111-1111-1111-111111111111"
LOCATION = "eastus"

State = dict[str, Any]


def _guid(kind: str, name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"preflight/azure/{kind}/{name}"))


def _azure_name(inputs: State, key: str, name: str) -> str:
    return str(inputs.get(key) or name)


def _named(key: str) -> Callable[[str, State], State]:
    """Resources whose only interesting output is their Azure name (from the `key` input)."""

    def make(name: str, inputs: State) -> State:
        return {"name": _azure_name(inputs, key, name)}

    return make


def _identity(name: str, inputs: State) -> State:
    """The `identity` output: a principal for a system-assigned identity, and user-assigned
    identities as the map Azure returns (inputs list their ids; outputs key details by id)."""
    identity = dict(inputs.get("identity") or {})
    if "SystemAssigned" in str(identity.get("type", "")):
        identity.update(principalId=_guid("principal", name), tenantId=TENANT_ID)
    assigned = identity.get("userAssignedIdentities")
    if isinstance(assigned, list):
        identity["userAssignedIdentities"] = {
            str(resource_id): {
                "principalId": _guid("principal", str(resource_id)),
                "clientId": _guid("client", str(resource_id)),
            }
            for resource_id in assigned
        }
    return identity


def _with_identity(faker: Callable[[str, State], State]) -> Callable[[str, State], State]:
    def make(name: str, inputs: State) -> State:
        state = faker(name, inputs)
        if "identity" in inputs:
            state["identity"] = _identity(name, inputs)
        return state

    return make


def _user_assigned_identity(name: str, inputs: State) -> State:
    return {
        "name": _azure_name(inputs, "resourceName", name),
        "principalId": _guid("principal", name),
        "clientId": _guid("client", name),
        "tenantId": TENANT_ID,
    }


def _managed_cluster(name: str, inputs: State) -> State:
    cluster = _azure_name(inputs, "resourceName", name)
    oidc = dict(inputs.get("oidcIssuerProfile") or {})
    if oidc.get("enabled"):
        oidc["issuerURL"] = f"https://{LOCATION}.oic.prod-aks.azure.com/{TENANT_ID}/{_guid('issuer', name)}/"
    return {
        "name": cluster,
        "fqdn": f"{cluster}-dns.hcp.{LOCATION}.azmk8s.io",
        "privateFQDN": f"{cluster}-dns.privatelink.{LOCATION}.azmk8s.io",
        "oidcIssuerProfile": oidc,
        "nodeResourceGroup": f"MC_{cluster}_{LOCATION}",
    }


def _storage_account(name: str, inputs: State) -> State:
    account = _azure_name(inputs, "accountName", name)
    return {
        "name": account,
        "primaryEndpoints": {"blob": f"https://{account}.blob.core.windows.net/"},
    }


def _vault(name: str, inputs: State) -> State:
    vault = _azure_name(inputs, "vaultName", name)
    properties = {**(inputs.get("properties") or {}), "vaultUri": f"https://{vault}.vault.azure.net/"}
    return {"name": vault, "properties": properties}


def _key(name: str, inputs: State) -> State:
    key = _azure_name(inputs, "keyName", name)
    vault = inputs.get("vaultName") or "vault"
    uri = f"https://{vault}.vault.azure.net/keys/{key}"
    return {"name": key, "keyUri": uri, "keyUriWithVersion": f"{uri}/0123456789abcdef0123456789abcdef"}


def _ml_workspace(name: str, inputs: State) -> State:
    return {
        "name": _azure_name(inputs, "workspaceName", name),
        "workspaceId": _guid("workspace", name),
    }


def _online_endpoint(name: str, inputs: State) -> State:
    endpoint = _azure_name(inputs, "endpointName", name)
    properties = {
        **(inputs.get("properties") or {}),
        "scoringUri": f"https://{endpoint}.{LOCATION}.inference.ml.azure.com/score",
    }
    return {"name": endpoint, "properties": properties}


def _registry(name: str, inputs: State) -> State:
    registry = _azure_name(inputs, "registryName", name)
    return {"name": registry, "loginServer": f"{registry}.azurecr.io"}


def _app_insights(name: str, inputs: State) -> State:
    key = _guid("instrumentation", name)
    return {
        "name": _azure_name(inputs, "resourceName", name),
        "instrumentationKey": key,
        "connectionString": f"InstrumentationKey={key};IngestionEndpoint=https://{LOCATION}.in.applicationinsights.azure.com/",
    }


def _log_analytics(name: str, inputs: State) -> State:
    return {"name": _azure_name(inputs, "workspaceName", name), "customerId": _guid("customer", name)}


def _public_ip(name: str, inputs: State) -> State:
    return {"name": _azure_name(inputs, "publicIpAddressName", name), "ipAddress": "20.42.0.1"}


_FAKERS: dict[str, Callable[[str, State], State]] = {
    "azure-native:resources:ResourceGroup": _named("resourceGroupName"),
    "azure-native:network:VirtualNetwork": _named("virtualNetworkName"),
    "azure-native:network:Subnet": _named("subnetName"),
    "azure-native:network:NetworkSecurityGroup": _named("networkSecurityGroupName"),
    "azure-native:network:NatGateway": _named("natGatewayName"),
    "azure-native:network:PublicIPAddress": _public_ip,
    "azure-native:network:PrivateEndpoint": _named("privateEndpointName"),
    "azure-native:network:FlowLog": _named("flowLogName"),
    "azure-native:privatedns:PrivateZone": _named("privateZoneName"),
    "azure-native:containerservice:ManagedCluster": _managed_cluster,
    "azure-native:containerservice:AgentPool": _named("agentPoolName"),
    "azure-native:managedidentity:UserAssignedIdentity": _user_assigned_identity,
    "azure-native:storage:StorageAccount": _storage_account,
    "azure-native:storage:BlobContainer": _named("containerName"),
    "azure-native:keyvault:Vault": _vault,
    "azure-native:keyvault:Key": _key,
    "azure-native:containerregistry:Registry": _registry,
    "azure-native:applicationinsights:Component": _app_insights,
    "azure-native:operationalinsights:Workspace": _log_analytics,
    "azure-native:machinelearningservices:Workspace": _ml_workspace,
    "azure-native:machinelearningservices:OnlineEndpoint": _online_endpoint,
    "azure-native:machinelearningservices:OnlineDeployment": _named("deploymentName"),
    "azure-native:monitor:ActionGroup": _named("actionGroupName"),
    "azure-native:monitor:MetricAlert": _named("ruleName"),
    "azure-native:monitor:AzureMonitorWorkspace": _named("azureMonitorWorkspaceName"),
    "azure-native:monitor:DataCollectionEndpoint": _named("dataCollectionEndpointName"),
    "azure-native:monitor:DataCollectionRule": _named("dataCollectionRuleName"),
    "azure-native:alertsmanagement:PrometheusRuleGroup": _named("ruleGroupName"),
    "azure-native:applicationinsights:Workbook": _named("resourceName"),
}

FAKERS: dict[str, Callable[[str, State], State]] = {token: _with_identity(f) for token, f in _FAKERS.items()}


def _exec_kubeconfig() -> str:
    """What `listManagedClusterUserCredentials(format=exec)` returns: a kubeconfig whose user
    logs in through `kubelogin` (Entra ID), with no client certificate or token in it."""
    server = f"https://cluster-dns.privatelink.{LOCATION}.azmk8s.io:443"
    text = f"""apiVersion: v1
kind: Config
clusters:
- name: cluster
  cluster: {{server: "{server}", certificate-authority-data: TU9DSy1DQQ==}}
contexts:
- name: cluster
  context: {{cluster: cluster, user: clusterUser}}
current-context: cluster
users:
- name: clusterUser
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args: [get-token, --login, azurecli, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630]
"""
    return base64.b64encode(text.encode()).decode()


INVOKES: dict[str, State] = {
    "azure-native:containerservice:listManagedClusterUserCredentials": {
        "kubeconfigs": [{"name": "clusterUser", "value": _exec_kubeconfig()}],
    },
}
