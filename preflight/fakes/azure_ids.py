"""Azure ids after `pulumi up`: `/subscriptions/<sub>/resourceGroups/<rg>/providers/<namespace>/
<type>/<name>` (children nested under their parents' segments), and the names Azure resources take
from their own inputs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from preflight.fakes.naming import camel_plural, module_and_class, own_name
from preflight.fakes.world import Where, digest, guid

_AZURE_NAMESPACES = {
    "resources": "Microsoft.Resources",
    "network": "Microsoft.Network",
    "storage": "Microsoft.Storage",
    "containerservice": "Microsoft.ContainerService",
    "containerregistry": "Microsoft.ContainerRegistry",
    "keyvault": "Microsoft.KeyVault",
    "managedidentity": "Microsoft.ManagedIdentity",
    "authorization": "Microsoft.Authorization",
    "machinelearningservices": "Microsoft.MachineLearningServices",
    "operationalinsights": "Microsoft.OperationalInsights",
    "insights": "Microsoft.Insights",
    "monitor": "Microsoft.Insights",
    "applicationinsights": "Microsoft.Insights",
    "consumption": "Microsoft.Consumption",
    "web": "Microsoft.Web",
    "app": "Microsoft.App",
    "compute": "Microsoft.Compute",
    "privatedns": "Microsoft.Network",
    "containerinstance": "Microsoft.ContainerInstance",
    "dbforpostgresql": "Microsoft.DBforPostgreSQL",
    "sql": "Microsoft.Sql",
    "cognitiveservices": "Microsoft.CognitiveServices",
    "eventgrid": "Microsoft.EventGrid",
    "storagecache": "Microsoft.StorageCache",
}
# Child resources: (module, class) -> (parent's name input, parent's type segment, child segment).
_AZURE_CHILDREN = {
    ("network", "Subnet"): ("virtualNetworkName", "virtualNetworks", "subnets"),
    ("network", "SecurityRule"): ("networkSecurityGroupName", "networkSecurityGroups", "securityRules"),
    ("containerservice", "AgentPool"): ("resourceName", "managedClusters", "agentPools"),
    ("storage", "BlobContainer"): ("accountName", "storageAccounts", "blobServices/default/containers"),
    ("storage", "BlobServiceProperties"): ("accountName", "storageAccounts", "blobServices"),
    ("storage", "ManagementPolicy"): ("accountName", "storageAccounts", "managementPolicies"),
    ("keyvault", "Key"): ("vaultName", "vaults", "keys"),
    ("keyvault", "Secret"): ("vaultName", "vaults", "secrets"),
    ("machinelearningservices", "OnlineEndpoint"): ("workspaceName", "workspaces", "onlineEndpoints"),
    ("machinelearningservices", "Datastore"): ("workspaceName", "workspaces", "datastores"),
    ("managedidentity", "FederatedIdentityCredential"): (
        "resourceName",
        "userAssignedIdentities",
        "federatedIdentityCredentials",
    ),
    ("privatedns", "VirtualNetworkLink"): ("privateZoneName", "privateDnsZones", "virtualNetworkLinks"),
}
# Resource types whose ARM type segment is not the plural of the SDK class name.
_AZURE_SEGMENTS = {
    ("privatedns", "PrivateZone"): "privateDnsZones",
    ("web", "AppServicePlan"): "serverfarms",
    ("web", "WebApp"): "sites",
}
_AZURE_NAME_KEY_SUFFIX = "Name"


# The input that holds an Azure resource's own name, where it is not `<class>Name`.
AZURE_OWN_NAME = {
    ("storage", "StorageAccount"): "accountName",
    ("storage", "BlobContainer"): "containerName",
    ("storage", "BlobServiceProperties"): "blobServicesName",
    ("storage", "ManagementPolicy"): "managementPolicyName",
    ("containerservice", "ManagedCluster"): "resourceName",
    ("managedidentity", "UserAssignedIdentity"): "resourceName",
    ("managedidentity", "FederatedIdentityCredential"): "federatedIdentityCredentialResourceName",
    ("machinelearningservices", "OnlineEndpoint"): "endpointName",
    ("machinelearningservices", "OnlineDeployment"): "deploymentName",
    ("machinelearningservices", "Datastore"): "name",
    ("applicationinsights", "Component"): "resourceName",
    ("network", "PublicIPAddress"): "publicIpAddressName",
    ("web", "AppServicePlan"): "name",
    ("monitor", "MetricAlert"): "ruleName",
    ("alertsmanagement", "PrometheusRuleGroup"): "ruleGroupName",
    ("applicationinsights", "Workbook"): "resourceName",
    ("web", "WebApp"): "name",
    ("insights", "DiagnosticSetting"): "name",
    ("monitor", "DiagnosticSetting"): "name",
}
# Fixed names Azure gives singleton children whatever the program says.
_AZURE_FIXED_NAMES = {
    ("storage", "BlobServiceProperties"): "default",
    ("storage", "ManagementPolicy"): "default",
}


def azure_name_property(token: str) -> str:
    """The input of an Azure resource type that holds its own name."""
    module, cls = module_and_class(token)
    return AZURE_OWN_NAME.get((module, cls), cls[0].lower() + cls[1:] + _AZURE_NAME_KEY_SUFFIX)


def azure_name(token: str, name: str, state: Mapping[str, Any]) -> str:
    """The Azure name of a resource: its own-name input (`accountName` for a storage account,
    `resourceName` for a cluster, `<class>Name` for most), else its Pulumi name with a suffix
    (autonaming)."""
    module, cls = module_and_class(token)
    fixed = _AZURE_FIXED_NAMES.get((module, cls))
    if fixed:
        return fixed
    value = state.get(azure_name_property(token))
    if isinstance(value, str) and value:
        return value
    return f"{name}{digest(name, 8)}"


def azure_id(token: str, name: str, state: Mapping[str, Any], where: Where) -> str:
    module, cls = module_and_class(token)
    subscription = f"/subscriptions/{where.account}"
    own = azure_name(token, name, state)
    if (module, cls) == ("resources", "ResourceGroup"):
        return f"{subscription}/resourceGroups/{own}"
    group = own_name(state, ("resourceGroupName",), f"{name}-rg")
    namespace = _AZURE_NAMESPACES.get(module, f"Microsoft.{module[:1].upper()}{module[1:]}")
    child = _AZURE_CHILDREN.get((module, cls))
    if (module, cls) == ("managedidentity", "FederatedIdentityCredential"):
        own = own_name(state, ("federatedIdentityCredentialResourceName",), own)
    if child is not None:
        parent_key, parent_segment, child_segment = child
        parent = own_name(state, (parent_key,), "parent")
        parent_id = f"{subscription}/resourceGroups/{group}/providers/{namespace}/{parent_segment}/{parent}"
        return f"{parent_id}/{child_segment}/{own}"
    if module == "authorization" and cls == "RoleAssignment":
        scope = own_name(state, ("scope",), f"{subscription}/resourceGroups/{group}")
        return f"{scope}/providers/Microsoft.Authorization/roleAssignments/{guid('role-assignment', name)}"
    segment = _AZURE_SEGMENTS.get((module, cls)) or camel_plural(cls)
    if module in ("applicationinsights",):
        segment = "components"
    return f"{subscription}/resourceGroups/{group}/providers/{namespace}/{segment}/{own}"
