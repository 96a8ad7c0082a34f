"""Cost: resources are created in approved regions only (C11), read from providers, resources and
the stack's default region config."""

from __future__ import annotations

import re
from collections.abc import Iterator

from catalog import CatalogError, load_catalog
from policies.framework import (
    Context,
    Example,
    Finding,
    Rule,
    Stack,
    cloud_of,
)

# -- C11 ------------------------------------------------------------------------------------------
PROVIDER_TYPES = {
    "pulumi:providers:aws": ("aws", ("region",)),
    "pulumi:providers:gcp": ("gcp", ("region", "zone")),
    "pulumi:providers:azure-native": ("azure", ("location",)),
    "pulumi:providers:alicloud": ("alicloud", ("region",)),
}
RESOURCE_REGION_KEYS = {
    "aws": ("region",),
    "gcp": ("region", "location", "zone"),
    "azure": ("location",),
    "alicloud": (),
}
DEFAULT_REGION_CONFIG = {
    "aws": "aws:region",
    "gcp": "gcp:region",
    "azure": "azure-native:location",
    "alicloud": "alicloud:region",
}
_GCP_ZONE = re.compile(r"^([a-z]+-[a-z]+\d+)-[a-z]$")
_EVERYWHERE = {"global"}


def normalize_region(cloud: str, value: str) -> str:
    region = value.strip().lower()
    if cloud == "azure":
        region = region.replace(" ", "")
    if cloud == "gcp" and (match := _GCP_ZONE.match(region)):
        region = match.group(1)
    return region


def _allowed_regions(ctx: Context, cloud: str) -> set[str] | None:
    configured = ctx.config.get("allowedRegions") or {}
    if cloud in configured:
        return {normalize_region(cloud, r) for r in configured[cloud]}
    try:
        return set(load_catalog().cloud(cloud).regions)
    except CatalogError:
        return None  # the catalog has no regions for this cloud: nothing to compare against


def _disallowed(ctx: Context, cloud: str, value: object) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    allowed = _allowed_regions(ctx, cloud)
    region = normalize_region(cloud, value)
    if allowed is None or region in allowed or region in _EVERYWHERE:
        return None
    return f"{value!r} is not an approved {cloud} region (approved: {', '.join(sorted(allowed))})"


def _c11_totals(stack: Stack, ctx: Context) -> Iterator[Finding]:
    implicit: dict[str, int] = {}
    for resource in stack.resources:
        if resource.type in PROVIDER_TYPES:
            provider_cloud, keys = PROVIDER_TYPES[resource.type]
            for key in keys:
                if problem := _disallowed(ctx, provider_cloud, resource.get(key)):
                    yield Finding(resource.urn, f"provider {key} {problem}")
            continue
        cloud = cloud_of(resource.type)
        if cloud is None or resource.type.startswith(("pulumi:", "ai-infra:")):
            continue
        own = [resource.get(k) for k in RESOURCE_REGION_KEYS.get(cloud, ()) if isinstance(resource.get(k), str)]
        for value in own:
            if problem := _disallowed(ctx, cloud, value):
                yield Finding(resource.urn, problem)
        if not own and resource.provider is None:
            implicit[cloud] = implicit.get(cloud, 0) + 1
    for cloud, count in sorted(implicit.items()):
        key = DEFAULT_REGION_CONFIG[cloud]
        if problem := _disallowed(ctx, cloud, ctx.env.config_value(key)):
            yield Finding(
                stack.stack_urn or ctx.env.stack_urn,
                f"{count} {cloud} resource(s) use the default provider: {key} {problem}",
            )


REGION_ALLOWED = Rule(
    id="region-allowed",
    ref="C11",
    domain="cost",
    description="Resources are created in approved regions only.",
    severity="medium",
    tags=("cost",),
    remediation="Use an approved region in the stack config (catalog/data/<cloud>.yaml regions), or approve the "
    "region in allowedRegions of policies/config/<stack>.json.",
    rationale="Where data and workloads run decides which laws apply to them, what they cost (accelerator prices "
    "differ by region) and whether the catalog and the reviewed network plan cover them. A resource in an "
    "unapproved region is often a typo or a default nobody chose.",
    examples=(
        Example(
            type="gcp:container/cluster:Cluster",
            compliant={"name": "ai-infra-prod", "location": "us-central1", "enableAutopilot": False},
            violating={"name": "ai-infra-prod", "location": "me-central2", "enableAutopilot": False},
            note="a region outside the approved list (by default, the regions of catalog/data/gcp.yaml)",
        ),
    ),
    needs_stack=True,
    totals=_c11_totals,
    covers=tuple(PROVIDER_TYPES),
    properties={
        "allowedRegions": {
            "type": "object",
            "properties": {
                c: {"type": "array", "items": {"type": "string"}} for c in ("aws", "gcp", "azure", "alicloud")
            },
            "additionalProperties": False,
            "description": "Approved regions per cloud; a cloud left out may use every region of the catalog.",
        }
    },
)
