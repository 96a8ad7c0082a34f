"""Monitoring resources that cost money per item a month (alarms, alert conditions, dashboards)
or per sample ingested (managed Prometheus), priced from the `fees` tables of the price files.

Monthly prices are stored as hourly figures (monthly / 730 h), so 730 h x count x the figure
gives the month. Usage-billed items (samples ingested and queried) are unknown with the reason:
the plan does not know the volume."""

from __future__ import annotations

from typing import Any

from catalog.estimators.base import HOURS_PER_MONTH, EstimateContext, Estimator, ResourceCost
from catalog.prices import TIMES, Unpriced, usd_rate

AWS_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
AWS_DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
AWS_AMP_WORKSPACE = "aws:amp/workspace:Workspace"
AWS_AMP_SCRAPER = "aws:amp/scraper:Scraper"
GCP_ALERT_POLICY = "gcp:monitoring/alertPolicy:AlertPolicy"
AZURE_METRIC_ALERT = "azure-native:monitor:MetricAlert"
AZURE_MONITOR_WORKSPACE = "azure-native:monitor:AzureMonitorWorkspace"
ALICLOUD_CMS_ALARM = "alicloud:cms/alarm:Alarm"
ALICLOUD_ARMS_PROMETHEUS = "alicloud:arms/prometheus:Prometheus"

GCP_METRIC_CONDITIONS = (
    "conditionThreshold",
    "conditionAbsent",
    "conditionPrometheusQueryLanguage",
    "conditionMonitoringQueryLanguage",
)
GCP_LOG_CONDITIONS = ("conditionMatchedLog",)


def monthly_items(ctx: EstimateContext, fee: str, count: int, label: str, note: str = "") -> ResourceCost:
    """730 h x `count` x the fee's hourly figure (a monthly price / 730), discounted."""
    quote = ctx.prices.fee(ctx.cloud, fee, ctx.region)
    suffix = f"; {note}" if note else ""
    if isinstance(quote, Unpriced):
        return ctx.unknown(quote.reason, f"{count} {TIMES} {label}{suffix}")
    ctx.cite(quote)
    discount = ctx.price_book.discount(ctx.cloud)
    rate = discount.apply(quote.price) if discount else quote.price
    basis = f"{count} {TIMES} {label} {usd_rate(round(quote.price * HOURS_PER_MONTH, 4))}/month"
    if discount:
        basis += f" {discount.describe()}"
    monthly = HOURS_PER_MONTH * count * rate
    return ctx.cost(monthly, monthly, basis + suffix)


def aws_alarm(ctx: EstimateContext) -> ResourceCost:
    queries = [q for q in ctx.inputs.get("metricQueries") or [] if isinstance(q, dict)]
    metrics = sum(1 for q in queries if "metric" in q) if queries else 1
    period = _number(ctx.inputs.get("period"))
    if period is not None and period < 60:
        return ctx.unknown("high-resolution alarm (period under 60 s): its price is not in the catalog")
    # CloudWatch bills an alarm per metric it evaluates (a metric-math alarm on two metrics is two).
    return monthly_items(ctx, "cloudwatch-alarm-metric", max(metrics, 1), "alarm metric")


def aws_dashboard(ctx: EstimateContext) -> ResourceCost:
    return monthly_items(ctx, "cloudwatch-dashboard", 1, "dashboard")


def gcp_alert_policy(ctx: EstimateContext) -> ResourceCost:
    conditions = [c for c in ctx.inputs.get("conditions") or [] if isinstance(c, dict)]
    if any(key in c for c in conditions for key in GCP_LOG_CONDITIONS):
        return monthly_items(ctx, "alerting-log-condition", len(conditions), "log-match condition")
    metric = sum(1 for c in conditions if any(key in c for key in GCP_METRIC_CONDITIONS))
    return monthly_items(ctx, "alerting-condition", max(metric, 1), "alerting condition")


def fee_unknown_unless_sourced(fee: str, label: str) -> Estimator:
    """One item a month of `fee` (the price files say why it is unknown, if it is)."""

    def estimate(ctx: EstimateContext) -> ResourceCost:
        return monthly_items(ctx, fee, 1, label)

    return estimate


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


ESTIMATORS: dict[str, Estimator] = {
    AWS_ALARM: aws_alarm,
    AWS_DASHBOARD: aws_dashboard,
    AWS_AMP_SCRAPER: fee_unknown_unless_sourced("amp-collector", "AMP collector"),
    GCP_ALERT_POLICY: gcp_alert_policy,
    AZURE_METRIC_ALERT: fee_unknown_unless_sourced("metric-alert", "metric alert rule"),
    ALICLOUD_CMS_ALARM: fee_unknown_unless_sourced("cms-alarm", "CloudMonitor alarm rule"),
    ALICLOUD_ARMS_PROMETHEUS: fee_unknown_unless_sourced("arms-prometheus", "ARMS Prometheus instance"),
}
