"""Fake Azure outputs (names, principal ids, issuer URLs, endpoints) for the update phase.

Ids come from `preflight.fakes.ids.azure_id` (the `/subscriptions/.../providers/...` shape);
what the fakers add are the outputs programs read: the Azure name, managed identities' principal
and client ids, the cluster's OIDC issuer, storage and Key Vault endpoints. Identity ids are
uuid5 of the Pulumi name, so they are stable across runs."""

from __future__ import annotations

from preflight.fakes.context import Faker, Made, State
from preflight.fakes.ids import azure_name
from preflight.fakes.world import AZURE_TENANT, guid


def _identity(made: Made) -> State:
    """The `identity` output: a principal for a system-assigned identity, and user-assigned
    identities as the map Azure returns (inputs list their ids; outputs key details by id)."""
    identity = dict(made.get("identity") or {})
    if "SystemAssigned" in str(identity.get("type", "")):
        identity.update(principalId=guid("azure-principal", made.name), tenantId=AZURE_TENANT)
    assigned = identity.get("userAssignedIdentities")
    if isinstance(assigned, list):
        identity["userAssignedIdentities"] = {
            str(resource_id): {
                "principalId": guid("azure-principal", str(resource_id)),
                "clientId": guid("azure-client", str(resource_id)),
            }
            for resource_id in assigned
        }
    return identity


def _with_name_and_identity(faker: Faker | None = None) -> Faker:
    def make(made: Made) -> State:
        state: State = {"name": made.id.rsplit("/", 1)[-1]}
        if faker is not None:
            state.update(faker(made))
        if "identity" in made.inputs:
            state["identity"] = _identity(made)
        return state

    return make


def _user_assigned_identity(made: Made) -> State:
    return {
        "principalId": guid("azure-principal", made.id),
        "clientId": guid("azure-client", made.id),
        "tenantId": AZURE_TENANT,
    }


def _managed_cluster(made: Made) -> State:
    cluster = made.id.rsplit("/", 1)[-1]
    location = made.get("location", made.where.region)
    oidc = dict(made.get("oidcIssuerProfile") or {})
    if oidc.get("enabled"):
        oidc["issuerURL"] = f"https://{location}.oic.prod-aks.azure.com/{AZURE_TENANT}/{guid('issuer', made.name)}/"
    return {
        "fqdn": f"{cluster}-dns.hcp.{location}.azmk8s.io",
        "privateFQDN": f"{cluster}-dns.privatelink.{location}.azmk8s.io",
        "oidcIssuerProfile": oidc,
        "nodeResourceGroup": f"MC_{made.get('resourceGroupName', 'rg')}_{cluster}_{location}",
    }


def _storage_account(made: Made) -> State:
    account = made.id.rsplit("/", 1)[-1]
    return {
        "primaryEndpoints": {
            "blob": f"https://{account}.blob.core.windows.net/",
            "dfs": f"https://{account}.dfs.core.windows.net/",
            "file": f"https://{account}.file.core.windows.net/",
            "queue": f"https://{account}.queue.core.windows.net/",
            "table": f"https://{account}.table.core.windows.net/",
            "web": f"https://{account}.z13.web.core.windows.net/",
        },
    }


def _vault(made: Made) -> State:
    vault = made.id.rsplit("/", 1)[-1]
    return {"properties": {**(made.get("properties") or {}), "vaultUri": f"https://{vault}.vault.azure.net/"}}


def _key(made: Made) -> State:
    key = made.id.rsplit("/", 1)[-1]
    vault = made.get("vaultName", "vault")
    uri = f"https://{vault}.vault.azure.net/keys/{key}"
    return {"keyUri": uri, "keyUriWithVersion": f"{uri}/{guid('key-version', made.name).replace('-', '')}"}


def _ml_workspace(made: Made) -> State:
    return {"workspaceId": guid("workspace", made.name)}


def _online_endpoint(made: Made) -> State:
    endpoint = made.id.rsplit("/", 1)[-1]
    location = made.get("location", made.where.region)
    properties = {
        **(made.get("properties") or {}),
        "scoringUri": f"https://{endpoint}.{location}.inference.ml.azure.com/score",
    }
    return {"properties": properties}


def _registry(made: Made) -> State:
    return {"loginServer": f"{made.id.rsplit('/', 1)[-1].lower()}.azurecr.io"}


def _app_insights(made: Made) -> State:
    key = guid("instrumentation", made.name)
    location = made.get("location", made.where.region)
    return {
        "instrumentationKey": key,
        "connectionString": f"InstrumentationKey={key};IngestionEndpoint=https://{location}.in.applicationinsights.azure.com/",
    }


def _log_analytics(made: Made) -> State:
    return {"customerId": guid("customer", made.name)}


def _public_ip(made: Made) -> State:
    return {"ipAddress": f"20.42.0.{int(guid('ip', made.name)[:2], 16) % 250 + 1}"}


def _virtual_network(made: Made) -> State:
    """Inline subnets come back with their ids (`<network id>/subnets/<name>`)."""
    subnets = [
        {**subnet, "id": f"{made.id}/subnets/{subnet.get('name', index)}", "provisioningState": "Succeeded"}
        for index, subnet in enumerate(made.get("subnets") or [])
        if isinstance(subnet, dict)
    ]
    return {"subnets": subnets} if subnets else {}


def _web_app(made: Made) -> State:
    site = made.id.rsplit("/", 1)[-1]
    return {"defaultHostName": f"{site}.azurewebsites.net"}


def _aml_filesystem(made: Made) -> State:
    # The MGS address is in the file system's own subnet (the fakes do not allocate it for real).
    mgs = f"10.{int(guid('mgs', made.name)[:2], 16) % 250}.224.4"
    return {
        "clientInfo": {
            "mgsAddress": mgs,
            "mountCommand": f"sudo mount -t lustre -o noatime,flock {mgs}@tcp:/lustrefs /lustre",
            "lustreVersion": "2.15.6",
            "containerStorageInterface": {},
        },
        "health": {"state": "Available"},
    }


_FAKERS: dict[str, Faker | None] = {
    "azure-native:resources:ResourceGroup": None,
    "azure-native:network:VirtualNetwork": _virtual_network,
    "azure-native:network:Subnet": None,
    "azure-native:network:NetworkSecurityGroup": None,
    "azure-native:network:NatGateway": None,
    "azure-native:network:PublicIPAddress": _public_ip,
    "azure-native:network:PrivateEndpoint": None,
    "azure-native:network:FlowLog": None,
    "azure-native:privatedns:PrivateZone": None,
    "azure-native:containerservice:ManagedCluster": _managed_cluster,
    "azure-native:containerservice:AgentPool": None,
    "azure-native:managedidentity:UserAssignedIdentity": _user_assigned_identity,
    "azure-native:storage:StorageAccount": _storage_account,
    "azure-native:storage:BlobContainer": None,
    "azure-native:keyvault:Vault": _vault,
    "azure-native:keyvault:Key": _key,
    "azure-native:storagecache:AmlFilesystem": _aml_filesystem,
    "azure-native:storagecache:AutoExportJob": None,
    "azure-native:containerregistry:Registry": _registry,
    "azure-native:applicationinsights:Component": _app_insights,
    "azure-native:operationalinsights:Workspace": _log_analytics,
    "azure-native:machinelearningservices:Workspace": _ml_workspace,
    "azure-native:machinelearningservices:OnlineEndpoint": _online_endpoint,
    "azure-native:machinelearningservices:OnlineDeployment": None,
    "azure-native:web:WebApp": _web_app,
    "azure-native:monitor:ActionGroup": None,
    "azure-native:monitor:MetricAlert": None,
    "azure-native:monitor:AzureMonitorWorkspace": None,
    "azure-native:monitor:DataCollectionEndpoint": None,
    "azure-native:monitor:DataCollectionRule": None,
    "azure-native:alertsmanagement:PrometheusRuleGroup": None,
    "azure-native:applicationinsights:Workbook": None,
}

FAKERS: dict[str, Faker] = {token: _with_name_and_identity(f) for token, f in _FAKERS.items()}


def generic(made: Made) -> State:
    """Every Azure resource reports its name (the last segment of its id) and, when it has an
    `identity` input, the identity Azure assigns."""
    return _with_name_and_identity()(made)


__all__ = ["FAKERS", "azure_name", "generic"]
