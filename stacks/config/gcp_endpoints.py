"""`ai-infra:clouds.gcp.endpoints`: Vertex AI endpoints (custom or Model Garden models), their
validation and machine lookup; re-exported from stacks/config/gcp.py."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from catalog import MachineType
from stacks.config.base import ConfigModel
from stacks.config.common import EndpointSpec, ModelArtifact, machine_in_catalog
from stacks.config.errors import config_problem

ENDPOINT_PREFIX = "vertex:"
"""Catalog keys of Vertex AI hosting machines (`vertex:g2-standard-8`); see catalog/data/gcp.yaml."""
VERTEX_MISMATCH = "{given!r} is not a Vertex AI machine with {accelerator}"

MODEL_GARDEN_MODEL = re.compile(r"^(publishers/[a-z0-9-]+/models/[A-Za-z0-9._-]+(@[A-Za-z0-9._-]+)?|[\w.-]+/[\w.-]+)$")


class ModelGardenSpec(ConfigModel):
    """A model Vertex AI deploys declaratively: Model Garden or Hugging Face."""

    model: str
    """`publishers/<publisher>/models/<model>@<version>` (Model Garden) or `<org>/<name>` (Hugging Face)."""
    accept_eula: bool = False
    """Accept the model's licence, which some publishers require. Default false."""

    @field_validator("model")
    @classmethod
    def _model_name(cls, value: str) -> str:
        if not MODEL_GARDEN_MODEL.match(value):
            raise config_problem(
                f"{value!r} is not a model name (allowed: 'publishers/<publisher>/models/<model>@<version>' "
                "or a Hugging Face id '<org>/<name>')"
            )
        return value


NetworkAccess = Literal["psc", "private", "public"]


class GcpEndpointSpec(EndpointSpec):
    """A Vertex AI endpoint (`clouds.gcp.endpoints.<name>`): the shared endpoint shape, where either a
    custom model (`image` + `model` in a bucket) or a `model_garden` model is served."""

    # Both optional here (the shared shape requires them): a Model Garden model needs neither.
    image: str | None = Field(default=None, min_length=1)  # type: ignore[assignment]
    """Custom model: serving container image. Model Garden: optional override of its container."""
    model: ModelArtifact | None = None  # type: ignore[assignment]
    """Custom model: the artefact in one of this cloud's buckets."""
    model_garden: ModelGardenSpec | None = None
    """A Model Garden / Hugging Face model, deployed declaratively (instead of `model`)."""
    network_access: NetworkAccess = "psc"
    """`psc` (default): reachable only through Private Service Connect. `private`: peered into
    the VPC (custom models only). `public`: the shared public endpoint, guarded by IAM only."""
    spot: bool = False
    """Serve on Spot VMs (Model Garden form only). Default false."""
    accelerator_duty_cycle_target: int = Field(default=60, ge=1, le=100)
    """Autoscaling target: average accelerator duty cycle, percent. Default 60."""

    @model_validator(mode="after")
    def _vertex_rules(self) -> GcpEndpointSpec:
        if self.mode != "realtime":
            # Cloud Run serves a container with the model mounted from a bucket.
            if self.model is None or self.image is None:
                raise config_problem("a serverless endpoint needs 'image' and 'model' (in a bucket)", key="model")
            return self
        if (self.model is None) == (self.model_garden is None):
            raise config_problem(
                "give either 'model' (a custom model in a bucket, with 'image') or 'model_garden'", key="model"
            )
        if self.model is not None and self.image is None:
            raise config_problem("a custom model needs its serving container image", key="image")
        if self.min_replicas < 1:
            raise config_problem(
                f"{self.min_replicas} is not allowed: Vertex AI dedicated resources keep at least one replica "
                "(allowed: 1-100)",
                key="min_replicas",
            )
        if self.spot and self.model is not None:
            raise config_problem(
                "spot serving is declarable only with 'model_garden' (pulumi-gcp's deployment resource pool "
                "has no spot setting); set spot: false",
                key="spot",
            )
        if self.network_access == "private" and self.model_garden is not None:
            raise config_problem(
                "Model Garden deployments support 'psc' or 'public', not VPC peering", key="network_access"
            )
        if "target_invocations_per_replica" in self.model_fields_set:
            raise config_problem(
                "Vertex AI autoscales on accelerator duty cycle, not requests; use accelerator_duty_cycle_target",
                key="target_invocations_per_replica",
            )
        if self.data_capture:
            raise config_problem(
                "Vertex AI request-response logging writes to BigQuery, which this project does not declare; "
                "set data_capture: false",
                key="data_capture",
            )
        return self


def endpoint_machine(endpoint: EndpointSpec, where: str) -> MachineType:
    """The Vertex machine of the endpoint at `where`: its override (with or without `vertex:`) or
    the catalog's default for the accelerator."""
    return machine_in_catalog(
        "gcp",
        endpoint.accelerator,
        endpoint.machine_type,
        "endpoint",
        where,
        endpoint_prefix=ENDPOINT_PREFIX,
        mismatch=VERTEX_MISMATCH,
    )
