"""Access to node pools: no SSH keys or passwords on nodes, and AKS system pools kept for system
add-ons."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import Context, Example, Resource, Rule, as_list, dig, present
from policies.rules.kubernetes_resources import ACK_NODE_POOL, AKS_AGENT_POOL, AKS_CLUSTER, EKS_NODE_GROUP

CRITICAL_ADDONS_TAINT = "CriticalAddonsOnly=true:NoSchedule"


# -- SSH to nodes ---------------------------------------------------------------------------------
def _ssh_eks(group: Resource, ctx: Context) -> Iterator[str]:
    if not group.get("remoteAccess.ec2SshKey"):
        return
    if present(group.get("remoteAccess.sourceSecurityGroupIds")):
        yield "remoteAccess installs an SSH key on every node (reach nodes through SSM Session Manager instead)"
    else:
        yield "remoteAccess opens SSH (port 22) on every node to 0.0.0.0/0 (no sourceSecurityGroupIds)"


def _ssh_aks(cluster: Resource, ctx: Context) -> Iterator[str]:
    if present(cluster.get("linuxProfile.ssh.publicKeys")):
        yield "linuxProfile installs an SSH key on every node (use kubectl debug or Azure Bastion instead)"


def _ssh_ack(pool: Resource, ctx: Context) -> Iterator[str]:
    if pool.get("password") or pool.get("kmsEncryptedPassword"):
        yield "the node pool sets a login password on every node"
    if pool.get("keyName"):
        yield "the node pool installs an SSH key pair on every node (use Cloud Assistant / session manager instead)"


K8S_NODES_NO_SSH = Rule(
    id="k8s-nodes-no-ssh",
    ref="",
    domain="kubernetes",
    description="Nodes carry no SSH keys or login passwords (and are never open to SSH from the internet).",
    severity="high",
    tags=("security",),
    remediation="Drop remoteAccess from EKS node groups, linuxProfile from AKS clusters and keyName/password from ACK "
    "node pools; reach nodes through SSM Session Manager, kubectl debug, Azure Bastion or Alibaba Cloud Assistant.",
    rationale="A node group's SSH key is a long-lived credential shared by every node, outside the cluster's RBAC "
    "and audit log; an EKS node group with an SSH key and no source security groups is open to SSH from the whole "
    "internet.",
    examples=(
        Example(
            type=EKS_NODE_GROUP,
            compliant={"launchTemplate": {"id": "lt-1", "version": "1"}},
            violating={"remoteAccess": {"ec2SshKey": "ops-key"}},
            note="SSH key without source security groups: port 22 open to 0.0.0.0/0",
        ),
    ),
    checks={EKS_NODE_GROUP: _ssh_eks, AKS_CLUSTER: _ssh_aks, ACK_NODE_POOL: _ssh_ack},
)


# -- system pools ---------------------------------------------------------------------------------
def _system_profiles(cluster: Resource, ctx: Context) -> Iterator[str]:
    for profile in as_list(cluster.get("agentPoolProfiles")):
        if dig(profile, "mode") == "System" and CRITICAL_ADDONS_TAINT not in as_list(dig(profile, "nodeTaints")):
            yield f"system pool {dig(profile, 'name', '?')} is not tainted {CRITICAL_ADDONS_TAINT}"


def _system_pool(pool: Resource, ctx: Context) -> Iterator[str]:
    if pool.get("mode") == "System" and CRITICAL_ADDONS_TAINT not in as_list(pool.get("nodeTaints")):
        yield f"a System pool not tainted {CRITICAL_ADDONS_TAINT}"


K8S_SYSTEM_POOL_ISOLATED = Rule(
    id="k8s-system-pool-isolated",
    ref="",
    domain="kubernetes",
    description="AKS system pools run only critical system add-ons (CriticalAddonsOnly taint).",
    severity="medium",
    tags=("security",),
    remediation=f"Taint every System-mode pool {CRITICAL_ADDONS_TAINT} and run workloads in User pools.",
    rationale="Workloads scheduled next to CoreDNS, the CSI drivers and the network agents can starve or tamper with "
    "them, and a compromised workload pod then shares a node with the cluster's most privileged pods.",
    examples=(
        Example(
            type=AKS_CLUSTER,
            compliant={
                "agentPoolProfiles": [{"name": "system", "mode": "System", "nodeTaints": [CRITICAL_ADDONS_TAINT]}]
            },
            violating={"agentPoolProfiles": [{"name": "system", "mode": "System"}]},
            note="an untainted system pool",
        ),
    ),
    checks={AKS_CLUSTER: _system_profiles, AKS_AGENT_POOL: _system_pool},
)

RULES = [K8S_NODES_NO_SSH, K8S_SYSTEM_POOL_ISOLATED]
