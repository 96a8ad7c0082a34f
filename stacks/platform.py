"""What every cloud's stack hands its `GpuPlatform`: teams from config as Kueue team queues."""

from __future__ import annotations

from collections.abc import Mapping

from components.kubernetes import PodSecurity, TeamQueue
from stacks.config.teams import TeamSpec


def team_queues(teams: Mapping[str, TeamSpec]) -> list[TeamQueue]:
    """`clouds.<cloud>.teams` as the queue layer's `TeamQueue`s, in config order."""
    return [
        TeamQueue(
            name=name,
            namespace=team.namespace_for(name),
            quotas=dict(team.quotas),
            pod_security=PodSecurity(team.pod_security),
        )
        for name, team in teams.items()
    ]
