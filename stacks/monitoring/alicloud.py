"""Alibaba Cloud monitoring of an environment: the alert route (CloudMonitor and ARMS contact
groups), CloudMonitor alarms per PAI-EAS service, ARMS Prometheus GPU alerts for the ACK cluster,
and the generated Grafana dashboard (no provider resource holds one)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from components.alicloud.alert_route import AlertRoute, AlertRouteArgs
from components.alicloud.dashboard import Dashboard, DashboardArgs
from components.alicloud.endpoint_alarms import EndpointAlarms, EndpointAlarmsArgs
from components.alicloud.gpu_cluster import GpuCluster
from components.alicloud.gpu_monitoring import GpuMonitoring, GpuMonitoringArgs
from components.alicloud.model_endpoint import ModelEndpoint
from stacks.config import EnvironmentSpec
from stacks.config.alicloud import AlicloudSpec, machine_for
from stacks.monitoring.thresholds import endpoint_thresholds, gpu_thresholds, webhook


def rule_prefix(env: EnvironmentSpec) -> str:
    """Prefix of every ARMS alert rule of the environment (the route dispatches on it)."""
    return f"ai-infra-{env.environment}"


def alert_route(env: EnvironmentSpec, spec: AlicloudSpec, prefix: str, opts: pulumi.ResourceOptions) -> AlertRoute:
    return AlertRoute(
        f"{prefix}-alerts",
        AlertRouteArgs(
            name_prefix=f"ai-infra-{env.environment}",
            emails=env.alerts.recipients(spec.budget.alert_emails),
            rule_prefix=rule_prefix(env),
            webhook_url=webhook(env.alerts),
        ),
        opts=opts,
    )


def declare_monitoring(
    env: EnvironmentSpec,
    spec: AlicloudSpec,
    *,
    prefix: str,
    route: AlertRoute,
    cluster: GpuCluster,
    endpoints: Mapping[str, ModelEndpoint],
    opts: pulumi.ResourceOptions,
) -> dict[str, Any]:
    services: dict[str, pulumi.Output[str]] = {}
    for key, endpoint in endpoints.items():
        # The name is set by the program; reading it through the service's id makes the alarms
        # depend on (and follow) the service they watch.
        services[key] = pulumi.Output.all(endpoint.service.id, endpoint.endpoint_name).apply(lambda v: str(v[1]))
        EndpointAlarms(
            f"{prefix}-{key}-alarms",
            EndpointAlarmsArgs(
                service_name=services[key],
                contact_group_name=route.contact_group_name,
                alarm_name_prefix=f"{rule_prefix(env)}-{key}",
                webhook_url=route.webhook_url,
                thresholds=endpoint_thresholds(env.alerts),
                tags=env.tags,
            ),
            opts=opts,
        )
    if spec.gpu_pools:
        GpuMonitoring(
            f"{prefix}-gpu-monitoring",
            GpuMonitoringArgs(
                cluster_id=cluster.cluster_id,
                rule_prefix=rule_prefix(env),
                dispatch_rule_id=route.dispatch_rule_id,
                contact_group_name=route.contact_group_name,
                thresholds=gpu_thresholds(env.alerts),
                spot_interruption_alerts=any(pool.spot for pool in spec.gpu_pools.values()),
                tags=env.tags,
            ),
            opts=opts,
        )
    dashboard = Dashboard(
        f"{prefix}-dashboard",
        DashboardArgs(
            title=f"ai-infra {env.environment} (Alibaba Cloud)",
            services=services,
            gpu_pools={
                key: machine_for(pool.accelerator, pool.machine_type, "node") for key, pool in spec.gpu_pools.items()
            },
            monthly_budget_usd=spec.budget.monthly_usd,
        ),
        opts=opts,
    )
    pulumi.log.info(dashboard.gap_message)
    return {"alert_contact_group": route.contact_group_name, "dashboard_json": dashboard.dashboard_json}
