"""Turns a recorded run into what the cost model needs: each resource's inputs, the region of
its provider, its dependencies, and the stack's price book."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from catalog.costs import PriceBook, PriceBookError, ResourceInput, is_priced_type, parse_price_book
from catalog.estimators.base import cloud_of
from preflight.project import UsageError
from preflight.records import ProgramRun, ResourceRecord

# The config key a provider package reads its region from when no explicit provider is given.
_DEFAULT_REGION_KEYS = {
    "aws": "aws:region",
    "gcp": "gcp:region",
    "azure": "azure-native:location",
    "alicloud": "alicloud:region",
}
# The input of an explicit provider that holds its region.
_PROVIDER_REGION_INPUTS = {"aws": "region", "gcp": "region", "azure": "location", "alicloud": "region"}


def provider_region(
    record: ResourceRecord, by_urn: Mapping[str, ResourceRecord], config: Mapping[str, str]
) -> str | None:
    """The region of the provider a resource is created with: its explicit provider's region
    input, else the provider package's region from stack config."""
    cloud = cloud_of(record.type)
    provider = by_urn.get(record.provider) if record.provider else None
    if provider is not None:
        value = provider.inputs.get(_PROVIDER_REGION_INPUTS.get(cloud, "region"))
        if isinstance(value, str) and value:
            return value
    key = _DEFAULT_REGION_KEYS.get(cloud)
    value = config.get(key) if key else None
    return value if isinstance(value, str) and value else None


def resource_inputs(run: ProgramRun, config: Mapping[str, str]) -> list[ResourceInput]:
    """Every custom resource of the run (providers excluded) as a cost-model input, in URN order."""
    by_urn = run.by_urn()
    items = []
    for record in run.sorted_resources():
        if not record.custom or record.is_provider or record.op == "read":
            # Reads are existing resources: this change does not create (or pay for) them.
            continue
        dependencies = list(
            dict.fromkeys([*record.dependencies, *(u for us in record.property_dependencies.values() for u in us)])
        )
        items.append(
            ResourceInput(
                type=record.type,
                urn=record.urn,
                inputs=record.inputs,
                region=provider_region(record, by_urn, config) if is_priced_type(record.type) else None,
                dependencies=dependencies,
            )
        )
    return items


def price_book_from_config(project: str, config: Mapping[str, str]) -> PriceBook:
    """The `<project>:price_book` value of the stack config (engine form: a JSON string)."""
    key = f"{project}:price_book"
    raw: Any = config.get(key)
    if raw is None:
        return parse_price_book(None)
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            raise UsageError(f"{key}: expected a mapping with the key 'discounts', got {raw!r}") from None
    try:
        return parse_price_book(raw)
    except PriceBookError as exc:
        raise UsageError("\n".join(exc.lines(key))) from None
