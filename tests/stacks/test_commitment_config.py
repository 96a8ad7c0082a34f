"""`gpu_pools.<name>.commitment` and `.capacity_reservation`: the prod config parses with them;
each mistake names the key path, the value and what is allowed."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from catalog.commitments import PoolCommitment
from stacks.config import ConfigError, parse_environment
from tests.conftest import REPO_ROOT


def prod() -> dict[str, Any]:
    raw = yaml.safe_load((REPO_ROOT / "Pulumi.prod.yaml").read_text(encoding="utf-8"))["config"]
    return {key.removeprefix("ai-infra:"): value for key, value in raw.items() if key.startswith("ai-infra:")}


def with_pool(cloud: str, pool: str, **changes: Any) -> dict[str, Any]:
    values = copy.deepcopy(prod())
    values["clouds"][cloud]["gpu_pools"][pool].update(changes)
    return values


def problems(values: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        parse_environment(values)
    return raised.value.problems


def test_prod_commits_one_inference_node_and_reserves_one_training_node() -> None:
    aws = parse_environment(prod()).clouds.aws
    assert aws is not None
    inference, train = aws.gpu_pools["inference"], aws.gpu_pools["train"]
    assert inference.commitment is not None
    assert inference.commitment.for_estimate() == PoolCommitment("reserved-instance", "1y", 1)
    assert train.capacity_reservation is not None and train.capacity_reservation.nodes == 1
    assert inference.capacity_reservation is None and train.commitment is None


@pytest.mark.parametrize(
    ("cloud", "pool", "changes", "expected"),
    [
        (
            "aws",
            "inference",
            {"commitment": {"kind": "reserved-instances", "nodes": 1}},
            "ai-infra:clouds.aws.gpu_pools.inference.commitment.kind: 'reserved-instances' is not a commitment kind "
            "on aws (allowed: reserved-instance, savings-plan)",
        ),
        (
            "azure",
            "inference",
            {"commitment": {"kind": "cud", "nodes": 1}},
            "ai-infra:clouds.azure.gpu_pools.inference.commitment.kind: 'cud' is not a commitment kind on azure "
            "(allowed: reservation, savings-plan)",
        ),
        (
            "aws",
            "inference",
            {"commitment": {"kind": "reserved-instance", "nodes": 7}},
            "ai-infra:clouds.aws.gpu_pools.inference.commitment.nodes: 7 is more than max_nodes (6)",
        ),
        (
            "aws",
            "inference",
            {"commitment": {"kind": "reserved-instance", "term": "2y", "nodes": 1}},
            "ai-infra:clouds.aws.gpu_pools.inference.commitment.term:",
        ),
        (
            "aws",
            "inference",
            {"spot": True, "commitment": {"kind": "reserved-instance", "nodes": 1}},
            "ai-infra:clouds.aws.gpu_pools.inference.commitment: spot capacity cannot be committed or reserved",
        ),
        (
            "aws",
            "train",
            {"capacity_reservation": {"nodes": 5}},
            "ai-infra:clouds.aws.gpu_pools.train.capacity_reservation.nodes: 5 is more than max_nodes (4)",
        ),
        (
            "gcp",
            "train",
            {"capacity_reservation": {"nodes": 2}},
            "ai-infra:clouds.gcp.gpu_pools.train.capacity_reservation.nodes: 2 is not max_nodes (4)",
        ),
        (
            "gcp",
            "train",
            {"capacity_reservation": {"nodes": 4}, "reservation": "existing-h100"},
            "ai-infra:clouds.gcp.gpu_pools.train.capacity_reservation: a pool consumes either an existing "
            "reservation or the one the stack declares",
        ),
        (
            "alicloud",
            "train",
            {"capacity_reservation": {"nodes": 1}},
            "ai-infra:clouds.alicloud.gpu_pools.train.capacity_reservation: capacity reservations are not "
            "declared on alicloud",
        ),
    ],
)
def test_mistakes_name_the_key(cloud: str, pool: str, changes: dict[str, Any], expected: str) -> None:
    found = problems(with_pool(cloud, pool, **changes))
    assert [p for p in found if p.startswith(expected)], found


def test_gcp_and_azure_pools_may_reserve_capacity() -> None:
    values = with_pool("gcp", "train", capacity_reservation={"nodes": 4})
    values["clouds"]["azure"]["gpu_pools"]["train"]["capacity_reservation"] = {"nodes": 1}
    env = parse_environment(values)
    assert env.clouds.gcp is not None and env.clouds.azure is not None
    assert env.clouds.gcp.gpu_pools["train"].capacity_reservation is not None
    assert env.clouds.azure.gpu_pools["train"].capacity_reservation is not None
