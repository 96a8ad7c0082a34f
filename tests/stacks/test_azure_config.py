"""`ai-infra:clouds.azure` config: defaults, and every mistake reported at its key path with the
value given and what is allowed."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from stacks.config import ConfigError, parse_environment
from stacks.config.azure import endpoint_machine, instance_type, node_machine

SUB = "00000000-0000-0000-0000-000000000000"
TENANT = "11111111-1111-1111-1111-111111111111"
BASE: dict[str, Any] = {
    "environment": "dev",
    "owner": "ml-platform",
    "cost_center": "cc-1",
    "clouds": {
        "azure": {
            "subscription_id": SUB,
            "tenant_id": TENANT,
            "location": "eastus",
            "network": {"cidr": "10.30.0.0/16"},
            "gpu_pools": {"t4": {"accelerator": "nvidia-t4", "max_nodes": 2, "spot": True}},
            "buckets": {"models": {}, "datasets": {}},
            "workloads": {"trainer": {"namespace": "ml", "service_account": "trainer", "write": ["models"]}},
            "endpoints": {
                "chat": {"accelerator": "nvidia-t4", "image": "img:1", "model": {"bucket": "models", "key": "chat/"}}
            },
            "budget": {"monthly_usd": 1000, "alert_emails": ["ops@example.com"]},
        }
    },
}
KEY = "ai-infra:clouds.azure"


def config(**changes: Any) -> dict[str, Any]:
    """BASE with `a__b` paths under clouds.azure replaced (`None` deletes the key)."""
    values = copy.deepcopy(BASE)
    for path, value in changes.items():
        node = values["clouds"]["azure"]
        *parents, last = path.split("__")
        for part in parents:
            node = node[part]
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    return values


def problems(values: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_environment(values)
    return caught.value.problems


def test_defaults_are_private_cheap_and_keyless():
    spec = parse_environment(config()).clouds.azure
    assert spec is not None
    assert spec.cluster.authorized_ip_ranges == []  # private cluster
    assert spec.cluster.sku_tier is None  # Standard in prod, Free in dev (decided by the stack)
    assert spec.cluster.auto_upgrade_channel == "stable"
    assert spec.cluster.dns_service_ip == "10.0.0.10"
    assert spec.network.nat == "single" and spec.network.allowed_inbound == {}
    assert spec.gpu_pools["t4"].min_nodes == 0
    assert spec.buckets["models"].customer_managed_key is False
    assert spec.buckets["models"].soft_delete_days == 7
    assert spec.buckets["models"].access_logging is False
    assert spec.cluster.secrets_encryption is True and spec.cluster.audit_logs is True
    assert spec.network.flow_logs.enabled is True and spec.network.flow_logs.retention_days == 30
    assert spec.log_retention_days == 30
    chat = spec.endpoints["chat"]
    assert (chat.auth_mode, chat.public_network_access) == ("aad_token", False)


def test_ids_are_normalised_to_lowercase():
    spec = parse_environment(config(subscription_id=SUB.upper().replace("0", "A"))).clouds.azure
    assert spec is not None and spec.subscription_id == SUB.replace("0", "a")


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"subscription_id": "my-sub"}, f"{KEY}.subscription_id: 'my-sub' is not a subscription id"),
        ({"tenant_id": None}, f"{KEY}.tenant_id: required key is missing"),
        ({"location": "mars"}, f"{KEY}.location: 'mars' is not a known azure region"),
        ({"network__zones": 4}, f"{KEY}.network.zones: 4 zones requested but eastus has 3"),
        ({"network__nat": "per-zone"}, f"{KEY}.network.nat: 'per-zone' is not available on Azure"),
        ({"network__cidr": "10.244.0.0/16"}, f"{KEY}.cluster.pod_cidr: '10.244.0.0/16' overlaps network.cidr"),
        (
            {"cluster": {"service_cidr": "10.30.0.0/16"}},
            f"{KEY}.cluster.service_cidr: '10.30.0.0/16' overlaps network.cidr",
        ),
        (
            {"cluster": {"service_cidr": "10.244.0.0/20"}},
            f"{KEY}.cluster.service_cidr: '10.244.0.0/20' overlaps pod_cidr",
        ),
        (
            {"cluster": {"kubernetes_version": "1.29"}},
            f"{KEY}.cluster.kubernetes_version: '1.29' is not an AKS version in standard support",
        ),
        (
            {"cluster": {"authorized_ip_ranges": ["0.0.0.0/0"]}},
            f"{KEY}.cluster.authorized_ip_ranges: '0.0.0.0/0' opens the Kubernetes API",
        ),
        (
            {"cluster": {"authorized_ip_ranges": ["nope"]}},
            f"{KEY}.cluster.authorized_ip_ranges: 'nope' is not a valid IPv4 CIDR",
        ),
        ({"cluster": {"auto_upgrade_channel": "none"}}, f"{KEY}.cluster.auto_upgrade_channel: 'none' is not valid"),
        ({"cluster": {"sku_tier": "Premium"}}, f"{KEY}.cluster.sku_tier: 'Premium' is not valid"),
        (
            {"cluster": {"admin_group_object_ids": ["admins"]}},
            f"{KEY}.cluster.admin_group_object_ids: 'admins' is not an Entra ID group object id",
        ),
        ({"cluster": {"system_nodes": 0}}, f"{KEY}.cluster.system_nodes: 0 is not valid"),
        (
            {"gpu_pools": {"gpu-pool": {"accelerator": "nvidia-t4", "max_nodes": 1}}},
            f"{KEY}.gpu_pools.gpu-pool: 'gpu-pool' cannot be an AKS node pool name",
        ),
        (
            {"gpu_pools": {"system": {"accelerator": "nvidia-t4", "max_nodes": 1}}},
            f"{KEY}.gpu_pools.system: 'system' cannot be an AKS node pool name",
        ),
        (
            {"gpu_pools": {"l4": {"accelerator": "nvidia-l4", "max_nodes": 1}}},
            f"{KEY}.gpu_pools.l4.accelerator: 'nvidia-l4' has no node machine type on azure",
        ),
        (
            {
                "gpu_pools": {
                    "t4": {"accelerator": "nvidia-t4", "max_nodes": 1, "machine_type": "Standard_NC24ads_A100_v4"}
                }
            },
            f"{KEY}.gpu_pools.t4.machine_type: 'Standard_NC24ads_A100_v4' is a node size with nvidia-a100-80gb",
        ),
        (
            {"gpu_pools": {"t4": {"accelerator": "nvidia-t4", "max_nodes": 1, "mig_profile": "MIG1g"}}},
            f"{KEY}.gpu_pools.t4.mig_profile: 'nvidia-t4' does not support MIG",
        ),
        (
            {"gpu_pools": {"t4": {"accelerator": "nvidia-t4", "min_nodes": 3, "max_nodes": 1}}},
            f"{KEY}.gpu_pools.t4.min_nodes: 3 is greater than max_nodes",
        ),
        ({"buckets__models": {"soft_delete_days": 0}}, f"{KEY}.buckets.models.soft_delete_days: 0 is not valid"),
        ({"buckets__models": {"encryption": "cmk"}}, f"{KEY}.buckets.models.encryption: unknown key"),
        ({"workloads__trainer__read": ["logs"]}, f"{KEY}.workloads.trainer.read: 'logs' is not a bucket of this cloud"),
        ({"endpoints__chat__min_replicas": 0}, f"{KEY}.endpoints.chat.min_replicas: 0 is not allowed on Azure"),
        ({"endpoints__chat__auth_mode": "aml_token"}, f"{KEY}.endpoints.chat.auth_mode: 'aml_token' is not valid"),
        (
            {"endpoints__chat__target_invocations_per_replica": 50},
            f"{KEY}.endpoints.chat.target_invocations_per_replica: is a SageMaker setting",
        ),
        (
            {"endpoints__chat__data_capture": True},
            f"{KEY}.endpoints.chat.data_capture: true is not supported on Azure yet",
        ),
        (
            {"endpoints__chat__accelerator": "nvidia-a10"},
            f"{KEY}.endpoints.chat.accelerator: 'nvidia-a10' has no endpoint machine type on azure",
        ),
        (
            {"endpoints__chat__machine_type": "Standard_NC4as_T4_v9"},
            f"{KEY}.endpoints.chat.machine_type: 'Standard_NC4as_T4_v9' is not a known azure endpoint machine type "
            "(did you mean 'ml:Standard_NC4as_T4_v3'? endpoint types with nvidia-t4: ml:Standard_NC4as_T4_v3,",
        ),
        (
            {"gpu_pools__t4__accelerator": "nvidia-t5"},
            f"{KEY}.gpu_pools.t4.accelerator: 'nvidia-t5' is not an accelerator for node pools on azure "
            "(did you mean 'nvidia-t4'? available: nvidia-a10, nvidia-a100, nvidia-a100-80gb, nvidia-h100, nvidia-t4)",
        ),
        (
            {"endpoints__chat__model": {"bucket": "weights", "key": "x"}},
            f"{KEY}.endpoints.chat.model.bucket: 'weights' is not a bucket of this cloud",
        ),
        (
            {
                "network": {
                    "cidr": "10.30.0.0/16",
                    "allowed_inbound": {"ssh": {"source_cidrs": ["0.0.0.0/0"], "ports": [22]}},
                }
            },
            f"{KEY}.network.allowed_inbound.ssh.source_cidrs: '0.0.0.0/0' would open SSH/RDP",
        ),
        (
            {
                "network": {
                    "cidr": "10.30.0.0/16",
                    "allowed_inbound": {"web": {"source_cidrs": ["203.0.113.0/24"], "ports": [0]}},
                }
            },
            f"{KEY}.network.allowed_inbound.web.ports: 0 is not a port",
        ),
        ({"regoin": "eastus"}, f"{KEY}.regoin: unknown key"),
        ({"buckets__flow-logs": {}}, f"{KEY}.buckets.flow-logs: 'flow-logs' is reserved for the VNet flow log"),
        ({"log_retention_days": 7}, f"{KEY}.log_retention_days: 7 is not valid"),
        (
            {"network": {"cidr": "10.30.0.0/16", "flow_logs": {"retention_days": 0}}},
            f"{KEY}.network.flow_logs.retention_days: 0 is not valid",
        ),
    ],
)
def test_mistakes_name_their_key_path(changes, expected):
    found = problems(config(**changes))
    assert any(p.startswith(expected) for p in found), found


def test_flow_logs_off_frees_the_reserved_bucket_key():
    network = {"cidr": "10.30.0.0/16", "flow_logs": {"enabled": False}}
    spec = parse_environment(config(network=network, **{"buckets__flow-logs": {}})).clouds.azure
    assert spec is not None and "flow-logs" in spec.buckets


def test_an_explicitly_allowed_https_flow_is_accepted():
    rule = {"source_cidrs": ["0.0.0.0/0"], "ports": [443]}
    spec = parse_environment(config(network={"cidr": "10.30.0.0/16", "allowed_inbound": {"web": rule}})).clouds.azure
    assert spec is not None and spec.network.allowed_inbound["web"].ports == [443]


def test_catalog_lookups_for_pools_and_endpoints():
    assert node_machine("nvidia-t4", None, "gpu_pools.t4").name == "Standard_NC4as_T4_v3"
    assert node_machine("nvidia-h100", None, "gpu_pools.train", multi_node=True).name == "Standard_ND96isr_H100_v5"
    machine = endpoint_machine("nvidia-a100-80gb", "Standard_NC24ads_A100_v4", "endpoints.chat")
    assert machine.name == "ml:Standard_NC24ads_A100_v4" and machine.role == "endpoint"
    assert instance_type(machine) == "Standard_NC24ads_A100_v4"
    assert instance_type(endpoint_machine("nvidia-t4", None, "endpoints.chat")) == "Standard_NC4as_T4_v3"
