"""Storage that survives the loss of a zone: Azure storage accounts replicate beyond one
datacenter (GCS regional buckets, S3 and OSS already store data across zones)."""

from __future__ import annotations

from collections.abc import Iterator

from policies.framework import Context, Example, Resource, Rule
from policies.rules.storage_resources import AZURE_ACCOUNT

SINGLE_DATACENTER = {"standard_lrs", "premium_lrs"}


def _replicated(account: Resource, ctx: Context) -> Iterator[str]:
    sku = account.get("sku.name")
    if not isinstance(sku, str) or sku.lower() in SINGLE_DATACENTER:
        yield f"sku is {sku or 'unset'}: locally redundant storage keeps every copy in one datacenter"


STORAGE_REPLICATED = Rule(
    id="storage-replicated",
    ref="",
    domain="storage",
    description="Storage accounts replicate across zones or regions (ZRS, GRS, GZRS), not within one datacenter.",
    severity="medium",
    tags=("security",),
    remediation="Use Standard_ZRS (zone-redundant) or a geo-redundant SKU (Standard_GRS, Standard_GZRS, RA-...).",
    rationale="Locally redundant storage keeps all three copies in one datacenter: a fire, flood or power loss "
    "there makes datasets and checkpoints unavailable or lost. Zone or geo redundancy keeps them readable, which is "
    "the availability part of security.",
    examples=(
        Example(
            type=AZURE_ACCOUNT,
            compliant={"sku": {"name": "Standard_ZRS"}},
            violating={"sku": {"name": "Standard_LRS"}},
            note="locally redundant",
        ),
    ),
    checks={AZURE_ACCOUNT: _replicated},
)
