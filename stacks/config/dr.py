"""`dr_region` of each cloud: the second region prod buckets replicate to (disaster recovery).

Each cloud offers region-loss protection for object storage differently, and that decides which
second regions are allowed:

- AWS S3 and Alibaba OSS replicate bucket to bucket: any other catalog region of the cloud.
- Google Cloud Storage keeps one bucket in a configurable dual-region: both regions must lie in
  the same multi-region (`us-*`, `europe-*`, `asia-*`), which becomes the bucket's location.
- Azure geo-zone-redundant storage copies to the region's fixed pair: `dr_region` must be that
  pair (it documents where the copy is; Azure does not let you choose).
"""

from __future__ import annotations

from catalog import CloudName, load_catalog
from stacks.config.errors import config_problem

AZURE_PAIRED_REGIONS: dict[str, str] = {
    "eastus": "westus",
    "eastus2": "centralus",
    "southcentralus": "northcentralus",
    "westus2": "westcentralus",
    "westus3": "eastus",
    "northeurope": "westeurope",
    "westeurope": "northeurope",
    "swedencentral": "swedensouth",
    "uksouth": "ukwest",
    "japaneast": "japanwest",
}
"""Azure's region pairs for the catalog's locations (learn.microsoft.com, "Azure region pairs and
nonpaired regions", as of 2026-06): where GZRS / RA-GZRS keep the secondary copy."""

GCS_MULTI_REGIONS: dict[str, str] = {"us-": "US", "europe-": "EU", "asia-": "ASIA"}
"""Region name prefix -> the multi-region a configurable dual-region of two such regions lives in."""


def gcs_multi_region(region: str) -> str | None:
    """The GCS multi-region code (`US`) a region belongs to, None outside the three."""
    return next((code for prefix, code in GCS_MULTI_REGIONS.items() if region.startswith(prefix)), None)


def check_dr_region(cloud: CloudName, region: str, dr_region: str | None) -> None:
    """Raise a config problem naming `dr_region` when it cannot be the DR region of `region`."""
    if dr_region is None:
        return
    if dr_region == region:
        raise config_problem(
            f"{dr_region!r} is the primary region; a DR copy must live in another region", key="dr_region"
        )
    if cloud == "azure":
        pair = AZURE_PAIRED_REGIONS.get(region)
        if dr_region != pair:
            raise config_problem(
                f"{dr_region!r} is not the Azure pair of {region} (allowed: {pair!r}); geo-zone-redundant "
                "storage copies to the paired region only",
                key="dr_region",
            )
        return
    known = load_catalog().cloud(cloud).regions
    if dr_region not in known:
        raise config_problem(
            f"{dr_region!r} is not a known {cloud} region (known: {', '.join(sorted(known))})", key="dr_region"
        )
    if cloud == "gcp" and (gcs_multi_region(region) is None or gcs_multi_region(dr_region) != gcs_multi_region(region)):
        raise config_problem(
            f"{dr_region!r} and {region} are not in one multi-region (allowed: two us-*, two europe-* or two "
            "asia-* regions); a GCS dual-region spans two regions of the same multi-region",
            key="dr_region",
        )
