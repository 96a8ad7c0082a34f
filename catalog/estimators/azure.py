"""Azure resources priced from their inputs: AKS agent pools and control-plane tiers, NAT
gateways, storage accounts and Azure ML managed online deployments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from catalog.estimators.base import (
    HOURS_PER_MONTH,
    EstimateContext,
    Estimator,
    ResourceCost,
    combine,
    expected_size_gib,
    fee_cost,
    pool_cost,
    storage_cost,
    whole_number,
)
from catalog.prices import TIMES

AGENT_POOL = "azure-native:containerservice:AgentPool"
MANAGED_CLUSTER = "azure-native:containerservice:ManagedCluster"
NAT_GATEWAY = "azure-native:network:NatGateway"
STORAGE_ACCOUNT = "azure-native:storage:StorageAccount"
ONLINE_DEPLOYMENT = "azure-native:machinelearningservices:OnlineDeployment"
KEY_VAULT_KEY = "azure-native:keyvault:Key"
CONTAINER_REGISTRY = "azure-native:containerregistry:Registry"
PUBLIC_IP = "azure-native:network:PublicIPAddress"
PRIVATE_ENDPOINT = "azure-native:network:PrivateEndpoint"
PRIVATE_DNS_ZONE = "azure-native:privatedns:PrivateZone"
CAPACITY_RESERVATION = "azure-native:compute:CapacityReservation"

_AKS_TIER_FEES = {"free": "aks-free", "standard": "aks-standard", "premium": "aks-premium"}


def agent_pool(ctx: EstimateContext) -> ResourceCost:
    return _pool(ctx, ctx.inputs, "")


def _pool(ctx: EstimateContext, pool: Mapping[str, Any], label: str) -> ResourceCost:
    """An agent pool: its own resource, or a profile inline in the managed cluster."""
    vm_size = pool.get("vmSize")
    if not vm_size:
        return ctx.unknown(f"no vmSize in the {label or 'agent pool'} inputs")
    spot = str(pool.get("scaleSetPriority") or "Regular").lower() == "spot"
    if pool.get("enableAutoScaling"):
        low, high = whole_number(pool.get("minCount")), whole_number(pool.get("maxCount"))
        note = "autoscaler min..max"
    else:
        count = whole_number(pool.get("count"))
        low = high = count if count is not None else 1
        note = "fixed count" if count is not None else "fixed count (default 1)"
    if low is None or high is None:
        return ctx.unknown(f"minCount / maxCount of the {label or 'agent pool'} are not known from the inputs")
    if label:
        note = f"{label}: {note}"
    return pool_cost(ctx, machine_type=str(vm_size), low=low, high=high, spot=spot, note=note, tags=pool.get("tags"))


def managed_cluster(ctx: EstimateContext) -> ResourceCost:
    """The control-plane fee of the tier, plus the agent pools declared inline (the system pool)."""
    tier = str((ctx.inputs.get("sku") or {}).get("tier") or "Free")
    fee = _AKS_TIER_FEES.get(tier.lower())
    if fee is None:
        return ctx.unknown(
            f"AKS tier {tier!r} is not one of Free, Standard, Premium", f"{HOURS_PER_MONTH} h {TIMES} AKS control plane"
        )
    parts = [fee_cost(ctx, fee, f"AKS control plane ({tier} tier)")]
    profiles = ctx.inputs.get("agentPoolProfiles") or []
    for profile in profiles if isinstance(profiles, list) else []:
        if isinstance(profile, Mapping):
            parts.append(_pool(ctx, profile, f"inline pool {profile.get('name') or '?'}"))
    return combine(ctx, parts)


def nat_gateway(ctx: EstimateContext) -> ResourceCost:
    return fee_cost(ctx, "nat-gateway", "NAT gateway", note="data processing per GB not modelled")


def storage_account(ctx: EstimateContext) -> ResourceCost:
    """Blob data at the account's access tier and redundancy (`HOT_ZRS` from accessTier Hot and
    sku Standard_ZRS)."""
    tier = str(ctx.inputs.get("accessTier") or "Hot")
    sku = str((ctx.inputs.get("sku") or {}).get("name") or "")
    redundancy = sku.partition("_")[2].upper() if "_" in sku else "?"
    return storage_cost(
        ctx,
        size_gib=expected_size_gib(ctx.inputs.get("tags")),
        base_class=f"{tier}_{redundancy}",
        transitions=None,
        tiering_note=f"all data in the {tier} tier (management-policy tiering is not correlated)",
    )


def online_deployment(ctx: EstimateContext) -> ResourceCost:
    properties = ctx.inputs.get("properties") or {}
    instance_type = properties.get("instanceType")
    if not instance_type:
        return ctx.unknown("no properties.instanceType in the deployment inputs")
    scale = properties.get("scaleSettings") or {}
    if str(scale.get("scaleType", "")).lower() == "targetutilization":
        low, high = whole_number(scale.get("minInstances")), whole_number(scale.get("maxInstances"))
        note = "target-utilization min..max instances"
    else:
        capacity = whole_number((ctx.inputs.get("sku") or {}).get("capacity"))
        low = high = capacity if capacity is not None else 1
        note = "fixed instance count (sku.capacity)" if capacity is not None else "fixed instance count (default 1)"
    if low is None or high is None:
        return ctx.unknown("minInstances / maxInstances are not known from the inputs")
    return pool_cost(ctx, machine_type=str(instance_type), low=low, high=high, spot=False, role="endpoint", note=note)


def key_vault_key(ctx: EstimateContext) -> ResourceCost:
    """HSM-protected keys bill by the month; software-protected keys only per operation."""
    properties = ctx.inputs.get("properties") or {}
    kty = str(properties.get("kty") or "RSA") if isinstance(properties, Mapping) else "RSA"
    if not kty.endswith("-HSM"):
        return ctx.usage("a software-protected key bills per 10,000 operations and per automated rotation")
    size = whole_number(properties.get("keySize")) if isinstance(properties, Mapping) else None
    if kty == "RSA-HSM":
        fee = "key-vault-hsm-key-rsa2048" if (size or 2048) <= 2048 else "key-vault-hsm-key-rsa3072"
        return fee_cost(ctx, fee, f"HSM-protected RSA {size or 2048} key", note="operations not modelled")
    return fee_cost(ctx, f"key-vault-hsm-key-{kty.lower()}", f"HSM-protected {kty} key")


def container_registry(ctx: EstimateContext) -> ResourceCost:
    tier = str((ctx.inputs.get("sku") or {}).get("name") or "?")
    return fee_cost(ctx, f"container-registry-{tier.lower()}", f"{tier} container registry")


def public_ip(ctx: EstimateContext) -> ResourceCost:
    sku = ctx.inputs.get("sku") or {}
    name, tier = str(sku.get("name") or "Standard"), str(sku.get("tier") or "Regional")
    if name != "Standard":
        return ctx.unknown(f"{name} SKU public IPs are not priced (the Basic SKU was retired in 2025)")
    fee = "public-ip-global" if tier == "Global" else "public-ip-standard-static"
    return fee_cost(ctx, fee, f"Standard {tier.lower()} public IP")


def private_endpoint(ctx: EstimateContext) -> ResourceCost:
    return fee_cost(ctx, "private-endpoint", "private endpoint", note="data processed not modelled")


def private_dns_zone(ctx: EstimateContext) -> ResourceCost:
    return fee_cost(ctx, "private-dns-zone", "private DNS zone", note="queries not modelled")


def capacity_reservation(ctx: EstimateContext) -> ResourceCost:
    """On-demand capacity reservations bill the VM size's pay-as-you-go rate whether VMs use them
    or not; the pool that uses the reservation group leaves those nodes out of its own count."""
    sku = ctx.inputs.get("sku") or {}
    vm_size, count = sku.get("name"), whole_number(sku.get("capacity"))
    if not vm_size or count is None:
        return ctx.unknown("sku.name / sku.capacity are not known from the inputs")
    note = "reserved capacity: billed whether used or not"
    return pool_cost(ctx, machine_type=str(vm_size), low=count, high=count, spot=False, note=note)


ESTIMATORS: dict[str, Estimator] = {
    AGENT_POOL: agent_pool,
    MANAGED_CLUSTER: managed_cluster,
    NAT_GATEWAY: nat_gateway,
    STORAGE_ACCOUNT: storage_account,
    ONLINE_DEPLOYMENT: online_deployment,
    KEY_VAULT_KEY: key_vault_key,
    CONTAINER_REGISTRY: container_registry,
    PUBLIC_IP: public_ip,
    PRIVATE_ENDPOINT: private_endpoint,
    PRIVATE_DNS_ZONE: private_dns_zone,
    CAPACITY_RESERVATION: capacity_reservation,
}
