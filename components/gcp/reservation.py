"""A Compute Engine reservation for a GKE GPU pool: `count` machines of the pool's type (and its
attached GPUs) in one zone, consumable only by VMs that name it, which the pool does through its
reservation affinity. A reservation bills its machines at the on-demand rate whether VMs use them
or not: guaranteed capacity for training, priced by the cost estimate."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_gcp as gcp

from catalog.prices import load_prices
from components.options import child_options


def gpu_reservation(
    name: str,
    *,
    parent: pulumi.Resource,
    project: str,
    zone: str,
    reservation_name: str,
    machine_type: str,
    accelerator_type: str,
    accelerator_count: int,
    count: int,
) -> gcp.compute.Reservation:
    """A specific reservation (`specific_reservation_required`: only VMs that target it by name
    consume it). Accelerator-optimized machines (a2, a3, g2) carry their GPUs; other machine types
    (N1) reserve the attached GPUs too."""
    properties: dict[str, Any] = {"machine_type": machine_type}
    gcp_prices = load_prices().cloud("gcp")
    built_in = gcp_prices.accelerator_optimized_families if gcp_prices is not None else []
    if machine_type.split("-", 1)[0] not in built_in:
        properties["guest_accelerators"] = [
            {"accelerator_type": accelerator_type, "accelerator_count": accelerator_count}
        ]
    return gcp.compute.Reservation(
        name,
        name=reservation_name,
        project=project,
        zone=zone,
        specific_reservation_required=True,
        specific_reservation={"count": count, "instance_properties": properties},
        opts=child_options(parent),
    )
