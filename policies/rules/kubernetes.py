"""Kubernetes: control planes and node pools on EKS, GKE, AKS and ACK (S8-S15) and the
extended-support fee (C10), in one list. The rules live in modules by concern (`kubernetes_api`
for control planes, `kubernetes_nodes` for node pools, `kubernetes_versions`); the type tokens in
`kubernetes_resources`, re-exported here."""

from __future__ import annotations

from policies.rules.kubernetes_api import (
    K8S_ADMISSION_POLICY,
    K8S_API_RESTRICTED,
    K8S_AUDIT_LOGS,
    K8S_CONTROL_PLANE_AUTH,
    K8S_POD_NETWORK_POLICY,
    K8S_SECRETS_KMS,
)
from policies.rules.kubernetes_nodes import (
    K8S_NODE_MAINTENANCE,
    K8S_NODE_SERVICE_ACCOUNT,
    K8S_NODES_PRIVATE,
    K8S_WORKLOAD_IDENTITY,
)
from policies.rules.kubernetes_pools import K8S_NODES_NO_SSH, K8S_SYSTEM_POOL_ISOLATED
from policies.rules.kubernetes_resources import *  # noqa: F403  (the type tokens, for other modules)
from policies.rules.kubernetes_versions import K8S_NO_EXTENDED_SUPPORT, K8S_SUPPORTED_VERSION

RULES = [
    K8S_API_RESTRICTED,
    K8S_NODES_PRIVATE,
    K8S_SECRETS_KMS,
    K8S_AUDIT_LOGS,
    K8S_WORKLOAD_IDENTITY,
    K8S_NODE_SERVICE_ACCOUNT,
    K8S_SUPPORTED_VERSION,
    K8S_NODE_MAINTENANCE,
    K8S_NO_EXTENDED_SUPPORT,
    K8S_CONTROL_PLANE_AUTH,
    K8S_POD_NETWORK_POLICY,
    K8S_NODES_NO_SSH,
    K8S_SYSTEM_POOL_ISOLATED,
    K8S_ADMISSION_POLICY,
]
