"""Azure components (type tokens `ai-infra:azure:<Name>`), built on pulumi_azure_native primitives."""

from components.azure.bucket import BlobTiering, Bucket, BucketArgs, CustomerKeyArgs
from components.azure.budget import Budget, BudgetArgs
from components.azure.capacity_reservation import CapacityReservation, CapacityReservationArgs
from components.azure.gpu_cluster import GpuCluster, GpuClusterArgs, GpuPoolArgs
from components.azure.gpu_platform import GpuPlatform, GpuPlatformArgs
from components.azure.model_endpoint import WORKSPACE_DNS_ZONES, ModelEndpoint, ModelEndpointArgs, ServingContainer
from components.azure.network import FlowLogArgs, InboundRule, Network, NetworkArgs
from components.azure.workload_identity import WorkloadIdentity, WorkloadIdentityArgs

__all__ = [
    "WORKSPACE_DNS_ZONES",
    "BlobTiering",
    "Bucket",
    "BucketArgs",
    "Budget",
    "BudgetArgs",
    "CapacityReservation",
    "CapacityReservationArgs",
    "CustomerKeyArgs",
    "FlowLogArgs",
    "GpuCluster",
    "GpuClusterArgs",
    "GpuPlatform",
    "GpuPlatformArgs",
    "GpuPoolArgs",
    "InboundRule",
    "ModelEndpoint",
    "ModelEndpointArgs",
    "Network",
    "NetworkArgs",
    "ServingContainer",
    "WorkloadIdentity",
    "WorkloadIdentityArgs",
]
