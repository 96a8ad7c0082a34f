"""The estimator, checked against figures computed by hand from the catalog's prices:
730 h x count x rate, ranges from the idle floor to the ceiling, unknown never $0."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from catalog.costs import (
    EXPECTED_SIZE_TAG,
    ResourceCost,
    ResourceInput,
    estimate_resource,
    estimate_resources,
    estimate_stack,
    format_cost,
    format_usd,
    parse_price_book,
    with_expected_size_tag,
)
from catalog.estimators.base import expected_size_gib
from catalog.price_book import PriceBookError
from catalog.price_models import CloudPrices
from catalog.prices import DASH, MINUS, TIMES, PriceCatalog

NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
URN = "urn:pulumi:test::ai-infra::{type}::{name}"


def urn(type_: str, name: str) -> str:
    return URN.format(type=type_, name=name)


def node_group(instance_type: str, low: int, high: int, capacity: str = "ON_DEMAND") -> dict[str, Any]:
    return {
        "instanceTypes": [instance_type],
        "capacityType": capacity,
        "scalingConfig": {"minSize": low, "maxSize": high, "desiredSize": low},
    }


def aws(type_: str, inputs: dict[str, Any], **kwargs: Any) -> ResourceCost:
    cost = estimate_resource(type_, urn(type_, "r"), inputs, region="us-east-1", **kwargs)
    assert cost is not None
    return cost


# -- GPU pools -------------------------------------------------------------------------------------------
def test_spot_gpu_pool_from_zero_to_four() -> None:
    # g6.xlarge spot $0.40/h: idle floor 0 nodes, ceiling 730 h x 4 x 0.40 = $1,168.00.
    cost = aws(NODE_GROUP, node_group("g6.xlarge", 0, 4, "SPOT"))
    assert (cost.floor_usd, cost.ceiling_usd) == (0.0, 1168.00)
    assert cost.basis == f"730 h {TIMES} 0..4 {TIMES} g6.xlarge spot $0.40/h"
    assert format_cost(cost) == f"$0{DASH}$1,168"


def test_on_demand_pool_uses_the_on_demand_price() -> None:
    # p5.48xlarge $55.04/h: 730 x 1 x 55.04 = 40,179.20; x 4 = 160,716.80.
    cost = aws(NODE_GROUP, node_group("p5.48xlarge", 1, 4))
    assert (cost.floor_usd, cost.ceiling_usd) == (40179.20, 160716.80)


def test_gke_pool_with_attached_gpus_adds_them_to_the_host() -> None:
    # g2-standard-4 host $0.14683 + 1 L4 $0.56 = $0.70683/h; per zone 1..2 nodes x 2 zones = 2..4 nodes.
    cost = estimate_resource(
        "gcp:container/nodePool:NodePool",
        "urn:gke",
        {
            "location": "us-central1",
            "nodeLocations": ["us-central1-a", "us-central1-b"],
            "autoscaling": {"minNodeCount": 1, "maxNodeCount": 2},
            "nodeConfig": {"machineType": "g2-standard-4", "guestAccelerators": [{"type": "nvidia-l4", "count": 1}]},
        },
    )
    assert cost is not None
    assert (cost.floor_usd, cost.ceiling_usd) == (round(730 * 2 * 0.70683, 2), round(730 * 4 * 0.70683, 2))
    assert f"per-zone min..max {TIMES} 2 zones (nodeLocations)" in cost.basis


# -- endpoints ------------------------------------------------------------------------------------------
# The endpoint arithmetic is checked against a test price file: ml.g5.xlarge at $1.50/h.
HOSTING = PriceCatalog(
    {
        "aws": CloudPrices.model_validate(
            {
                "cloud": "aws",
                "sources": {"test": {"title": "test figures", "as_of": "2026-11-01"}},
                "hosting": {"ml.g5.xlarge": {"us-east-1": {"on_demand": 1.50, "source": "test"}}},
            }
        )
    }
)
CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
TARGET = "aws:appautoscaling/target:Target"


def sagemaker(*, with_dependencies: bool) -> list[ResourceInput]:
    config_urn, endpoint_urn = urn(CONFIG, "chat-config"), urn(ENDPOINT, "chat-endpoint")
    return [
        ResourceInput(
            CONFIG,
            config_urn,
            {
                "productionVariants": [
                    {"variantName": "primary", "instanceType": "ml.g5.xlarge", "initialInstanceCount": 2}
                ]
            },
            region="us-east-1",
        ),
        ResourceInput(
            ENDPOINT,
            endpoint_urn,
            {"name": "chat", "endpointConfigName": "chat-config-name"},
            region="us-east-1",
            dependencies=[config_urn] if with_dependencies else [],
        ),
        ResourceInput(
            TARGET,
            urn(TARGET, "chat-target"),
            {
                "serviceNamespace": "sagemaker",
                "scalableDimension": "sagemaker:variant:DesiredInstanceCount",
                "resourceId": "endpoint/chat/variant/primary",
                "minCapacity": 2,
                "maxCapacity": 5,
            },
            region="us-east-1",
            dependencies=[endpoint_urn] if with_dependencies else [],
        ),
    ]


def test_on_demand_endpoint_min_two_sized_by_its_autoscaling_target() -> None:
    # 730 h x 2 x $1.50 = $2,190.00 floor; x 5 = $5,475.00 ceiling.
    (cost,) = estimate_resources(sagemaker(with_dependencies=True), prices=HOSTING)
    assert (cost.floor_usd, cost.ceiling_usd) == (2190.00, 5475.00)
    assert cost.basis.startswith(f"730 h {TIMES} 2..5 {TIMES} ml.g5.xlarge on-demand $1.50/h")


def test_endpoint_alone_is_priced_at_its_initial_instance_count() -> None:
    config = sagemaker(with_dependencies=False)[0]
    cost = estimate_resource(config.type, config.urn, config.inputs, region="us-east-1", prices=HOSTING)
    assert cost is not None
    assert (cost.floor_usd, cost.ceiling_usd) == (2190.00, 2190.00)
    assert "no autoscaling target found" in cost.basis


def on_instance(items: list[ResourceInput], instance_type: str) -> list[ResourceInput]:
    variant = {**items[0].inputs["productionVariants"][0], "instanceType": instance_type}
    config = ResourceInput(items[0].type, items[0].urn, {"productionVariants": [variant]}, region="us-east-1")
    return [config, *items[1:]]


def test_endpoint_hosting_without_a_sourced_price_is_unknown() -> None:
    (cost,) = estimate_resources(on_instance(sagemaker(with_dependencies=True), "ml.c5.xlarge"))
    assert not cost.known and cost.floor_usd is None and cost.ceiling_usd is None
    assert "SageMaker hosting rate not sourced" in (cost.unknown_reason or "")


def test_derived_hosting_rate_is_a_range_never_an_exact_figure() -> None:
    # ml.g6.xlarge is derived from EC2 g6.xlarge $0.8048/h x 1.15..1.40 = $0.92552..$1.12672/h:
    # floor 730 x 2 x 0.92552 = $1,351.26, ceiling 730 x 5 x 1.12672 = $4,112.53.
    (cost,) = estimate_resources(on_instance(sagemaker(with_dependencies=True), "ml.g6.xlarge"))
    assert (cost.floor_usd, cost.ceiling_usd) == (1351.26, 4112.53)
    assert f"ml.g6.xlarge on-demand $0.92552{DASH}$1.12672/h (derived range:" in cost.basis
    assert cost.as_of == dt.date(2026, 11, 22) and cost.sources_json()[0]["as_of"] == "2026-11-22"


# -- TPU slices -----------------------------------------------------------------------------------------
def test_tpu_slice_node_pool_is_priced_by_chips() -> None:
    # A 4x4 v5e slice: 4 hosts of ct5lp-hightpu-4t = 16 chips x $1.20 x 730 h = $14,016.00.
    cost = estimate_resource(
        "gcp:container/nodePool:NodePool",
        "urn:tpu",
        {
            "location": "us-central1",
            "nodeLocations": ["us-central1-a"],
            "nodeCount": 4,
            "nodeConfig": {"machineType": "ct5lp-hightpu-4t"},
            "placementPolicy": {"type": "COMPACT", "tpuTopology": "4x4"},
        },
    )
    assert cost is not None
    assert (cost.floor_usd, cost.ceiling_usd) == (14016.00, 14016.00)
    assert f"4 {TIMES} tpu-v5e $1.20/chip-h" in cost.basis


def test_spot_tpu_vm_is_priced_by_chips() -> None:
    # v5litepod-8 = 8 chips x $0.2449 spot x 730 h = $1,430.22.
    cost = estimate_resource(
        "gcp:tpu/v2Vm:V2Vm",
        "urn:vm",
        {"zone": "us-central1-a", "acceleratorType": "v5litepod-8", "schedulingConfig": {"spot": True}},
    )
    assert cost is not None
    assert (cost.floor_usd, cost.ceiling_usd) == (1430.22, 1430.22)


# -- buckets --------------------------------------------------------------------------------------------
BUCKET = "aws:s3/bucket:Bucket"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"


def bucket_items(*, linked_by: str) -> list[ResourceInput]:
    bucket_urn = urn(BUCKET, "datasets")
    lifecycle = {
        "bucket": "ai-infra-dev-datasets" if linked_by == "name" else "datasets-id",
        "rules": [
            {
                "id": "tiering",
                "status": "Enabled",
                "transitions": [
                    {"days": 30, "storageClass": "STANDARD_IA"},
                    {"days": 180, "storageClass": "GLACIER"},
                ],
            },
            {"id": "old", "status": "Disabled", "transitions": [{"days": 1, "storageClass": "DEEP_ARCHIVE"}]},
        ],
    }
    return [
        ResourceInput(
            BUCKET,
            bucket_urn,
            {"bucket": "ai-infra-dev-datasets", "tags": {"ai-infra-expected-size-gib": "500"}},
            region="us-east-1",
        ),
        ResourceInput(
            LIFECYCLE,
            urn(LIFECYCLE, "datasets-lifecycle"),
            lifecycle,
            region="us-east-1",
            dependencies=[bucket_urn] if linked_by == "dependency" else [],
        ),
    ]


@pytest.mark.parametrize("linked_by", ["dependency", "name"])
def test_bucket_with_tiering_ranges_from_coldest_tier_to_standard(linked_by: str) -> None:
    # 500 GiB: all new data in STANDARD $0.023 = $11.50 (ceiling); all data past 180 d in
    # GLACIER $0.0036 = $1.80 (floor). The disabled rule is ignored.
    (cost,) = estimate_resources(bucket_items(linked_by=linked_by))
    assert (cost.floor_usd, cost.ceiling_usd) == (1.80, 11.50)
    assert "GLACIER $0.0036/GB-mo after 180 d" in cost.basis


def test_bucket_without_lifecycle_is_all_standard_and_without_size_is_zero() -> None:
    sized = aws(BUCKET, {"tags": {"ai-infra-expected-size-gib": "500"}})
    assert (sized.floor_usd, sized.ceiling_usd) == (11.50, 11.50)
    unsized = aws(BUCKET, {"tags": {}})
    assert (unsized.floor_usd, unsized.ceiling_usd) == (0.0, 0.0) and "0 GiB expected" in unsized.basis


# -- unknown prices -------------------------------------------------------------------------------------
def test_unknown_price_is_reported_with_its_reason_and_never_summed() -> None:
    unknown = aws(NODE_GROUP, node_group("inf2.24xlarge", 1, 6))
    assert not unknown.known and (unknown.floor_usd, unknown.ceiling_usd) == (None, None)
    assert (
        "inf2.24xlarge" in (unknown.unknown_reason or "")
        and unknown.basis == f"730 h {TIMES} 1..6 {TIMES} inf2.24xlarge on-demand"
    )
    assert format_cost(unknown) == "unknown"
    known = aws(NODE_GROUP, node_group("g6.xlarge", 0, 4, "SPOT"))
    totals = estimate_stack([known, unknown])
    assert (totals.floor_usd, totals.ceiling_usd, totals.unknown_count) == (0.0, 1168.00, 1)
    assert totals.by_cloud == {"aws": (0.0, 1168.00)} and totals.unknown_by_cloud == {"aws": 1}


def test_spot_pool_without_a_spot_figure_is_unknown_not_on_demand() -> None:
    cost = aws(NODE_GROUP, node_group("g6e.2xlarge", 0, 2, "SPOT"))
    assert not cost.known and "upper bound" in (cost.unknown_reason or "")


def test_alibaba_pool_is_unknown_with_the_reason() -> None:
    cost = estimate_resource(
        "alicloud:cs/nodePool:NodePool",
        "urn:ack",
        {"instanceTypes": ["ecs.gn7i-c8g1.2xlarge"], "scalingConfig": {"enable": True, "minSize": 0, "maxSize": 2}},
        region="ap-southeast-1",
    )
    assert cost is not None and not cost.known and cost.floor_usd is None
    assert "ecs.gn7i" in (cost.unknown_reason or "")


def test_types_that_do_not_cost_by_the_hour_are_not_priced() -> None:
    assert estimate_resource("aws:iam/role:Role", "urn:role", {}) is None


# -- fees -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("version", "monthly"),
    [("1.35", 73.00), ("1.32", 438.00)],  # 730 x $0.10 standard support; 730 x $0.60 extended
)
def test_eks_control_plane_fee_follows_the_support_phase(version: str, monthly: float) -> None:
    cost = aws("aws:eks/cluster:Cluster", {"version": version})
    assert (cost.floor_usd, cost.ceiling_usd) == (monthly, monthly)


def test_aks_tiers_and_an_azure_pool_located_by_its_cluster() -> None:
    cluster_type, pool_type = "azure-native:containerservice:ManagedCluster", "azure-native:containerservice:AgentPool"
    cluster = ResourceInput(cluster_type, urn(cluster_type, "aks"), {"location": "eastus", "sku": {"tier": "Free"}})
    pool = ResourceInput(
        pool_type,
        urn(pool_type, "t4"),
        {
            "vmSize": "Standard_NC4as_T4_v3",
            "scaleSetPriority": "Spot",
            "enableAutoScaling": True,
            "minCount": 0,
            "maxCount": 3,
        },
        dependencies=[cluster.urn],
    )
    free, spot_pool = estimate_resources([cluster, pool])
    assert (free.known, free.ceiling_usd) == (True, 0.0)  # a sourced $0, not an unknown
    # 730 h x 3 x $0.0690 spot = $151.11.
    assert (spot_pool.floor_usd, spot_pool.ceiling_usd) == (0.0, 151.11)
    premium = estimate_resource(cluster_type, "urn:p", {"location": "eastus", "sku": {"tier": "Premium"}})
    assert premium is not None and not premium.known


def test_aks_cluster_adds_its_inline_system_pool_to_the_tier_fee() -> None:
    # Standard tier 730 x $0.10 = $73.00 + 730 x 1 x Standard_NC4as_T4_v3 $0.526 = $383.98.
    inputs = {
        "location": "eastus",
        "sku": {"tier": "Standard"},
        "agentPoolProfiles": [{"name": "system", "vmSize": "Standard_NC4as_T4_v3", "count": 1, "mode": "System"}],
    }
    cost = estimate_resource("azure-native:containerservice:ManagedCluster", "urn:aks", inputs)
    assert cost is not None and (cost.floor_usd, cost.ceiling_usd) == (456.98, 456.98)
    unpriced_pool = {**inputs, "agentPoolProfiles": [{"name": "system", "vmSize": "Standard_D8ds_v5", "count": 1}]}
    unknown = estimate_resource("azure-native:containerservice:ManagedCluster", "urn:aks", unpriced_pool)
    assert unknown is not None and not unknown.known and "Standard_D8ds_v5" in (unknown.unknown_reason or "")


def test_nat_gateways() -> None:
    aws_nat = aws("aws:ec2/natGateway:NatGateway", {"connectivityType": "public"})
    assert (aws_nat.floor_usd, aws_nat.ceiling_usd) == (32.85, 32.85)  # 730 x $0.045
    cloud_nat = estimate_resource("gcp:compute/routerNat:RouterNat", "urn:nat", {"region": "us-central1"})
    assert cloud_nat is not None
    assert (cloud_nat.floor_usd, cloud_nat.ceiling_usd) == (0.0, 32.70)  # 730 x 32 VMs x $0.0014


# -- price book -----------------------------------------------------------------------------------------
def test_the_most_specific_discount_wins() -> None:
    book = {"discounts": {"aws": 10, "aws:p5.48xlarge": 25}}
    p5 = aws(NODE_GROUP, node_group("p5.48xlarge", 0, 1), price_book=book)
    assert p5.ceiling_usd == round(730 * 55.04 * 0.75, 2)  # 30,134.40
    assert p5.basis.endswith(f"{MINUS} 25% (price book: aws:p5.48xlarge)")
    g6 = aws(NODE_GROUP, node_group("g6.xlarge", 0, 4, "SPOT"), price_book=book)
    assert g6.ceiling_usd == round(1168.00 * 0.9, 2)
    nat = aws("aws:ec2/natGateway:NatGateway", {}, price_book=book)
    assert nat.ceiling_usd == round(32.85 * 0.9, 2)


@pytest.mark.parametrize(
    ("book", "line"),
    [
        (
            {"discounts": {"aws": 100}},
            "price_book.discounts.aws: 100 is not a percentage from 0 up to, not including, 100",
        ),
        ({"discounts": {"awz": 5}}, "price_book.discounts.awz: 'awz' is not a cloud"),
        ({"discounts": {"aws": "10"}}, "price_book.discounts.aws: '10' is not a number"),
        ({"discount": {}}, "price_book.discount: unknown key (allowed: discounts)"),
        ("10%", "price_book: expected a mapping"),
    ],
)
def test_a_malformed_price_book_is_refused_with_the_key_path(book: Any, line: str) -> None:
    with pytest.raises(PriceBookError) as raised:
        parse_price_book(book)
    assert any(problem.startswith(line) for problem in raised.value.lines())


def test_money_formats() -> None:
    assert [format_usd(v) for v in (0, 12.4, 1240, 160716.8)] == ["$0", "$12.40", "$1,240", "$160,717"]


@pytest.mark.parametrize(("size", "tag"), [(0, None), (0.0, None), (100, "100"), (99.6, "100"), (12.4, "12")])
def test_the_expected_size_tag_is_written_as_whole_gib_and_read_back(size: float, tag: str | None) -> None:
    tags = with_expected_size_tag({"purpose": "models"}, size)
    assert tags.get(EXPECTED_SIZE_TAG) == tag
    assert tags["purpose"] == "models"
    assert expected_size_gib(tags) == (None if tag is None else float(tag))
