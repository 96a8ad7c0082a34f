"""`clouds.<cloud>.file_systems.<name>`: impossible capacity / throughput combinations, links to
unknown buckets and claims outside the team namespaces are config errors that name the key path,
the value and what is allowed."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from stacks.config import ConfigError, parse_environment
from stacks.config.file_systems import amlfs_subnet_prefix, plan_amlfs_subnets
from tests.stacks import test_alicloud_config, test_azure_config
from tests.stacks.test_config_errors import BASE as AWS_BASE
from tests.stacks.test_teams_config import GCP_BASE

TEAMS = {
    "aws": {"ml": {"quotas": {"nvidia-l4": 1}}},
    "gcp": {"ml": {"quotas": {"nvidia-l4": 1}}},
    "azure": {"ml": {"quotas": {"nvidia-t4": 1}}},
    "alicloud": {"ml": {"quotas": {"nvidia-a10": 1}}},
}
GOOD = {
    "aws": {"capacity_gib": 1200, "links": {"datasets": {"bucket": "datasets"}}, "mount": {"namespace": "ml"}},
    "gcp": {
        "capacity_gib": 36_000,
        "throughput_mbps_per_tib": 250,
        "links": {"datasets": {"bucket": "datasets"}},
        "mount": {"namespace": "ml"},
    },
    "azure": {
        "capacity_gib": 8 * 1024,
        "links": {"datasets": {"bucket": "datasets"}},
        "storage_cache_principal_id": "22222222-2222-2222-2222-222222222222",
        "mount": {"namespace": "ml"},
    },
    "alicloud": {"capacity_gib": 100, "links": {"datasets": {"bucket": "models"}}, "mount": {"namespace": "ml"}},
}


def cloud_config(cloud: str, file_system: dict[str, Any]) -> dict[str, Any]:
    if cloud == "aws":
        values = copy.deepcopy(AWS_BASE)
    elif cloud == "gcp":
        values = copy.deepcopy(AWS_BASE)
        values["clouds"] = {"gcp": {**copy.deepcopy(GCP_BASE), "buckets": {"datasets": {}}}}
    elif cloud == "azure":
        values = copy.deepcopy(test_azure_config.BASE)
    else:
        values = copy.deepcopy(test_alicloud_config.BASE)
    section = values["clouds"][cloud]
    section["teams"] = TEAMS[cloud]
    section["file_systems"] = {"train": file_system}
    return values


def with_fs(cloud: str, **changes: Any) -> dict[str, Any]:
    return cloud_config(cloud, {**copy.deepcopy(GOOD[cloud]), **changes})


def problems(values: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_environment(values)
    return caught.value.problems


@pytest.mark.parametrize("cloud", sorted(GOOD))
def test_a_good_file_system_parses(cloud):
    spec = parse_environment(with_fs(cloud))
    file_system = getattr(spec.clouds, cloud).file_systems["train"]
    assert file_system.claim_name("train") == "train"
    assert file_system.mount.namespace == "ml"


def test_defaults_are_the_documented_ones():
    aws = parse_environment(with_fs("aws")).clouds.aws.file_systems["train"]
    assert (aws.kind, aws.throughput_mbps_per_tib, aws.backup_retention_days) == ("lustre", 250, 0)
    assert aws.links["datasets"].prefix == "" and aws.links["datasets"].export is False
    assert aws.mount.read_only is False


@pytest.mark.parametrize(
    ("cloud", "changes", "key", "says"),
    [
        # AWS FSx for Lustre PERSISTENT_2: 1,200, 2,400, then multiples of 2,400 GiB; 125/250/500/1000.
        ("aws", {"capacity_gib": 3600}, "capacity_gib", "allowed: 1,200, 2,400, or a multiple of 2,400"),
        ("aws", {"capacity_gib": 1000}, "capacity_gib", "1,000 GiB is not an FSx for Lustre"),
        ("aws", {"throughput_mbps_per_tib": 200}, "throughput_mbps_per_tib", "allowed: 125, 250, 500, 1000"),
        ("aws", {"backup_retention_days": 91}, "backup_retention_days", "90"),
        # Google Managed Lustre: each tier has its own minimum and step.
        ("gcp", {"throughput_mbps_per_tib": 125}, "capacity_gib", "allowed: 72,000 to 12,240,000 GiB in steps"),
        ("gcp", {"capacity_gib": 40_000}, "capacity_gib", "steps of 36,000"),
        ("gcp", {"throughput_mbps_per_tib": 300}, "throughput_mbps_per_tib", "allowed: 1000, 500, 250, 125"),
        ("gcp", {"throughput_mbps_per_tib": None}, "throughput_mbps_per_tib", "required for kind lustre"),
        (
            "gcp",
            {"kind": "filestore", "throughput_mbps_per_tib": None, "links": {}, "capacity_gib": 1000},
            "capacity_gib",
            "allowed: 1,024 to 102,400 GiB",
        ),
        ("gcp", {"kind": "filestore", "throughput_mbps_per_tib": None}, "links", "Filestore cannot link buckets"),
        # Azure Managed Lustre: whole TiB in the tier's steps.
        ("azure", {"capacity_gib": 8 * 1024 + 1}, "capacity_gib", "allowed: 8 to 128 TiB in steps of 8"),
        ("azure", {"throughput_mbps_per_tib": 40}, "capacity_gib", "allowed: 48 to 768 TiB"),
        ("azure", {"throughput_mbps_per_tib": 1000}, "throughput_mbps_per_tib", "allowed: 40, 125, 250, 500"),
        ("azure", {"storage_cache_principal_id": None}, "storage_cache_principal_id", "HPC Cache Resource Provider"),
        # Alibaba Extreme NAS: 100 GiB to 256 TiB.
        ("alicloud", {"capacity_gib": 50}, "capacity_gib", "allowed: 100 to 262,144 GiB"),
        # Cross-checks against the rest of the cloud's section.
        ("aws", {"links": {"data": {"bucket": "nope"}}}, "links.data.bucket", "configured: datasets, models"),
        ("aws", {"links": {"data": {"bucket": "datasets", "prefix": "a"}}}, "links.data.prefix", "pattern"),
        ("aws", {"mount": {"namespace": "other"}}, "mount.namespace", "allowed: ml"),
    ],
)
def test_impossible_file_systems_name_the_key_the_value_and_what_is_allowed(cloud, changes, key, says):
    values = with_fs(cloud, **changes)
    for name, value in changes.items():
        if value is None:
            values["clouds"][cloud]["file_systems"]["train"].pop(name)
    found = problems(values)
    where = f"ai-infra:clouds.{cloud}.file_systems.train.{key}"
    assert any(line.startswith(where) and says in line for line in found), found


def test_the_value_given_is_named():
    [line] = problems(with_fs("aws", capacity_gib=3600))
    assert "3,600 GiB" in line


def test_two_file_systems_cannot_share_a_claim():
    values = with_fs("aws")
    values["clouds"]["aws"]["file_systems"]["other"] = {**GOOD["aws"], "mount": {"namespace": "ml", "claim": "train"}}
    [line] = problems(values)
    assert line.startswith("ai-infra:clouds.aws.file_systems.other.mount.claim") and "already" in line


def test_amlfs_subnets_follow_capacity_and_fit_the_free_range():
    assert amlfs_subnet_prefix(16) == 27 and amlfs_subnet_prefix(17) == 26 and amlfs_subnet_prefix(500) == 23
    # The last eighth of a /16 is 10.30.224.0/19: blocks aligned to their own size, in order.
    assert plan_amlfs_subnets("10.30.0.0/16", {"a": 8, "b": 48}) == {"a": "10.30.224.0/27", "b": "10.30.224.128/25"}
    with pytest.raises(ValueError, match="no room"):
        plan_amlfs_subnets("10.30.0.0/24", {"a": 400})


def test_an_amlfs_that_does_not_fit_names_the_network_cidr():
    values = with_fs("azure", throughput_mbps_per_tib=40, capacity_gib=768 * 1024)
    values["clouds"]["azure"]["network"]["cidr"] = "10.30.0.0/22"
    found = problems(values)
    assert any(line.startswith("ai-infra:clouds.azure.network.cidr") and "wider network.cidr" in line for line in found)
