"""Google Cloud components (type tokens `ai-infra:gcp:<Name>`), built on pulumi_gcp primitives."""

from components.gcp.bucket import Bucket, BucketArgs, BucketTiering
from components.gcp.budget import Budget, BudgetArgs
from components.gcp.gpu_cluster import GpuCluster, GpuClusterArgs, GpuNodePoolArgs
from components.gcp.gpu_platform import GpuPlatform, GpuPlatformArgs
from components.gcp.labels import gcp_labels
from components.gcp.model_endpoint import CustomModel, ModelEndpoint, ModelEndpointArgs, ModelGardenModel
from components.gcp.network import Network, NetworkArgs
from components.gcp.tpu_pool import TpuPool, TpuPoolArgs
from components.gcp.workload_identity import BucketGrant, WorkloadIdentity, WorkloadIdentityArgs

__all__ = [
    "Bucket",
    "BucketArgs",
    "BucketGrant",
    "BucketTiering",
    "Budget",
    "BudgetArgs",
    "CustomModel",
    "GpuCluster",
    "GpuClusterArgs",
    "GpuNodePoolArgs",
    "GpuPlatform",
    "GpuPlatformArgs",
    "ModelEndpoint",
    "ModelEndpointArgs",
    "ModelGardenModel",
    "Network",
    "NetworkArgs",
    "TpuPool",
    "TpuPoolArgs",
    "WorkloadIdentity",
    "WorkloadIdentityArgs",
    "gcp_labels",
]
