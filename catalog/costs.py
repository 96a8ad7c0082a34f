"""Monthly cost estimates from resource inputs: the one cost model behind preflight's MONTHLY
column and the policy pack's cost rules.

Per resource (`estimate_resource`): 730 h x count x the catalog's hourly rate, where the count is
a range: node pools from min nodes (the idle floor) to max nodes (the ceiling), spot when the pool
is spot; endpoints from min to max replicas; TPU slices by chips; flat hourly fees (control
planes, NAT gateways); buckets from the expected size tag/label, from the STANDARD price (all data
new: ceiling) down to the coldest class a lifecycle transition reaches (floor). An unknown price
comes back with `unknown_reason` and no figures, never as $0. A type without an estimator is
unknown too ("no estimator for <type>") unless catalog/data/free_types.yaml lists it: `free` and
`billed-elsewhere` types return None (not billed, or priced on another resource), `usage` types
come back as usage-only items (no standing charge; MONTHLY says `usage`).

Per stack (`estimate_resources`): the same, plus what needs more than one resource — a SageMaker
endpoint configuration is sized by the autoscaling targets of its variants (found through the
endpoint that uses it), and an S3 bucket is tiered by its lifecycle configuration. Both the
policy pack and preflight call this; `estimate_stack` adds the results up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from catalog.estimators import ESTIMATORS
from catalog.estimators import aws as aws_estimators
from catalog.estimators.base import (
    EXPECTED_SIZE_TAG,
    HOURS_PER_MONTH,
    EstimateContext,
    ResourceCost,
    cloud_of,
    with_expected_size_tag,
)
from catalog.estimators.gcp import region_of_location
from catalog.free_types import FreeType, load_free_types
from catalog.price_book import PriceBook, PriceBookError, parse_price_book
from catalog.prices import DASH, PriceCatalog, load_prices

__all__ = [
    "EXPECTED_SIZE_TAG",
    "HOURS_PER_MONTH",
    "PriceBook",
    "PriceBookError",
    "ResourceCost",
    "ResourceInput",
    "StackCost",
    "estimate_resource",
    "estimate_resources",
    "estimate_stack",
    "format_cost",
    "format_usd",
    "free_type",
    "is_priced_type",
    "parse_price_book",
    "with_expected_size_tag",
]


@dataclass(frozen=True)
class ResourceInput:
    """One resource of a stack, as `estimate_resources` needs it."""

    type: str
    urn: str
    inputs: Mapping[str, Any]
    """Engine (camelCase) inputs."""
    region: str | None = None
    """The region of the resource's provider, for resources whose inputs do not name one
    (AWS and Alibaba resources, Azure agent pools). Resources' own `region`/`location`/`zone`
    inputs take precedence."""
    dependencies: Sequence[str] = ()
    """URNs this resource depends on (dependencies and property dependencies): used to find the
    endpoint behind an autoscaling target and the bucket behind a lifecycle configuration."""


def is_priced_type(type_: str) -> bool:
    """True when `estimate_resource` has an estimator for this type."""
    return type_ in ESTIMATORS


def free_type(type_: str) -> FreeType | None:
    """Why a type without an estimator carries no standing charge (None: it is not listed, so
    resources of it are unknown prices)."""
    return None if type_ in ESTIMATORS else load_free_types().match(type_)


def region_from_inputs(type_: str, inputs: Mapping[str, Any]) -> str | None:
    """The region a resource's own inputs name (GCP zones map to their region)."""
    cloud = cloud_of(type_)
    if cloud == "gcp":
        for key in ("location", "region", "zone"):
            region = region_of_location(inputs.get(key))
            if region:
                return region
        return None
    key = "location" if cloud == "azure" else "region"
    value = inputs.get(key)
    return value if isinstance(value, str) and value else None


def estimate_resource(
    type_: str,
    urn: str,
    inputs: Mapping[str, Any],
    *,
    price_book: Mapping[str, Any] | PriceBook | None = None,
    region: str | None = None,
    prices: PriceCatalog | None = None,
) -> ResourceCost | None:
    """The monthly estimate of one resource from its inputs alone, or None when it carries no
    standing charge (a free or billed-elsewhere type, see `free_type`). `price_book`: the stack's
    `ai-infra:price_book` value (raises `PriceBookError` when malformed). `region`: the
    provider's region when the inputs do not name one. `prices`: the figures to use (default:
    catalog/data/prices)."""
    return _estimate(type_, urn, inputs, region, parse_price_book(price_book), prices or load_prices(), {})


def _estimate(
    type_: str,
    urn: str,
    inputs: Mapping[str, Any],
    region: str | None,
    book: PriceBook,
    prices: PriceCatalog,
    hints: Mapping[str, Any],
) -> ResourceCost | None:
    estimator = ESTIMATORS.get(type_)
    context = EstimateContext(
        type=type_,
        urn=urn,
        inputs=inputs,
        region=region_from_inputs(type_, inputs) or region,
        price_book=book,
        prices=prices,
        hints=hints,
    )
    if estimator is not None:
        return estimator(context)
    free = load_free_types().match(type_)
    if free is None:
        return context.unknown(
            f"no estimator for {type_} (price it in catalog/estimators, or list it in catalog/data/free_types.yaml "
            "if it carries no standing charge)"
        )
    if free.kind == "usage":
        return context.usage(free.reason)
    return None


def estimate_resources(
    items: Iterable[ResourceInput],
    *,
    price_book: Mapping[str, Any] | PriceBook | None = None,
    prices: PriceCatalog | None = None,
) -> list[ResourceCost]:
    """Estimates for every priced resource of a stack, in the order given, with the cross-resource
    facts correlated (SageMaker autoscaling targets, S3 lifecycle tiering, Azure agent pools
    taking their cluster's location). `price_book` and `prices` as for `estimate_resource`."""
    book = parse_price_book(price_book)
    prices = prices or load_prices()
    resources = list(items)
    by_urn = {item.urn: item for item in resources}
    hints = _correlate(resources, by_urn)
    costs = []
    for item in resources:
        region = item.region or _dependency_region(item, by_urn)
        cost = _estimate(item.type, item.urn, item.inputs, region, book, prices, hints.get(item.urn, {}))
        if cost is not None:
            costs.append(cost)
    return costs


def _dependency_region(item: ResourceInput, by_urn: Mapping[str, ResourceInput]) -> str | None:
    # An AKS agent pool names its cluster, not a location; the cluster it depends on does.
    for urn in item.dependencies:
        dependency = by_urn.get(urn)
        if dependency is not None and cloud_of(dependency.type) == cloud_of(item.type):
            region = region_from_inputs(dependency.type, dependency.inputs)
            if region:
                return region
    return None


def _related(
    item: ResourceInput,
    type_: str,
    by_urn: Mapping[str, ResourceInput],
    pool: Sequence[ResourceInput],
    input_name: str,
    value: Any,
) -> ResourceInput | None:
    """The resource of `type_` that `item` depends on, else the only one in `pool` whose input
    `input_name` is `value` (None matches nothing)."""
    for urn in item.dependencies:
        dependency = by_urn.get(urn)
        if dependency is not None and dependency.type == type_:
            return dependency
    if value is None:
        return None
    candidates = [r for r in pool if r.type == type_ and r.inputs.get(input_name) == value]
    return candidates[0] if len(candidates) == 1 else None


def _correlate(resources: Sequence[ResourceInput], by_urn: Mapping[str, ResourceInput]) -> dict[str, dict[str, Any]]:
    hints: dict[str, dict[str, Any]] = {}
    for item in resources:
        if item.type == aws_estimators.AUTOSCALING_TARGET:
            target = aws_estimators.sagemaker_variant_target(dict(item.inputs))
            if target is None:
                continue
            endpoint_name, variant, low, high = target
            endpoint = _related(item, aws_estimators.ENDPOINT, by_urn, resources, "name", endpoint_name)
            if endpoint is None:
                continue
            config_name = endpoint.inputs.get("endpointConfigName")
            config = _related(endpoint, aws_estimators.ENDPOINT_CONFIGURATION, by_urn, resources, "name", config_name)
            if config is not None:
                hints.setdefault(config.urn, {}).setdefault(aws_estimators.AUTOSCALING_HINT, {})[variant] = (low, high)
        elif item.type == aws_estimators.BUCKET_LIFECYCLE:
            bucket = _related(item, aws_estimators.BUCKET, by_urn, resources, "bucket", item.inputs.get("bucket"))
            if bucket is not None:
                transitions = aws_estimators.lifecycle_transitions(dict(item.inputs))
                hints.setdefault(bucket.urn, {})[aws_estimators.LIFECYCLE_HINT] = transitions
    return hints


@dataclass(frozen=True)
class StackCost:
    """Totals of a stack's estimates. Unknown items are counted, not summed."""

    floor_usd: float
    ceiling_usd: float
    unknown_count: int
    by_cloud: dict[str, tuple[float, float]] = field(default_factory=dict)
    """cloud -> (floor_usd, ceiling_usd) of its known items."""
    unknown_by_cloud: dict[str, int] = field(default_factory=dict)
    """cloud -> number of unpriced items (only clouds that have some)."""
    priced_count: int = 0
    """Items with a known estimate (usage-only items included)."""
    usage_count: int = 0
    """Items billed only by usage the estimate does not model (not in the totals)."""
    list_floor_usd: float | None = None
    list_ceiling_usd: float | None = None
    """The totals at list prices, when a commitment discounts some item (None otherwise)."""

    def to_json(self) -> dict[str, Any]:
        clouds = sorted(set(self.by_cloud) | set(self.unknown_by_cloud))
        return {
            "floor_usd": self.floor_usd,
            "ceiling_usd": self.ceiling_usd,
            "unknown_count": self.unknown_count,
            "usage_count": self.usage_count,
            "list_floor_usd": self.list_floor_usd,
            "list_ceiling_usd": self.list_ceiling_usd,
            "by_cloud": {
                cloud: {
                    "floor_usd": self.by_cloud.get(cloud, (0.0, 0.0))[0],
                    "ceiling_usd": self.by_cloud.get(cloud, (0.0, 0.0))[1],
                    "unknown_count": self.unknown_by_cloud.get(cloud, 0),
                }
                for cloud in clouds
            },
        }


def estimate_stack(costs: Iterable[ResourceCost]) -> StackCost:
    """Floor and ceiling totals of the known items, overall and per cloud, and how many are unknown."""
    floors: dict[str, float] = {}
    ceilings: dict[str, float] = {}
    unknown: dict[str, int] = {}
    priced = usage = 0
    list_floor = list_ceiling = 0.0
    committed = False
    for cost in costs:
        floors.setdefault(cost.cloud, 0.0)
        ceilings.setdefault(cost.cloud, 0.0)
        if not cost.known:
            unknown[cost.cloud] = unknown.get(cost.cloud, 0) + 1
            continue
        priced += 1
        usage += cost.usage_only
        floors[cost.cloud] += cost.floor_usd or 0.0
        ceilings[cost.cloud] += cost.ceiling_usd or 0.0
        committed = committed or cost.list_floor_usd is not None
        list_floor += cost.list_floor_usd if cost.list_floor_usd is not None else cost.floor_usd or 0.0
        list_ceiling += cost.list_ceiling_usd if cost.list_ceiling_usd is not None else cost.ceiling_usd or 0.0
    by_cloud = {cloud: (round(floors[cloud], 2), round(ceilings[cloud], 2)) for cloud in sorted(floors)}
    return StackCost(
        floor_usd=round(sum(floors.values()), 2),
        ceiling_usd=round(sum(ceilings.values()), 2),
        unknown_count=sum(unknown.values()),
        by_cloud=by_cloud,
        unknown_by_cloud=dict(sorted(unknown.items())),
        priced_count=priced,
        usage_count=usage,
        list_floor_usd=round(list_floor, 2) if committed else None,
        list_ceiling_usd=round(list_ceiling, 2) if committed else None,
    )


def format_usd(amount: float) -> str:
    """`$0`, `$12.40`, `$1,240` (whole dollars from $1,000 up)."""
    if amount == 0:
        return "$0"
    if abs(amount) >= 1000:
        return f"${amount:,.0f}"
    return f"${amount:,.2f}"


def format_range(floor: float, ceiling: float) -> str:
    """`$12.40` when floor and ceiling agree, else `$0-$1,240`."""
    if round(floor, 2) == round(ceiling, 2):
        return format_usd(floor)
    return f"{format_usd(floor)}{DASH}{format_usd(ceiling)}"


def format_cost(cost: ResourceCost) -> str:
    """A resource's monthly cell: `$12.40`, `$0-$1,240`, `unknown`, `usage` (billed only by usage),
    or `$1,032-$6,196 (list $1,637-$6,801)` when a commitment discounts it."""
    if not cost.known or cost.floor_usd is None or cost.ceiling_usd is None:
        return "unknown"
    if cost.usage_only:
        return "usage"
    text = format_range(cost.floor_usd, cost.ceiling_usd)
    if cost.list_floor_usd is not None and cost.list_ceiling_usd is not None:
        text += f" (list {format_range(cost.list_floor_usd, cost.list_ceiling_usd)})"
    return text
