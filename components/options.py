"""Resource options shared by every cloud's components."""

from __future__ import annotations

import pulumi


def child_options(parent: pulumi.Resource, **extra: object) -> pulumi.ResourceOptions:
    """Options for a component's child: parented to the component (providers flow from it)."""
    return pulumi.ResourceOptions(parent=parent, **extra)  # type: ignore[arg-type]


def stateful_options(parent: pulumi.Resource, protect: bool, **extra: object) -> pulumi.ResourceOptions:
    """Options for a resource that holds data or is expensive to recreate (bucket, key, cluster).

    With `protect`, the engine refuses to delete it and, if it is ever removed from the program,
    leaves the cloud resource in place (`retain_on_delete`) instead of destroying the data."""
    return pulumi.ResourceOptions(
        parent=parent,
        protect=protect,
        retain_on_delete=protect,
        **extra,  # type: ignore[arg-type]
    )
