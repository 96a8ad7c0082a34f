"""Parts of the Azure stack (stacks/azure.py) that stand on their own: the config rules that depend
on the environment's tier (`check_tier_rules`) and the capacity reservation groups GPU pools ask for
(`capacity_reservations`). Resource names and options are those stacks/azure.py always used."""

from __future__ import annotations

from typing import Any

import pulumi

from components.azure import CapacityReservation, CapacityReservationArgs
from components.azure.gpu_pool import ReservationUse
from components.azure.resource_ids import resource_group_id
from stacks import StackConfigError
from stacks.config import ConfigError, EnvironmentSpec
from stacks.config.azure import AzureSpec, node_machine
from stacks.config.errors import key_path


def check_tier_rules(env: EnvironmentSpec, spec: AzureSpec) -> None:
    """Rules that depend on the environment's tier, which the Azure section cannot see while it
    is validated. Reported like every other config mistake."""
    problems: list[str] = []
    where = ("clouds", "azure")
    if env.is_prod and spec.cluster.sku_tier == "Free":
        problems.append(
            f"{key_path((*where, 'cluster', 'sku_tier'))}: 'Free' is not allowed in prod "
            "(no uptime SLA; allowed: Standard, or leave it unset)"
        )
    for name, endpoint in spec.endpoints.items():
        if env.is_prod and endpoint.public_network_access:
            problems.append(
                f"{key_path((*where, 'endpoints', name, 'public_network_access'))}: true is not allowed in prod "
                "(allowed: false; reach the endpoint through the workspace's private endpoint)"
            )
    if problems:
        raise StackConfigError(f"invalid stack config:\n{ConfigError(problems)}")


def capacity_reservations(
    env: EnvironmentSpec, spec: AzureSpec, prefix: str, placement: dict[str, Any], opts: pulumi.ResourceOptions
) -> dict[str, ReservationUse]:
    """A capacity reservation group (with its reservation and deploy role) per GPU pool that asks
    for one, keyed by pool name."""
    found: dict[str, ReservationUse] = {}
    for pool_name, pool in spec.gpu_pools.items():
        if pool.capacity_reservation is None:
            continue
        reservation = CapacityReservation(
            f"{prefix}-{pool_name}-capacity",
            CapacityReservationArgs(
                subscription_id=placement["subscription_id"],
                resource_group_name=placement["resource_group_name"],
                resource_group_id=resource_group_id(placement["subscription_id"], placement["resource_group_name"]),
                location=placement["location"],
                group_name=f"crg-ai-infra-{env.environment}-{pool_name}",
                vm_size=node_machine(pool.accelerator, pool.machine_type, pool_name, pool.multi_node).name,
                nodes=pool.capacity_reservation.nodes,
                tags=env.tags,
            ),
            opts=opts,
        )
        found[pool_name] = ReservationUse(
            group_id=reservation.group_id,
            deploy_role_id=reservation.deploy_role_id,
            nodes=pool.capacity_reservation.nodes,
        )
    return found
