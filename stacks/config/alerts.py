"""`ai-infra:alerts`: who is told when something breaks or idles, and the thresholds that decide it.

One notification route per cloud is built from `emails` (and the optional `webhook`); endpoint
alarms, GPU alerts and budgets all notify it. Thresholds have defaults that suit production; a
stack may loosen them or leave alarms out (dev), as Pulumi.dev.yaml does."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from stacks.config.base import ConfigModel
from stacks.config.common import EMAIL_PATTERN
from stacks.config.errors import config_problem

EndpointAlarmKind = Literal["errors", "latency", "saturation"]
ENDPOINT_ALARM_KINDS: tuple[EndpointAlarmKind, ...] = ("errors", "latency", "saturation")
MAX_ROUTE_EMAILS = 10
"""Enough for a team list; beyond that, use a mailing list (CloudMonitor and action groups cap it)."""


class EndpointAlertsSpec(ConfigModel):
    """Alarms created for every model endpoint (`alerts.endpoints`)."""

    alarms: list[EndpointAlarmKind] = Field(default_factory=lambda: list(ENDPOINT_ALARM_KINDS), min_length=1)
    """Which alarms each endpoint gets. Default all three: `errors` (failed requests), `latency`
    (the `latency_percentile` response time) and `saturation` (GPU utilisation of the serving
    instances). Prod policy requires `errors` and `latency`."""
    error_rate_percent: float = Field(default=5, gt=0, le=100)
    """Alarm when more than this share of requests fail (5xx) over `evaluation_minutes`, on
    SageMaker, Vertex AI and PAI-EAS. Default 5%."""
    errors_per_minute: float = Field(default=5, gt=0, le=100_000)
    """Azure ML only (its metric alerts cannot divide one metric by another): alarm when more than
    this many 5xx responses a minute are served. Default 5."""
    latency_percentile: Literal["p90", "p99"] = "p99"
    """Which response-time percentile the latency alarm watches. Default p99."""
    latency_ms: float = Field(default=2000, gt=0, le=600_000)
    """Alarm when that percentile exceeds this many milliseconds. Default 2000 ms."""
    saturation_percent: float = Field(default=90, gt=0, le=100)
    """Alarm when the serving instances' GPUs are busier than this on average (scale-out is not
    keeping up). Default 90%."""
    evaluation_minutes: int = Field(default=5, ge=1, le=60)
    """Minutes a condition must hold before the alarm fires. Default 5."""

    @field_validator("alarms")
    @classmethod
    def _distinct(cls, alarms: list[EndpointAlarmKind]) -> list[EndpointAlarmKind]:
        repeated = sorted({kind for kind in alarms if alarms.count(kind) > 1})
        if repeated:
            raise config_problem(
                f"{', '.join(repeated)} listed twice (allowed: each of errors, latency, saturation once)"
            )
        return alarms


class GpuAlertsSpec(ConfigModel):
    """Alerts on every GPU cluster's accelerators (`alerts.gpu`), from DCGM exporter metrics."""

    idle_utilization_percent: float = Field(default=10, gt=0, lt=100)
    """A GPU node counts as idle while its GPUs' average utilisation (`DCGM_FI_DEV_GPU_UTIL`)
    stays below this. Default 10%."""
    idle_hours: float = Field(default=4, gt=0, le=168)
    """Alert (cost) when a GPU node has been idle this long while it runs. Default 4 hours."""
    not_ready_minutes: int = Field(default=10, ge=1, le=1440)
    """Alert (health) when a GPU node has been NotReady this long. Default 10 minutes. XID errors
    (`DCGM_FI_DEV_XID_ERRORS`) alert at once."""


class AlertsSpec(ConfigModel):
    """The environment's alerting (`ai-infra:alerts`). Omit it for the defaults below."""

    emails: list[str] = Field(default_factory=list, max_length=MAX_ROUTE_EMAILS)
    """Who gets every alarm, on every cloud. Default: each cloud's `budget.alert_emails`."""
    webhook: str | None = None
    """An HTTPS endpoint (chat or paging integration) that also gets every alarm. Default none.
    The URL often carries a token: set it with `pulumi config set --secret --path alerts.webhook`;
    the stack always passes it to the clouds as a secret."""
    endpoints: EndpointAlertsSpec = Field(default_factory=EndpointAlertsSpec)
    gpu: GpuAlertsSpec = Field(default_factory=GpuAlertsSpec)

    @field_validator("emails")
    @classmethod
    def _emails(cls, emails: list[str]) -> list[str]:
        for email in emails:
            if not EMAIL_PATTERN.match(email):
                raise config_problem(f"{email!r} is not an e-mail address")
        return emails

    @field_validator("webhook")
    @classmethod
    def _https(cls, url: str | None) -> str | None:
        if url is not None and (not url.startswith("https://") or len(url) <= len("https://") or " " in url):
            # Do not echo the value: webhook URLs carry tokens.
            raise config_problem("is not an https:// URL (allowed: https://<host>/<path>; plain http is refused)")
        return url

    def recipients(self, fallback: list[str]) -> list[str]:
        """`emails`, or `fallback` (a cloud's budget addresses) when none are configured."""
        return list(self.emails) if self.emails else list(fallback)
