"""Google Cloud disaster recovery: the configured buckets become dual-region with turbo
replication when `dr_region` is set (one bucket, two regions; nothing to fail over)."""

from __future__ import annotations

from components.gcp.bucket import DualRegion
from stacks.config.dr import gcs_multi_region
from stacks.config.gcp import GcpSpec


def dual_region(spec: GcpSpec) -> DualRegion | None:
    """The dual-region placement of the environment's buckets; None without `dr_region`."""
    if spec.dr_region is None:
        return None
    multi_region = gcs_multi_region(spec.region)
    # The config check guarantees both regions share a multi-region.
    assert multi_region is not None
    return DualRegion(multi_region=multi_region, regions=(spec.region, spec.dr_region))
