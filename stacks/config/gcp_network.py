"""`ai-infra:clouds.gcp.network`: the VPC spec and its address plan (`plan_ranges`), which carves
subnet, pod, service and Private Services Access ranges out of `network.cidr`; re-exported from
stacks/config/gcp.py."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from pydantic import Field, field_validator, model_validator

from stacks.config.common import NetworkSpec
from stacks.config.errors import config_problem

SMALLEST_DERIVED_PODS_PREFIX = 21
"""A derived pods range must be a /21 or larger: 32 nodes at 64 pods per node."""


@dataclass(frozen=True)
class GcpRanges:
    """The address plan of the environment's VPC, all inside `network.cidr`."""

    subnet: str
    pods: str
    services: str
    private_services: str


def plan_ranges(cidr: str) -> GcpRanges:
    """Split `cidr` (prefix p): pods get the first half (/p+1), nodes the third quarter (/p+2),
    services and Private Services Access one eighth each (/p+3). Deterministic: the same range
    always gives the same plan. Example: 10.20.0.0/16 -> pods 10.20.0.0/17, subnet 10.20.128.0/18,
    services 10.20.192.0/19, private services 10.20.224.0/19."""
    net = ipaddress.IPv4Network(cidr, strict=True)
    halves = list(net.subnets(prefixlen_diff=1))
    quarters = list(halves[1].subnets(prefixlen_diff=1))
    eighths = list(quarters[1].subnets(prefixlen_diff=1))
    return GcpRanges(
        pods=str(halves[0]), subnet=str(quarters[0]), services=str(eighths[0]), private_services=str(eighths[1])
    )


class GcpNetworkSpec(NetworkSpec):
    """The VPC (`clouds.gcp.network`). Ranges not given are carved out of `cidr` (`plan_ranges`);
    ranges given must lie inside `cidr` and not overlap, so clouds never overlap each other."""

    subnet_cidr: str | None = None
    """Primary range of the subnetwork (nodes, TPU VMs). Default: the third quarter of `cidr`."""
    pods_cidr: str | None = None
    """GKE pod range. Default: the first half of `cidr`."""
    services_cidr: str | None = None
    """GKE service range. Default: the seventh eighth of `cidr`."""
    private_services_cidr: str | None = None
    """Range peered with Google services (Vertex endpoints with `network_access: private`).
    Default: the last eighth of `cidr`; reserved only when an endpoint needs it."""
    iap_ssh: bool = False
    """Default false: no SSH ingress at all. True: SSH from Identity-Aware Proxy's range only."""
    flow_log_sampling: float = Field(default=0.5, gt=0, le=1)
    """Share of flows recorded by VPC flow logs (always on). Default 0.5."""

    @field_validator("nat")
    @classmethod
    def _regional_nat(cls, value: str) -> str:
        if value == "per-zone":
            raise config_problem(
                "'per-zone' has no meaning on Google Cloud: Cloud NAT is regional and zone-redundant "
                "(allowed: single, none)"
            )
        return value

    @model_validator(mode="after")
    def _ranges_fit(self) -> GcpNetworkSpec:
        net = ipaddress.IPv4Network(self.cidr)
        derived = plan_ranges(self.cidr)
        if self.pods_cidr is None and ipaddress.IPv4Network(derived.pods).prefixlen > SMALLEST_DERIVED_PODS_PREFIX:
            raise config_problem(
                f"{self.cidr!r} is too small to carve GKE pod addresses from (the pods range would be "
                f"{derived.pods}; at least a /{SMALLEST_DERIVED_PODS_PREFIX} is needed); use a /20 or larger, "
                "or set pods_cidr",
                key="cidr",
            )
        seen: list[tuple[str, ipaddress.IPv4Network]] = []
        for key in ("subnet_cidr", "pods_cidr", "services_cidr", "private_services_cidr"):
            value = getattr(self, key)
            if value is None:
                continue
            try:
                sub = ipaddress.IPv4Network(value, strict=True)
            except ValueError as exc:
                raise config_problem(f"{value!r} is not a valid IPv4 network ({exc})", key=key) from None
            if not sub.subnet_of(net):
                raise config_problem(f"{value!r} is not inside network.cidr ({self.cidr})", key=key)
            for other_key, other in seen:
                if sub.overlaps(other):
                    raise config_problem(f"{value!r} overlaps {other_key} ({other})", key=key)
            seen.append((key, sub))
        # A range given explicitly may still collide with one derived from `cidr`: blame the given one.
        ranges = self.ranges
        chosen = [(f"{k}_cidr", ipaddress.IPv4Network(getattr(ranges, k))) for k in ("subnet", "pods", "services")]
        for key, sub in chosen:
            if getattr(self, key) is None:
                continue
            for other_key, other in chosen:
                if other_key != key and getattr(self, other_key) is None and sub.overlaps(other):
                    raise config_problem(
                        f"{str(sub)!r} overlaps {other_key} ({other}, derived from cidr); "
                        f"set {other_key} too, or pick a range outside it",
                        key=key,
                    )
        return self

    @property
    def ranges(self) -> GcpRanges:
        derived = plan_ranges(self.cidr)
        return GcpRanges(
            subnet=self.subnet_cidr or derived.subnet,
            pods=self.pods_cidr or derived.pods,
            services=self.services_cidr or derived.services,
            private_services=self.private_services_cidr or derived.private_services,
        )
