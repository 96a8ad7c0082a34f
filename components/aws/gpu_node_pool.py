"""`ai-infra:aws:GpuNodePool`: one EKS managed node group of accelerator machines, tainted so that
only pods that ask for the accelerator land on it, with hardened nodes and, for multi-node
training, a cluster placement group and EFA networking."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from catalog import MachineType, load_catalog
from components.aws.node_launch_template import node_launch_template
from components.options import child_options

AMI_TYPES = {"gpu": "AL2023_x86_64_NVIDIA", "neuron": "AL2023_x86_64_NEURON"}
"""EKS-optimized AMI (drivers, container toolkit / Neuron runtime) per accelerator kind."""
POOL_LABEL = "ai-infra/pool"
ACCELERATOR_LABEL = "ai-infra/accelerator"


@dataclass(frozen=True, kw_only=True)
class GpuNodePoolArgs:
    """Inputs of `GpuNodePool`."""

    cluster_name: pulumi.Input[str]
    """The EKS cluster (`GpuCluster.cluster_name`)."""
    node_role_arn: pulumi.Input[str]
    """Node IAM role (`GpuCluster.node_role_arn`)."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """Private subnets, in zone order. A multi-node pool uses only the first (one zone), because
    a cluster placement group cannot span zones."""
    pool: str
    """Pool key from config; becomes the `ai-infra/pool` node label."""
    accelerator: str
    """Neutral accelerator name (catalog); picks the AMI type, taint key and default machine."""
    max_nodes: int
    machine_type: str | None = None
    """Instance type override; it must carry `accelerator`. Default: the catalog's machine for
    the accelerator (its multi-node size when `multi_node`)."""
    min_nodes: int = 0
    """Default 0: no nodes (and no cost) while nothing asks for the accelerator."""
    desired_nodes: int | None = None
    """Initial size. Default: `min_nodes`. Later changes belong to the cluster autoscaler."""
    spot: bool = False
    """Default False: on-demand capacity. True: SPOT capacity (interruptible, much cheaper)."""
    multi_node: bool = False
    """Default False. True: a cluster placement group in one zone, plus EFA network interfaces
    when the machine supports EFA (catalog `efa: true`). Without EFA support the pool still gets
    the placement group, and a warning says that inter-node traffic runs over ENA only."""
    cluster_security_group_id: pulumi.Input[str] | None = None
    """The cluster security group (`GpuCluster.cluster_security_group_id`). Required only when
    the pool gets EFA interfaces, which must name their security groups."""
    disk_gib: int = 200
    """Root volume size (encrypted gp3). Default 200 GiB (container images of ML stacks are large)."""
    volume_kms_key_arn: pulumi.Input[str] | None = None
    """Customer-managed key for the root volumes (`GpuCluster.node_volume_key_arn`). Default none:
    the account's EBS default key, which AWS manages (the policy pack flags it)."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Extra node labels. The pool and accelerator labels are always set."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for node group, launch template, placement group and the instances/volumes/ENIs."""


class GpuNodePool(pulumi.ComponentResource):
    """EKS managed node group + launch template (+ placement group for multi-node pools)."""

    node_group_name: pulumi.Output[str]
    machine: MachineType
    """The catalog machine the pool runs on."""
    efa: bool
    """Whether the nodes get EFA network interfaces."""
    node_group: aws.eks.NodeGroup
    """The native node group, for escape hatches."""

    def __init__(self, name: str, args: GpuNodePoolArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:aws:GpuNodePool", name, None, opts)
        catalog = load_catalog()
        accelerator = catalog.accelerator(args.accelerator)
        self.machine = _machine(args)
        if accelerator.kind not in AMI_TYPES:
            raise ValueError(f"{args.accelerator} ({accelerator.kind}) cannot run in an EKS node group")
        if not 0 <= args.min_nodes <= args.max_nodes:
            raise ValueError(f"node counts must satisfy 0 <= min ({args.min_nodes}) <= max ({args.max_nodes})")
        desired = args.min_nodes if args.desired_nodes is None else args.desired_nodes
        tags = {**args.tags, POOL_LABEL.replace("/", "-"): args.pool}

        placement_group_name: pulumi.Output[str] | None = None
        self.efa = args.multi_node and self.machine.efa
        if args.multi_node:
            placement_group = aws.ec2.PlacementGroup(
                f"{name}-placement",
                # cluster: instances packed close together in one zone for low-latency collectives.
                strategy="cluster",
                tags=tags,
                opts=child_options(self),
            )
            placement_group_name = placement_group.name
            if not self.machine.efa:
                pulumi.log.warn(
                    f"GPU pool '{args.pool}' is multi_node on {self.machine.name}, which has no EFA: the nodes "
                    "share a placement group but talk over ENA (TCP) only; use an EFA type (p4d, p4de, p5, "
                    "trn1.32xlarge) for fabric bandwidth",
                    resource=self,
                )
            elif args.cluster_security_group_id is None:
                raise ValueError("an EFA pool needs cluster_security_group_id for its network interfaces")

        template = node_launch_template(
            name,
            parent=self,
            disk_gib=args.disk_gib,
            tags=tags,
            placement_group_name=placement_group_name,
            # One EFA (network card 0). The catalog does not record network-card counts yet;
            # instances with more cards (p5.48xlarge: 32) reach full bandwidth with one EFA per card.
            efa_interfaces=1 if self.efa else 0,
            security_group_ids=[args.cluster_security_group_id] if self.efa and args.cluster_security_group_id else (),
            kms_key_arn=args.volume_kms_key_arn,
        )
        subnet_ids = list(args.subnet_ids)[:1] if args.multi_node else list(args.subnet_ids)
        self.node_group = aws.eks.NodeGroup(
            f"{name}-nodes",
            cluster_name=args.cluster_name,
            node_role_arn=args.node_role_arn,
            subnet_ids=subnet_ids,
            instance_types=[self.machine.name],
            ami_type=AMI_TYPES[accelerator.kind],
            capacity_type="SPOT" if args.spot else "ON_DEMAND",
            scaling_config={"min_size": args.min_nodes, "max_size": args.max_nodes, "desired_size": desired},
            taints=[{"key": accelerator.taint_key, "value": "true", "effect": "NO_SCHEDULE"}],
            labels={**args.labels, POOL_LABEL: args.pool, ACCELERATOR_LABEL: args.accelerator},
            launch_template={"id": template.id, "version": template.latest_version.apply(str)},
            update_config={"max_unavailable": 1},
            # EKS replaces nodes that fail health checks (GPU/Neuron faults included on the accelerated AMIs).
            node_repair_config={"enabled": True},
            tags=tags,
            # The cluster autoscaler owns the current size once the group exists.
            opts=child_options(self, ignore_changes=["scalingConfig.desiredSize"]),
        )

        self.node_group_name = self.node_group.node_group_name
        self.register_outputs({"node_group_name": self.node_group_name, "instance_type": self.machine.name})


def _machine(args: GpuNodePoolArgs) -> MachineType:
    catalog = load_catalog()
    if args.machine_type is None:
        return catalog.machine_for("aws", args.accelerator, "node", multi_node=args.multi_node)
    machine = catalog.machine("aws", args.machine_type)
    if machine.role != "node" or machine.accelerator != args.accelerator:
        raise ValueError(
            f"{args.machine_type} is a {machine.role} type with {machine.accelerator}, not {args.accelerator}"
        )
    return machine
