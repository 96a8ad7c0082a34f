"""Azure disaster recovery: with `dr_region` (the location's pair), every storage account the
environment creates for data is read-access geo-zone-redundant (RA-GZRS)."""

from __future__ import annotations

from stacks.config import EnvironmentSpec
from stacks.config.azure import AzureSpec

GEO_ZONE_REDUNDANT = "Standard_RAGZRS"
"""Three zones in the primary region, copied asynchronously to the paired region, readable there
(`<account>-secondary` endpoint) without waiting for a failover."""


def storage_sku(env: EnvironmentSpec, spec: AzureSpec) -> str:
    """RA-GZRS when the environment has a DR region; otherwise ZRS in prod and LRS in dev."""
    if spec.dr_region is not None:
        return GEO_ZONE_REDUNDANT
    return "Standard_ZRS" if env.is_prod else "Standard_LRS"
