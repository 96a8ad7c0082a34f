"""Endpoint serving modes (`clouds.<cloud>.endpoints.<name>.mode`) and the settings of the
scale-to-zero modes, validated per cloud against catalog/data/serverless.yaml.

- `realtime` (default): the managed endpoint as before (SageMaker, Vertex AI, Azure ML, PAI-EAS).
- `serverless`: the cloud's functions/containers platform, billed per use, scaling to zero:
  SageMaker Serverless Inference (CPU only), Cloud Run (L4), Azure Container Apps (serverless
  GPU profiles), Function Compute 3.0 (GPU functions).
- `async` (AWS): SageMaker Asynchronous Inference, GPU instances that scale to zero on an empty
  queue; results land in the models bucket, completions go to an SNS topic.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from catalog.serverless import serverless_platform
from stacks.config.base import ConfigModel
from stacks.config.errors import config_problem

if TYPE_CHECKING:
    from stacks.config.common import EndpointSpec

EndpointMode = Literal["realtime", "serverless", "async", "batch"]
CPU = "cpu"
"""The accelerator value of a CPU-only serverless endpoint."""

MODES: dict[str, tuple[str, ...]] = {
    "aws": ("realtime", "serverless", "async", "batch"),
    "gcp": ("realtime", "serverless", "batch"),
    "azure": ("realtime", "serverless"),
    "alicloud": ("realtime", "serverless"),
}
"""The modes each cloud offers here (`batch`: event-driven batch inference, AWS and Google Cloud)."""


class BucketPrefix(ConfigModel):
    """A prefix inside one of this cloud's configured buckets."""

    bucket: str
    """Purpose key of a bucket configured under the same cloud (`datasets`)."""
    prefix: str = Field(pattern=r"^[A-Za-z0-9!_.*'()/-]+/$", max_length=512)
    """Key prefix ending in `/` (`incoming/`)."""


class BatchTriggerSpec(ConfigModel):
    """`mode: batch`: each new object under `input` starts a batch job writing under `output`."""

    input: BucketPrefix
    output: BucketPrefix


class ServerlessSpec(ConfigModel):
    """Settings of the `serverless` and `async` modes (`endpoints.<name>.serverless`)."""

    memory_mb: int | None = Field(default=None, ge=128)
    """Memory of one instance. Default: the platform's default for CPU, and the host that comes
    with the GPU for GPU instances (catalog/data/serverless.yaml)."""
    max_concurrency: int = Field(default=10, ge=1, le=1000)
    """Requests served at once: per endpoint on SageMaker Serverless (its only cap, at most 200),
    per instance elsewhere. Default 10; together with `max_replicas` it caps the spend."""
    provisioned_concurrency: int = Field(default=0, ge=0, le=200)
    """SageMaker Serverless only: warm capacity kept (and billed) while idle. Default 0 (none)."""
    invokers: list[str] = Field(default_factory=list)
    """Google Cloud only: IAM members (`serviceAccount:...`, `group:...`) granted roles/run.invoker.
    Default none: only principals with project-wide Cloud Run rights may call it. `allUsers` and
    `allAuthenticatedUsers` are refused."""
    expected_requests_per_month: int = Field(default=0, ge=0)
    """Expected traffic, for cost estimates only. Default 0: the estimate is the idle floor."""
    expected_seconds_per_request: float = Field(default=1.0, gt=0, le=3600)
    """Expected busy time of one request, for cost estimates only. Default 1 second."""


def check_endpoint_mode(
    cloud: str, region: str, name: str, endpoint: EndpointSpec, buckets: Collection[str] = ()
) -> None:
    """Refuse a mode `cloud` lacks and settings its mode cannot take. `endpoint` is the cloud's
    endpoint spec (it has `mode`, `accelerator`, `min_replicas`, `max_replicas`, `serverless`)."""
    where = f"endpoints.{name}"
    mode: str = endpoint.mode
    accelerator: str = endpoint.accelerator
    spec: ServerlessSpec = endpoint.serverless
    allowed = MODES[cloud]
    if mode not in allowed:
        raise config_problem(
            f"{mode!r} is not available on {cloud} (allowed: {', '.join(allowed)})", key=f"{where}.mode"
        )
    if (mode == "batch") != (endpoint.batch is not None):
        raise config_problem(
            "mode: batch needs 'batch' (input and output prefixes), and only mode: batch takes it",
            key=f"{where}.batch",
        )
    if endpoint.batch is not None:
        for side in ("input", "output"):
            bucket = getattr(endpoint.batch, side).bucket
            if bucket not in buckets:
                raise config_problem(
                    f"{bucket!r} is not a bucket of this cloud (allowed: {', '.join(sorted(buckets)) or 'none'})",
                    key=f"{where}.batch.{side}.bucket",
                )
    if mode == "realtime":
        if accelerator == CPU:
            raise config_problem(
                "'cpu' is allowed with mode: serverless only (real-time endpoints run on accelerator machines)",
                key=f"{where}.accelerator",
            )
        if "serverless" in endpoint.model_fields_set:
            raise config_problem(
                "serverless settings apply to mode: serverless or async; this endpoint is realtime",
                key=f"{where}.serverless",
            )
        return
    if mode in ("async", "batch"):
        if accelerator == CPU:
            raise config_problem(
                f"{mode} inference runs on accelerator instances here; use mode: serverless for CPU",
                key=f"{where}.accelerator",
            )
        return
    _check_serverless(cloud, region, where, accelerator, endpoint, spec)


def _check_serverless(
    cloud: str, region: str, where: str, accelerator: str, endpoint: EndpointSpec, spec: ServerlessSpec
) -> None:
    platform = serverless_platform(cloud)
    if accelerator != CPU:
        gpu = platform.gpus.get(accelerator)
        if gpu is None:
            offered = ", ".join([CPU, *sorted(platform.gpus)])
            hint = " (for GPUs with scale to zero use mode: async)" if cloud == "aws" else ""
            raise config_problem(
                f"{accelerator!r} is not offered by {platform.platform} (allowed: {offered}){hint}",
                key=f"{where}.accelerator",
            )
        if gpu.regions is not None and region not in gpu.regions:
            raise config_problem(
                f"{platform.platform} offers {accelerator} in {', '.join(gpu.regions)}, not {region}",
                key=f"{where}.accelerator",
            )
    if spec.memory_mb is not None:
        memory = spec.memory_mb
        low, high, step = platform.memory_min_mb, platform.memory_max_mb, platform.memory_step_mb
        if not low <= memory <= high or memory % step:
            raise config_problem(
                f"{memory} is not a memory size of {platform.platform} (allowed: {low}-{high} in steps of {step})",
                key=f"{where}.serverless.memory_mb",
            )
    if spec.max_concurrency > platform.max_concurrency:
        raise config_problem(
            f"{spec.max_concurrency} is above {platform.platform}'s limit (allowed: 1-{platform.max_concurrency})",
            key=f"{where}.serverless.max_concurrency",
        )
    public = sorted({"allUsers", "allAuthenticatedUsers"} & set(spec.invokers))
    if public:
        raise config_problem(
            f"{', '.join(public)} would make the endpoint public (allowed: serviceAccount:, group:, user: members)",
            key=f"{where}.serverless.invokers",
        )
    if spec.invokers and cloud != "gcp":
        raise config_problem(
            "invoker grants are a Google Cloud setting; elsewhere callers sign requests with their own identity",
            key=f"{where}.serverless.invokers",
        )
    if spec.provisioned_concurrency and cloud != "aws":
        raise config_problem(
            f"{spec.provisioned_concurrency}: provisioned concurrency is a SageMaker Serverless setting "
            "(allowed here: 0; use min_replicas for warm instances)",
            key=f"{where}.serverless.provisioned_concurrency",
        )
    if spec.provisioned_concurrency > spec.max_concurrency:
        raise config_problem(
            f"{spec.provisioned_concurrency} is greater than max_concurrency ({spec.max_concurrency})",
            key=f"{where}.serverless.provisioned_concurrency",
        )
    min_replicas: int = endpoint.min_replicas
    if cloud == "aws" and min_replicas != 0:
        raise config_problem(
            f"{min_replicas} is not allowed: SageMaker Serverless keeps no instances "
            "(allowed: 0; use serverless.provisioned_concurrency for warm capacity)",
            key=f"{where}.min_replicas",
        )
