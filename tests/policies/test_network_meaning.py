"""Network rules judged by meaning: sources and destinations as address space, a group's rules
together, deny precedence, references by Output or by plain id/name; plus the default security
group and rule descriptions. Each cloud has a compliant set; each violation changes it in one way,
most of them ways a string comparison would miss."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.rules import network as n
from policies.rules.address_space import AddressSet, parse_sources
from policies.rules.firewall_rules import AWS_EGRESS_RULE, GCP_NETWORK
from tests.policies.builders import DELETE, assert_compliant, assert_flags, changed, judge, res, without

ADMIN = "network-no-public-admin-ingress"
PUBLIC = "network-public-ingress-ports"
EGRESS = "network-no-unrestricted-egress"
DEFAULT_SG = "network-default-security-group-closed"
DESCRIBED = "network-rules-described"
SUBNETS = "network-subnets-filtered"
NODE_IPS = "k8s-nodes-no-public-ip"
RULES = [ADMIN, PUBLIC, EGRESS, DEFAULT_SG, DESCRIBED, SUBNETS, NODE_IPS]

HALVES = ["0.0.0.0/1", "128.0.0.0/1"]
QUARTERS = ["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"]
V6_HALVES = ["::/1", "8000::/1"]
NINTHS = ["52.0.0.0/9", "52.128.0.0/9"]
"""Two public /9s: each below the /8 threshold on its own, a whole /8 together."""
MANY_EIGHTS = [f"{first}.0.0.0/8" for first in range(11, 200) if first not in (100, 127, 169, 172, 192, 198)]


# -- address space --------------------------------------------------------------------------------
def test_the_internet_in_halves_quarters_and_ipv6_halves_is_every_public_address() -> None:
    for sources in (["0.0.0.0/0"], HALVES, QUARTERS, ["0.0.0.0"], ["*"], ["Internet"], ["Any"]):
        assert parse_sources(sources).reach_text().startswith("every public IPv4 address"), sources
    assert parse_sources(V6_HALVES).reach_text() == "every public IPv6 address"


def test_private_and_reserved_ranges_are_not_public_reach() -> None:
    private = parse_sources(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fd00::/8"])
    assert private.public_reach() == (0, 0) and not private.is_open()


def test_unions_are_open_when_they_reach_a_slash_eight_of_public_space() -> None:
    assert not parse_sources(NINTHS[:1]).is_open()
    assert parse_sources(NINTHS).is_open()
    assert parse_sources(MANY_EIGHTS).is_open()
    assert not parse_sources(["52.94.76.0/24"]).is_open()
    assert parse_sources(["52.94.76.0/24"]).is_open(v4_prefix=24)


def test_cloud_wide_tags_are_open_and_narrow_tags_name_no_address() -> None:
    assert parse_sources(["AzureCloud"]).is_open() and parse_sources(["AzureCloud.eastus"]).is_open()
    for tag in ("VirtualNetwork", "AzureLoadBalancer", "sg-0123456789", "pl-12345"):
        assert parse_sources([tag]).empty, tag


def test_a_deny_of_higher_precedence_removes_what_it_covers() -> None:
    allowed = parse_sources(HALVES).minus(parse_sources(["0.0.0.0/0"]))
    assert allowed.public_reach() == (0, 0)
    assert AddressSet.everything().minus(parse_sources(["0.0.0.0/0"])).public_reach()[0] == 0


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=1, max_value=6), st.randoms(use_true_random=False))
def test_any_split_of_the_internet_into_prefixes_is_still_open(depth: int, rng) -> None:
    """Split 0.0.0.0/0 into random sub-prefixes (down to /depth) and shuffle: always open."""
    pieces = [ipaddress.ip_network("0.0.0.0/0")]
    for _ in range(depth):
        pieces = [p for piece in pieces for p in (piece.subnets() if rng.random() < 0.5 else [piece])]
    names = [str(p) for p in pieces]
    rng.shuffle(names)
    assert parse_sources(names).is_open()


# -- compliant sets -------------------------------------------------------------------------------
def good_aws():
    vpc = res(n.AWS_VPC, "vpc", {"cidrBlock": "10.20.0.0/16"})
    group = res(
        n.AWS_SECURITY_GROUP,
        "web-sg",
        {
            "description": "Load balancer: HTTPS from anywhere",
            "ingress": [
                {"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"], "description": "HTTPS"}
            ],
            "egress": [
                {
                    "protocol": "tcp",
                    "fromPort": 443,
                    "toPort": 443,
                    "cidrBlocks": ["10.20.0.0/16"],
                    "description": "VPC",
                }
            ],
        },
    )
    on_group = {"securityGroupId": group}
    return [
        vpc,
        res(
            n.AWS_DEFAULT_SECURITY_GROUP,
            "default-sg",
            {"vpcId": "vpc-1", "ingress": [], "egress": []},
            deps={"vpcId": vpc},
        ),
        res(n.AWS_FLOW_LOG, "vpc-flow", {"vpcId": "vpc-1", "trafficType": "ALL"}, deps={"vpcId": vpc}),
        res("aws:ec2/subnet:Subnet", "public-a", {"cidrBlock": "10.20.224.0/22", "mapPublicIpOnLaunch": False}),
        group,
        res(
            n.AWS_INGRESS_RULE,
            "web-ssh",
            {
                "securityGroupId": "sg-1",
                "ipProtocol": "tcp",
                "fromPort": 22,
                "toPort": 22,
                "cidrIpv4": "10.0.0.0/8",
                "description": "SSH from the VPN",
            },
            deps=on_group,
        ),
        res(
            n.AWS_INGRESS_RULE,
            "web-partner",
            {
                "securityGroupId": "sg-1",
                "ipProtocol": "tcp",
                "fromPort": 22,
                "toPort": 22,
                "cidrIpv4": "52.94.76.0/24",
                "description": "SSH from the partner's bastion",
            },
            deps=on_group,
        ),
        res(
            AWS_EGRESS_RULE,
            "web-egress",
            {
                "securityGroupId": "sg-1",
                "ipProtocol": "tcp",
                "fromPort": 443,
                "toPort": 443,
                "cidrIpv4": "0.0.0.0/0",
                "description": "HTTPS out",
            },
            deps=on_group,
        ),
        res(
            n.AWS_SECURITY_GROUP_RULE,
            "legacy-rule",
            {
                "type": "ingress",
                "securityGroupId": "sg-0123",
                "protocol": "tcp",
                "fromPort": 443,
                "toPort": 443,
                "cidrBlocks": ["0.0.0.0/0"],
                "description": "HTTPS",
            },
        ),
    ]


def good_gcp():
    network = res(GCP_NETWORK, "vpc", {"name": "ai-infra", "autoCreateSubnetworks": False})
    on_network = {"network": network}
    return [
        network,
        res(
            n.GCP_FIREWALL,
            "allow-https",
            {
                "network": "ai-infra",
                "direction": "INGRESS",
                "sourceRanges": ["0.0.0.0/0"],
                "allows": [{"protocol": "tcp", "ports": ["443"]}],
                "description": "HTTPS to the ingress",
            },
            deps=on_network,
        ),
        res(
            n.GCP_FIREWALL,
            "allow-iap-ssh",
            {
                "network": "ai-infra",
                "direction": "INGRESS",
                "sourceRanges": ["35.235.240.0/20"],
                "allows": [{"protocol": "tcp", "ports": ["22"]}],
                "description": "SSH through IAP",
            },
            deps=on_network,
        ),
        res(
            n.GCP_FIREWALL,
            "deny-all",
            {
                "network": "ai-infra",
                "direction": "INGRESS",
                "priority": 65534,
                "sourceRanges": ["0.0.0.0/0"],
                "denies": [{"protocol": "all"}],
                "description": "Default deny",
            },
            deps=on_network,
        ),
    ]


def good_azure():
    nsg = res(
        n.AZURE_NSG,
        "nsg",
        {
            "networkSecurityGroupName": "nsg-nodes",
            "securityRules": [
                {
                    "name": "ssh-vnet",
                    "direction": "Inbound",
                    "access": "Allow",
                    "protocol": "Tcp",
                    "priority": 200,
                    "sourceAddressPrefix": "VirtualNetwork",
                    "destinationPortRange": "22",
                    "description": "SSH inside the VNet",
                },
            ],
        },
    )
    on_nsg = {"networkSecurityGroupName": nsg}
    return [
        nsg,
        res(
            n.AZURE_SUBNET,
            "snet-nodes",
            {"subnetName": "snet-nodes", "networkSecurityGroup": {"id": "/nsg"}},
            deps={"networkSecurityGroup": nsg},
        ),
        res(n.AZURE_SUBNET, "gateway", {"subnetName": "GatewaySubnet"}),
        res(
            n.AZURE_SECURITY_RULE,
            "https-in",
            {
                "networkSecurityGroupName": "nsg-nodes",
                "direction": "Inbound",
                "access": "Allow",
                "protocol": "Tcp",
                "priority": 300,
                "sourceAddressPrefix": "Internet",
                "destinationPortRange": "443",
                "description": "HTTPS",
            },
            deps=on_nsg,
        ),
        res(
            n.AZURE_SECURITY_RULE,
            "deny-internet",
            {
                "networkSecurityGroupName": "nsg-nodes",
                "direction": "Inbound",
                "access": "Deny",
                "protocol": "*",
                "priority": 4096,
                "sourceAddressPrefix": "Internet",
                "destinationPortRange": "*",
                "description": "Nothing else",
            },
            deps=on_nsg,
        ),
    ]


def good_alicloud():
    group = res(n.ALICLOUD_SECURITY_GROUP, "nodes-sg", {"securityGroupName": "nodes", "description": "ACK nodes"})
    on_group = {"securityGroupId": group}
    return [
        group,
        res(
            n.ALICLOUD_SG_RULE,
            "from-vpc",
            {
                "type": "ingress",
                "securityGroupId": "sg-1",
                "ipProtocol": "all",
                "portRange": "-1/-1",
                "cidrIp": "10.140.0.0/16",
                "description": "VPC traffic",
            },
            deps=on_group,
        ),
        res(
            n.ALICLOUD_SG_RULE,
            "https",
            {
                "type": "ingress",
                "securityGroupId": "sg-1",
                "ipProtocol": "tcp",
                "portRange": "443/443",
                "cidrIp": "0.0.0.0/0",
                "description": "HTTPS",
            },
            deps=on_group,
        ),
    ]


GOOD = {"aws": good_aws, "gcp": good_gcp, "azure": good_azure, "alicloud": good_alicloud}


@pytest.mark.parametrize("cloud", sorted(GOOD))
@pytest.mark.parametrize("rule", RULES)
def test_compliant_networks_pass(rule: str, cloud: str) -> None:
    assert_compliant(rule, GOOD[cloud]())


def _aws_rule(name: str, cidr: str, port: int = 22, group: str = "sg-1", **extra) -> dict:
    return {
        "securityGroupId": group,
        "ipProtocol": "tcp",
        "fromPort": port,
        "toPort": port,
        "cidrIpv4": cidr,
        "description": name,
        **extra,
    }


def _plus(resources, *extra):
    return [*resources, *extra]


def _web_group(resources):
    return next(r for r in resources if r.name == "web-sg")


# (rule, cloud, how the compliant set is broken, resource the finding names, message part)
VIOLATIONS = [
    # -- admin ports, written every way ----------------------------------------------------------
    (
        ADMIN,
        "aws",
        lambda r: changed(
            r, "web-sg", "ingress.0", {"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": HALVES}
        ),
        "web-sg",
        "every public IPv4",
    ),
    (ADMIN, "aws", lambda r: changed(r, "web-sg", "ingress.0.fromPort", 0), "web-sg", "tcp port 22"),
    (ADMIN, "aws", lambda r: changed(r, "web-ssh", "cidrIpv4", "0.0.0.0/1"), "web-ssh", "tcp port 22"),
    (
        ADMIN,
        "aws",
        lambda r: _plus(
            changed(r, "web-ssh", "cidrIpv4", NINTHS[0]),
            res(
                n.AWS_INGRESS_RULE,
                "web-ssh-2",
                _aws_rule("second half", NINTHS[1]),
                deps={"securityGroupId": _web_group(r)},
            ),
        ),
        "web-ssh",
        "together",
    ),
    (
        ADMIN,
        "aws",
        lambda r: changed(
            r, "web-sg", "ingress.0", {"protocol": "tcp", "fromPort": 0, "toPort": 65535, "ipv6CidrBlocks": V6_HALVES}
        ),
        "web-sg",
        "every tcp port",
    ),
    (
        ADMIN,
        "aws",
        lambda r: changed(
            r, "web-sg", "ingress.0", {"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": QUARTERS}
        ),
        "web-sg",
        "every port and protocol",
    ),
    (
        ADMIN,
        "aws",
        # Two rules attached to a group by a plain id string, each a /9.
        lambda r: _plus(
            changed(
                changed(changed(r, "legacy-rule", "cidrBlocks", NINTHS[:1]), "legacy-rule", "fromPort", 22),
                "legacy-rule",
                "toPort",
                22,
            ),
            res(
                n.AWS_SECURITY_GROUP_RULE,
                "legacy-rule-2",
                {
                    "type": "ingress",
                    "securityGroupId": "sg-0123",
                    "protocol": "tcp",
                    "fromPort": 0,
                    "toPort": 65535,
                    "cidrBlocks": NINTHS[1:],
                    "description": "x",
                },
            ),
        ),
        "legacy-rule",
        "legacy-rule-2",
    ),
    (ADMIN, "aws", lambda r: changed(r, "web-partner", "cidrIpv4", "Internet"), "web-partner", ""),
    (ADMIN, "gcp", lambda r: changed(r, "allow-iap-ssh", "sourceRanges", MANY_EIGHTS), "allow-iap-ssh", "tcp port 22"),
    (ADMIN, "gcp", lambda r: changed(r, "allow-iap-ssh", "sourceRanges", DELETE), "allow-iap-ssh", "0.0.0.0/0"),
    (ADMIN, "gcp", lambda r: changed(r, "allow-https", "allows.0.ports", ["1-1024"]), "allow-https", "tcp port 22"),
    (ADMIN, "gcp", lambda r: changed(r, "allow-https", "allows.0.protocol", "all"), "allow-https", "every port"),
    (
        ADMIN,
        "gcp",
        # Two firewalls on one network named by string, each opening SSH to a /9.
        lambda r: _plus(
            changed(r, "allow-iap-ssh", "sourceRanges", NINTHS[:1]),
            res(
                n.GCP_FIREWALL,
                "ssh-b",
                {
                    "network": "projects/p/global/networks/ai-infra",
                    "sourceRanges": NINTHS[1:],
                    "allows": [{"protocol": "6", "ports": ["22"]}],
                    "description": "x",
                },
            ),
        ),
        "ssh-b",
        "allow-iap-ssh",
    ),
    (ADMIN, "azure", lambda r: changed(r, "nsg", "securityRules.0.sourceAddressPrefix", "*"), "nsg", "ssh-vnet"),
    (
        ADMIN,
        "azure",
        lambda r: changed(r, "https-in", "destinationPortRanges", ["3000-4000"]),
        "https-in",
        "tcp port 3389",
    ),
    (
        ADMIN,
        "azure",
        lambda r: changed(
            r,
            "nsg",
            "securityRules.0",
            {
                "name": "ssh-halves",
                "direction": "Inbound",
                "access": "Allow",
                "protocol": "*",
                "priority": 100,
                "sourceAddressPrefixes": HALVES,
                "destinationPortRange": "22",
            },
        ),
        "nsg",
        "ssh-halves",
    ),
    (
        ADMIN,
        "azure",
        lambda r: changed(
            changed(r, "https-in", "sourceAddressPrefix", "AzureCloud"), "https-in", "destinationPortRange", "22"
        ),
        "https-in",
        "Azure customer",
    ),
    (
        ADMIN,
        "azure",
        # A deny of lower precedence (higher number) does not take SSH back.
        lambda r: changed(r, "https-in", "destinationPortRange", "*"),
        "https-in",
        "every",
    ),
    (ADMIN, "alicloud", lambda r: changed(r, "https", "portRange", "1/65535"), "https", "every tcp port"),
    (
        ADMIN,
        "alicloud",
        # A rule naming the group by its plain id string, half the address space each.
        lambda r: _plus(
            changed(r, "https", "portRange", "22/22"),
            res(
                n.ALICLOUD_SG_RULE,
                "https-v6",
                {
                    "type": "ingress",
                    "securityGroupId": "sg-1",
                    "ipProtocol": "tcp",
                    "portRange": "22/22",
                    "ipv6CidrIp": "::/0",
                    "description": "x",
                },
                deps={"securityGroupId": r[0]},
            ),
        ),
        "https-v6",
        "IPv6",
    ),
    # -- internet-facing ports other than HTTPS ----------------------------------------------------
    (PUBLIC, "aws", lambda r: changed(r, "web-sg", "ingress.0.fromPort", 80), "web-sg", "tcp port 80-442"),
    (PUBLIC, "aws", lambda r: changed(r, "web-partner", "cidrIpv4", "0.0.0.0/1"), "web-partner", "tcp port 22"),
    (
        PUBLIC,
        "gcp",
        lambda r: changed(r, "allow-https", "allows.0.ports", ["443", "8080"]),
        "allow-https",
        "tcp port 8080",
    ),
    (PUBLIC, "azure", lambda r: changed(r, "https-in", "destinationPortRange", "53"), "https-in", "port 53"),
    (
        PUBLIC,
        "alicloud",
        lambda r: changed(changed(r, "https", "ipProtocol", "udp"), "https", "portRange", "53/53"),
        "https",
        "udp port 53",
    ),
    # -- egress --------------------------------------------------------------------------------------
    (EGRESS, "aws", lambda r: changed(r, "web-egress", "ipProtocol", "-1"), "web-egress", "every port and protocol"),
    (
        EGRESS,
        "aws",
        lambda r: changed(
            r, "web-sg", "egress.0", {"protocol": "tcp", "fromPort": 0, "toPort": 65535, "cidrBlocks": HALVES}
        ),
        "web-sg",
        "every tcp port",
    ),
    (
        EGRESS,
        "gcp",
        lambda r: _plus(
            r,
            res(
                n.GCP_FIREWALL,
                "egress-all",
                {"network": "ai-infra", "direction": "EGRESS", "allows": [{"protocol": "all"}], "description": "x"},
            ),
        ),
        "egress-all",
        "every port and protocol",
    ),
    (
        EGRESS,
        "azure",
        lambda r: changed(
            changed(
                changed(r, "https-in", "direction", "Outbound"), "https-in", "destinationAddressPrefix", "Internet"
            ),
            "https-in",
            "destinationPortRange",
            "*",
        ),
        "https-in",
        "egress",
    ),
    (
        EGRESS,
        "alicloud",
        lambda r: changed(changed(r, "from-vpc", "type", "egress"), "from-vpc", "cidrIp", "0.0.0.0/0"),
        "from-vpc",
        "egress",
    ),
    # -- the default security group, descriptions -----------------------------------------------------
    (
        DEFAULT_SG,
        "aws",
        lambda r: changed(
            r, "default-sg", "egress", [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}]
        ),
        "default-sg",
        "egress",
    ),
    (DEFAULT_SG, "aws", lambda r: without(r, "default-sg"), "vpc", "default rules"),
    (
        DESCRIBED,
        "aws",
        lambda r: changed(r, "web-sg", "description", "Managed by Pulumi"),
        "web-sg",
        "Managed by Pulumi",
    ),
    (DESCRIBED, "aws", lambda r: changed(r, "web-ssh", "description", DELETE), "web-ssh", "no description"),
    (DESCRIBED, "gcp", lambda r: changed(r, "deny-all", "description", " "), "deny-all", ""),
    (DESCRIBED, "azure", lambda r: changed(r, "nsg", "securityRules.0.description", DELETE), "nsg", "ssh-vnet"),
    (DESCRIBED, "alicloud", lambda r: changed(r, "https", "description", DELETE), "https", ""),
    (
        SUBNETS,
        "azure",
        lambda r: changed(r, "snet-nodes", "networkSecurityGroup", DELETE),
        "snet-nodes",
        "networkSecurityGroup",
    ),
    (NODE_IPS, "aws", lambda r: changed(r, "public-a", "mapPublicIpOnLaunch", True), "public-a", "mapPublicIpOnLaunch"),
]


@pytest.mark.parametrize(
    ("rule", "cloud", "break_it", "flagged", "contains"), VIOLATIONS, ids=lambda v: v if isinstance(v, str) else ""
)
def test_each_form_of_the_weakness_is_reported(rule, cloud, break_it, flagged, contains) -> None:
    assert_flags(rule, break_it(GOOD[cloud]()), flagged, contains=contains)


# -- what must stay compliant (false positives) -----------------------------------------------------
def test_ssh_from_private_ranges_and_a_partner_range_is_not_the_internet() -> None:
    resources = changed(good_aws(), "web-ssh", "cidrIpv4", "172.16.0.0/12")
    resources = [*resources, res(n.AWS_INGRESS_RULE, "cgnat", _aws_rule("CGNAT", "100.64.0.0/10"))]
    assert_compliant(ADMIN, resources)


def test_a_single_public_slash_nine_alone_is_not_the_internet() -> None:
    assert_compliant(ADMIN, changed(good_aws(), "web-ssh", "cidrIpv4", NINTHS[0]))


def test_a_rule_in_another_group_does_not_complete_the_union() -> None:
    other = res(n.AWS_INGRESS_RULE, "other-group", _aws_rule("other", NINTHS[1], group="sg-other"))
    assert_compliant(ADMIN, [*changed(good_aws(), "web-ssh", "cidrIpv4", NINTHS[0]), other])


def test_a_deny_of_higher_precedence_takes_the_internet_back() -> None:
    azure = changed(good_azure(), "deny-internet", "priority", 100)
    azure = changed(azure, "https-in", "destinationPortRange", "*")
    assert_compliant(ADMIN, azure)
    gcp = changed(good_gcp(), "deny-all", "priority", 10)
    gcp = changed(gcp, "allow-https", "allows.0.ports", ["22", "443"])
    assert_compliant(ADMIN, gcp)
    # ...but a deny of lower precedence does not.
    assert_flags(ADMIN, changed(gcp, "deny-all", "priority", 65534), "allow-https", contains="tcp port 22")


def test_firewalls_with_disjoint_targets_do_not_add_up() -> None:
    a = res(
        n.GCP_FIREWALL,
        "a",
        {
            "network": "ai-infra",
            "sourceRanges": NINTHS[:1],
            "allows": [{"protocol": "tcp", "ports": ["22"]}],
            "targetTags": ["gpu"],
        },
    )
    b = res(
        n.GCP_FIREWALL,
        "b",
        {
            "network": "ai-infra",
            "sourceRanges": NINTHS[1:],
            "allows": [{"protocol": "tcp", "ports": ["22"]}],
            "targetTags": ["cpu"],
        },
    )
    assert judge(ADMIN, [a, b]) == []
    b_all = res(
        n.GCP_FIREWALL,
        "b",
        {"network": "ai-infra", "sourceRanges": NINTHS[1:], "allows": [{"protocol": "tcp", "ports": ["22"]}]},
    )
    assert_flags(ADMIN, [a, b_all], "a", contains="together")


def test_icmp_from_anywhere_is_no_exposure() -> None:
    icmp = res(
        n.AWS_INGRESS_RULE,
        "ping",
        {"ipProtocol": "icmp", "fromPort": -1, "toPort": -1, "cidrIpv4": "0.0.0.0/0", "description": "ping"},
    )
    for rule in (ADMIN, PUBLIC):
        assert_compliant(rule, [*good_aws(), icmp])


def test_public_ports_are_configurable() -> None:
    resources = changed(good_aws(), "web-sg", "ingress.0.fromPort", 80)
    assert_compliant(PUBLIC, resources, {"publicPorts": list(range(80, 444))})
