"""Committed use and capacity reservations of a GPU pool (`clouds.<cloud>.gpu_pools.<name>.
commitment` / `.capacity_reservation`).

    gpu_pools:
      inference:
        commitment: {kind: reserved-instance, term: 1y, nodes: 1}
      train:
        capacity_reservation: {nodes: 1}

A commitment is bought in the cloud's billing console (EC2 Reserved Instances or Savings Plans,
Google committed use discounts, Azure reservations or savings plan, Alibaba subscription); the
stack records it on the pool so that the estimate prices the committed nodes at the sourced
discount, paid whether they run or not, next to the list figure. A capacity reservation is
declared by the stack (EC2 On-Demand Capacity Reservation, Compute Engine reservation consumed by
the node pool, Azure capacity reservation group) and bills its nodes at the on-demand rate whether
they run or not: guaranteed capacity for training, at a price the estimate shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import Field

from catalog.commitments import PoolCommitment, commitment_kinds
from catalog.prices import load_prices
from stacks.config.base import ConfigModel
from stacks.config.errors import config_problem

CommitmentTerm = Literal["1y", "3y"]


class CommitmentSpec(ConfigModel):
    """Committed use covering some of a pool's nodes (priced in the estimate)."""

    kind: str
    """How the commitment is bought; each cloud has its own: `reserved-instance` or
    `savings-plan` (AWS), `cud` (Google Cloud), `reservation` or `savings-plan` (Azure),
    `subscription` (Alibaba Cloud). The discount rates live in catalog/data/prices/<cloud>.yaml."""
    term: CommitmentTerm = "1y"
    """`1y` (default) or `3y`."""
    nodes: int = Field(ge=1, le=512)
    """Nodes the commitment covers (at most `max_nodes`): paid whether they run or not."""

    def for_estimate(self) -> PoolCommitment:
        return PoolCommitment(self.kind, self.term, self.nodes)


class CapacityReservationSpec(ConfigModel):
    """Capacity the stack reserves for the pool (priced in the estimate)."""

    nodes: int = Field(ge=1, le=64)
    """Machines reserved (at most `max_nodes`), billed at the on-demand rate whether used or
    not. The pool is kept to the reservation's zone (its first zone) so its nodes can use it."""


def check_pool_commitments(cloud: str, pools: Mapping[str, object]) -> None:
    """Each pool's commitment kind is one the cloud's price file describes."""
    allowed = commitment_kinds(load_prices(), cloud)
    for name, pool in pools.items():
        commitment = getattr(pool, "commitment", None)
        if commitment is not None and commitment.kind not in allowed:
            raise config_problem(
                f"{commitment.kind!r} is not a commitment kind on {cloud} (allowed: {', '.join(allowed) or 'none'})",
                key=f"gpu_pools.{name}.commitment.kind",
            )


def check_no_capacity_reservation(cloud: str, pools: Mapping[str, object]) -> None:
    """For clouds whose stacks do not declare capacity reservations (Alibaba Cloud)."""
    for name, pool in pools.items():
        if getattr(pool, "capacity_reservation", None) is not None:
            raise config_problem(
                f"capacity reservations are not declared on {cloud} by this project (allowed on aws, gcp, azure)",
                key=f"gpu_pools.{name}.capacity_reservation",
            )


def check_gke_reservation(existing: str | None, declared: CapacityReservationSpec | None, max_nodes: int) -> None:
    """A GKE pool consumes an existing reservation or the one the stack declares, not both; a
    declared one covers the whole pool (nodes bound to a specific reservation cannot grow past it)."""
    if declared is None:
        return
    if existing is not None:
        raise config_problem(
            "a pool consumes either an existing reservation or the one the stack declares; "
            "remove 'reservation' or 'capacity_reservation'",
            key="capacity_reservation",
        )
    if declared.nodes != max_nodes:
        raise config_problem(
            f"{declared.nodes} is not max_nodes ({max_nodes}): GKE nodes that consume a specific reservation "
            "cannot grow past it, so reserve max_nodes machines (or lower max_nodes)",
            key="capacity_reservation.nodes",
        )
