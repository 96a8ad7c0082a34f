"""The Google Cloud part of an environment: network -> cluster (+ GPU pools) -> TPU pools -> buckets
-> identities -> endpoints -> budget, each step handed the Outputs of the steps before it. Bucket
naming and declaration live in stacks/gcp_buckets.py (`bucket_name` is re-exported here)."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_gcp as gcp

from components.gcp import (
    BucketGrant,
    Budget,
    BudgetArgs,
    CustomModel,
    GpuCluster,
    GpuClusterArgs,
    GpuNodePoolArgs,
    GpuPlatform,
    GpuPlatformArgs,
    ModelEndpoint,
    ModelEndpointArgs,
    ModelGardenModel,
    Network,
    NetworkArgs,
    TpuPool,
    TpuPoolArgs,
    WorkloadIdentity,
    WorkloadIdentityArgs,
    gcp_labels,
)
from components.gcp.bucket import AccessMode
from components.gcp.gpu_cluster import GPU_TAINT_KEY
from components.gcp.gpu_platform import tpu_node_labels
from components.gcp.labels import label_value
from components.gcp.tpu_pool import TPU_TAINT_KEY
from components.kubernetes import AcceleratorPool, Taint
from stacks.config import EnvironmentSpec
from stacks.config.gcp import GcpSpec, endpoint_machine, gpu_machine
from stacks.file_systems.gcp import declare_file_systems, file_system_drivers
from stacks.gcp_buckets import BUCKET_NAME_MAX, LOG_BUCKET_PURPOSE, bucket_name, declare_buckets
from stacks.monitoring import gcp as monitoring
from stacks.platform import team_queues
from stacks.serverless.gcp import declare_batch_jobs, declare_serverless_endpoints

__all__ = ["BUCKET_NAME_MAX", "LOG_BUCKET_PURPOSE", "bucket_name", "declare_gcp", "vertex_accelerator"]


def vertex_accelerator(accelerator_type: str) -> str:
    """GKE's guest accelerator name -> Vertex AI's enum (`nvidia-tesla-a100` -> `NVIDIA_TESLA_A100`)."""
    return accelerator_type.upper().replace("-", "_")


def _accelerator_pools(spec: GcpSpec, gpu_pools: list[GpuNodePoolArgs]) -> list[AcceleratorPool]:
    """The cluster's GPU pools and GKE TPU pools, as the in-cluster layer sees them."""
    pools = [
        AcceleratorPool(
            name=p.name,
            accelerator=p.accelerator,
            per_node=p.accelerator_count,
            max_nodes=p.max_nodes,
            taints=[Taint(GPU_TAINT_KEY, "present")],
        )
        for p in gpu_pools
    ]
    for name, tpu_pool in spec.tpu_pools.items():
        if tpu_pool.form != "gke-node-pool":
            continue  # TPU VMs are not part of the cluster
        tpu = tpu_pool.tpu
        pools.append(
            AcceleratorPool(
                name=name,
                accelerator=tpu.generation,
                per_node=tpu.chips_per_host,
                max_nodes=tpu.hosts * tpu_pool.slices,
                taints=[Taint(TPU_TAINT_KEY, "present")],
                node_labels=tpu_node_labels(tpu.gke_accelerator, tpu.topology),
            )
        )
    return pools


def declare_gcp(env: EnvironmentSpec, spec: GcpSpec) -> dict[str, Any]:
    # An explicit provider: project and region come from typed stack config, never from ambient
    # gcloud settings. Budgets need a quota project, hence billing_project + user_project_override.
    provider = gcp.Provider(
        "gcp",
        project=spec.project,
        region=spec.region,
        billing_project=spec.project,
        user_project_override=True,
    )
    opts = pulumi.ResourceOptions(provider=provider)
    invoke = pulumi.InvokeOptions(provider=provider)
    prefix = env.environment
    labels = gcp_labels(env.tags)
    project_number = gcp.organizations.get_project_output(project_id=spec.project, opts=invoke).number
    storage_agent = gcp.storage.get_project_service_account_output(project=spec.project, opts=invoke).email_address
    ranges = spec.network.ranges

    network = Network(
        f"{prefix}-network",
        NetworkArgs(
            network_name=f"ai-infra-{prefix}",
            project=spec.project,
            region=spec.region,
            subnet_cidr=ranges.subnet,
            pods_cidr=ranges.pods,
            services_cidr=ranges.services,
            nat="none" if spec.network.nat == "none" else "single",
            iap_ssh=spec.network.iap_ssh,
            flow_log_sampling=spec.network.flow_log_sampling,
            private_services_cidr=ranges.private_services if spec.needs_private_services_access else None,
            labels=labels,
        ),
        opts=opts,
    )

    gpu_pools = []
    for name, pool in spec.gpu_pools.items():
        machine = gpu_machine(pool, f"gpu_pools.{name}")
        assert machine.accelerator_type is not None  # config checked it
        gpu_pools.append(
            GpuNodePoolArgs(
                name=name,
                accelerator=pool.accelerator,
                machine_type=machine.name,
                accelerator_type=machine.accelerator_type,
                accelerator_count=machine.accelerator_count,
                min_nodes=pool.min_nodes,
                max_nodes=pool.max_nodes,
                initial_nodes=pool.initial_nodes,
                spot=pool.spot,
                compact_placement=pool.multi_node,
                disk_gib=pool.disk_gib,
                labels=pool.labels,
                reservation=pool.reservation,
                capacity_reservation_nodes=pool.capacity_reservation.nodes if pool.capacity_reservation else 0,
                commitment=pool.commitment.for_estimate() if pool.commitment is not None else None,
                fixed_size_reason=pool.fixed_size_reason,
            )
        )
    cluster = GpuCluster(
        f"{prefix}-gke",
        GpuClusterArgs(
            cluster_name=f"ai-infra-{prefix}",
            project=spec.project,
            project_number=project_number,
            location=spec.cluster_location,
            kms_location=spec.region,
            node_zones=spec.node_zones,
            network=network.network_id,
            subnetwork=network.subnetwork_id,
            pods_range_name=network.pods_range_name,
            services_range_name=network.services_range_name,
            release_channel=spec.cluster.release_channel.upper(),
            master_authorized_networks=spec.cluster.master_authorized_networks,
            system_machine_type=spec.cluster.system_machine_type,
            system_nodes=spec.cluster.system_nodes,
            gpu_pools=gpu_pools,
            labels=labels,
            file_system_drivers=file_system_drivers(spec),
            protect=env.is_prod,
        ),
        opts=opts,
    )

    for name, tpu_pool in spec.tpu_pools.items():
        TpuPool(
            f"{prefix}-tpu-{name}",
            TpuPoolArgs(
                pool_name=name,
                tpu=tpu_pool.tpu,
                project=spec.project,
                zone=spec.tpu_zone(name),
                form=tpu_pool.form,
                slices=tpu_pool.slices,
                min_slices=tpu_pool.min_slices,
                spot=tpu_pool.spot,
                labels={**labels, "ai-infra-pool": label_value(name)},
                cluster_id=cluster.cluster_id,
                cluster_location=spec.cluster_location,
                node_service_account=cluster.node_service_account_email,
                boot_disk_kms_key=cluster.node_disk_key_id,
                network=network.network_id,
                subnetwork=network.subnetwork_id,
                runtime_version=tpu_pool.runtime_version,
                service_account_name=f"{prefix}-{name}-tpu",
                protect=env.is_prod,
            ),
            opts=opts,
        )

    platform = GpuPlatform(
        f"{prefix}-gke-platform",
        GpuPlatformArgs(
            kubeconfig=cluster.kubeconfig,
            pools=_accelerator_pools(spec, gpu_pools),
            teams=team_queues(spec.teams),
            jobset=any(p.multi_node for p in spec.gpu_pools.values())
            or any(p.form == "gke-node-pool" and p.tpu.multi_host for p in spec.tpu_pools.values()),
            ready=[cluster.node_pools["system"]],
            high_availability=env.is_prod,
            protect=env.is_prod,
        ),
        # Shown under its cluster.
        opts=pulumi.ResourceOptions(parent=cluster),
    )

    buckets = declare_buckets(env, spec, prefix=prefix, labels=labels, storage_agent=storage_agent, opts=opts)

    file_system_mounts = declare_file_systems(
        env,
        spec,
        project_number=project_number,
        labels=labels,
        network=network,
        cluster=cluster,
        platform=platform,
        buckets=buckets,
        opts=opts,
    )

    identities: dict[str, WorkloadIdentity] = {}
    for name, workload in spec.workloads.items():
        # A bucket both read and written is granted once, as write (which includes reading).
        modes: dict[str, AccessMode] = {key: "read" for key in workload.read}
        modes |= {key: "write" for key in workload.write}
        identities[name] = WorkloadIdentity(
            f"{prefix}-wi-{name}",
            WorkloadIdentityArgs(
                account_name=f"{prefix}-{name}",
                project=spec.project,
                workload_pool=cluster.workload_pool,
                namespace=workload.namespace,
                kubernetes_service_account=workload.service_account,
                grants=[
                    BucketGrant(key=key, bucket_name=buckets[key].bucket_name, mode=mode) for key, mode in modes.items()
                ],
            ),
            opts=opts,
        )

    endpoints: dict[str, ModelEndpoint] = {}
    for name, endpoint in spec.endpoints.items():
        if endpoint.mode != "realtime":
            continue  # stacks/serverless/gcp.py
        machine = endpoint_machine(endpoint, f"endpoints.{name}")
        assert machine.accelerator_type is not None  # every Vertex machine in the catalog has one
        custom = None
        if endpoint.model is not None and endpoint.image is not None:
            custom = CustomModel(
                image=endpoint.image,
                bucket_name=buckets[endpoint.model.bucket].bucket_name,
                artifact_key=endpoint.model.key,
            )
        garden = None
        if endpoint.model_garden is not None:
            garden = ModelGardenModel(
                model=endpoint.model_garden.model,
                accept_eula=endpoint.model_garden.accept_eula,
                image=endpoint.image,
            )
        peering = network.private_services_connection
        endpoints[name] = ModelEndpoint(
            f"{prefix}-{name}",
            ModelEndpointArgs(
                endpoint_name=f"{prefix}-{name}",
                project=spec.project,
                project_number=project_number,
                region=spec.region,
                machine_type=machine.name.removeprefix("vertex:"),
                accelerator_type=vertex_accelerator(machine.accelerator_type),
                accelerator_count=machine.accelerator_count,
                min_replicas=endpoint.min_replicas,
                max_replicas=endpoint.max_replicas,
                accelerator_duty_cycle_target=endpoint.accelerator_duty_cycle_target,
                network_access=endpoint.network_access,
                peering_network=pulumi.Output.concat(
                    "projects/", project_number, "/global/networks/", network.network_name
                )
                if endpoint.network_access == "private"
                else None,
                custom_model=custom,
                model_garden=garden,
                serving_account_name=f"{prefix}-{name}-serving",
                spot=endpoint.spot,
                labels=labels,
                protect=env.is_prod,
                depends_on=(peering,) if endpoint.network_access == "private" and peering is not None else (),
            ),
            opts=opts,
        )

    serverless_context = dict(
        prefix=prefix,
        project_number=project_number,
        network=network.network_id,
        subnetwork=network.subnetwork_id,
        bucket_names={key: bucket.bucket_name for key, bucket in buckets.items()},
        labels=labels,
        protect=env.is_prod,
        opts=opts,
    )
    serverless_names = declare_serverless_endpoints(spec, **serverless_context)
    batch_jobs = declare_batch_jobs(spec, **serverless_context)

    route = monitoring.alert_route(env, spec, labels, opts)
    Budget(
        f"{prefix}-budget",
        BudgetArgs(
            display_name=f"ai-infra {prefix} (gcp)",
            billing_account=spec.billing_account,
            project=spec.project,
            project_number=project_number,
            monthly_amount=spec.budget.monthly_usd,
            alert_emails=monitoring.budget_only_emails(env, spec),
            notification_channels=route.channel_names,
            label_filter={"environment": labels["environment"]},
            labels=labels,
        ),
        opts=opts,
    )
    watched = monitoring.declare_monitoring(
        env, spec, route=route, cluster=cluster, endpoints=endpoints, labels=labels, opts=opts
    )

    return {
        **watched,
        "cluster_name": cluster.cluster_name,
        "kubeconfig": cluster.kubeconfig,
        "cluster_queues": platform.cluster_queues,
        "file_system_mounts": file_system_mounts,
        "bucket_names": {purpose: b.bucket_name for purpose, b in buckets.items()},
        "endpoint_names": {name: e.endpoint_name for name, e in endpoints.items()} | serverless_names,
        # What a Kubernetes service account is annotated with (iam.gke.io/gcp-service-account).
        "workload_service_accounts": {name: i.email for name, i in identities.items()},
        "batch_jobs": batch_jobs,
        # Custom-model endpoints: the account the release step deploys the model with.
        "endpoint_serving_accounts": {
            name: e.serving_service_account_email
            for name, e in endpoints.items()
            if e.serving_service_account_email is not None
        },
    }
