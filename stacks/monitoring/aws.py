"""AWS monitoring of an environment: the SNS alert route (declared before the budget, which
notifies it), then endpoint alarms, GPU monitoring of the cluster and the CloudWatch dashboard."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from components.aws.alert_route import AlertRoute, AlertRouteArgs
from components.aws.dashboard import Dashboard, DashboardArgs, PoolPanel
from components.aws.endpoint_alarms import EndpointAlarms, EndpointAlarmsArgs
from components.aws.gpu_cluster import GpuCluster
from components.aws.gpu_monitoring import GpuMonitoring, GpuMonitoringArgs
from components.aws.gpu_node_pool import GpuNodePool
from components.aws.model_endpoint import VARIANT, ModelEndpoint
from components.aws.network import Network
from stacks.config import EnvironmentSpec
from stacks.config.aws import AwsSpec
from stacks.monitoring.thresholds import endpoint_thresholds, gpu_thresholds, webhook


def alert_route(
    env: EnvironmentSpec, spec: AwsSpec, account_id: pulumi.Input[str], opts: pulumi.ResourceOptions
) -> AlertRoute:
    return AlertRoute(
        f"{env.environment}-alerts",
        AlertRouteArgs(
            topic_name=f"ai-infra-{env.environment}-alerts",
            region=spec.region,
            account_id=account_id,
            emails=env.alerts.recipients(spec.budget.alert_emails),
            webhook_url=webhook(env.alerts),
            protect=env.is_prod,
            tags=env.tags,
        ),
        opts=opts,
    )


def declare_monitoring(
    env: EnvironmentSpec,
    spec: AwsSpec,
    *,
    route: AlertRoute,
    network: Network,
    cluster: GpuCluster,
    pools: Mapping[str, GpuNodePool],
    endpoints: Mapping[str, ModelEndpoint],
    opts: pulumi.ResourceOptions,
) -> dict[str, Any]:
    prefix = env.environment
    for key, endpoint in endpoints.items():
        EndpointAlarms(
            f"{prefix}-{key}-alarms",
            EndpointAlarmsArgs(
                endpoint_name=endpoint.endpoint_name,
                alarm_topic_arn=route.topic_arn,
                alarm_name_prefix=f"ai-infra-{prefix}-{key}",
                variant_name=VARIANT,
                gpus_per_instance=endpoint.machine.accelerator_count,
                thresholds=endpoint_thresholds(env.alerts),
                tags=env.tags,
            ),
            opts=opts,
        )
    monitoring = None
    if pools:
        monitoring = GpuMonitoring(
            f"{prefix}-gpu-monitoring",
            GpuMonitoringArgs(
                cluster_name=cluster.cluster_name,
                cluster_arn=cluster.cluster.arn,
                subnet_ids=network.private_subnet_ids,
                security_group_ids=[cluster.cluster_security_group_id],
                alarm_topic_arn=route.topic_arn,
                region=spec.region,
                workspace_alias=f"ai-infra-{prefix}",
                thresholds=gpu_thresholds(env.alerts),
                spot_interruption_alerts=any(pool.spot for pool in spec.gpu_pools.values()),
                protect=env.is_prod,
                tags=env.tags,
            ),
            opts=opts,
        )
    dashboard = Dashboard(
        f"{prefix}-dashboard",
        DashboardArgs(
            dashboard_name=f"ai-infra-{prefix}",
            region=spec.region,
            endpoints={key: endpoint.endpoint_name for key, endpoint in endpoints.items()},
            pools=[
                PoolPanel(
                    name=key,
                    instance_type=pools[key].machine.name,
                    min_nodes=pool.min_nodes,
                    max_nodes=pool.max_nodes,
                    spot=pool.spot,
                )
                for key, pool in spec.gpu_pools.items()
            ],
            prometheus_workspace_id=monitoring.workspace_id if monitoring else None,
            monthly_budget_usd=spec.budget.monthly_usd,
            variant_name=VARIANT,
        ),
        opts=opts,
    )
    return {"alert_topic_arn": route.topic_arn, "dashboard_name": dashboard.dashboard_name}
