"""`ai-infra:azure:Network`: a VNet with node, private-endpoint and ML subnets, NAT egress and
security groups that let nothing in from the internet unless the config says so."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi
from pulumi_azure_native import managedidentity, network, privatedns

from components.azure.resource_ids import subnet_id
from components.azure.roles import BuiltInRole, assign_role
from components.options import child_options

SubnetRole = Literal["nodes", "private-endpoints", "ml", "apiserver"]
API_SERVER_DELEGATION = "Microsoft.ContainerService/managedClusters"
"""AKS API Server VNet Integration puts the API server's internal load balancer in a subnet
delegated to AKS."""

DENY_INTERNET_PRIORITY = 4096
"""The last custom priority: allow rules (from 1000) are evaluated before it."""
FIRST_ALLOW_PRIORITY = 1000


@dataclass(frozen=True, kw_only=True)
class InboundRule:
    """One inbound flow allowed from outside the VNet to the node subnet."""

    name: str
    source_cidrs: Sequence[str]
    ports: Sequence[int]
    protocol: Literal["Tcp", "Udp"] = "Tcp"


@dataclass(frozen=True, kw_only=True)
class FlowLogArgs:
    """Where the VNet flow log goes. Network Watcher allows one watcher per region and
    subscription (Azure creates `NetworkWatcher_<region>` in `NetworkWatcherRG`), so the flow log
    is a child of that existing watcher and lives in its resource group."""

    storage_account_id: pulumi.Input[str]
    """Account the flow records are written to (a `Bucket` of its own)."""
    network_watcher_resource_group: str = "NetworkWatcherRG"
    network_watcher_name: str
    retention_days: int = 30
    """Flow records are deleted after this many days. Default 30."""


@dataclass(frozen=True, kw_only=True)
class NetworkArgs:
    """Inputs of `Network`."""

    subscription_id: str
    """Subscription of the resource group (subnet ids are composed from it)."""
    resource_group_name: pulumi.Input[str]
    location: str
    vnet_name: str
    cidr: str
    """VNet range, /16 to /24. Split by `plan_subnets`: nodes take half, the private-endpoint
    and ML subnets an eighth each, the AKS API server a /28, the rest stays free."""
    tags: Mapping[str, str] = field(default_factory=dict)
    nat: Literal["single", "none"] = "single"
    """`single` (default): one Standard NAT gateway with one static public IP, both in
    `nat_zone`, for the node subnet's egress. `none`: no egress at all (subnets have default
    outbound access off either way)."""
    nat_zone: str = "1"
    """Zone of the NAT gateway and its IP (a Standard NAT gateway is zonal). Default "1"."""
    allowed_inbound: Sequence[InboundRule] = ()
    """Inbound flows to the node subnet from outside the VNet. Default none."""
    private_dns_zones: Sequence[str] = ()
    """Private DNS zones to create and link to the VNet (e.g. `privatelink.api.azureml.ms`) for
    private endpoints. Default none."""
    flow_logs: FlowLogArgs | None = None
    """Default None: no flow log. Set: a VNet flow log (JSON v2) into the given account, written
    with a user-assigned identity (shared keys are off on every account)."""


def plan_subnets(cidr: str) -> dict[SubnetRole, str]:
    """`10.30.0.0/16` -> nodes 10.30.0.0/17, private-endpoints 10.30.128.0/19, ml 10.30.160.0/19,
    apiserver 10.30.192.0/28 (the rest of 10.30.192.0/18 stays free).

    Nodes get half of the VNet: with Azure CNI Overlay pods do not take VNet addresses, so half
    leaves room for node growth and extra pools. Deterministic, so a plan never moves a subnet."""
    vnet = ipaddress.IPv4Network(cidr, strict=True)
    nodes, rest = vnet.subnets(prefixlen_diff=1)
    endpoints, ml, free, _free = rest.subnets(prefixlen_diff=2)
    apiserver = next(free.subnets(new_prefix=28))
    return {"nodes": str(nodes), "private-endpoints": str(endpoints), "ml": str(ml), "apiserver": str(apiserver)}


class Network(pulumi.ComponentResource):
    """Children: the VNet; per subnet role a network security group with an explicit
    deny-internet-inbound rule (plus the allowed flows on the node subnet); four subnets (nodes,
    private endpoints, ML, the AKS API server) with default outbound access off; a zonal NAT
    gateway with a static public IP attached to the node subnet (unless `nat="none"`); optional
    private DNS zones linked to the VNet; an optional VNet flow log with its writer identity."""

    vnet_id: pulumi.Output[str]
    vnet_name: pulumi.Output[str]
    node_subnet_id: pulumi.Output[str]
    private_endpoint_subnet_id: pulumi.Output[str]
    ml_subnet_id: pulumi.Output[str]
    api_server_subnet_id: pulumi.Output[str]
    """Subnet delegated to AKS for API Server VNet Integration."""
    egress_ip: pulumi.Output[str] | None
    private_dns_zone_ids: dict[str, pulumi.Output[str]]
    vnet: network.VirtualNetwork
    """The native VNet, for escape hatches."""

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:azure:Network", name, None, opts)
        tags = dict(args.tags)
        common = {"resource_group_name": args.resource_group_name, "location": args.location}
        plan = plan_subnets(args.cidr)

        self.vnet = network.VirtualNetwork(
            f"{name}-vnet",
            virtual_network_name=args.vnet_name,
            address_space={"address_prefixes": [args.cidr]},
            tags=tags,
            **common,
            opts=child_options(self),
        )

        nat_gateway: network.NatGateway | None = None
        self.egress_ip = None
        if args.nat == "single":
            public_ip = network.PublicIPAddress(
                f"{name}-egress-ip",
                public_ip_address_name=f"pip-{args.vnet_name}-egress",
                sku={"name": "Standard", "tier": "Regional"},
                public_ip_allocation_method="Static",
                public_ip_address_version="IPv4",
                zones=[args.nat_zone],
                tags=tags,
                **common,
                opts=child_options(self),
            )
            nat_gateway = network.NatGateway(
                f"{name}-nat",
                nat_gateway_name=f"ng-{args.vnet_name}",
                sku={"name": "Standard"},
                zones=[args.nat_zone],
                public_ip_addresses=[{"id": public_ip.id}],
                idle_timeout_in_minutes=4,
                tags=tags,
                **common,
                opts=child_options(self),
            )
            self.egress_ip = public_ip.ip_address

        subnet_ids: dict[SubnetRole, pulumi.Output[str]] = {}
        previous: network.Subnet | None = None
        for role, prefix in plan.items():
            nsg = self._security_group(name, role, args, tags, common)
            subnet = network.Subnet(
                f"{name}-{role}",
                subnet_name=f"snet-{role}",
                virtual_network_name=self.vnet.name,
                resource_group_name=args.resource_group_name,
                address_prefix=prefix,
                # No implicit internet egress: only the NAT gateway (node subnet) gets out.
                default_outbound_access=False,
                network_security_group={"id": nsg.id},
                nat_gateway={"id": nat_gateway.id} if (role == "nodes" and nat_gateway is not None) else None,
                # Storage accounts allow the node subnet through their firewall via this endpoint.
                service_endpoints=[{"service": "Microsoft.Storage"}] if role == "nodes" else None,
                # Security groups also apply to private endpoints in this subnet.
                private_endpoint_network_policies="Enabled" if role != "nodes" else None,
                delegations=(
                    [{"name": "aks-api-server", "service_name": API_SERVER_DELEGATION}] if role == "apiserver" else None
                ),
                # Azure refuses concurrent changes to subnets of one VNet: declare them in sequence.
                opts=child_options(self, depends_on=[previous] if previous is not None else []),
            )
            previous = subnet
            subnet_ids[role] = subnet_id(args.subscription_id, args.resource_group_name, self.vnet.name, subnet.name)

        self.private_dns_zone_ids = {}
        for zone in args.private_dns_zones:
            slug = zone.removeprefix("privatelink.").replace(".", "-")
            private_zone = privatedns.PrivateZone(
                f"{name}-dns-{slug}",
                private_zone_name=zone,
                resource_group_name=args.resource_group_name,
                location="global",
                tags=tags,
                opts=child_options(self),
            )
            privatedns.VirtualNetworkLink(
                f"{name}-dns-{slug}-link",
                private_zone_name=private_zone.name,
                virtual_network_link_name=f"link-{args.vnet_name}",
                resource_group_name=args.resource_group_name,
                location="global",
                virtual_network={"id": self.vnet.id},
                registration_enabled=False,
                tags=tags,
                opts=child_options(self),
            )
            self.private_dns_zone_ids[zone] = private_zone.id

        if args.flow_logs is not None:
            self._flow_log(name, args, args.flow_logs, tags)

        self.vnet_id = self.vnet.id
        self.vnet_name = self.vnet.name
        self.node_subnet_id = subnet_ids["nodes"]
        self.private_endpoint_subnet_id = subnet_ids["private-endpoints"]
        self.ml_subnet_id = subnet_ids["ml"]
        self.api_server_subnet_id = subnet_ids["apiserver"]
        self.register_outputs(
            {
                "vnet_id": self.vnet_id,
                "vnet_name": self.vnet_name,
                "node_subnet_id": self.node_subnet_id,
                "private_endpoint_subnet_id": self.private_endpoint_subnet_id,
                "ml_subnet_id": self.ml_subnet_id,
                "api_server_subnet_id": self.api_server_subnet_id,
                "egress_ip": self.egress_ip,
            }
        )

    def _security_group(
        self, name: str, role: SubnetRole, args: NetworkArgs, tags: dict[str, str], common: dict
    ) -> network.NetworkSecurityGroup:
        nsg = network.NetworkSecurityGroup(
            f"{name}-{role}-nsg",
            network_security_group_name=f"nsg-{args.vnet_name}-{role}",
            tags=tags,
            **common,
            opts=child_options(self),
        )
        rule_common = {
            "resource_group_name": args.resource_group_name,
            "network_security_group_name": nsg.name,
            "direction": "Inbound",
            "destination_address_prefix": "*",
            "source_port_range": "*",
        }
        if role == "nodes":
            for index, rule in enumerate(args.allowed_inbound):
                network.SecurityRule(
                    f"{name}-{role}-allow-{rule.name}",
                    security_rule_name=f"allow-{rule.name}",
                    priority=FIRST_ALLOW_PRIORITY + 10 * index,
                    access="Allow",
                    protocol=rule.protocol,
                    source_address_prefixes=list(rule.source_cidrs),
                    destination_port_ranges=[str(port) for port in rule.ports],
                    description="Allowed by ai-infra config (network.allowed_inbound)",
                    **rule_common,
                    opts=child_options(self),
                )
        # Azure's default DenyAllInBound already refuses the internet; an explicit rule states the
        # intent where reviewers and policies read it, and stays if the defaults ever change.
        network.SecurityRule(
            f"{name}-{role}-deny-internet",
            security_rule_name="deny-internet-inbound",
            priority=DENY_INTERNET_PRIORITY,
            access="Deny",
            protocol="*",
            source_address_prefix="Internet",
            destination_port_range="*",
            description="Nothing from the internet unless allowed above",
            **rule_common,
            opts=child_options(self),
        )
        return nsg

    def _flow_log(self, name: str, args: NetworkArgs, flow_logs: FlowLogArgs, tags: dict[str, str]) -> None:
        writer = managedidentity.UserAssignedIdentity(
            f"{name}-flow-log-identity",
            resource_name_=f"id-{args.vnet_name}-flow-log",
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=tags,
            opts=child_options(self),
        )
        # Network Watcher creates the flow log container itself, so the grant is on the account.
        access = assign_role(
            f"{name}-flow-log-writer",
            parent=self,
            subscription_id=args.subscription_id,
            role=BuiltInRole.STORAGE_BLOB_DATA_CONTRIBUTOR,
            principal_id=writer.principal_id,
            scope=flow_logs.storage_account_id,
            description=f"Network Watcher writes the flow log of {args.vnet_name}",
        )
        network.FlowLog(
            f"{name}-flow-log",
            flow_log_name=f"fl-{args.vnet_name}",
            network_watcher_name=flow_logs.network_watcher_name,
            resource_group_name=flow_logs.network_watcher_resource_group,
            location=args.location,
            target_resource_id=self.vnet.id,
            storage_id=flow_logs.storage_account_id,
            enabled=True,
            format={"type": "JSON", "version": 2},
            retention_policy={"enabled": True, "days": flow_logs.retention_days},
            identity={"type": "UserAssigned", "user_assigned_identities": [writer.id]},
            tags=tags,
            opts=child_options(self, depends_on=[access]),
        )
