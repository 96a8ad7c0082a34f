"""Alibaba Cloud components (type tokens `ai-infra:alicloud:<Name>`), built on pulumi_alicloud primitives."""

from components.alicloud.bucket import Bucket, BucketArgs, BucketTiering
from components.alicloud.budget import Budget, BudgetArgs
from components.alicloud.gpu_cluster import GpuCluster, GpuClusterArgs, GpuPoolArgs
from components.alicloud.gpu_platform import GpuPlatform, GpuPlatformArgs
from components.alicloud.model_endpoint import ModelEndpoint, ModelEndpointArgs, eas_instance_type
from components.alicloud.network import Network, NetworkArgs
from components.alicloud.vswitch_plan import VSwitchPlan, VSwitchPlanError, plan_vswitches
from components.alicloud.workload_identity import WorkloadIdentity, WorkloadIdentityArgs

__all__ = [
    "Bucket",
    "BucketArgs",
    "BucketTiering",
    "Budget",
    "BudgetArgs",
    "GpuCluster",
    "GpuClusterArgs",
    "GpuPlatform",
    "GpuPlatformArgs",
    "GpuPoolArgs",
    "ModelEndpoint",
    "ModelEndpointArgs",
    "Network",
    "NetworkArgs",
    "VSwitchPlan",
    "VSwitchPlanError",
    "WorkloadIdentity",
    "WorkloadIdentityArgs",
    "eas_instance_type",
    "plan_vswitches",
]
