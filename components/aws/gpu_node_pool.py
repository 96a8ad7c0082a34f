"""`ai-infra:aws:GpuNodePool`: one EKS managed node group of accelerator machines, tainted so that
only pods that ask for the accelerator land on it, with hardened nodes and, for multi-node
training, a cluster placement group and EFA networking; optionally an On-Demand Capacity
Reservation for some of its nodes, and the tags through which the cost estimate learns about
reserved and committed nodes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from catalog import MachineType, load_catalog
from catalog.commitments import PoolCommitment, with_commitment_tags
from components.aws.node_launch_template import node_launch_template
from components.aws.scale_from_zero import autoscaling_group_name, node_template_tags, scale_from_zero_tags
from components.kubernetes.scheduling import Taint
from components.options import child_options

AMI_TYPES = {"gpu": "AL2023_x86_64_NVIDIA", "neuron": "AL2023_x86_64_NEURON"}
"""EKS-optimized AMI (drivers, container toolkit / Neuron runtime) per accelerator kind."""
POOL_LABEL = "ai-infra/pool"
ACCELERATOR_LABEL = "ai-infra/accelerator"
AUTOSCALER_GPU_LABEL = "k8s.amazonaws.com/accelerator"
"""The label the Cluster Autoscaler's AWS provider reads to know a node has GPUs: until the device
plugin advertises them it treats the node as not ready yet, instead of scaling up again."""
EFA_RESOURCE = "vpc.amazonaws.com/efa"
FIXED_SIZE_TAG = "ai-infra-fixed-size"
"""Tag that marks a pool kept at a fixed size on purpose; its value is the reason."""


@dataclass(frozen=True, kw_only=True)
class CapacityReservationArgs:
    """An On-Demand Capacity Reservation for some of a pool's nodes."""

    nodes: int
    """Instances reserved; billed at the on-demand rate whether instances use them or not."""
    availability_zone: str
    """The zone of the pool's first subnet: the reservation is there and the pool is kept to it."""


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
    fixed_size_reason: str | None = None
    """Default None: the Cluster Autoscaler sizes the pool between `min_nodes` and `max_nodes`.
    A reason: the pool is meant to stay at `min_nodes` = `max_nodes` nodes; the node group is
    tagged `ai-infra-fixed-size=<reason>` for reviewers and the policy pack."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for node group, launch template, placement group and the instances/volumes/ENIs."""
    capacity_reservation: CapacityReservationArgs | None = None
    """Default None: capacity as EC2 has it when the autoscaler asks. Set: an open On-Demand
    Capacity Reservation of that many instances (in the placement group for multi-node pools),
    which matching instances use automatically, and the pool kept to the reservation's zone. Not
    with `spot`."""
    commitment: PoolCommitment | None = None
    """Default None. A commitment bought in the billing console (Reserved Instances, Savings
    Plans): recorded as tags on the node group so that the cost estimate prices those nodes at
    the committed rate. Not with `spot`."""


class GpuNodePool(pulumi.ComponentResource):
    """EKS managed node group + launch template (+ placement group for multi-node pools)."""

    node_group_name: pulumi.Output[str]
    machine: MachineType
    """The catalog machine the pool runs on."""
    efa: bool
    """Whether the nodes get EFA network interfaces."""
    node_group: aws.eks.NodeGroup
    """The native node group, for escape hatches."""
    capacity_reservation: aws.ec2.CapacityReservation | None = None
    """The On-Demand Capacity Reservation, when the pool has one."""
    node_labels: dict[str, str]
    """Kubernetes labels of every node."""
    node_taints: list[Taint]
    """Taints of every node."""
    extended_resources: dict[str, int]
    """Extended resources each node advertises once its device plugins run."""
    autoscaling_group_name: pulumi.Output[str]
    """The Auto Scaling group EKS created for the node group (what the Cluster Autoscaler resizes)."""

    def __init__(self, name: str, args: GpuNodePoolArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:aws:GpuNodePool", name, None, opts)
        catalog = load_catalog()
        accelerator = catalog.accelerator(args.accelerator)
        self.machine = _machine(args)
        if accelerator.kind not in AMI_TYPES:
            raise ValueError(f"{args.accelerator} ({accelerator.kind}) cannot run in an EKS node group")
        if not 0 <= args.min_nodes <= args.max_nodes:
            raise ValueError(f"node counts must satisfy 0 <= min ({args.min_nodes}) <= max ({args.max_nodes})")
        if args.fixed_size_reason is not None and args.min_nodes != args.max_nodes:
            raise ValueError(
                f"GPU pool '{args.pool}' has a fixed_size_reason, so min_nodes ({args.min_nodes}) must equal "
                f"max_nodes ({args.max_nodes})"
            )
        desired = args.min_nodes if args.desired_nodes is None else args.desired_nodes
        tags = {**args.tags, POOL_LABEL.replace("/", "-"): args.pool}
        if args.spot and (args.capacity_reservation is not None or args.commitment is not None):
            raise ValueError("spot capacity cannot be reserved or committed")

        placement_group: aws.ec2.PlacementGroup | None = None
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
        reservation = args.capacity_reservation
        if reservation is not None:
            self.capacity_reservation = aws.ec2.CapacityReservation(
                f"{name}-reservation",
                instance_type=self.machine.name,
                instance_platform="Linux/UNIX",
                availability_zone=reservation.availability_zone,
                instance_count=reservation.nodes,
                # open: the pool's instances (same type, zone and platform) use it without naming it,
                # and the pool can still grow past it on ordinary on-demand capacity.
                instance_match_criteria="open",
                end_date_type="unlimited",
                placement_group_arn=placement_group.arn if placement_group is not None else None,
                tags=tags,
                opts=child_options(self),
            )
        # One zone when the nodes share a placement group or must land where the reservation is.
        one_zone = args.multi_node or reservation is not None
        subnet_ids = list(args.subnet_ids)[:1] if one_zone else list(args.subnet_ids)
        self.node_labels = {**args.labels, POOL_LABEL: args.pool, ACCELERATOR_LABEL: args.accelerator}
        if accelerator.kind == "gpu":
            self.node_labels[AUTOSCALER_GPU_LABEL] = args.accelerator
        self.node_taints = [Taint(accelerator.taint_key, "true", "NoSchedule")]
        self.extended_resources = {accelerator.taint_key: self.machine.accelerator_count}
        if self.efa:
            self.extended_resources[EFA_RESOURCE] = 1
        group_tags = dict(tags)
        if args.fixed_size_reason is not None:
            group_tags[FIXED_SIZE_TAG] = args.fixed_size_reason
        self.node_group = aws.eks.NodeGroup(
            f"{name}-nodes",
            cluster_name=args.cluster_name,
            node_role_arn=args.node_role_arn,
            subnet_ids=subnet_ids,
            instance_types=[self.machine.name],
            ami_type=AMI_TYPES[accelerator.kind],
            capacity_type="SPOT" if args.spot else "ON_DEMAND",
            scaling_config={"min_size": args.min_nodes, "max_size": args.max_nodes, "desired_size": desired},
            taints=[{"key": t.key, "value": t.value, "effect": "NO_SCHEDULE"} for t in self.node_taints],
            labels=self.node_labels,
            launch_template={"id": template.id, "version": template.latest_version.apply(str)},
            update_config={"max_unavailable": 1},
            # EKS replaces nodes that fail health checks (GPU/Neuron faults included on the accelerated AMIs).
            node_repair_config={"enabled": True},
            tags=with_commitment_tags(group_tags, args.commitment, reservation.nodes if reservation else 0),
            # The cluster autoscaler owns the current size once the group exists.
            opts=child_options(self, ignore_changes=["scalingConfig.desiredSize"]),
        )
        # What a node of this pool looks like, for the autoscaler to scale it up from zero.
        self.autoscaling_group_name = autoscaling_group_name(self.node_group)
        scale_from_zero_tags(
            name,
            parent=self,
            autoscaling_group=self.autoscaling_group_name,
            tags=node_template_tags(self.node_labels, self.node_taints, self.extended_resources),
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
