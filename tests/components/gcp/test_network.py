"""ai-infra:gcp:Network: custom-mode VPC, private subnetwork, NAT with logs, deny-by-default firewall."""

from __future__ import annotations

from components.gcp import Network, NetworkArgs

PROJECT = "acme-test"
FIREWALL = "gcp:compute/firewall:Firewall"


def make(**overrides):
    args = {
        "network_name": "ai-infra-test",
        "project": PROJECT,
        "region": "us-central1",
        "subnet_cidr": "10.20.128.0/18",
        "pods_cidr": "10.20.0.0/17",
        "services_cidr": "10.20.192.0/19",
        **overrides,
    }
    return lambda: Network("net", NetworkArgs(**args))


def test_custom_mode_vpc_without_auto_subnets(declare):
    vpc = declare(make()).one("gcp:compute/network:Network")
    assert vpc.inputs["autoCreateSubnetworks"] is False
    assert vpc.inputs["routingMode"] == "REGIONAL"


def test_subnetwork_has_pod_and_service_ranges_private_google_access_and_flow_logs(declare):
    run = declare(make(flow_log_sampling=0.25))
    subnet = run.one("gcp:compute/subnetwork:Subnetwork")
    assert subnet.inputs["ipCidrRange"] == "10.20.128.0/18"
    assert subnet.inputs["region"] == "us-central1"
    assert subnet.inputs["network"] == f"projects/{PROJECT}/global/networks/ai-infra-test"
    assert subnet.inputs["secondaryIpRanges"] == [
        {"rangeName": "pods", "ipCidrRange": "10.20.0.0/17"},
        {"rangeName": "services", "ipCidrRange": "10.20.192.0/19"},
    ]
    assert subnet.inputs["privateIpGoogleAccess"] is True
    assert subnet.inputs["logConfig"]["flowSampling"] == 0.25
    assert subnet.inputs["logConfig"]["metadata"] == "INCLUDE_ALL_METADATA"


def test_cloud_nat_for_the_subnetwork_with_logging(declare):
    run = declare(make())
    router = run.one("gcp:compute/router:Router")
    nat = run.one("gcp:compute/routerNat:RouterNat")
    assert nat.inputs["router"] == router.inputs["name"]
    assert nat.inputs["sourceSubnetworkIpRangesToNat"] == "LIST_OF_SUBNETWORKS"
    [subnetwork] = nat.inputs["subnetworks"]
    assert subnetwork["sourceIpRangesToNats"] == ["ALL_IP_RANGES"]
    assert subnetwork["name"].endswith("/subnetworks/ai-infra-test-us-central1")
    assert nat.inputs["logConfig"] == {"enable": True, "filter": "ERRORS_ONLY"}


def test_no_nat_means_no_router(declare):
    run = declare(make(nat="none"))
    assert run.of_type("gcp:compute/routerNat:RouterNat") == []
    assert run.of_type("gcp:compute/router:Router") == []


def test_default_posture_denies_all_ingress_and_allows_nothing(declare):
    [deny] = declare(make()).of_type(FIREWALL)
    assert deny.inputs["direction"] == "INGRESS"
    assert deny.inputs["denies"] == [{"protocol": "all"}]
    assert deny.inputs["priority"] == 65534
    assert "allows" not in deny.inputs
    assert deny.inputs["logConfig"]["metadata"] == "INCLUDE_ALL_METADATA"


def test_ssh_only_from_iap_and_only_when_asked(declare):
    run = declare(make(iap_ssh=True))
    allows = [f for f in run.of_type(FIREWALL) if f.inputs.get("allows")]
    [ssh] = allows
    assert ssh.inputs["sourceRanges"] == ["35.235.240.0/20"]
    assert ssh.inputs["allows"] == [{"protocol": "tcp", "ports": ["22"]}]


def test_no_rule_allows_ingress_from_the_internet(declare):
    for record in declare(make(iap_ssh=True)).of_type(FIREWALL):
        if record.inputs.get("allows"):
            assert "0.0.0.0/0" not in record.inputs.get("sourceRanges", []), record.name


def test_private_services_access_only_with_a_range(declare):
    assert declare(make()).of_type("gcp:servicenetworking/connection:Connection") == []
    run = declare(make(private_services_cidr="10.20.224.0/19", labels={"environment": "test"}))
    address = run.one("gcp:compute/globalAddress:GlobalAddress")
    assert (address.inputs["address"], address.inputs["prefixLength"]) == ("10.20.224.0", 19)
    assert address.inputs["purpose"] == "VPC_PEERING"
    assert address.inputs["labels"] == {"environment": "test"}
    connection = run.one("gcp:servicenetworking/connection:Connection")
    assert connection.inputs["reservedPeeringRanges"] == [address.inputs["name"]]


def test_children_are_parented_to_the_component(declare):
    run = declare(make())
    component = run.one("ai-infra:gcp:Network")
    assert {r.type for r in run.children_of(component.urn)} == {
        "gcp:compute/network:Network",
        "gcp:compute/subnetwork:Subnetwork",
        "gcp:compute/router:Router",
        "gcp:compute/routerNat:RouterNat",
        FIREWALL,
    }
