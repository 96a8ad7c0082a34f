"""Key settings of the monitoring resource types of every cloud: for each alarm, what it
measures (`metric`), when it fires (`threshold`, `for`) and where it notifies (`route`, the last
segment of the topic / channel / action group / contact group it names)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml

Setting = Callable[[dict[str, Any]], Any]


def _last(value: Any) -> str | None:
    """`arn:aws:sns:us-east-1:1:ai-infra-dev-alerts` -> `ai-infra-dev-alerts`; ids -> last segment."""
    if not isinstance(value, str) or not value:
        return None
    return re.split(r"[:/]", value.rstrip("/"))[-1]


def _route(path: str, key: str | None = None) -> Setting:
    """The last segment of every route a list input names (`alarmActions`, `actions[].actionGroupId`)."""

    def read(inputs: dict[str, Any]) -> Any:
        items = inputs.get(path)
        if not isinstance(items, list):
            return _last(items)
        names = [_last(i.get(key) if key and isinstance(i, dict) else i) for i in items]
        return ",".join(n for n in names if n) or None

    return read


def _aws_metric(inputs: dict[str, Any]) -> Any:
    if inputs.get("metricName"):
        return inputs["metricName"]
    queries = _dicts(inputs.get("metricQueries"))
    names = [q["metric"].get("metricName") for q in queries if isinstance(q.get("metric"), dict)]
    expression = next((q.get("expression") for q in queries if q.get("expression")), None)
    return f"{expression} ({'/'.join(n for n in names if n)})" if expression else "/".join(names) or None


def _gcp_condition(field: str) -> Setting:
    def read(inputs: dict[str, Any]) -> Any:
        for condition in _dicts(inputs.get("conditions")):
            threshold = condition.get("conditionThreshold") or {}
            promql = condition.get("conditionPrometheusQueryLanguage") or {}
            log = condition.get("conditionMatchedLog") or {}
            if field == "metric":
                match = re.search(r'metric\.type\s*=\s*"([^"]+)"', str(threshold.get("filter", "")))
                return (
                    (match.group(1).rsplit("/", 2)[-1] if match else None)
                    or promql.get("alertRule")
                    or ("log match" if log else None)
                )
            if field == "threshold":
                return threshold.get("thresholdValue")
            if field == "for":
                return threshold.get("duration") or promql.get("duration")
        return None

    return read


def _document(text: Any) -> dict[str, Any]:
    """A YAML / JSON mapping given as text ({} for anything else: absent, `[unknown]`, malformed)."""
    if isinstance(text, dict):
        return text
    try:
        parsed = yaml.safe_load(text) if isinstance(text, str) else None
    except yaml.YAMLError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _prometheus_alerts(inputs: dict[str, Any]) -> Any:
    """Alert names of an AMP rule group namespace (YAML `data`) or an Azure rule group (`rules`)."""
    rules = _dicts(inputs.get("rules")) or [
        r for g in _dicts(_document(inputs.get("data")).get("groups")) for r in _dicts(g.get("rules"))
    ]
    names = [str(r["alert"]) for r in rules if r.get("alert")]
    return ",".join(names) or None


def _alert_manager_route(inputs: dict[str, Any]) -> Any:
    config = _document(_document(inputs.get("definition")).get("alertmanager_config"))
    receivers = _dicts(config.get("receivers"))
    topics = [_last(c.get("topic_arn")) for r in receivers for c in _dicts(r.get("sns_configs"))]
    return ",".join(t for t in topics if t) or None


def _event_names(inputs: dict[str, Any]) -> Any:
    pattern = _document(inputs.get("eventPattern"))
    names = pattern.get("detail-type") or pattern.get("nameLists") or []
    return ",".join(str(n) for n in names) if isinstance(names, list) and names else None


def _first_criterion(field: str) -> Setting:
    def read(inputs: dict[str, Any]) -> Any:
        criteria = _dicts(_document(inputs.get("criteria")).get("allOf"))
        return criteria[0].get(field) if criteria else None

    return read


KEY_SETTINGS: dict[str, list[tuple[str, str | Setting]]] = {
    # AWS
    "aws:sns/topic:Topic": [("name", "name"), ("kms", lambda i: "cmk" if i.get("kmsMasterKeyId") else None)],
    "aws:sns/topicSubscription:TopicSubscription": [("protocol", "protocol")],
    "aws:cloudwatch/metricAlarm:MetricAlarm": [
        ("metric", _aws_metric),
        ("stat", lambda i: i.get("extendedStatistic") or i.get("statistic")),
        ("threshold", "threshold"),
        ("for_min", "evaluationPeriods"),
        ("route", _route("alarmActions")),
    ],
    "aws:cloudwatch/eventRule:EventRule": [("events", _event_names)],
    "aws:cloudwatch/eventTarget:EventTarget": [("route", lambda i: _last(i.get("arn")))],
    "aws:cloudwatch/dashboard:Dashboard": [("name", "dashboardName")],
    "aws:amp/workspace:Workspace": [("alias", "alias")],
    "aws:amp/scraper:Scraper": [
        ("cluster", lambda i: _last(_document(_document(i.get("source")).get("eks")).get("clusterArn")))
    ],
    "aws:amp/ruleGroupNamespace:RuleGroupNamespace": [("alerts", _prometheus_alerts)],
    "aws:amp/alertManagerDefinition:AlertManagerDefinition": [("route", _alert_manager_route)],
    # Google Cloud
    "gcp:monitoring/notificationChannel:NotificationChannel": [("type", "type")],
    "gcp:monitoring/alertPolicy:AlertPolicy": [
        ("metric", _gcp_condition("metric")),
        ("threshold", _gcp_condition("threshold")),
        ("for", _gcp_condition("for")),
        ("route", _route("notificationChannels")),
    ],
    # Azure
    "azure-native:monitor:ActionGroup": [
        ("short_name", "groupShortName"),
        ("emails", lambda i: len(i.get("emailReceivers") or []) or None),
        ("webhooks", lambda i: len(i.get("webhookReceivers") or []) or None),
    ],
    "azure-native:monitor:MetricAlert": [
        ("metric", _first_criterion("metricName")),
        ("threshold", _first_criterion("threshold")),
        ("window", "windowSize"),
        ("route", _route("actions", "actionGroupId")),
    ],
    "azure-native:alertsmanagement:PrometheusRuleGroup": [
        ("cluster", "clusterName"),
        ("alerts", _prometheus_alerts),
        ("route", lambda i: next((_route("actions", "actionGroupId")(r) for r in _dicts(i.get("rules"))), None)),
    ],
    "azure-native:monitor:AzureMonitorWorkspace": [("name", "azureMonitorWorkspaceName")],
    # Alibaba Cloud
    "alicloud:cms/alarm:Alarm": [
        ("metric", "metric"),
        ("threshold", "escalationsCritical.threshold"),
        ("times", "escalationsCritical.times"),
        ("route", "contactGroups"),
    ],
    "alicloud:cms/eventRule:EventRule": [
        ("events", "eventPattern.nameLists"),
        ("route", "contactParameters.0.contactGroupName"),
    ],
    "alicloud:arms/prometheusAlertRule:PrometheusAlertRule": [
        ("alert", "prometheusAlertRuleName"),
        ("for_min", "duration"),
        ("route", lambda i: "dispatch rule" if i.get("notifyType") == "DISPATCH_RULE" else i.get("notifyType")),
    ],
    "alicloud:arms/prometheus:Prometheus": [("type", "clusterType")],
    "ai-infra:alicloud:Dashboard": [("provider_support", "providerSupport")],
}
