"""The pack's rules, one module per domain. A later cloud adds rows to the rules' check tables."""

from __future__ import annotations

from policies.framework import Rule
from policies.rules import (
    cluster_platform,
    cost,
    cross_cloud_trust,
    disaster_recovery,
    estimates,
    file_storage,
    identity,
    identity_sensitive,
    key_vaults,
    keys,
    kubernetes,
    logs,
    ml_endpoints,
    monitoring,
    network,
    registries,
    secrets,
    serverless,
    storage,
    tagging,
    trust,
)

ALL_RULES: list[Rule] = [
    *storage.RULES,
    *kubernetes.RULES,
    *cluster_platform.RULES,
    *network.RULES,
    *identity.RULES,
    *identity_sensitive.RULES,
    *trust.RULES,
    *secrets.RULES,
    *ml_endpoints.RULES,
    *serverless.RULES,
    *file_storage.RULES,
    *monitoring.RULES,
    *keys.RULES,
    *key_vaults.RULES,
    *registries.RULES,
    *logs.RULES,
    *cross_cloud_trust.RULES,
    *disaster_recovery.RULES,
    *cost.RULES,
    *estimates.RULES,
    *tagging.RULES,
]


def rules_by_id() -> dict[str, Rule]:
    found: dict[str, Rule] = {}
    for rule in ALL_RULES:
        if rule.id in found:
            raise ValueError(f"two rules share the id {rule.id!r}")
        found[rule.id] = rule
    return found
