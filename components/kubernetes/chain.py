"""The "Pending pod -> running node" chain of one cluster, summarised per pool and per team.

Each cloud's `GpuPlatform` records it as its own input, so that `preflight --format json` shows,
next to the resources themselves, which mechanism scales each pool, what makes its accelerators
schedulable, where its GPU metrics come from and which queue objects admit each team's jobs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from components.kubernetes.batch_queues import LOCAL_QUEUE, TeamQueue, quota_by_pool
from components.kubernetes.pools import AcceleratorPool


def platform_chain(
    pools: Sequence[AcceleratorPool],
    teams: Sequence[TeamQueue],
    *,
    autoscaling: Callable[[AcceleratorPool], str],
    device: Callable[[AcceleratorPool], str],
    telemetry: Callable[[AcceleratorPool], str],
) -> dict[str, Any]:
    return {
        "pools": {
            pool.name: {
                "accelerator": pool.accelerator,
                "autoscaling": autoscaling(pool),
                "device": device(pool),
                "telemetry": telemetry(pool),
                "queue_flavor": pool.name,
            }
            for pool in pools
        },
        "teams": {
            team.name: {
                "namespace": team.namespace,
                "local_queue": f"{team.namespace}/{LOCAL_QUEUE}",
                "cluster_queue": team.name,
                "quota_by_flavor": quota_by_pool(team, pools),
            }
            for team in teams
        },
    }
