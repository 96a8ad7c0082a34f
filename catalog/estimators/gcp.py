"""Google Cloud resources priced from their inputs: GKE node pools (host + GPUs, or TPU chips),
clusters, TPU VMs, Cloud NAT, Cloud Storage buckets and Vertex AI dedicated endpoints."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from catalog.estimators.base import (
    HOURS_PER_MONTH,
    EstimateContext,
    Estimator,
    ResourceCost,
    count_text,
    expected_size_gib,
    fee_cost,
    pool_cost,
    storage_cost,
    whole_number,
)
from catalog.prices import TIMES, Unpriced, usd_rate

NODE_POOL = "gcp:container/nodePool:NodePool"
CLUSTER = "gcp:container/cluster:Cluster"
TPU_VM = "gcp:tpu/v2Vm:V2Vm"
BUCKET = "gcp:storage/bucket:Bucket"
ROUTER_NAT = "gcp:compute/routerNat:RouterNat"
DEPLOYMENT_RESOURCE_POOL = "gcp:vertex/aiDeploymentResourcePool:AiDeploymentResourcePool"
MODEL_GARDEN_ENDPOINT = "gcp:vertex/aiEndpointWithModelGardenDeployment:AiEndpointWithModelGardenDeployment"
CRYPTO_KEY = "gcp:kms/cryptoKey:CryptoKey"
RESERVATION = "gcp:compute/reservation:Reservation"

SECONDS_PER_YEAR = 365 * 86_400

GKE_DEFAULT_MACHINE = "e2-medium"
REGIONAL_DEFAULT_ZONES = 3
"""Zones a regional cluster's node pool spans when `nodeLocations` is not set (GKE's default)."""
CLOUD_NAT_MAX_BILLED_VMS = 32
"""Cloud NAT bills per VM-hour for the first 32 VMs; beyond that the gateway charge is flat."""
_ZONE = re.compile(r"^([a-z]+-[a-z]+\d+)-[a-z]$")


def region_of_location(location: Any) -> str | None:
    """`us-central1-a` -> `us-central1`; a region or multi-region (`EU`) is returned as is."""
    if not isinstance(location, str) or not location:
        return None
    match = _ZONE.match(location.lower())
    return match.group(1) if match else location


def _zones(inputs: Mapping[str, Any]) -> tuple[int, str]:
    """How many zones per-zone node counts multiply by, and why."""
    node_locations = inputs.get("nodeLocations")
    if isinstance(node_locations, list) and node_locations:
        return len(node_locations), f"{len(node_locations)} zones (nodeLocations)"
    location = inputs.get("location")
    if isinstance(location, str) and _ZONE.match(location.lower()):
        return 1, "1 zone"
    return REGIONAL_DEFAULT_ZONES, f"{REGIONAL_DEFAULT_ZONES} zones (regional default; set nodeLocations to be exact)"


def node_pool(ctx: EstimateContext) -> ResourceCost:
    config = ctx.inputs.get("nodeConfig") or {}
    machine_type = str(config.get("machineType") or GKE_DEFAULT_MACHINE)
    spot = bool(config.get("spot") or config.get("preemptible"))
    counts = _node_counts(ctx.inputs)
    if isinstance(counts, str):
        return ctx.unknown(counts, f"{HOURS_PER_MONTH} h {TIMES} ? {TIMES} {machine_type}")
    low, high, how = counts
    accelerators = _guest_accelerators(ctx, config.get("guestAccelerators"))
    if isinstance(accelerators, Unpriced):
        return ctx.unknown(
            accelerators.reason, f"{HOURS_PER_MONTH} h {TIMES} {count_text(low, high)} {TIMES} {machine_type}"
        )
    return pool_cost(
        ctx,
        machine_type=machine_type,
        low=low,
        high=high,
        spot=spot,
        accelerators=accelerators,
        note=how,
        tags=config.get("resourceLabels"),
    )


def _node_counts(inputs: Mapping[str, Any]) -> tuple[int, int, str] | str:
    autoscaling = inputs.get("autoscaling") or {}
    if autoscaling:
        total_min, total_max = (
            whole_number(autoscaling.get("totalMinNodeCount")),
            whole_number(autoscaling.get("totalMaxNodeCount")),
        )
        if total_min is not None or total_max is not None:
            low, high = total_min or 0, total_max if total_max is not None else total_min or 0
            return low, high, "total min..max nodes"
        per_min, per_max = whole_number(autoscaling.get("minNodeCount")), whole_number(autoscaling.get("maxNodeCount"))
        if per_min is None and per_max is None:
            return "autoscaling has no min/max node counts in the inputs"
        zones, why = _zones(inputs)
        low, high = (per_min or 0) * zones, (per_max if per_max is not None else per_min or 0) * zones
        return low, high, f"per-zone min..max {TIMES} {why}"
    count = whole_number(inputs.get("nodeCount"))
    if count is None:
        count = whole_number(inputs.get("initialNodeCount"))
    if count is None:
        return "no autoscaling and no nodeCount in the inputs"
    zones, why = _zones(inputs)
    return count * zones, count * zones, f"fixed size: nodes per zone {TIMES} {why}"


def _guest_accelerators(ctx: EstimateContext, raw: Any) -> list[tuple[str, int]] | Unpriced | None:
    """GPUs declared on the node config as (neutral name, count); None when none are declared."""
    if not isinstance(raw, list) or not raw:
        return None
    found: list[tuple[str, int]] = []
    for accelerator in raw:
        cloud_type = str(accelerator.get("type", "")) if isinstance(accelerator, dict) else ""
        count = whole_number(accelerator.get("count")) if isinstance(accelerator, dict) else None
        name = ctx.prices.neutral_accelerator("gcp", cloud_type)
        if name is None or count is None:
            return Unpriced(
                f"guest accelerator {cloud_type or '?'} {TIMES} {count} is not mapped to a catalog accelerator"
            )
        found.append((name, count))
    return found


def cluster(ctx: EstimateContext) -> ResourceCost:
    note = "" if ctx.inputs.get("removeDefaultNodePool") else "the default node pool is not priced"
    return fee_cost(ctx, "gke-cluster", "GKE cluster management fee", note=note)


def tpu_vm(ctx: EstimateContext) -> ResourceCost:
    config = ctx.inputs.get("acceleratorConfig") or {}
    accelerator_type = ctx.inputs.get("acceleratorType")
    tpu = ctx.prices.tpu_vm(
        "gcp",
        str(accelerator_type) if accelerator_type else None,
        str(config.get("type")) if config.get("type") else None,
        str(config.get("topology")) if config.get("topology") else None,
    )
    label = accelerator_type or f"{config.get('type', '?')} {config.get('topology', '?')}"
    if tpu is None:
        return ctx.unknown(
            f"TPU accelerator type {label} is not in the catalog's TPU table", f"{HOURS_PER_MONTH} h {TIMES} {label}"
        )
    accelerator, chips = tpu
    scheduling = ctx.inputs.get("schedulingConfig") or {}
    spot = bool(scheduling.get("spot") or scheduling.get("preemptible"))
    chip = ctx.prices.accelerator("gcp", accelerator, ctx.region)
    capacity = "spot" if spot else "on-demand"
    if isinstance(chip, Unpriced):
        return ctx.unknown(chip.reason, f"{HOURS_PER_MONTH} h {TIMES} {chips} chips {TIMES} {accelerator} {capacity}")
    rate = chip.spot if spot else chip.price
    ctx.cite(chip)
    if rate is None:
        return ctx.unknown(
            f"no spot price for {accelerator}: {chip.spot_unknown}",
            f"{HOURS_PER_MONTH} h {TIMES} {chips} chips {TIMES} {accelerator} spot",
        )
    discount = ctx.price_book.discount("gcp", accelerator)
    effective = discount.apply(rate) if discount else rate
    chip_count = f"{chips} chip" if chips == 1 else f"{chips} chips"
    basis = f"{HOURS_PER_MONTH} h {TIMES} {chip_count} ({label}) {TIMES} {accelerator} {capacity}"
    basis += f" {usd_rate(rate)}/chip-h"
    if discount:
        basis += f" {discount.describe()}"
    monthly = HOURS_PER_MONTH * chips * effective
    return ctx.cost(monthly, monthly, basis)


def bucket(ctx: EstimateContext) -> ResourceCost:
    base_class = str(ctx.inputs.get("storageClass") or "STANDARD").upper()
    transitions: list[tuple[int, str]] = []
    for rule in ctx.inputs.get("lifecycleRules") or []:
        if not isinstance(rule, dict):
            continue
        action, condition = rule.get("action") or {}, rule.get("condition") or {}
        age = whole_number(condition.get("age"))
        if str(action.get("type")) == "SetStorageClass" and action.get("storageClass") and age is not None:
            transitions.append((age, str(action["storageClass"]).upper()))
    autoclass = ctx.inputs.get("autoclass") or {}
    if autoclass.get("enabled"):
        # Autoclass moves objects not read for 30 / 90 / 365 days to colder classes.
        transitions = [(30, "NEARLINE")]
        if str(autoclass.get("terminalStorageClass", "NEARLINE")).upper() == "ARCHIVE":
            transitions += [(90, "COLDLINE"), (365, "ARCHIVE")]
        note = "autoclass tiering"
    else:
        note = "tiering from lifecycle rules" if transitions else f"no lifecycle transitions: all data in {base_class}"
    return storage_cost(
        ctx,
        size_gib=expected_size_gib(ctx.inputs.get("labels")),
        base_class=base_class,
        transitions=transitions,
        tiering_note=note,
    )


def router_nat(ctx: EstimateContext) -> ResourceCost:
    quote = ctx.prices.fee("gcp", "cloud-nat-per-vm", ctx.region)
    basis = f"{HOURS_PER_MONTH} h {TIMES} 0..{CLOUD_NAT_MAX_BILLED_VMS} VMs using the gateway"
    if isinstance(quote, Unpriced):
        return ctx.unknown(quote.reason, basis)
    ctx.cite(quote)
    discount = ctx.price_book.discount("gcp")
    rate = discount.apply(quote.price) if discount else quote.price
    basis += f" {TIMES} {usd_rate(quote.price)}/VM-h (flat beyond {CLOUD_NAT_MAX_BILLED_VMS} VMs)"
    basis += "; data processing not modelled"
    if discount:
        basis += f" {discount.describe()}"
    return ctx.cost(0, HOURS_PER_MONTH * CLOUD_NAT_MAX_BILLED_VMS * rate, basis)


def _dedicated(ctx: EstimateContext, dedicated: Any, spot: bool) -> ResourceCost:
    if not isinstance(dedicated, dict):
        return ctx.unknown("no dedicatedResources in the inputs (automatic resources are not modelled)")
    spec = dedicated.get("machineSpec") or {}
    machine_type = spec.get("machineType")
    low = whole_number(dedicated.get("minReplicaCount"))
    high = whole_number(dedicated.get("maxReplicaCount"))
    if not machine_type or low is None:
        return ctx.unknown("machineSpec.machineType / minReplicaCount are not known from the inputs")
    high = high if high is not None else low
    return pool_cost(
        ctx, machine_type=str(machine_type), low=low, high=high, spot=spot, role="endpoint", note="Vertex AI replicas"
    )


def deployment_resource_pool(ctx: EstimateContext) -> ResourceCost:
    return _dedicated(ctx, ctx.inputs.get("dedicatedResources"), spot=False)


def model_garden_endpoint(ctx: EstimateContext) -> ResourceCost:
    dedicated = (ctx.inputs.get("deployConfig") or {}).get("dedicatedResources")
    spot = bool(dedicated.get("spot")) if isinstance(dedicated, dict) else False
    return _dedicated(ctx, dedicated, spot=spot)


def crypto_key(ctx: EstimateContext) -> ResourceCost:
    """Cloud KMS bills every enabled key version by the month. Rotation adds a version each
    period and old versions stay enabled (billed) until destroyed: floor 1 version, ceiling the
    versions a year of rotation leaves."""
    template = ctx.inputs.get("versionTemplate") or {}
    level = str(template.get("protectionLevel") or "SOFTWARE").upper() if isinstance(template, dict) else "SOFTWARE"
    fee = "kms-key-version-hsm" if level == "HSM" else "kms-key-version-software"
    one = fee_cost(ctx, fee, f"{level.lower()} key version")
    period = str(ctx.inputs.get("rotationPeriod") or "")
    seconds = int(period[:-1]) if period.endswith("s") and period[:-1].isdigit() else 0
    if not one.known or one.floor_usd is None or seconds <= 0:
        return one
    versions = 1 + SECONDS_PER_YEAR // seconds
    basis = f"{one.basis} (floor: 1 version) .. {versions} versions after a year of rotation every "
    basis += f"{seconds // 86_400} d (ceiling: old versions not destroyed)"
    return ctx.cost(one.floor_usd, one.floor_usd * versions, basis)


def reservation(ctx: EstimateContext) -> ResourceCost:
    """A specific Compute Engine reservation bills its VMs (and GPUs) at the on-demand rate
    whether VMs consume it or not; the node pool that consumes it leaves those nodes out."""
    specific = ctx.inputs.get("specificReservation") or {}
    count = whole_number(specific.get("count")) if isinstance(specific, dict) else None
    properties = (specific.get("instanceProperties") or {}) if isinstance(specific, dict) else {}
    machine_type = properties.get("machineType")
    if count is None or not machine_type:
        return ctx.unknown("specificReservation.count / instanceProperties.machineType are not known from the inputs")
    accelerators = _guest_accelerators(ctx, properties.get("guestAccelerators"))
    if isinstance(accelerators, Unpriced):
        return ctx.unknown(accelerators.reason, f"{HOURS_PER_MONTH} h {TIMES} {count} {TIMES} {machine_type}")
    return pool_cost(
        ctx,
        machine_type=str(machine_type),
        low=count,
        high=count,
        spot=False,
        accelerators=accelerators,
        note="reserved capacity: billed whether used or not",
    )


def global_address(ctx: EstimateContext) -> ResourceCost | None:
    """An internal range (private services access peering) is not billed; an external static
    address is, and its rate is not in the catalog."""
    if str(ctx.inputs.get("addressType") or "EXTERNAL").upper() == "INTERNAL":
        return None
    return ctx.unknown("an external static IP address is billed per hour; the rate is not in the catalog")


ESTIMATORS: dict[str, Estimator] = {
    "gcp:compute/globalAddress:GlobalAddress": global_address,
    NODE_POOL: node_pool,
    CLUSTER: cluster,
    TPU_VM: tpu_vm,
    BUCKET: bucket,
    ROUTER_NAT: router_nat,
    DEPLOYMENT_RESOURCE_POOL: deployment_resource_pool,
    MODEL_GARDEN_ENDPOINT: model_garden_endpoint,
    CRYPTO_KEY: crypto_key,
    RESERVATION: reservation,
}
