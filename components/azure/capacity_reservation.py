"""`ai-infra:azure:CapacityReservation`: an on-demand capacity reservation for an AKS GPU pool: a
regional capacity reservation group holding one reservation of `nodes` VMs of the pool's size,
and a custom role that allows deploying VMs into that group and nothing else (AKS's control-plane
identity needs it; the built-in Contributor the AKS docs suggest is far wider). The pool is
associated with the group (`GpuPoolArgs.capacity_reservation`) and may grow past it on ordinary
capacity. Reserved VMs bill at the pay-as-you-go rate whether used or not: guaranteed capacity
for training, priced by the cost estimate."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import authorization, compute

from components.options import child_options


@dataclass(frozen=True, kw_only=True)
class CapacityReservationArgs:
    """Inputs of `CapacityReservation`."""

    subscription_id: str
    resource_group_name: pulumi.Input[str]
    resource_group_id: pulumi.Input[str]
    """Where the custom deploy role is defined (custom roles are assignable at resource-group scope)."""
    location: str
    group_name: str
    """Name of the capacity reservation group (`crg-<cluster>-<pool>`)."""
    vm_size: str
    """The pool's VM size (`Standard_ND96isr_H100_v5`)."""
    nodes: int
    """VMs reserved."""
    tags: Mapping[str, str] = field(default_factory=dict)


class CapacityReservation(pulumi.ComponentResource):
    """Children: the capacity reservation group (regional: no zones, so that a pool not pinned to
    zones can use it), its one reservation of `nodes` x `vm_size`, and the custom deploy role."""

    group_id: pulumi.Output[str]
    """The group's resource id, for the agent pool's `capacity_reservation_group_id` and the role
    grant that lets the cluster deploy into it."""
    deploy_role_id: pulumi.Output[str]
    """Resource id of the custom role allowing VM deployment into the group (grant it on the group)."""
    reservation: compute.CapacityReservation
    """The native reservation, for escape hatches."""

    def __init__(self, name: str, args: CapacityReservationArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:azure:CapacityReservation", name, None, opts)
        if args.nodes < 1:
            raise ValueError(f"a capacity reservation needs at least 1 VM, not {args.nodes}")
        group = compute.CapacityReservationGroup(
            f"{name}-group",
            capacity_reservation_group_name=args.group_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=dict(args.tags),
            opts=child_options(self),
        )
        self.reservation = compute.CapacityReservation(
            f"{name}-reservation",
            capacity_reservation_group_name=group.name,
            capacity_reservation_name=f"cr-{args.vm_size.lower().replace('_', '-')}",
            resource_group_name=args.resource_group_name,
            location=args.location,
            sku={"name": args.vm_size, "capacity": args.nodes},
            tags=dict(args.tags),
            opts=child_options(self),
        )
        role_guid = uuid.uuid5(uuid.NAMESPACE_URL, f"ai-infra/{args.subscription_id}/{name}-deploy-role")
        role = authorization.RoleDefinition(
            f"{name}-deploy-role",
            role_definition_id=str(role_guid),
            role_name=f"ai-infra deploy into {args.group_name}",
            description=f"Deploy VMs into the capacity reservation group {args.group_name} (AKS node pools)",
            scope=args.resource_group_id,
            assignable_scopes=[args.resource_group_id],
            permissions=[
                {
                    "actions": [
                        "Microsoft.Compute/capacityReservationGroups/read",
                        "Microsoft.Compute/capacityReservationGroups/deploy/action",
                        "Microsoft.Compute/capacityReservationGroups/capacityReservations/read",
                        "Microsoft.Compute/capacityReservationGroups/capacityReservations/deploy/action",
                    ]
                }
            ],
            opts=child_options(self),
        )
        self.group_id = group.id
        self.deploy_role_id = role.id
        self.register_outputs({"group_id": self.group_id, "deploy_role_id": self.deploy_role_id})
