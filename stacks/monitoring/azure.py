"""Azure monitoring of an environment: the action group of the alert route (declared before
the budget, which notifies it), endpoint metric alerts, GPU monitoring of the AKS cluster on an
Azure Monitor workspace, and the workbook dashboard."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from components.azure.alert_route import AlertRoute, AlertRouteArgs
from components.azure.dashboard import Dashboard, DashboardArgs
from components.azure.endpoint_alarms import EndpointAlarms, EndpointAlarmsArgs, endpoint_id
from components.azure.gpu_cluster import GpuCluster
from components.azure.gpu_monitoring import GpuMonitoring, GpuMonitoringArgs
from components.azure.model_endpoint import DEPLOYMENT_NAME, ModelEndpoint
from stacks.config import EnvironmentSpec
from stacks.config.azure import AzureSpec, node_machine
from stacks.monitoring.thresholds import endpoint_thresholds, gpu_thresholds, webhook


def alert_route(
    env: EnvironmentSpec, spec: AzureSpec, resource_group: pulumi.Input[str], prefix: str, opts: pulumi.ResourceOptions
) -> AlertRoute:
    return AlertRoute(
        f"{prefix}-alerts",
        AlertRouteArgs(
            subscription_id=spec.subscription_id,
            resource_group_name=resource_group,
            action_group_name=f"ag-ai-infra-{env.environment}",
            short_name=f"ai-{env.environment}"[:12],
            emails=env.alerts.recipients(spec.budget.alert_emails),
            webhook_url=webhook(env.alerts),
            tags=env.tags,
        ),
        opts=opts,
    )


def declare_monitoring(
    env: EnvironmentSpec,
    spec: AzureSpec,
    *,
    prefix: str,
    resource_group: pulumi.Input[str],
    route: AlertRoute,
    cluster: GpuCluster,
    endpoints: Mapping[str, ModelEndpoint],
    opts: pulumi.ResourceOptions,
) -> dict[str, Any]:
    sub = spec.subscription_id
    for key, endpoint in endpoints.items():
        EndpointAlarms(
            f"{prefix}-{key}-alarms",
            EndpointAlarmsArgs(
                subscription_id=sub,
                resource_group_name=resource_group,
                workspace_name=endpoint.workspace_name,
                endpoint_name=endpoint.endpoint_name,
                action_group_id=route.action_group_id,
                alert_name_prefix=f"ai-infra-{env.environment}-{key}",
                deployment_name=DEPLOYMENT_NAME,
                thresholds=endpoint_thresholds(env.alerts),
                tags=env.tags,
            ),
            opts=opts,
        )
    monitoring = None
    if spec.gpu_pools:
        monitoring = GpuMonitoring(
            f"{prefix}-gpu-monitoring",
            GpuMonitoringArgs(
                subscription_id=sub,
                resource_group_name=resource_group,
                location=spec.location,
                cluster_name=cluster.cluster_name,
                workspace_name=f"amw-ai-infra-{env.environment}",
                action_group_id=route.action_group_id,
                thresholds=gpu_thresholds(env.alerts),
                tags=env.tags,
            ),
            opts=opts,
        )
    dashboard = Dashboard(
        f"{prefix}-dashboard",
        DashboardArgs(
            resource_group_name=resource_group,
            location=spec.location,
            display_name=f"ai-infra {env.environment}",
            endpoint_ids={
                key: endpoint_id(sub, resource_group, endpoint.workspace_name, endpoint.endpoint_name)
                for key, endpoint in endpoints.items()
            },
            prometheus_workspace_id=monitoring.workspace_id if monitoring else None,
            gpu_pools={
                key: node_machine(pool.accelerator, pool.machine_type, key, pool.multi_node).name
                for key, pool in spec.gpu_pools.items()
            },
            monthly_budget_usd=spec.budget.monthly_usd,
            tags=env.tags,
        ),
        opts=opts,
    )
    return {"action_group_id": route.action_group_id, "workbook_id": dashboard.workbook_id}
