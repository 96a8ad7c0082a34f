"""Shared file systems are priced on provisioned capacity at their tier's sourced rate; a tier with
no sourced rate is unknown (with the reason), never $0. A claim bound to an existing volume adds
nothing, and the private services range a file system needs is not billed."""

from __future__ import annotations

import pytest

from catalog.costs import estimate_resource


def test_fsx_lustre_125_is_capacity_times_the_sourced_rate():
    cost = estimate_resource(
        "aws:fsx/lustreFileSystem:LustreFileSystem",
        "urn:fsx",
        {"deploymentType": "PERSISTENT_2", "perUnitStorageThroughput": 125, "storageCapacity": 9600},
        region="us-east-1",
    )
    assert cost is not None and cost.known
    assert cost.floor_usd == cost.ceiling_usd == pytest.approx(9600 * 0.145)
    assert "9,600 GiB provisioned" in cost.basis
    assert [q.source.url for q in cost.figures] == ["https://c3x.dev/resources/aws/aws_fsx_lustre_file_system/"]


@pytest.mark.parametrize(
    ("type_", "inputs", "says"),
    [
        (
            "aws:fsx/lustreFileSystem:LustreFileSystem",
            {"deploymentType": "PERSISTENT_2", "perUnitStorageThroughput": 500, "storageCapacity": 2400},
            "500 MB/s/TiB rate not sourced",
        ),
        ("gcp:lustre/instance:Instance", {"perUnitStorageThroughput": "250", "capacityGib": "36000"}, "not sourced"),
        ("gcp:filestore/instance:Instance", {"tier": "ZONAL", "fileShares": {"capacityGb": 1024}}, "not sourced"),
        (
            "azure-native:storagecache:AmlFilesystem",
            {"sku": {"name": "AMLFS-Durable-Premium-250"}, "storageCapacityTiB": 8},
            "AMLFS-Durable-Premium-250 rate not sourced",
        ),
        (
            "alicloud:nas/fileSystem:FileSystem",
            {"fileSystemType": "extreme", "storageType": "advance", "capacity": 10240},
            "advance rate not sourced",
        ),
        (
            "aws:fsx/lustreFileSystem:LustreFileSystem",
            {"deploymentType": "PERSISTENT_2", "perUnitStorageThroughput": 125},
            "capacity is not known",
        ),
    ],
)
def test_an_unsourced_tier_is_unknown_never_zero(type_, inputs, says):
    cost = estimate_resource(type_, "urn:fs", inputs, region="us-east-1")
    assert cost is not None and not cost.known and says in (cost.unknown_reason or "")


def test_general_purpose_nas_is_usage_billed():
    cost = estimate_resource("alicloud:nas/fileSystem:FileSystem", "urn:nas", {"fileSystemType": "standard"})
    assert cost is not None and cost.usage_only


def test_a_claim_bound_to_an_existing_volume_adds_no_disk():
    bound = {"storageClassName": "", "volumeName": "train-ml", "resources": {"requests": {"storage": "9600Gi"}}}
    assert estimate_resource("kubernetes:core/v1:PersistentVolumeClaim", "urn:pvc", {"spec": bound}) is None
    dynamic = estimate_resource(
        "kubernetes:core/v1:PersistentVolumeClaim", "urn:pvc", {"spec": {"resources": {"requests": {"storage": "1Gi"}}}}
    )
    assert dynamic is not None and not dynamic.known


def test_internal_peering_ranges_are_free_external_addresses_are_not():
    token = "gcp:compute/globalAddress:GlobalAddress"
    assert estimate_resource(token, "urn:range", {"addressType": "INTERNAL", "purpose": "VPC_PEERING"}) is None
    external = estimate_resource(token, "urn:ip", {"addressType": "EXTERNAL"})
    assert external is not None and not external.known
