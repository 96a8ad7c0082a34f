"""Stateful resources protected against deletion (S24)."""

from __future__ import annotations

from collections.abc import Iterator

from catalog import stateful_types
from policies.framework import Check, Context, Example, Resource, Rule


# -- S24: protect stateful resources --------------------------------------------------------------
def _s24(resource: Resource, ctx: Context) -> Iterator[str]:
    if not resource.protect:
        yield "holds data or is expensive to recreate but is not protected (protect=True, retainOnDelete=True)"


def _stateful_checks() -> dict[str, Check]:
    return {type_: _s24 for types in stateful_types().values() for type_ in sorted(types)}


STATEFUL_PROTECTED = Rule(
    id="stateful-resources-protected",
    ref="S24",
    domain="storage",
    description="Stateful resources (buckets, keys, clusters, workspaces) are protected against deletion.",
    severity="high",
    tags=("security",),
    remediation="Declare the resource with ResourceOptions(protect=True, retain_on_delete=True) in this environment "
    "(components do this through stateful_options when the stack is prod).",
    rationale="A refactor, a renamed component or a mistaken `pulumi destroy` deletes what the program no longer "
    "declares. Protection makes the engine refuse to delete buckets, keys, clusters and workspaces, and "
    "retainOnDelete keeps the cloud resource if it is ever dropped from the program. The verdict rests on"
    " resource options, not inputs.",
    examples=(
        Example(
            type="gcp:kms/cryptoKey:CryptoKey",
            compliant={"purpose": "ENCRYPT_DECRYPT", "rotationPeriod": "7776000s"},
            violating={"purpose": "ENCRYPT_DECRYPT", "rotationPeriod": "7776000s"},
            note="the same inputs, declared without protect=True and retainOnDelete=True",
        ),
    ),
    checks=_stateful_checks(),
)
