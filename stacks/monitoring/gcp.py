"""Google Cloud monitoring of an environment: the notification channels of the alert route
(declared before the budget, which notifies them), endpoint alert policies, GPU alert policies
on Managed Prometheus data, and the Cloud Monitoring dashboard."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from components.gcp.alert_route import AlertRoute, AlertRouteArgs
from components.gcp.dashboard import Dashboard, DashboardArgs
from components.gcp.endpoint_alarms import EndpointAlarms, EndpointAlarmsArgs
from components.gcp.gpu_cluster import GpuCluster
from components.gcp.gpu_monitoring import GpuMonitoring, GpuMonitoringArgs
from components.gcp.model_endpoint import ModelEndpoint
from stacks.config import EnvironmentSpec
from stacks.config.gcp import GcpSpec, gpu_machine
from stacks.monitoring.thresholds import endpoint_thresholds, gpu_thresholds, webhook


def alert_route(
    env: EnvironmentSpec, spec: GcpSpec, labels: Mapping[str, str], opts: pulumi.ResourceOptions
) -> AlertRoute:
    return AlertRoute(
        f"{env.environment}-alerts",
        AlertRouteArgs(
            project=spec.project,
            display_name=f"ai-infra {env.environment} alerts",
            emails=env.alerts.recipients(spec.budget.alert_emails),
            webhook_url=webhook(env.alerts),
            labels=labels,
        ),
        opts=opts,
    )


def budget_only_emails(env: EnvironmentSpec, spec: GcpSpec) -> list[str]:
    """Budget addresses the alert route does not already reach (each gets its own channel)."""
    routed = set(env.alerts.recipients(spec.budget.alert_emails))
    return [email for email in spec.budget.alert_emails if email not in routed]


def declare_monitoring(
    env: EnvironmentSpec,
    spec: GcpSpec,
    *,
    route: AlertRoute,
    cluster: GpuCluster,
    endpoints: Mapping[str, ModelEndpoint],
    labels: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> dict[str, Any]:
    prefix = env.environment
    for key, endpoint in endpoints.items():
        EndpointAlarms(
            f"{prefix}-{key}-alarms",
            EndpointAlarmsArgs(
                project=spec.project,
                endpoint_name=endpoint.endpoint_name,
                notification_channels=route.channel_names,
                display_name_prefix=f"ai-infra {prefix} {key}",
                thresholds=endpoint_thresholds(env.alerts),
                labels=labels,
            ),
            opts=opts,
        )
    if spec.gpu_pools:
        GpuMonitoring(
            f"{prefix}-gpu-monitoring",
            GpuMonitoringArgs(
                project=spec.project,
                cluster_name=cluster.cluster_name,
                notification_channels=route.channel_names,
                display_name_prefix=f"ai-infra {prefix} gpu",
                thresholds=gpu_thresholds(env.alerts),
                spot_preemption_alerts=any(pool.spot for pool in spec.gpu_pools.values()),
                labels=labels,
            ),
            opts=opts,
        )
    dashboard = Dashboard(
        f"{prefix}-dashboard",
        DashboardArgs(
            project=spec.project,
            display_name=f"ai-infra {prefix}",
            endpoints={key: endpoint.endpoint_name for key, endpoint in endpoints.items()},
            cluster_name=cluster.cluster_name if spec.gpu_pools else None,
            gpu_pools={key: gpu_machine(pool, f"gpu_pools.{key}").name for key, pool in spec.gpu_pools.items()},
            monthly_budget_usd=spec.budget.monthly_usd,
        ),
        opts=opts,
    )
    return {"dashboard_id": dashboard.dashboard_id}
