"""Model endpoints and ML workspaces: private networking (S21), customer-managed keys (S22), Azure
ML workspace exposure and local auth (S23)."""

from __future__ import annotations

from collections.abc import Iterator

from catalog import load_catalog
from policies.framework import Context, Example, Resource, Rule, as_bool, as_list, dig, present
from policies.rules.references import PRIVATE_NETWORK_TYPES, computed_from, names_customer_key
from policies.rules.workloads import eas_service_config

SAGEMAKER_MODEL = "aws:sagemaker/model:Model"
SAGEMAKER_ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
VERTEX_ENDPOINT = "gcp:vertex/aiEndpoint:AiEndpoint"
VERTEX_MODEL_GARDEN = "gcp:vertex/aiEndpointWithModelGardenDeployment:AiEndpointWithModelGardenDeployment"
AZURE_ML_WORKSPACE = "azure-native:machinelearningservices:Workspace"
AZURE_ONLINE_ENDPOINT = "azure-native:machinelearningservices:OnlineEndpoint"
EAS_SERVICE = "alicloud:pai/service:Service"


# -- S21 ------------------------------------------------------------------------------------------
def _s21_sagemaker(model: Resource, ctx: Context) -> Iterator[str]:
    if not as_bool(model.get("enableNetworkIsolation")):
        yield "enableNetworkIsolation is not true (the container can call out to the internet)"
    if not present(model.get("vpcConfig.subnets")):
        yield "vpcConfig has no subnets (the model does not run inside the VPC)"


def _s21_vertex(endpoint: Resource, ctx: Context) -> Iterator[str]:
    if endpoint.get("network") or as_bool(endpoint.get("privateServiceConnectConfig.enablePrivateServiceConnect")):
        return
    yield "neither network (VPC peering) nor privateServiceConnectConfig is set: the endpoint is public"


def _s21_vertex_model_garden(deployment: Resource, ctx: Context) -> Iterator[str]:
    if not as_bool(deployment.get("endpointConfig.privateServiceConnectConfig.enablePrivateServiceConnect")):
        yield "endpointConfig.privateServiceConnectConfig is not enabled: the endpoint is public"


def _s21_azure(endpoint: Resource, ctx: Context) -> Iterator[str]:
    if endpoint.get("properties.publicNetworkAccess") != "Disabled":
        yield "properties.publicNetworkAccess is not Disabled"


def _s21_eas(service: Resource, ctx: Context) -> Iterator[str]:
    if computed_from(ctx, service, "serviceConfig", service.get("serviceConfig"), PRIVATE_NETWORK_TYPES):
        return  # the service config is built from this stack's VPC: the VPC direct connection
    if not dig(eas_service_config(service), "cloud.networking.vpc_id"):
        yield "serviceConfig has no cloud.networking.vpc_id (no VPC direct connection; clients go over the internet)"


ML_ENDPOINT_PRIVATE = Rule(
    id="ml-endpoint-private",
    ref="S21",
    domain="ml_endpoints",
    description="Model endpoints are private / network isolated.",
    severity="high",
    tags=("security",),
    remediation="SageMaker: enableNetworkIsolation + vpcConfig; Vertex: Private Service Connect or a peered "
    "network; Azure ML: publicNetworkAccess Disabled; PAI-EAS: VPC direct connection (cloud.networking).",
    rationale="A public model endpoint can be called, and its weights probed or its GPUs run up, by anyone with a "
    "token; a model container with internet egress can exfiltrate what it is sent. Private endpoints and "
    "network isolation keep inference traffic inside the VPC.",
    examples=(
        Example(
            type=VERTEX_ENDPOINT,
            compliant={"privateServiceConnectConfig": {"enablePrivateServiceConnect": True}},
            violating={"displayName": "chat"},
            note="a public endpoint",
        ),
    ),
    checks={
        SAGEMAKER_MODEL: _s21_sagemaker,
        VERTEX_ENDPOINT: _s21_vertex,
        VERTEX_MODEL_GARDEN: _s21_vertex_model_garden,
        AZURE_ONLINE_ENDPOINT: _s21_azure,
        EAS_SERVICE: _s21_eas,
    },
    # Networks are created in the same program: their property dependencies tell, at preview.
    needs_stack=True,
)


# -- S22 ------------------------------------------------------------------------------------------
def _s22_sagemaker(config: Resource, ctx: Context) -> Iterator[str]:
    if names_customer_key(ctx, config, "kmsKeyArn", config.get("kmsKeyArn")):
        return
    # Local NVMe storage (the catalog's `local_nvme` families) is encrypted in hardware and
    # CreateEndpointConfig rejects a KMS key for it, so S22 cannot ask for one there.
    aws = load_catalog().cloud("aws")
    variants = [v for v in as_list(config.get("productionVariants")) if isinstance(v, dict)]
    needs_key = [
        v.get("variantName", "?")
        for v in variants
        if not v.get("serverlessConfig") and not aws.has_local_nvme(str(v.get("instanceType")))
    ]
    if needs_key:
        yield f"kmsKeyArn is not set for the EBS-backed variant(s) {', '.join(map(str, needs_key))}"


def _s22_vertex(endpoint: Resource, ctx: Context) -> Iterator[str]:
    if not names_customer_key(ctx, endpoint, "encryptionSpec", endpoint.get("encryptionSpec.kmsKeyName")):
        yield "encryptionSpec.kmsKeyName is not set"


def _s22_azure_workspace(workspace: Resource, ctx: Context) -> Iterator[str]:
    if workspace.get("encryption.status") != "Enabled" or not names_customer_key(
        ctx, workspace, "encryption", workspace.get("encryption.keyVaultProperties.keyIdentifier")
    ):
        yield "encryption is not Enabled with a Key Vault keyIdentifier (Microsoft-managed keys only)"


ML_CMK = Rule(
    id="ml-encrypted-with-cmk",
    ref="S22",
    domain="ml_endpoints",
    description="Endpoints and ML workspaces encrypt with customer-managed keys (model artefact buckets: S2).",
    severity="medium",
    tags=("security",),
    remediation="SageMaker endpoint configuration kmsKeyArn (EBS-backed instance families); Vertex encryptionSpec; "
    "Azure ML workspace encryption with a Key Vault key.",
    rationale="Endpoint volumes and ML workspaces hold model artefacts, request captures and experiment data; a "
    "customer key puts access to them under the same key policy, audit log and revocation as the buckets "
    "they come from.",
    examples=(
        Example(
            type=VERTEX_ENDPOINT,
            compliant={"encryptionSpec": {"kmsKeyName": "projects/p/locations/l/keyRings/r/cryptoKeys/k"}},
            violating={"displayName": "chat"},
            note="no encryption spec",
        ),
    ),
    checks={
        SAGEMAKER_ENDPOINT_CONFIG: _s22_sagemaker,
        VERTEX_ENDPOINT: _s22_vertex,
        AZURE_ML_WORKSPACE: _s22_azure_workspace,
    },
    needs_stack=True,
)


# -- S23 ------------------------------------------------------------------------------------------
def _s23_workspace(workspace: Resource, ctx: Context) -> Iterator[str]:
    if workspace.get("publicNetworkAccess") != "Disabled":
        yield "publicNetworkAccess is not Disabled"


def _s23_endpoint(endpoint: Resource, ctx: Context) -> Iterator[str]:
    if endpoint.get("properties.authMode") not in ("AADToken", "AMLToken"):
        yield f"properties.authMode is {endpoint.get('properties.authMode', 'unset')!r}: key-based (local) auth is on"


ML_WORKSPACE_PRIVATE = Rule(
    id="ml-workspace-private",
    ref="S23",
    domain="ml_endpoints",
    description="ML workspaces are not reachable from public networks and endpoints use Entra ID tokens, not keys.",
    severity="high",
    tags=("security",),
    remediation="Azure ML: workspace publicNetworkAccess Disabled (managed network / private endpoint) and online "
    "endpoints with authMode AADToken.",
    rationale="An ML workspace reachable from the internet exposes its datastores, registries and compute to leaked"
    " tokens, and key-based endpoint auth hands out static keys that are neither scoped nor attributable.",
    examples=(
        Example(
            type=AZURE_ML_WORKSPACE,
            compliant={"publicNetworkAccess": "Disabled"},
            violating={"publicNetworkAccess": "Enabled"},
            note="public network access",
        ),
    ),
    checks={AZURE_ML_WORKSPACE: _s23_workspace, AZURE_ONLINE_ENDPOINT: _s23_endpoint},
)


RULES = [ML_ENDPOINT_PRIVATE, ML_CMK, ML_WORKSPACE_PRIVATE]
