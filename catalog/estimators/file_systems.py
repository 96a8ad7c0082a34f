"""Shared file systems (FSx for Lustre, Managed Lustre, Filestore, Azure Managed Lustre, Extreme
NAS): provisioned capacity x the catalog's per-GB-month figure for the file system's kind and
throughput tier (`storage:` rows named `<KIND>-<TIER>` in catalog/data/prices/<cloud>.yaml)."""

from __future__ import annotations

from typing import Any

from catalog.estimators.base import EstimateContext, Estimator, ResourceCost
from catalog.prices import TIMES, Unpriced, usd_rate

FSX_LUSTRE = "aws:fsx/lustreFileSystem:LustreFileSystem"
MANAGED_LUSTRE = "gcp:lustre/instance:Instance"
FILESTORE = "gcp:filestore/instance:Instance"
AML_FILESYSTEM = "azure-native:storagecache:AmlFilesystem"
EXTREME_NAS = "alicloud:nas/fileSystem:FileSystem"
GIB_PER_TIB = 1024


def _number(value: Any) -> float | None:
    # Some providers take capacity as a string (`capacityGib: "36000"`); unknown at preview is None.
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def capacity_cost(ctx: EstimateContext, item: str, capacity_gib: float | None, label: str) -> ResourceCost:
    """`capacity_gib` x the catalog's `storage` figure for `item` (billed on what is provisioned,
    whether used or not), discounted by the price book."""
    if capacity_gib is None:
        return ctx.unknown("the provisioned capacity is not known from the inputs", label)
    basis = f"{capacity_gib:,.0f} GiB provisioned {TIMES} {label}"
    quote = ctx.prices.storage(ctx.cloud, item, ctx.region)
    if isinstance(quote, Unpriced):
        return ctx.unknown(quote.reason, basis)
    ctx.cite(quote)
    discount = ctx.price_book.discount(ctx.cloud)
    rate = discount.apply(quote.price) if discount else quote.price
    basis += f" {usd_rate(quote.price)}/GB-mo"
    if discount:
        basis += f" {discount.describe()}"
    monthly = capacity_gib * rate
    return ctx.cost(monthly, monthly, basis)


def fsx_lustre(ctx: EstimateContext) -> ResourceCost:
    deployment = str(ctx.inputs.get("deploymentType") or "SCRATCH_1")
    throughput = ctx.inputs.get("perUnitStorageThroughput")
    item = f"FSX-LUSTRE-{deployment}-{throughput}" if throughput is not None else f"FSX-LUSTRE-{deployment}"
    label = f"FSx for Lustre {deployment} {throughput or ''} MB/s/TiB".replace("  ", " ")
    return capacity_cost(ctx, item, _number(ctx.inputs.get("storageCapacity")), label)


def managed_lustre(ctx: EstimateContext) -> ResourceCost:
    throughput = ctx.inputs.get("perUnitStorageThroughput")
    label = f"Managed Lustre {throughput} MB/s/TiB"
    return capacity_cost(ctx, f"MANAGED-LUSTRE-{throughput}", _number(ctx.inputs.get("capacityGib")), label)


def filestore(ctx: EstimateContext) -> ResourceCost:
    tier = str(ctx.inputs.get("tier") or "")
    shares = ctx.inputs.get("fileShares") or {}
    capacity = _number(shares.get("capacityGb")) if isinstance(shares, dict) else None
    return capacity_cost(ctx, f"FILESTORE-{tier}", capacity, f"Filestore {tier}")


def aml_filesystem(ctx: EstimateContext) -> ResourceCost:
    sku = ctx.inputs.get("sku") or {}
    name = str(sku.get("name") or "") if isinstance(sku, dict) else ""
    tib = _number(ctx.inputs.get("storageCapacityTiB"))
    return capacity_cost(ctx, name, tib * GIB_PER_TIB if tib is not None else None, f"Azure Managed Lustre {name}")


def extreme_nas(ctx: EstimateContext) -> ResourceCost:
    kind = str(ctx.inputs.get("fileSystemType") or "standard")
    storage = str(ctx.inputs.get("storageType") or "")
    if kind != "extreme":
        # General-purpose NAS bills what is stored, not a provisioned size.
        return ctx.usage(f"General-purpose NAS ({storage}) bills per GiB stored")
    label = f"Extreme NAS {storage}"
    return capacity_cost(ctx, f"NAS-EXTREME-{storage}", _number(ctx.inputs.get("capacity")), label)


ESTIMATORS: dict[str, Estimator] = {
    FSX_LUSTRE: fsx_lustre,
    MANAGED_LUSTRE: managed_lustre,
    FILESTORE: filestore,
    AML_FILESYSTEM: aml_filesystem,
    EXTREME_NAS: extreme_nas,
}
