"""`ai-infra:gcp:Network`: a private custom-mode VPC for GKE, TPU VMs and Vertex AI."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_gcp as gcp

from components.options import child_options

IAP_RANGE = "35.235.240.0/20"
"""Google's Identity-Aware Proxy TCP forwarding range: SSH through IAP, never from the internet."""
PODS_RANGE_NAME = "pods"
SERVICES_RANGE_NAME = "services"

NatStrategy = Literal["single", "none"]


@dataclass(frozen=True, kw_only=True)
class NetworkArgs:
    """Inputs of `Network`. Ranges are planned by the stack config (all inside one private CIDR)."""

    network_name: str
    """Name of the VPC (and prefix of its subnetwork, router and firewall names)."""
    project: str
    region: str
    subnet_cidr: str
    """Primary range of the regional subnetwork: node and TPU VM addresses."""
    pods_cidr: str
    """Secondary range `pods`: GKE pod addresses (VPC-native cluster)."""
    services_cidr: str
    """Secondary range `services`: GKE ClusterIP addresses."""
    nat: NatStrategy = "single"
    """`single` (default): one Cloud Router + Cloud NAT (regional and zone-redundant on Google
    Cloud) so that private nodes can pull images and reach APIs outside Google. `none`: no
    internet egress at all (Google APIs stay reachable through Private Google Access)."""
    iap_ssh: bool = False
    """Default False: no SSH ingress at all. True: SSH (tcp/22) only from the IAP range."""
    flow_log_sampling: float = 0.5
    """Share of flows the subnetwork's VPC flow logs record (flow logs are always on). Default 0.5."""
    private_services_cidr: str | None = None
    """Default None: no Private Services Access. A range here is reserved and peered with Google's
    service producers, which Vertex AI endpoints with `network_access: private` need."""
    mtu: int = 8896
    """Default 8896 (jumbo frames): what GKE recommends for GPU/TPU collective traffic."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """GCP labels for the children that take labels (VPCs, subnets and firewalls do not)."""


class Network(pulumi.ComponentResource):
    """Custom-mode VPC (no auto subnets, regional routing), one regional subnetwork with pod and
    service secondary ranges, Private Google Access and flow logs, Cloud Router + Cloud NAT with
    logging, a lowest-priority deny-all ingress rule (logged) and, if asked, IAP-only SSH.
    No rule admits 0.0.0.0/0."""

    network_id: pulumi.Output[str]
    """`projects/<project>/global/networks/<name>`."""
    network_name: pulumi.Output[str]
    network_self_link: pulumi.Output[str]
    subnetwork_id: pulumi.Output[str]
    subnetwork_self_link: pulumi.Output[str]
    network: gcp.compute.Network
    subnetwork: gcp.compute.Subnetwork
    private_services_connection: gcp.servicenetworking.Connection | None
    """Private Services Access peering (when `private_services_cidr` is set): depend on it."""

    pods_range_name = PODS_RANGE_NAME
    services_range_name = SERVICES_RANGE_NAME

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:gcp:Network", name, None, opts)

        self.network = gcp.compute.Network(
            f"{name}-vpc",
            name=args.network_name,
            project=args.project,
            auto_create_subnetworks=False,
            routing_mode="REGIONAL",
            mtu=args.mtu,
            description="ai-infra private network (custom mode)",
            opts=child_options(self),
        )
        network_id = pulumi.Output.concat("projects/", args.project, "/global/networks/", self.network.name)
        self.subnetwork = gcp.compute.Subnetwork(
            f"{name}-subnet",
            name=f"{args.network_name}-{args.region}",
            project=args.project,
            region=args.region,
            network=network_id,
            ip_cidr_range=args.subnet_cidr,
            secondary_ip_ranges=[
                {"range_name": PODS_RANGE_NAME, "ip_cidr_range": args.pods_cidr},
                {"range_name": SERVICES_RANGE_NAME, "ip_cidr_range": args.services_cidr},
            ],
            # Nodes have no external IPs; Google APIs (GCS, Artifact Registry) stay reachable.
            private_ip_google_access=True,
            log_config={
                "aggregation_interval": "INTERVAL_5_SEC",
                "flow_sampling": args.flow_log_sampling,
                "metadata": "INCLUDE_ALL_METADATA",
            },
            opts=child_options(self),
        )

        if args.nat == "single":
            router = gcp.compute.Router(
                f"{name}-router",
                name=f"{args.network_name}-router",
                project=args.project,
                region=args.region,
                network=network_id,
                opts=child_options(self),
            )
            gcp.compute.RouterNat(
                f"{name}-nat",
                name=f"{args.network_name}-nat",
                project=args.project,
                region=args.region,
                router=router.name,
                nat_ip_allocate_option="AUTO_ONLY",
                source_subnetwork_ip_ranges_to_nat="LIST_OF_SUBNETWORKS",
                subnetworks=[{"name": self.subnetwork.self_link, "source_ip_ranges_to_nats": ["ALL_IP_RANGES"]}],
                # Many pods per node open many connections: let ports per VM grow on demand.
                enable_dynamic_port_allocation=True,
                enable_endpoint_independent_mapping=False,
                min_ports_per_vm=64,
                max_ports_per_vm=4096,
                log_config={"enable": True, "filter": "ERRORS_ONLY"},
                opts=child_options(self),
            )

        # A VPC already denies ingress implicitly; an explicit, logged rule makes the posture
        # visible (and auditable) and stays below every allow rule GKE adds for its own needs.
        gcp.compute.Firewall(
            f"{name}-deny-all-ingress",
            name=f"{args.network_name}-deny-all-ingress",
            project=args.project,
            network=network_id,
            direction="INGRESS",
            priority=65534,
            denies=[{"protocol": "all"}],
            source_ranges=["0.0.0.0/0"],
            log_config={"metadata": "INCLUDE_ALL_METADATA"},
            description="Deny all ingress not allowed by a higher-priority rule",
            opts=child_options(self),
        )
        if args.iap_ssh:
            gcp.compute.Firewall(
                f"{name}-allow-iap-ssh",
                name=f"{args.network_name}-allow-iap-ssh",
                project=args.project,
                network=network_id,
                direction="INGRESS",
                priority=1000,
                allows=[{"protocol": "tcp", "ports": ["22"]}],
                source_ranges=[IAP_RANGE],
                log_config={"metadata": "INCLUDE_ALL_METADATA"},
                description="SSH through Identity-Aware Proxy only",
                opts=child_options(self),
            )

        self.private_services_connection = None
        if args.private_services_cidr is not None:
            reserved = ipaddress.IPv4Network(args.private_services_cidr)
            address = gcp.compute.GlobalAddress(
                f"{name}-private-services-range",
                name=f"{args.network_name}-private-services",
                project=args.project,
                network=network_id,
                purpose="VPC_PEERING",
                address_type="INTERNAL",
                address=str(reserved.network_address),
                prefix_length=reserved.prefixlen,
                labels=dict(args.labels),
                opts=child_options(self),
            )
            self.private_services_connection = gcp.servicenetworking.Connection(
                f"{name}-private-services",
                network=network_id,
                service="servicenetworking.googleapis.com",
                reserved_peering_ranges=[address.name],
                opts=child_options(self),
            )

        self.network_id = network_id
        self.network_name = self.network.name
        self.network_self_link = self.network.self_link
        self.subnetwork_id = pulumi.Output.concat(
            "projects/", args.project, "/regions/", args.region, "/subnetworks/", self.subnetwork.name
        )
        self.subnetwork_self_link = self.subnetwork.self_link
        self.register_outputs(
            {
                "network_id": self.network_id,
                "network_name": self.network_name,
                "network_self_link": self.network_self_link,
                "subnetwork_id": self.subnetwork_id,
                "subnetwork_self_link": self.subnetwork_self_link,
            }
        )
