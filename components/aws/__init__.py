"""AWS components (type tokens `ai-infra:aws:<Name>`), built on pulumi_aws primitives."""

from components.aws.bucket import Bucket, BucketArgs, BucketTiering
from components.aws.budget import Budget, BudgetArgs
from components.aws.cluster_autoscaler import ClusterAutoscaler, ClusterAutoscalerArgs
from components.aws.gpu_cluster import GpuCluster, GpuClusterArgs
from components.aws.gpu_node_pool import CapacityReservationArgs, GpuNodePool, GpuNodePoolArgs
from components.aws.gpu_platform import GpuPlatform, GpuPlatformArgs
from components.aws.model_endpoint import ModelEndpoint, ModelEndpointArgs
from components.aws.network import Network, NetworkArgs
from components.aws.workload_identity import WorkloadIdentity, WorkloadIdentityArgs

__all__ = [
    "Bucket",
    "BucketArgs",
    "BucketTiering",
    "Budget",
    "BudgetArgs",
    "CapacityReservationArgs",
    "ClusterAutoscaler",
    "ClusterAutoscalerArgs",
    "GpuCluster",
    "GpuClusterArgs",
    "GpuNodePool",
    "GpuNodePoolArgs",
    "GpuPlatform",
    "GpuPlatformArgs",
    "ModelEndpoint",
    "ModelEndpointArgs",
    "Network",
    "NetworkArgs",
    "WorkloadIdentity",
    "WorkloadIdentityArgs",
]
