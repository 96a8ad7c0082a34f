"""Type tokens of Kubernetes clusters, node pools and what they attach to, on the four clouds."""

from __future__ import annotations

from policies.framework import UNKNOWN, Resource, Stack

EKS_CLUSTER = "aws:eks/cluster:Cluster"
EKS_NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
EKS_ADDON = "aws:eks/addon:Addon"
AWS_OIDC_PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
AWS_LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
AWS_SUBNET = "aws:ec2/subnet:Subnet"
GKE_CLUSTER = "gcp:container/cluster:Cluster"
GKE_NODE_POOL = "gcp:container/nodePool:NodePool"
GCP_TPU_VM = "gcp:tpu/v2Vm:V2Vm"
AKS_CLUSTER = "azure-native:containerservice:ManagedCluster"
AKS_AGENT_POOL = "azure-native:containerservice:AgentPool"
ACK_CLUSTER = "alicloud:cs/managedKubernetes:ManagedKubernetes"
ACK_NODE_POOL = "alicloud:cs/nodePool:NodePool"

# How a node pool names its cluster: (pool type, input, cluster type, the cluster's own name input).
_POOL_CLUSTER = {
    GKE_NODE_POOL: ("cluster", GKE_CLUSTER, "name"),
    EKS_NODE_GROUP: ("clusterName", EKS_CLUSTER, "name"),
    AKS_AGENT_POOL: ("resourceName", AKS_CLUSTER, "resourceName"),
    ACK_NODE_POOL: ("clusterId", ACK_CLUSTER, ""),
}


def clusters_of(stack: Stack, pool: Resource) -> list[Resource]:
    """The clusters of this stack a node pool belongs to: through a property dependency (an Output
    of the cluster) or, for programs that pass plain strings, by the cluster's name (GKE accepts
    `projects/p/locations/l/clusters/<name>` or `<name>`)."""
    prop, cluster_type, name_prop = _POOL_CLUSTER.get(pool.type, ("", "", ""))
    if not prop:
        return []
    found = [c for c in stack.origins(pool, prop) if c.type == cluster_type]
    if found:
        return found
    value = pool.peek(prop)
    if value is UNKNOWN and not pool.sources(prop):
        pool.get(prop)  # not known, and no dependency says which cluster: a verdict on it stays open
        return []
    if not name_prop or not isinstance(value, str) or not value:
        return []
    name = value.rstrip("/").rsplit("/", 1)[-1]
    return [c for c in stack.of_type(cluster_type) if c.peek(name_prop) in (value, name)]
