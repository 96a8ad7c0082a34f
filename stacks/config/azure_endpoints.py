"""`ai-infra:clouds.azure.endpoints`: Azure ML managed online endpoints, their validation and the
hosting-size lookup (`endpoint_machine`, `instance_type`); re-exported from stacks/config/azure.py."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from catalog import MachineType
from stacks.config.common import EndpointSpec, machine_in_catalog
from stacks.config.errors import config_problem

ENDPOINT_PREFIX = "ml:"
"""Catalog keys of Azure ML hosting sizes (`ml:Standard_NC24ads_A100_v4`); see catalog/data/azure.yaml."""
SIZE_MISMATCH = "{name!r} is a {found.role} size with {found.accelerator}, not a {role} size with {accelerator}"


class AzureEndpointSpec(EndpointSpec):
    """An Azure ML managed online endpoint with one deployment taking all traffic.

    `min_replicas` must be at least 1 (managed online deployments do not scale to zero).
    `target_invocations_per_replica` and `data_capture` are SageMaker settings and are refused."""

    auth_mode: Literal["aad_token", "key"] = "aad_token"
    """How callers authenticate. Default `aad_token` (Entra ID tokens, nothing to rotate);
    `key` issues long-lived keys."""
    public_network_access: bool = False
    """Default false: the endpoint is reachable through the workspace's private endpoint only.
    True is refused in prod."""
    target_utilization_percentage: int = Field(default=70, ge=1, le=100)
    """Autoscaling target: average CPU utilization across instances. Default 70."""
    port: int = Field(default=8080, ge=1, le=65535)
    """Port the serving container listens on. Default 8080."""
    scoring_path: str = Field(default="/score", pattern=r"^/")
    liveness_path: str = Field(default="/health", pattern=r"^/")
    readiness_path: str = Field(default="/health", pattern=r"^/")
    request_timeout_ms: int = Field(default=60_000, ge=1_000, le=180_000)
    """Per-request timeout. Default 60 s (Azure ML allows up to 180 s)."""
    max_concurrent_requests_per_instance: int = Field(default=1, ge=1, le=1000)
    """Requests an instance takes at once before they queue. Default 1."""
    managed_network: Literal["allow-internet-outbound", "allow-only-approved-outbound"] = "allow-internet-outbound"
    """Outbound policy of the workspace's managed network. Default `allow-internet-outbound`;
    `allow-only-approved-outbound` blocks everything not approved (FQDN rules add an Azure
    Firewall, which is billed)."""
    customer_managed_key: bool = False
    """Encrypt the Azure ML workspace and its storage with keys in Key Vaults. Default false:
    Microsoft-managed keys. With true, Azure ML keeps the workspace's metadata in a Cosmos DB,
    AI Search and storage account it creates (and bills) in a Microsoft-managed resource group."""

    @model_validator(mode="after")
    def _azure_semantics(self) -> AzureEndpointSpec:
        if self.mode == "realtime" and self.min_replicas < 1:
            raise config_problem(
                f"{self.min_replicas} is not allowed on Azure: managed online deployments keep at least 1 instance",
                key="min_replicas",
            )
        if "target_invocations_per_replica" in self.model_fields_set:
            raise config_problem(
                "is a SageMaker setting; on Azure use target_utilization_percentage",
                key="target_invocations_per_replica",
            )
        if self.data_capture:
            raise config_problem("true is not supported on Azure yet; allowed: false", key="data_capture")
        return self


def endpoint_machine(accelerator: str, machine_type: str | None, where: str) -> MachineType:
    """The Azure ML hosting size for an endpoint. An override may be written with or without the
    catalog's `ml:` prefix (`Standard_NC24ads_A100_v4`)."""
    return machine_in_catalog(
        "azure", accelerator, machine_type, "endpoint", where, endpoint_prefix=ENDPOINT_PREFIX, mismatch=SIZE_MISMATCH
    )


def instance_type(machine: MachineType) -> str:
    """The size name Azure expects (`ml:Standard_NC4as_T4_v3` -> `Standard_NC4as_T4_v3`)."""
    return machine.name.removeprefix(ENDPOINT_PREFIX)
