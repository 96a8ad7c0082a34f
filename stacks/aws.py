"""The AWS part of an environment: network -> cluster -> pools -> buckets -> identities ->
endpoints -> budget, each step handed the Outputs of the steps before it."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from catalog import load_catalog
from catalog.costs import with_expected_size_tag
from components.aws import (
    Bucket,
    BucketArgs,
    BucketTiering,
    Budget,
    BudgetArgs,
    CapacityReservationArgs,
    GpuCluster,
    GpuClusterArgs,
    GpuNodePool,
    GpuNodePoolArgs,
    GpuPlatform,
    GpuPlatformArgs,
    ModelEndpoint,
    ModelEndpointArgs,
    Network,
    NetworkArgs,
    WorkloadIdentity,
    WorkloadIdentityArgs,
)
from components.kubernetes import AcceleratorPool
from stacks.config import EnvironmentSpec
from stacks.config.aws import AwsSpec
from stacks.dr import aws as dr
from stacks.file_systems.aws import declare_file_systems
from stacks.monitoring import aws as monitoring
from stacks.network_plan import plan_subnets
from stacks.platform import team_queues
from stacks.serverless.aws import async_settings, declare_batch_triggers, declare_serverless_endpoints

ACCESS_LOGS_PURPOSE = "access-logs"


def declare_aws(env: EnvironmentSpec, spec: AwsSpec) -> dict[str, Any]:
    # An explicit provider: the region comes from typed stack config, never from ambient
    # AWS_REGION / profiles on whichever machine runs `pulumi up`.
    provider = aws.Provider("aws", region=spec.region)
    opts = pulumi.ResourceOptions(provider=provider)
    prefix = env.environment
    tags = env.tags
    account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOptions(provider=provider)).account_id

    zones = load_catalog().zones("aws", spec.region)[: spec.network.zones]
    subnets = plan_subnets(spec.network.cidr, spec.network.zones)
    network = Network(
        f"{prefix}-network",
        NetworkArgs(
            cidr=spec.network.cidr,
            region=spec.region,
            account_id=account_id,
            zones=zones,
            private_subnet_cidrs=subnets.private,
            public_subnet_cidrs=subnets.public,
            nat=spec.network.nat,
            flow_log_retention_days=spec.log_retention_days,
            protect=env.is_prod,
            tags=tags,
        ),
        opts=opts,
    )

    cluster_name = f"ai-infra-{prefix}"
    cluster = GpuCluster(
        f"{prefix}-cluster",
        GpuClusterArgs(
            cluster_name=cluster_name,
            version=spec.cluster.version,
            region=spec.region,
            subnet_ids=network.private_subnet_ids,
            public_access_cidrs=spec.cluster.public_access_cidrs,
            log_retention_days=spec.log_retention_days,
            service_cidr=spec.cluster.service_cidr,
            system_instance_type=spec.cluster.system_instance_type,
            system_nodes=spec.cluster.system_nodes,
            protect=env.is_prod,
            tags=tags,
        ),
        opts=opts,
    )

    pools: dict[str, GpuNodePool] = {}
    accelerator_pools: list[AcceleratorPool] = []
    autoscaling_groups = [cluster.system_autoscaling_group_name]
    for pool_name, pool in spec.gpu_pools.items():
        node_pool = GpuNodePool(
            f"{prefix}-{pool_name}",
            GpuNodePoolArgs(
                cluster_name=cluster.cluster_name,
                node_role_arn=cluster.node_role_arn,
                cluster_security_group_id=cluster.cluster_security_group_id,
                volume_kms_key_arn=cluster.node_volume_key_arn,
                subnet_ids=network.private_subnet_ids,
                pool=pool_name,
                accelerator=pool.accelerator,
                machine_type=pool.machine_type,
                min_nodes=pool.min_nodes,
                max_nodes=pool.max_nodes,
                desired_nodes=pool.desired_nodes,
                spot=pool.spot,
                multi_node=pool.multi_node,
                disk_gib=pool.disk_gib,
                labels=pool.labels,
                fixed_size_reason=pool.fixed_size_reason,
                tags=tags,
                capacity_reservation=CapacityReservationArgs(
                    nodes=pool.capacity_reservation.nodes, availability_zone=zones[0]
                )
                if pool.capacity_reservation is not None
                else None,
                commitment=pool.commitment.for_estimate() if pool.commitment is not None else None,
            ),
            opts=opts,
        )
        pools[pool_name] = node_pool
        autoscaling_groups.append(node_pool.autoscaling_group_name)
        accelerator_pools.append(
            AcceleratorPool(
                name=pool_name,
                accelerator=pool.accelerator,
                per_node=node_pool.machine.accelerator_count,
                max_nodes=pool.max_nodes,
                taints=node_pool.node_taints,
                efa=node_pool.efa,
            )
        )

    platform = GpuPlatform(
        f"{prefix}-platform",
        GpuPlatformArgs(
            cluster_name=cluster_name,
            cluster_name_output=cluster.cluster_name,
            kubeconfig=cluster.kubeconfig,
            kubernetes_version=spec.cluster.version,
            region=spec.region,
            account_id=account_id,
            pools=accelerator_pools,
            autoscaling_groups=autoscaling_groups,
            teams=team_queues(spec.teams),
            jobset=any(pool.multi_node for pool in spec.gpu_pools.values()),
            ready=[cluster.system_node_group],
            high_availability=env.is_prod,
            protect=env.is_prod,
            tags=tags,
        ),
        # Shown under its cluster; the pools it scales stay where they were.
        opts=pulumi.ResourceOptions(parent=cluster),
    )

    buckets = _buckets(env, spec, account_id, opts)
    replicas = dr.replicate_buckets(env, spec, buckets, account_id, opts)
    file_system_ids = declare_file_systems(
        env,
        spec,
        account_id=account_id,
        cluster_name=cluster_name,
        network=network,
        cluster=cluster,
        platform=platform,
        buckets=buckets,
        opts=opts,
    )

    workload_roles: dict[str, pulumi.Output[str]] = {}
    for workload_name, workload in spec.workloads.items():
        identity = WorkloadIdentity(
            f"{prefix}-{workload_name}",
            WorkloadIdentityArgs(
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
        workload_roles[workload_name] = identity.role_arn

    endpoints: dict[str, ModelEndpoint] = {}
    for endpoint_name, endpoint in spec.endpoints.items():
        if endpoint.mode in ("serverless", "batch"):
            continue  # stacks/serverless/aws.py
        endpoints[endpoint_name] = ModelEndpoint(
            f"{prefix}-{endpoint_name}",
            ModelEndpointArgs(
                endpoint_name=f"ai-infra-{prefix}-{endpoint_name}",
                region=spec.region,
                account_id=account_id,
                accelerator=endpoint.accelerator,
                machine_type=endpoint.machine_type,
                image=endpoint.image,
                model_bucket=buckets[endpoint.model.bucket],
                model_key=endpoint.model.key,
                vpc_id=network.vpc_id,
                vpc_cidr=network.vpc_cidr,
                subnet_ids=network.private_subnet_ids,
                min_replicas=endpoint.min_replicas,
                max_replicas=endpoint.max_replicas,
                target_invocations_per_replica=endpoint.target_invocations_per_replica,
                data_capture=endpoint.data_capture,
                async_inference=async_settings(endpoint),
                log_retention_days=spec.log_retention_days,
                protect=env.is_prod,
                tags=tags,
            ),
            opts=opts,
        )

    serverless_names = declare_serverless_endpoints(
        spec, prefix=prefix, account_id=account_id, buckets=buckets, tags=tags, opts=opts
    )
    batch_machines = declare_batch_triggers(
        spec, prefix=prefix, account_id=account_id, network=network, buckets=buckets, tags=tags, opts=opts
    )

    route = monitoring.alert_route(env, spec, account_id, opts)
    Budget(
        f"{prefix}-budget",
        BudgetArgs(
            environment=env.environment,
            monthly_usd=spec.budget.monthly_usd,
            alert_emails=spec.budget.alert_emails,
            alert_topic_arn=route.topic_arn,
            tags=tags,
        ),
        opts=opts,
    )
    watched = monitoring.declare_monitoring(
        env, spec, route=route, network=network, cluster=cluster, pools=pools, endpoints=endpoints, opts=opts
    )

    return {
        **watched,
        "cluster_name": cluster.cluster_name,
        "kubeconfig": cluster.kubeconfig,
        "bucket_names": {purpose: bucket.bucket_name for purpose, bucket in buckets.items()},
        "replica_bucket_names": {purpose: r.replica_bucket_name for purpose, r in replicas.items()},
        "endpoint_names": {name: endpoint.endpoint_name for name, endpoint in endpoints.items()} | serverless_names,
        "workload_role_arns": workload_roles,
        "batch_state_machines": batch_machines,
        "gpu_metrics": platform.gpu_metrics,
        "cluster_queues": platform.cluster_queues,
        "file_system_ids": file_system_ids,
    }


def _buckets(
    env: EnvironmentSpec, spec: AwsSpec, account_id: pulumi.Output[str], opts: pulumi.ResourceOptions
) -> dict[str, Bucket]:
    """The configured buckets, plus one access-log bucket if any of them asks for access logs."""
    prefix = env.environment

    def name_of(purpose: str) -> pulumi.Output[str]:
        # Bucket names are global: the account id keeps them unique across accounts.
        return pulumi.Output.concat("ai-infra-", prefix, "-", purpose, "-", account_id)

    log_bucket: Bucket | None = None
    if any(bucket.access_logging for bucket in spec.buckets.values()):
        log_bucket = Bucket(
            f"{prefix}-{ACCESS_LOGS_PURPOSE}",
            BucketArgs(
                bucket_name=name_of(ACCESS_LOGS_PURPOSE),
                purpose=ACCESS_LOGS_PURPOSE,
                tags=env.tags,
                # S3 server access logging cannot deliver into an SSE-KMS bucket.
                customer_managed_key=False,
                protect=env.is_prod,
            ),
            opts=opts,
        )

    buckets: dict[str, Bucket] = {}
    for purpose, bucket in spec.buckets.items():
        buckets[purpose] = Bucket(
            f"{prefix}-{purpose}",
            BucketArgs(
                bucket_name=name_of(purpose),
                purpose=purpose,
                tags=with_expected_size_tag(env.tags, bucket.expected_size_gib),
                tiering=BucketTiering(
                    infrequent_access_days=bucket.tiering.infrequent_access_days,
                    archive_days=bucket.tiering.archive_days,
                    deep_archive_days=bucket.tiering.deep_archive_days,
                ),
                noncurrent_version_days=bucket.noncurrent_version_days,
                access_log_bucket=log_bucket.bucket_name if log_bucket and bucket.access_logging else None,
                protect=env.is_prod,
            ),
            opts=opts,
        )
    return buckets
