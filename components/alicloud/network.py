"""`ai-infra:alicloud:Network`: a VPC with node and pod vSwitches per zone, an enhanced NAT
gateway with EIPs and SNAT entries by strategy, a node security group closed to the internet, and
a VPC flow log into an SLS logstore with bounded retention."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_alicloud as alicloud

from components.alicloud.log_encryption import logstore_encryption
from components.options import child_options

NatStrategy = Literal["single", "per-zone", "none"]
FLOW_LOG_STORE = "vpc-flow-logs"
"""Logstore (inside the flow-log SLS project) that receives the VPC's flow records."""
MAX_FLOW_LOG_RETENTION_DAYS = 3649
"""SLS keeps a logstore's data forever at 3650 days, so the retention stays below it."""


@dataclass(frozen=True, kw_only=True)
class NetworkArgs:
    """Inputs of `Network`. vSwitch ranges are planned by the caller (`vswitch_plan`)."""

    name_prefix: str
    """Prefix of the cloud-side names (`<prefix>-vpc`, `<prefix>-nodes-<zone>`, ...)."""
    cidr: str
    """IPv4 range of the VPC."""
    zones: Sequence[str]
    """Zone ids, at least 2; vSwitch `i` of each list goes to zone `i`."""
    node_vswitch_cidrs: Sequence[str]
    """One range per zone for the node vSwitches (ECS nodes, the NAT gateway, EAS service ENIs)."""
    pod_vswitch_cidrs: Sequence[str]
    """One range per zone for the pod vSwitches (Terway: one VPC address per pod)."""
    nat: NatStrategy = "single"
    """Default `single`: one enhanced NAT gateway with one EIP; every vSwitch gets an SNAT entry
    through it (cheap). `per-zone`: the NAT gateway is deployed across zones (`CrossAZ`) and each
    zone's vSwitches egress through their own EIP, so a zone's egress address and bandwidth do
    not depend on another zone. Alibaba routes a VPC's default route to one NAT gateway; more
    gateways would need custom route tables, which this component does not create.
    `none`: no NAT gateway, EIP or SNAT; the vSwitches have no internet egress (Alibaba Cloud
    service endpoints stay reachable through their VPC addresses)."""
    eip_bandwidth_mbps: int = 100
    """Peak bandwidth of each NAT EIP (pay-by-traffic, so this is a cap, not a commitment).
    Default 100 Mbit/s: container images and model weights are large."""
    flow_log_project_name: pulumi.Input[str] | None = None
    """SLS project created for the VPC flow log. SLS project names are unique across all of
    Alibaba Cloud (3-63 lowercase letters, digits, hyphens), so callers should make it unique
    (the stack appends an account digest). Default `<name_prefix>-flow-logs`."""
    flow_log_retention_days: int = 30
    """Days the flow-log logstore keeps records, 1 to 3649. Default 30."""
    region: str
    """Region of the VPC: the flow-log key's region."""
    account_id: pulumi.Input[str]
    """Alibaba Cloud account id (the flow-log key's ARN names it)."""
    protect: bool = False
    """True (prod): the flow-log KMS key is protected and retained, with KMS deletion protection."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every taggable child (cost allocation, ownership)."""


class Network(pulumi.ComponentResource):
    """VPC, per zone a node and a pod vSwitch, NAT gateway + EIP(s) + EIP associations + SNAT
    entries per `nat`, a node security group, and a flow log (`vpc.FlowLog`, every ENI in the
    VPC, all traffic) delivered to a logstore of an SLS project of its own.

    The security group admits traffic from inside the VPC only; there is no ingress from
    0.0.0.0/0 (no rule allows it, and ECS security groups deny unlisted ingress)."""

    vpc_id: pulumi.Output[str]
    node_vswitch_ids: list[pulumi.Output[str]]
    """Node vSwitch ids, in zone order."""
    pod_vswitch_ids: list[pulumi.Output[str]]
    """Pod vSwitch ids, in zone order."""
    security_group_id: pulumi.Output[str]
    nat_gateway_id: pulumi.Output[str] | None
    flow_log_project_name: pulumi.Output[str]
    """SLS project holding the flow records (logstore `vpc-flow-logs`)."""
    zones: list[str]
    vpc: alicloud.vpc.Network
    """The native VPC, for escape hatches."""

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:alicloud:Network", name, None, opts)
        _check_layout(args)
        tags = dict(args.tags)
        self.zones = list(args.zones)

        self.vpc = alicloud.vpc.Network(
            f"{name}-vpc",
            vpc_name=f"{args.name_prefix}-vpc",
            cidr_block=args.cidr,
            description="ai-infra: ACK nodes, pods and PAI-EAS services",
            tags=tags,
            opts=child_options(self),
        )
        vpc_id = self.vpc.id

        node_vswitches = [
            self._vswitch(name, args, "nodes", zone, cidr, tags)
            for zone, cidr in zip(args.zones, args.node_vswitch_cidrs, strict=True)
        ]
        pod_vswitches = [
            self._vswitch(name, args, "pods", zone, cidr, tags)
            for zone, cidr in zip(args.zones, args.pod_vswitch_cidrs, strict=True)
        ]

        self.nat_gateway_id = None
        if args.nat != "none":
            nat = alicloud.vpc.NatGateway(
                f"{name}-nat",
                vpc_id=vpc_id,
                nat_gateway_name=f"{args.name_prefix}-nat",
                nat_type="Enhanced",
                network_type="internet",
                payment_type="PayAsYouGo",
                internet_charge_type="PayByLcu",
                # An enhanced NAT gateway sits in one vSwitch; it adds the VPC's default route.
                vswitch_id=node_vswitches[0].id,
                # per-zone: deployed across zones explicitly; otherwise the provider's default.
                availability_mode="CrossAZ" if args.nat == "per-zone" else None,
                tags=tags,
                opts=child_options(self),
            )
            self.nat_gateway_id = nat.id
            egress_zones = list(args.zones) if args.nat == "per-zone" else [args.zones[0]]
            eip_of_zone: dict[str, pulumi.Output[str]] = {}
            associations: list[pulumi.Resource] = []
            for zone in egress_zones:
                eip = alicloud.ecs.EipAddress(
                    f"{name}-nat-eip-{zone}",
                    address_name=f"{args.name_prefix}-nat-{zone}",
                    description=f"ai-infra: NAT egress for {args.name_prefix}",
                    payment_type="PayAsYouGo",
                    internet_charge_type="PayByTraffic",
                    bandwidth=str(args.eip_bandwidth_mbps),
                    tags=tags,
                    opts=child_options(self),
                )
                associations.append(
                    alicloud.ecs.EipAssociation(
                        f"{name}-nat-eip-binding-{zone}",
                        allocation_id=eip.id,
                        instance_id=nat.id,
                        instance_type="Nat",
                        opts=child_options(self),
                    )
                )
                eip_of_zone[zone] = eip.ip_address
            for kind, vswitches in (("nodes", node_vswitches), ("pods", pod_vswitches)):
                for zone, vswitch in zip(args.zones, vswitches, strict=True):
                    alicloud.vpc.SnatEntry(
                        f"{name}-snat-{kind}-{zone}",
                        snat_table_id=nat.snat_table_ids,
                        source_vswitch_id=vswitch.id,
                        snat_ip=eip_of_zone.get(zone, eip_of_zone[egress_zones[0]]),
                        snat_entry_name=f"{args.name_prefix}-{kind}-{zone}",
                        # An SNAT entry can only use an EIP that is already bound to the gateway.
                        opts=child_options(self, depends_on=associations),
                    )

        security_group = alicloud.ecs.SecurityGroup(
            f"{name}-nodes-sg",
            security_group_name=f"{args.name_prefix}-nodes",
            description="ai-infra: ACK nodes and EAS services; ingress from the VPC only",
            vpc_id=vpc_id,
            security_group_type="normal",
            # Nodes in the group reach each other (kubelet, pod-to-pod through Terway).
            inner_access_policy="Accept",
            tags=tags,
            opts=child_options(self),
        )
        alicloud.ecs.SecurityGroupRule(
            f"{name}-nodes-sg-from-vpc",
            security_group_id=security_group.id,
            type="ingress",
            ip_protocol="all",
            port_range="-1/-1",
            cidr_ip=args.cidr,
            policy="accept",
            nic_type="intranet",
            description="All traffic from inside the VPC (control plane, load balancers, pods)",
            opts=child_options(self),
        )

        self.flow_log_project_name = self._flow_log(name, args, tags)

        self.vpc_id = vpc_id
        self.node_vswitch_ids = [v.id for v in node_vswitches]
        self.pod_vswitch_ids = [v.id for v in pod_vswitches]
        self.security_group_id = security_group.id
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "node_vswitch_ids": self.node_vswitch_ids,
                "pod_vswitch_ids": self.pod_vswitch_ids,
                "security_group_id": self.security_group_id,
                "nat_gateway_id": self.nat_gateway_id,
                "flow_log_project_name": self.flow_log_project_name,
            }
        )

    def _flow_log(self, name: str, args: NetworkArgs, tags: dict[str, str]) -> pulumi.Output[str]:
        project = alicloud.log.Project(
            f"{name}-flow-logs",
            project_name=args.flow_log_project_name or f"{args.name_prefix}-flow-logs",
            description=f"ai-infra: VPC flow logs of {args.name_prefix}",
            tags=tags,
            opts=child_options(self),
        )
        # Logstores take no tags; the project carries them.
        encrypt_conf = logstore_encryption(
            f"{name}-flow-logs",
            parent=self,
            region=args.region,
            account_id=args.account_id,
            role_name=f"{args.name_prefix}-flow-logs-sls",
            description=f"VPC flow logs of {args.name_prefix}-vpc",
            tags=tags,
            protect=args.protect,
        )
        store = alicloud.log.Store(
            f"{name}-flow-logs-store",
            project_name=project.project_name,
            logstore_name=FLOW_LOG_STORE,
            retention_period=args.flow_log_retention_days,
            encrypt_conf=encrypt_conf,
            opts=child_options(self),
        )
        alicloud.vpc.FlowLog(
            f"{name}-flow-log",
            flow_log_name=f"{args.name_prefix}-vpc",
            description=f"ai-infra: all traffic of every ENI in {args.name_prefix}-vpc",
            resource_type="VPC",
            resource_id=self.vpc.id,
            traffic_type="All",
            project_name=project.project_name,
            log_store_name=store.logstore_name,
            status="Active",
            tags=tags,
            opts=child_options(self),
        )
        return project.project_name

    def _vswitch(
        self, name: str, args: NetworkArgs, kind: str, zone: str, cidr: str, tags: dict[str, str]
    ) -> alicloud.vpc.Switch:
        return alicloud.vpc.Switch(
            f"{name}-{kind}-{zone}",
            vswitch_name=f"{args.name_prefix}-{kind}-{zone}",
            vpc_id=self.vpc.id,
            zone_id=zone,
            cidr_block=cidr,
            tags={**tags, "ai-infra-vswitch": kind},
            opts=child_options(self),
        )


def _check_layout(args: NetworkArgs) -> None:
    if len(args.zones) < 2:
        raise ValueError(f"a network needs at least 2 zones, got {list(args.zones)}")
    if len(args.node_vswitch_cidrs) != len(args.zones) or len(args.pod_vswitch_cidrs) != len(args.zones):
        raise ValueError("one node and one pod vSwitch range per zone are required")
    if not 1 <= args.flow_log_retention_days <= MAX_FLOW_LOG_RETENTION_DAYS:
        raise ValueError(
            f"flow_log_retention_days {args.flow_log_retention_days} is not allowed "
            f"(allowed: 1 to {MAX_FLOW_LOG_RETENTION_DAYS}; SLS keeps data forever at 3650)"
        )
