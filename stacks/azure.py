"""The Azure part of an environment: resource group -> network -> cluster + GPU pools -> buckets ->
workload identities -> model endpoints -> budget, each step handed the Outputs of the steps before.
Tier-dependent config rules and GPU capacity reservations live in stacks/azure_parts.py."""

from __future__ import annotations

import datetime
from typing import Any

import pulumi
import pulumi_azure_native as azure_native
from pulumi_azure_native import operationalinsights, resources

from catalog import load_catalog
from components.azure import (
    WORKSPACE_DNS_ZONES,
    BlobTiering,
    Bucket,
    BucketArgs,
    Budget,
    BudgetArgs,
    CustomerKeyArgs,
    FlowLogArgs,
    GpuCluster,
    GpuClusterArgs,
    GpuPlatform,
    GpuPlatformArgs,
    GpuPoolArgs,
    InboundRule,
    ModelEndpoint,
    ModelEndpointArgs,
    Network,
    NetworkArgs,
    ServingContainer,
    WorkloadIdentity,
    WorkloadIdentityArgs,
)
from components.azure.naming import compact_name, dashed_name
from components.azure.resource_ids import resource_group_id
from components.kubernetes import AcceleratorPool
from stacks.azure_parts import capacity_reservations, check_tier_rules
from stacks.config import EnvironmentSpec
from stacks.config.azure import FLOW_LOG_BUCKET, AzureSpec, endpoint_machine, instance_type, node_machine
from stacks.dr import azure as dr
from stacks.file_systems.azure import declare_file_systems, linked_subnet_ids
from stacks.monitoring import azure as monitoring
from stacks.platform import team_queues
from stacks.serverless.azure import declare_serverless_endpoints


def declare_azure(env: EnvironmentSpec, spec: AzureSpec) -> dict[str, Any]:
    check_tier_rules(env, spec)
    # An explicit provider: subscription and location come from typed stack config, never from
    # whichever `az login` context the machine running `pulumi up` happens to have.
    provider = azure_native.Provider(
        "azure", subscription_id=spec.subscription_id, tenant_id=spec.tenant_id, location=spec.location
    )
    opts = pulumi.ResourceOptions(provider=provider)
    prefix = f"{env.environment}-az"
    sub = spec.subscription_id
    tags = env.tags
    location = spec.location
    catalog = load_catalog()
    zones = catalog.zones("azure", location)

    group = resources.ResourceGroup(
        f"{prefix}-rg",
        resource_group_name=f"rg-ai-infra-{env.environment}",
        location=location,
        tags=tags,
        opts=pulumi.ResourceOptions(provider=provider, protect=env.is_prod, retain_on_delete=env.is_prod),
    )
    rg = group.name
    placement = {"subscription_id": sub, "resource_group_name": rg, "location": location}

    # One Log Analytics workspace per environment: audit logs, storage access logs, App Insights.
    logs = operationalinsights.Workspace(
        f"{prefix}-logs",
        workspace_name=f"log-ai-infra-{env.environment}",
        sku={"name": "PerGB2018"},
        retention_in_days=spec.log_retention_days,
        tags=tags,
        resource_group_name=rg,
        location=location,
        opts=opts,
    )

    def bucket(purpose: str, *, customer_managed_key: bool, **settings: Any) -> Bucket:
        """A `Bucket` with the environment's naming, redundancy and protection."""
        return Bucket(
            f"{prefix}-{purpose}",
            BucketArgs(
                **placement,
                account_name=compact_name("st", env.environment, purpose, salt=sub),
                purpose=purpose,
                tags=tags,
                sku=dr.storage_sku(env, spec),
                customer_key=(
                    CustomerKeyArgs(
                        tenant_id=spec.tenant_id,
                        key_vault_name=dashed_name("kv", env.environment, purpose, salt=sub, max_length=24),
                    )
                    if customer_managed_key
                    else None
                ),
                protect=env.is_prod,
                **settings,
            ),
            opts=opts,
        )

    flow_logs = spec.network.flow_logs
    flow_log_args = None
    if flow_logs.enabled:
        flow_log_bucket = bucket(
            FLOW_LOG_BUCKET,
            tiering=BlobTiering(cool_days=7),
            noncurrent_version_days=1,
            access_log_workspace_id=logs.id,
            customer_managed_key=env.is_prod,
        )
        flow_log_args = FlowLogArgs(
            storage_account_id=flow_log_bucket.account_id,
            network_watcher_resource_group=flow_logs.network_watcher_resource_group,
            network_watcher_name=flow_logs.network_watcher_name or f"NetworkWatcher_{location}",
            retention_days=flow_logs.retention_days,
        )

    net = Network(
        prefix,
        NetworkArgs(
            **placement,
            vnet_name=f"vnet-ai-infra-{env.environment}",
            cidr=spec.network.cidr,
            tags=tags,
            nat="none" if spec.network.nat == "none" else "single",
            nat_zone=zones[0],
            allowed_inbound=[
                InboundRule(name=key, source_cidrs=rule.source_cidrs, ports=rule.ports, protocol=rule.protocol)
                for key, rule in spec.network.allowed_inbound.items()
            ],
            private_dns_zones=WORKSPACE_DNS_ZONES if spec.endpoints else (),
            flow_logs=flow_log_args,
        ),
        opts=opts,
    )

    cluster_spec = spec.cluster
    reservations = capacity_reservations(env, spec, prefix, placement, opts)
    gpu_pools = [
        GpuPoolArgs(
            name=pool_name,
            vm_size=node_machine(pool.accelerator, pool.machine_type, pool_name, pool.multi_node).name,
            accelerator=pool.accelerator,
            taint_key=catalog.accelerator(pool.accelerator).taint_key,
            min_nodes=pool.min_nodes,
            max_nodes=pool.max_nodes,
            initial_nodes=pool.initial_nodes,
            spot=pool.spot,
            disk_gib=pool.disk_gib,
            labels=pool.labels,
            mig_profile=pool.mig_profile,
            fixed_size_reason=pool.fixed_size_reason,
            capacity_reservation=reservations.get(pool_name),
            commitment=pool.commitment.for_estimate() if pool.commitment is not None else None,
        )
        for pool_name, pool in spec.gpu_pools.items()
    ]
    cluster = GpuCluster(
        prefix,
        GpuClusterArgs(
            **placement,
            tenant_id=spec.tenant_id,
            cluster_name=f"aks-ai-infra-{env.environment}",
            node_subnet_id=net.node_subnet_id,
            tags=tags,
            kubernetes_version=cluster_spec.kubernetes_version,
            auto_upgrade_channel=cluster_spec.auto_upgrade_channel,
            authorized_ip_ranges=cluster_spec.authorized_ip_ranges,
            sku_tier=cluster_spec.sku_tier or ("Standard" if env.is_prod else "Free"),
            admin_group_object_ids=cluster_spec.admin_group_object_ids,
            system_vm_size=cluster_spec.system_vm_size,
            system_nodes=cluster_spec.system_nodes,
            zones=zones[: spec.network.zones],
            pod_cidr=cluster_spec.pod_cidr,
            service_cidr=cluster_spec.service_cidr,
            dns_service_ip=cluster_spec.dns_service_ip,
            outbound="none" if spec.network.nat == "none" else "nat-gateway",
            encryption_at_host=cluster_spec.encryption_at_host,
            api_server_subnet_id=net.api_server_subnet_id,
            kms_key_vault_name=(
                dashed_name("kv-aks", env.environment, salt=sub, max_length=24)
                if cluster_spec.secrets_encryption
                else None
            ),
            disk_key_vault_name=dashed_name("kv-aksd", env.environment, salt=sub, max_length=24),
            log_workspace_id=logs.id if cluster_spec.audit_logs else None,
            gpu_pools=gpu_pools,
            managed_prometheus=bool(spec.gpu_pools),
            protect=env.is_prod,
        ),
        opts=opts,
    )

    platform = GpuPlatform(
        f"{prefix}-platform",
        GpuPlatformArgs(
            kubeconfig=cluster.kubeconfig,
            pools=[
                AcceleratorPool(
                    name=pool.name,
                    accelerator=pool.accelerator,
                    per_node=catalog.machine("azure", pool.vm_size).accelerator_count,
                    max_nodes=pool.max_nodes,
                    taints=pool.taints,
                )
                for pool in gpu_pools
            ],
            teams=team_queues(spec.teams),
            jobset=any(pool.multi_node for pool in spec.gpu_pools.values()),
            ready=[cluster.cluster],
            high_availability=env.is_prod,
            protect=env.is_prod,
        ),
        # Shown under its cluster.
        opts=pulumi.ResourceOptions(parent=cluster),
    )

    file_system_subnets = linked_subnet_ids(spec, rg, f"vnet-ai-infra-{env.environment}")
    buckets: dict[str, Bucket] = {
        purpose: bucket(
            purpose,
            expected_size_gib=spec_bucket.expected_size_gib,
            allowed_subnet_ids=[net.node_subnet_id, *file_system_subnets.get(purpose, [])],
            tiering=BlobTiering(
                cool_days=spec_bucket.tiering.infrequent_access_days,
                cold_days=spec_bucket.tiering.archive_days,
                archive_days=spec_bucket.tiering.deep_archive_days,
            ),
            noncurrent_version_days=spec_bucket.noncurrent_version_days,
            soft_delete_days=spec_bucket.soft_delete_days,
            access_log_workspace_id=logs.id if spec_bucket.access_logging else None,
            customer_managed_key=spec_bucket.customer_managed_key,
        )
        for purpose, spec_bucket in spec.buckets.items()
    }

    file_system_addresses = declare_file_systems(
        env, spec, resource_group=rg, zone=zones[0], net=net, platform=platform, buckets=buckets, opts=opts
    )

    identities: dict[str, WorkloadIdentity] = {}
    for workload_name, workload in spec.workloads.items():
        identities[workload_name] = WorkloadIdentity(
            f"{prefix}-{workload_name}",
            WorkloadIdentityArgs(
                resource_group_name=rg,
                location=location,
                identity_name=f"id-ai-infra-{env.environment}-{workload_name}",
                oidc_issuer_url=cluster.oidc_issuer_url,
                namespace=workload.namespace,
                service_account=workload.service_account,
                tags=tags,
                read=[buckets[b] for b in workload.read],
                write=[buckets[b] for b in workload.write],
            ),
            opts=opts,
        )

    endpoints: dict[str, ModelEndpoint] = {}
    for endpoint_name, endpoint in spec.endpoints.items():
        if endpoint.mode != "realtime":
            continue  # stacks/serverless/azure.py
        machine = endpoint_machine(endpoint.accelerator, endpoint.machine_type, endpoint_name)
        endpoints[endpoint_name] = ModelEndpoint(
            f"{prefix}-{endpoint_name}",
            ModelEndpointArgs(
                **placement,
                tenant_id=spec.tenant_id,
                workspace_name=f"mlw-ai-infra-{env.environment}-{endpoint_name}"[:33].rstrip("-"),
                endpoint_name=dashed_name(env.environment, endpoint_name, salt=sub, max_length=32),
                storage_account_name=compact_name("stml", env.environment, endpoint_name, salt=sub),
                key_vault_name=dashed_name("kv-ml", env.environment, endpoint_name, salt=sub, max_length=24),
                registry_name=compact_name("crml", env.environment, endpoint_name, salt=sub, max_length=50),
                storage_sku=dr.storage_sku(env, spec),
                instance_type=instance_type(machine),
                container=ServingContainer(
                    image=endpoint.image,
                    port=endpoint.port,
                    scoring_path=endpoint.scoring_path,
                    liveness_path=endpoint.liveness_path,
                    readiness_path=endpoint.readiness_path,
                ),
                model_bucket=buckets[endpoint.model.bucket],
                model_path=endpoint.model.key,
                tags=tags,
                min_instances=endpoint.min_replicas,
                max_instances=endpoint.max_replicas,
                target_utilization_percentage=endpoint.target_utilization_percentage,
                request_timeout_ms=endpoint.request_timeout_ms,
                max_concurrent_requests_per_instance=endpoint.max_concurrent_requests_per_instance,
                auth_mode=endpoint.auth_mode,
                public_network_access=endpoint.public_network_access,
                managed_network=endpoint.managed_network,
                private_endpoint_subnet_id=net.ml_subnet_id,
                private_dns_zone_ids=[net.private_dns_zone_ids[zone] for zone in WORKSPACE_DNS_ZONES],
                log_workspace_id=logs.id,
                customer_managed_key=endpoint.customer_managed_key,
                storage_key_vault_name=dashed_name("kv-mls", env.environment, endpoint_name, salt=sub, max_length=24),
                protect=env.is_prod,
            ),
            opts=opts,
        )

    serverless_names = declare_serverless_endpoints(
        spec,
        prefix=prefix,
        environment=env.environment,
        network=net,
        resource_group_name=rg,
        buckets=buckets,
        tags=tags,
        opts=opts,
    )

    route = monitoring.alert_route(env, spec, rg, prefix, opts)
    Budget(
        prefix,
        BudgetArgs(
            scope=resource_group_id(sub, rg),
            budget_name=f"budget-ai-infra-{env.environment}",
            monthly_usd=spec.budget.monthly_usd,
            alert_emails=spec.budget.alert_emails,
            action_group_ids=[route.action_group_id],
            start_date=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-01T00:00:00Z"),
        ),
        opts=opts,
    )

    watched = monitoring.declare_monitoring(
        env, spec, prefix=prefix, resource_group=rg, route=route, cluster=cluster, endpoints=endpoints, opts=opts
    )

    return {
        **watched,
        "resource_group_name": rg,
        "cluster_name": cluster.cluster_name,
        "kubeconfig": cluster.kubeconfig,
        "bucket_names": {purpose: b.bucket_name for purpose, b in buckets.items()},
        "endpoint_names": {key: e.endpoint_name for key, e in endpoints.items()} | serverless_names,
        "workload_client_ids": {key: w.client_id for key, w in identities.items()},
        "gpu_metrics": platform.gpu_metrics,
        "cluster_queues": platform.cluster_queues,
        "file_system_addresses": file_system_addresses,
    }
