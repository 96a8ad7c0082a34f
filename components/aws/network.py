"""`ai-infra:aws:Network`: a VPC with private and public subnets per zone, NAT by strategy,
flow logs and an S3 gateway endpoint."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_aws as aws

from components.aws.service_keys import log_group_key
from components.options import child_options

NatStrategy = Literal["single", "per-zone", "none"]


@dataclass(frozen=True, kw_only=True)
class NetworkArgs:
    """Inputs of `Network`. Subnet ranges are planned by the caller (`stacks.network_plan`)."""

    cidr: str
    """IPv4 range of the VPC."""
    region: str
    """Region the provider deploys to (names the S3 gateway endpoint service)."""
    account_id: pulumi.Input[str]
    """AWS account id; the flow-log delivery role trusts only deliveries for this account."""
    zones: Sequence[str]
    """Availability zones, at least 2; subnet `i` of each list goes to zone `i`."""
    private_subnet_cidrs: Sequence[str]
    """One range per zone for the private subnets (nodes, endpoints, control-plane ENIs)."""
    public_subnet_cidrs: Sequence[str]
    """One range per zone for the public subnets (NAT gateways, internet-facing load balancers)."""
    nat: NatStrategy = "single"
    """Default `single`: one NAT gateway in the first zone serves every private subnet (cheap;
    a zone outage cuts egress). `per-zone`: one NAT per zone. `none`: private subnets have no
    route to the internet (S3 stays reachable through the gateway endpoint)."""
    flow_log_retention_days: int = 90
    """Days CloudWatch keeps the VPC flow logs. Default 90."""
    protect: bool = False
    """True (prod): the flow logs' KMS key is protected and retained (losing it loses the logs)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every taggable child (cost allocation, ownership)."""


class Network(pulumi.ComponentResource):
    """VPC, subnets, internet gateway, NAT gateways + EIPs, route tables, flow logs, S3 endpoint.

    Children: VPC; per zone a private and a public subnet; an internet gateway; NAT gateways
    with their Elastic IPs per `nat`; one public route table (default route to the internet
    gateway) and one private route table per zone (default route to its NAT, if any), with
    associations; a flow-log group, its delivery role + policy and the flow log; an S3 gateway
    endpoint on the private route tables; the VPC's default security group with every rule removed.
    """

    vpc_id: pulumi.Output[str]
    vpc_cidr: pulumi.Output[str]
    private_subnet_ids: list[pulumi.Output[str]]
    """Private subnet ids, in zone order."""
    public_subnet_ids: list[pulumi.Output[str]]
    """Public subnet ids, in zone order."""
    zones: list[str]
    vpc: aws.ec2.Vpc
    """The native VPC, for escape hatches."""

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:aws:Network", name, None, opts)
        _check_layout(args)
        tags = dict(args.tags)

        self.vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.cidr,
            # EKS nodes and VPC endpoints need DNS names inside the VPC.
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={**tags, "Name": f"{name}-vpc"},
            opts=child_options(self),
        )
        vpc_id = self.vpc.id

        # The default security group allows all traffic between its members; nothing should use
        # it, and emptying it makes an accidental attachment harmless.
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg",
            vpc_id=vpc_id,
            ingress=[],
            egress=[],
            tags={**tags, "Name": f"{name}-default-sg-unused"},
            opts=child_options(self),
        )

        private_subnets: list[aws.ec2.Subnet] = []
        public_subnets: list[aws.ec2.Subnet] = []
        for zone, private_cidr, public_cidr in zip(
            args.zones, args.private_subnet_cidrs, args.public_subnet_cidrs, strict=True
        ):
            private_subnets.append(
                aws.ec2.Subnet(
                    f"{name}-private-{zone}",
                    vpc_id=vpc_id,
                    cidr_block=private_cidr,
                    availability_zone=zone,
                    map_public_ip_on_launch=False,
                    # Where the AWS load balancer controller puts internal load balancers.
                    tags={**tags, "Name": f"{name}-private-{zone}", "kubernetes.io/role/internal-elb": "1"},
                    opts=child_options(self),
                )
            )
            public_subnets.append(
                aws.ec2.Subnet(
                    f"{name}-public-{zone}",
                    vpc_id=vpc_id,
                    cidr_block=public_cidr,
                    availability_zone=zone,
                    # Nothing here gets a public address unless it asks for one (NAT uses an EIP).
                    map_public_ip_on_launch=False,
                    tags={**tags, "Name": f"{name}-public-{zone}", "kubernetes.io/role/elb": "1"},
                    opts=child_options(self),
                )
            )

        internet_gateway = aws.ec2.InternetGateway(
            f"{name}-igw", vpc_id=vpc_id, tags={**tags, "Name": f"{name}-igw"}, opts=child_options(self)
        )
        public_routes = aws.ec2.RouteTable(
            f"{name}-public-rt", vpc_id=vpc_id, tags={**tags, "Name": f"{name}-public"}, opts=child_options(self)
        )
        aws.ec2.Route(
            f"{name}-public-default-route",
            route_table_id=public_routes.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=internet_gateway.id,
            opts=child_options(self),
        )
        for zone, subnet in zip(args.zones, public_subnets, strict=True):
            aws.ec2.RouteTableAssociation(
                f"{name}-public-rta-{zone}",
                subnet_id=subnet.id,
                route_table_id=public_routes.id,
                opts=child_options(self),
            )

        nat_gateways = self._nat_gateways(name, args, public_subnets, tags, depends_on=[internet_gateway])
        private_route_tables: list[aws.ec2.RouteTable] = []
        for index, (zone, subnet) in enumerate(zip(args.zones, private_subnets, strict=True)):
            table = aws.ec2.RouteTable(
                f"{name}-private-rt-{zone}",
                vpc_id=vpc_id,
                tags={**tags, "Name": f"{name}-private-{zone}"},
                opts=child_options(self),
            )
            private_route_tables.append(table)
            if nat_gateways:
                # per-zone: the zone's own NAT; single: the one NAT (index 0) for every zone.
                nat_gateway = nat_gateways[index] if len(nat_gateways) > 1 else nat_gateways[0]
                aws.ec2.Route(
                    f"{name}-private-default-route-{zone}",
                    route_table_id=table.id,
                    destination_cidr_block="0.0.0.0/0",
                    nat_gateway_id=nat_gateway.id,
                    opts=child_options(self),
                )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-rta-{zone}",
                subnet_id=subnet.id,
                route_table_id=table.id,
                opts=child_options(self),
            )

        # S3 traffic from private subnets stays on the AWS network and skips NAT data charges.
        aws.ec2.VpcEndpoint(
            f"{name}-s3-endpoint",
            vpc_id=vpc_id,
            service_name=f"com.amazonaws.{args.region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[t.id for t in private_route_tables],
            tags={**tags, "Name": f"{name}-s3"},
            opts=child_options(self),
        )

        self._flow_logs(name, args, tags)

        self.vpc_id = vpc_id
        self.vpc_cidr = self.vpc.cidr_block
        self.private_subnet_ids = [s.id for s in private_subnets]
        self.public_subnet_ids = [s.id for s in public_subnets]
        self.zones = list(args.zones)
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "private_subnet_ids": self.private_subnet_ids,
                "public_subnet_ids": self.public_subnet_ids,
            }
        )

    def _nat_gateways(
        self,
        name: str,
        args: NetworkArgs,
        public_subnets: list[aws.ec2.Subnet],
        tags: dict[str, str],
        depends_on: list[pulumi.Resource],
    ) -> list[aws.ec2.NatGateway]:
        count = {"single": 1, "per-zone": len(public_subnets), "none": 0}[args.nat]
        gateways = []
        for zone, subnet in list(zip(args.zones, public_subnets, strict=True))[:count]:
            eip = aws.ec2.Eip(
                f"{name}-nat-eip-{zone}",
                domain="vpc",
                tags={**tags, "Name": f"{name}-nat-{zone}"},
                opts=child_options(self),
            )
            gateways.append(
                aws.ec2.NatGateway(
                    f"{name}-nat-{zone}",
                    allocation_id=eip.id,
                    subnet_id=subnet.id,
                    connectivity_type="public",
                    tags={**tags, "Name": f"{name}-nat-{zone}"},
                    # A NAT gateway is unusable until the VPC has its internet gateway.
                    opts=child_options(self, depends_on=depends_on),
                )
            )
        return gateways

    def _flow_logs(self, name: str, args: NetworkArgs, tags: dict[str, str]) -> None:
        # The log group's name is generated, so the key admits any log group of the account here.
        logs_key = log_group_key(
            f"{name}-flow-logs-key", parent=self, region=args.region, log_group="*", tags=tags, protect=args.protect
        )
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs",
            retention_in_days=args.flow_log_retention_days,
            kms_key_id=logs_key.arn,
            tags=tags,
            opts=child_options(self),
        )
        role = aws.iam.Role(
            f"{name}-flow-logs-role",
            description="Delivers this VPC's flow logs to its CloudWatch log group",
            assume_role_policy=pulumi.Output.from_input(args.account_id).apply(_flow_logs_trust),
            tags=tags,
            opts=child_options(self),
        )
        aws.iam.RolePolicy(
            f"{name}-flow-logs-delivery",
            role=role.id,
            policy=log_group.arn.apply(_flow_logs_delivery),
            opts=child_options(self),
        )
        aws.ec2.FlowLog(
            f"{name}-flow-log",
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=log_group.arn,
            iam_role_arn=role.arn,
            tags=tags,
            opts=child_options(self),
        )


def _check_layout(args: NetworkArgs) -> None:
    counts = {len(args.zones), len(args.private_subnet_cidrs), len(args.public_subnet_cidrs)}
    if len(counts) != 1:
        raise ValueError("zones, private_subnet_cidrs and public_subnet_cidrs must have one entry per zone")
    if len(args.zones) < 2:
        raise ValueError(f"a Network spans at least 2 zones, got {len(args.zones)}")


def _flow_logs_trust(account_id: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    # Confused-deputy guard: only flow logs delivered for this account.
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
                }
            ],
        }
    )


def _flow_logs_delivery(log_group_arn: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    # The group itself and the streams inside it (one per network interface).
                    "Resource": [log_group_arn, f"{log_group_arn}:log-stream:*"],
                }
            ],
        }
    )
