"""The Alibaba Cloud part of an environment: network -> cluster and GPU pools -> buckets ->
identities -> endpoints -> budget, each step handed the Outputs of the steps before it."""

from __future__ import annotations

import hashlib
from typing import Any

import pulumi
import pulumi_alicloud as alicloud

from catalog import load_catalog
from catalog.costs import with_expected_size_tag
from components.alicloud import (
    Bucket,
    BucketArgs,
    BucketTiering,
    Budget,
    BudgetArgs,
    GpuCluster,
    GpuClusterArgs,
    GpuPlatform,
    GpuPlatformArgs,
    GpuPoolArgs,
    ModelEndpoint,
    ModelEndpointArgs,
    Network,
    NetworkArgs,
    WorkloadIdentity,
    WorkloadIdentityArgs,
    eas_instance_type,
    plan_vswitches,
)
from components.kubernetes import AcceleratorPool, Taint
from stacks.config import EnvironmentSpec
from stacks.config.alicloud import RESERVED_BUCKET_KEY, AlicloudSpec, machine_for
from stacks.dr import alicloud as dr
from stacks.file_systems.alicloud import declare_file_systems
from stacks.monitoring import alicloud as monitoring
from stacks.platform import team_queues
from stacks.serverless.alicloud import declare_serverless_endpoints

ACCESS_LOGS = RESERVED_BUCKET_KEY


def declare_alicloud(env: EnvironmentSpec, spec: AlicloudSpec) -> dict[str, Any]:
    # An explicit provider: the region comes from typed stack config, never from ambient
    # ALICLOUD_REGION / profiles on whichever machine runs `pulumi up`.
    provider = alicloud.Provider("alicloud", region=spec.region)
    opts = pulumi.ResourceOptions(provider=provider)
    prefix = f"{env.environment}-alicloud"
    cloud_prefix = f"ai-infra-{env.environment}"
    tags = env.tags
    catalog = load_catalog()
    account_id = alicloud.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(provider=provider)).account_id
    # OSS names are global: a short digest of the account keeps them unique and within 63 characters.
    account_digest = account_id.apply(lambda uid: hashlib.sha256(uid.encode()).hexdigest()[:8])

    zones = spec.zone_ids
    plan = plan_vswitches(spec.network.cidr, len(zones))
    network = Network(
        f"{prefix}-network",
        NetworkArgs(
            name_prefix=cloud_prefix,
            cidr=spec.network.cidr,
            zones=zones,
            node_vswitch_cidrs=plan.nodes,
            pod_vswitch_cidrs=plan.pods,
            nat=spec.network.nat,
            # SLS project names are unique across Alibaba Cloud, like OSS bucket names.
            flow_log_project_name=pulumi.Output.concat(cloud_prefix, "-flow-logs-", account_digest),
            flow_log_retention_days=spec.network.flow_logs.retention_days,
            region=spec.region,
            account_id=account_id,
            protect=env.is_prod,
            tags=tags,
        ),
        opts=opts,
    )

    gpu_pools = [
        GpuPoolArgs(
            name=name,
            accelerator=pool.accelerator,
            instance_types=[machine_for(pool.accelerator, pool.machine_type, "node")],
            min_nodes=pool.min_nodes,
            max_nodes=pool.max_nodes,
            spot=pool.spot,
            spot_price_limit=pool.spot_price_limit,
            taint_key=catalog.accelerator(pool.accelerator).taint_key,
            system_disk_gib=pool.disk_gib,
            data_disk_gib=pool.data_disk_gib,
            labels=pool.labels,
            commitment=pool.commitment.for_estimate() if pool.commitment is not None else None,
            fixed_size_reason=pool.fixed_size_reason,
        )
        for name, pool in spec.gpu_pools.items()
    ]
    cluster = GpuCluster(
        f"{prefix}-cluster",
        GpuClusterArgs(
            cluster_name=cloud_prefix,
            kubernetes_version=spec.cluster.kubernetes_version,
            vswitch_ids=network.node_vswitch_ids,
            pod_vswitch_ids=network.pod_vswitch_ids,
            security_group_id=network.security_group_id,
            service_cidr=spec.cluster.service_cidr,
            api_server_public=spec.cluster.api_server_public,
            log_ttl_days=spec.cluster.log_ttl_days,
            system_instance_type=spec.cluster.system_instance_type,
            system_nodes=spec.cluster.system_nodes,
            gpu_pools=gpu_pools,
            protect=env.is_prod,
            tags=tags,
        ),
        opts=opts,
    )

    platform = GpuPlatform(
        f"{prefix}-platform",
        GpuPlatformArgs(
            cluster_id=cluster.cluster_id,
            kubeconfig=cluster.kubeconfig,
            pools=[
                AcceleratorPool(
                    name=pool.name,
                    accelerator=pool.accelerator,
                    per_node=catalog.machine("alicloud", pool.instance_types[0]).accelerator_count,
                    max_nodes=pool.max_nodes,
                    taints=[Taint(pool.taint_key, "present")],
                )
                for pool in gpu_pools
            ],
            teams=team_queues(spec.teams),
            jobset=any(pool.multi_node for pool in spec.gpu_pools.values()),
            ready=[cluster.system_node_pool],
            high_availability=env.is_prod,
            protect=env.is_prod,
        ),
        # Shown under its cluster.
        opts=pulumi.ResourceOptions(parent=cluster),
    )

    def bucket_name(purpose: str) -> pulumi.Output[str]:
        return pulumi.Output.concat(cloud_prefix, "-", purpose, "-", account_digest)

    access_logs: Bucket | None = None
    if any(bucket.access_logging for bucket in spec.buckets.values()):
        access_logs = Bucket(
            f"{prefix}-{ACCESS_LOGS}",
            BucketArgs(
                bucket_name=bucket_name(ACCESS_LOGS),
                purpose=ACCESS_LOGS,
                tags=tags,
                protect=env.is_prod,
            ),
            opts=opts,
        )
    buckets: dict[str, Bucket] = {}
    for purpose, bucket in spec.buckets.items():
        buckets[purpose] = Bucket(
            f"{prefix}-{purpose}",
            BucketArgs(
                bucket_name=bucket_name(purpose),
                purpose=purpose,
                tags=with_expected_size_tag(tags, bucket.expected_size_gib),
                tiering=BucketTiering(
                    infrequent_access_days=bucket.tiering.infrequent_access_days,
                    archive_days=bucket.tiering.archive_days,
                    cold_archive_days=bucket.tiering.deep_archive_days,
                ),
                noncurrent_version_days=bucket.noncurrent_version_days,
                access_log_bucket=access_logs.bucket_name if access_logs and bucket.access_logging else None,
                protect=env.is_prod,
            ),
            opts=opts,
        )

    replicas = dr.replicate_buckets(env, spec, buckets, bucket_name, account_id, opts)
    file_system_domains = declare_file_systems(
        env,
        spec,
        cluster_name=cloud_prefix,
        network=network,
        plan=plan,
        platform=platform,
        buckets=buckets,
        opts=opts,
    )

    roles: dict[str, pulumi.Output[str]] = {}
    for name, workload in spec.workloads.items():
        identity = WorkloadIdentity(
            f"{prefix}-{name}",
            WorkloadIdentityArgs(
                role_name=f"{cloud_prefix}-{name}",
                oidc_provider_arn=cluster.oidc_provider_arn,
                oidc_issuer=cluster.oidc_issuer,
                namespace=workload.namespace,
                service_account=workload.service_account,
                read_buckets=[buckets[b] for b in workload.read],
                write_buckets=[buckets[b] for b in workload.write],
                tags=tags,
            ),
            opts=opts,
        )
        roles[name] = identity.role_name

    endpoints: dict[str, ModelEndpoint] = {}
    for name, endpoint in spec.endpoints.items():
        if endpoint.mode != "realtime":
            continue  # stacks/serverless/alicloud.py
        endpoints[name] = ModelEndpoint(
            f"{prefix}-{name}",
            ModelEndpointArgs(
                service_name=f"{env.environment}_{name}".replace("-", "_"),
                instance_type=eas_instance_type(machine_for(endpoint.accelerator, endpoint.machine_type, "endpoint")),
                model_bucket=buckets[endpoint.model.bucket].bucket_name,
                model_key=endpoint.model.key,
                vpc_id=network.vpc_id,
                vswitch_id=network.node_vswitch_ids[0],
                security_group_id=network.security_group_id,
                image=endpoint.image,
                processor=endpoint.processor,
                port=endpoint.port,
                command=endpoint.command,
                min_replicas=endpoint.min_replicas,
                max_replicas=endpoint.max_replicas,
                # Config counts requests per replica per minute; EAS scales on queries per second.
                target_qps_per_replica=round(endpoint.target_invocations_per_replica / 60, 3),
                workspace_id=endpoint.workspace_id,
                tags=tags,
            ),
            opts=opts,
        )

    serverless_names = declare_serverless_endpoints(
        spec,
        prefix=prefix,
        environment=env.environment,
        vpc_id=network.vpc_id,
        vswitch_ids=network.node_vswitch_ids,
        security_group_id=network.security_group_id,
        buckets=buckets,
        tags=tags,
        opts=opts,
    )

    route = monitoring.alert_route(env, spec, prefix, opts)
    budget = Budget(
        f"{prefix}-budget",
        BudgetArgs(monthly_usd=spec.budget.monthly_usd, alert_emails=spec.budget.alert_emails),
        opts=opts,
    )
    pulumi.log.warn(budget.gap_message)
    watched = monitoring.declare_monitoring(
        env, spec, prefix=prefix, route=route, cluster=cluster, endpoints=endpoints, opts=opts
    )

    return {
        **watched,
        "cluster_name": cluster.cluster_name,
        "kubeconfig": cluster.kubeconfig,
        "bucket_names": {purpose: b.bucket_name for purpose, b in buckets.items()},
        "replica_bucket_names": {purpose: r.replica_bucket_name for purpose, r in replicas.items()},
        "endpoint_names": {name: e.endpoint_name for name, e in endpoints.items()} | serverless_names,
        "workload_role_names": roles,
        "cluster_queues": platform.cluster_queues,
        "file_system_domains": file_system_domains,
    }
