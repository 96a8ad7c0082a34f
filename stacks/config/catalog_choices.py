"""What a config error offers instead of an unknown accelerator or machine type: only what the
cloud (and the pool or endpoint role) at that key path can actually use, nearest match first.

A pool on AWS that names `nvidia-h10` should hear about `nvidia-h100` and the other accelerators
EKS node groups can run, not about TPUs; an endpoint override should list hosting types, not node
instance types."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from catalog import load_catalog

ROLE_OF_SECTION = {"gpu_pools": "node", "endpoints": "endpoint"}
"""Config sections whose entries name an accelerator, and the catalog role they run in."""


def _nearest(value: str, options: Sequence[str]) -> str:
    close = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}? " if close else ""


def accelerator_choices(value: str, cloud: str, role: str) -> str:
    """`'nvidia-h10' is not an accelerator for node pools on aws (did you mean 'nvidia-h100'? available: ...)`."""
    offered = load_catalog().accelerators_on(cloud, role)
    where = "node pools" if role == "node" else "endpoints"
    listing = ", ".join(offered) or "none"
    return f"{value!r} is not an accelerator for {where} on {cloud} ({_nearest(value, offered)}available: {listing})"


def machine_choices(value: str, cloud: str, role: str, accelerator: str) -> str:
    """An unknown machine type override: the `role` machines of `cloud` that carry `accelerator`."""
    catalog = load_catalog()
    machines = catalog.cloud(cloud).machines.values()
    carrying = sorted(m.name for m in machines if m.role == role and m.accelerator == accelerator)
    of_role = sorted(m.name for m in machines if m.role == role)
    listing = ", ".join(carrying) or "none in the catalog"
    return (
        f"{value!r} is not a known {cloud} {role} machine type "
        f"({_nearest(value, of_role)}{role} types with {accelerator}: {listing})"
    )


def section_of(loc: Sequence[str | int]) -> tuple[str, str] | None:
    """(cloud, role) when `loc` points into `clouds.<cloud>.<gpu_pools|endpoints>.<name>`."""
    parts = [str(p) for p in loc]
    if len(parts) >= 4 and parts[0] == "clouds" and parts[2] in ROLE_OF_SECTION:
        return parts[1], ROLE_OF_SECTION[parts[2]]
    return None
