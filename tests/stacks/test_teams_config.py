"""`clouds.<cloud>.teams` and `gpu_pools.<pool>.fixed_size_reason`: a team's quota names an
accelerator the cloud's cluster pools carry and fits in them, namespaces are distinct and not the
cluster's own; a fixed-size pool keeps min = max. Mistakes name the key path."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from stacks.config import ConfigError, parse_environment
from tests.stacks.test_config_errors import BASE

GCP_BASE: dict[str, Any] = {
    "project": "acme-ml-dev",
    "region": "us-central1",
    "billing_account": "012345-6789AB-CDEF01",
    "network": {"cidr": "10.20.0.0/16", "zones": 2},
    "cluster": {"location_type": "zonal"},
    "gpu_pools": {"l4": {"accelerator": "nvidia-l4", "max_nodes": 2}},
    "tpu_pools": {
        "v5p": {"generation": "tpu-v5p", "topology": "2x2x2", "slices": 2},
        "vm": {"generation": "tpu-v5e", "topology": "1x1", "form": "tpu-vm"},
    },
    "budget": {"monthly_usd": 100, "alert_emails": ["a@example.com"]},
}


def aws(**changes: Any) -> dict[str, Any]:
    values = copy.deepcopy(BASE)
    values["clouds"]["aws"].update(changes)
    return values


def gcp(**changes: Any) -> dict[str, Any]:
    values = copy.deepcopy(BASE)
    values["clouds"] = {"gcp": {**copy.deepcopy(GCP_BASE), **changes}}
    return values


def problem(values: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_environment(values)
    return str(caught.value)


def test_teams_parse_with_namespace_defaulting_to_the_key():
    spec = parse_environment(
        aws(teams={"ml": {"quotas": {"nvidia-l4": 2}}, "eval": {"namespace": "evaluation", "quotas": {"nvidia-l4": 1}}})
    )
    teams = spec.clouds.aws.teams
    assert teams["ml"].namespace_for("ml") == "ml" and teams["ml"].pod_security == "baseline"
    assert teams["eval"].namespace_for("eval") == "evaluation"


@pytest.mark.parametrize(
    ("teams", "key", "says"),
    [
        (
            {"ml": {"quotas": {"nvidia-a100": 1}}},
            "teams.ml.quotas.nvidia-a100",
            "no pool of this cloud's cluster carries",
        ),
        ({"ml": {"quotas": {"nvidia-l4": 3}}}, "teams.ml.quotas.nvidia-l4", "more than the 2 nvidia-l4"),
        ({"ml": {"quotas": {"nvidia-x9": 1}}}, "teams.ml.quotas.nvidia-x9", "not a catalog accelerator"),
        ({"ml": {"quotas": {"nvidia-l4": 0}}}, "teams.ml.quotas.nvidia-l4", "greater than or equal to 1"),
        ({"ml": {"quotas": {}}}, "teams.ml.quotas", ""),
        (
            {"ml": {"namespace": "kube-system", "quotas": {"nvidia-l4": 1}}},
            "teams.ml.namespace",
            "belongs to the cluster",
        ),
        (
            {"research": {"namespace": "ml", "quotas": {"nvidia-l4": 1}}, "ml": {"quotas": {"nvidia-l4": 1}}},
            "teams.ml.namespace",
            "already team 'research'",
        ),
        ({"ml": {"quotas": {"nvidia-l4": 1}, "pod_security": "privileged"}}, "teams.ml.pod_security", ""),
    ],
)
def test_impossible_teams_name_the_key(teams, key, says):
    message = problem(aws(teams=teams))
    assert message.startswith(f"ai-infra:clouds.aws.{key}:"), message
    assert says in message


def test_gke_tpu_pools_count_but_tpu_vms_do_not():
    spec = parse_environment(gcp(teams={"ml": {"quotas": {"tpu-v5p": 16, "nvidia-l4": 2}}}))
    assert spec.clouds.gcp.teams["ml"].quotas == {"tpu-v5p": 16, "nvidia-l4": 2}
    assert "more than the 16 tpu-v5p" in problem(gcp(teams={"ml": {"quotas": {"tpu-v5p": 17}}}))
    message = problem(gcp(teams={"ml": {"quotas": {"tpu-v5e": 1}}}))
    assert message.startswith("ai-infra:clouds.gcp.teams.ml.quotas.tpu-v5e:"), message


def test_a_fixed_size_pool_keeps_min_equal_to_max():
    pool = {"accelerator": "nvidia-l4", "min_nodes": 2, "max_nodes": 2, "fixed_size_reason": "reserved capacity"}
    assert parse_environment(aws(gpu_pools={"l4": pool})).clouds.aws.gpu_pools["l4"].fixed_size_reason
    message = problem(aws(gpu_pools={"l4": {**pool, "min_nodes": 1}}))
    assert message.startswith("ai-infra:clouds.aws.gpu_pools.l4.min_nodes:"), message
    assert "fixed_size_reason" in message
    message = problem(aws(gpu_pools={"l4": {**pool, "fixed_size_reason": "why?<>"}}))
    assert message.startswith("ai-infra:clouds.aws.gpu_pools.l4.fixed_size_reason:"), message
