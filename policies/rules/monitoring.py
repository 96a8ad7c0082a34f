"""Monitoring: every alarm reaches a notification route, every model endpoint has an error and a
latency alarm, every GPU cluster has an idle-GPU alert. Values not known yet (preview) are never
held against a resource. How alarms are matched to what they watch: `policies.rules.watching`."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from policies.framework import UNKNOWN, Context, Resource, Rule, Stack, as_list, dig
from policies.rules import monitoring_examples as examples
from policies.rules.watching import gpu_pools_of, is_unknown, shares_source, watchers
from policies.rules.workloads import (
    ALICLOUD_EAS_SERVICE,
    ALICLOUD_NODE_POOL,
    AWS_ENDPOINT,
    AWS_NODE_GROUP,
    AZURE_AGENT_POOL,
    GCP_MODEL_GARDEN,
    GCP_NODE_POOL,
    eas_service_config,
)

AWS_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
AWS_EVENT_RULE = "aws:cloudwatch/eventRule:EventRule"
AWS_EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
AWS_SNS_TOPIC = "aws:sns/topic:Topic"
AWS_AMP_RULES = "aws:amp/ruleGroupNamespace:RuleGroupNamespace"
AWS_AMP_ALERT_MANAGER = "aws:amp/alertManagerDefinition:AlertManagerDefinition"
AWS_AMP_SCRAPER = "aws:amp/scraper:Scraper"
AWS_CLUSTER = "aws:eks/cluster:Cluster"
GCP_ALERT_POLICY = "gcp:monitoring/alertPolicy:AlertPolicy"
GCP_VERTEX_ENDPOINT = "gcp:vertex/aiEndpoint:AiEndpoint"
GCP_CLUSTER = "gcp:container/cluster:Cluster"
AZURE_METRIC_ALERT = "azure-native:monitor:MetricAlert"
AZURE_PROMETHEUS_RULES = "azure-native:alertsmanagement:PrometheusRuleGroup"
AZURE_ONLINE_ENDPOINT = "azure-native:machinelearningservices:OnlineEndpoint"
AZURE_CLUSTER = "azure-native:containerservice:ManagedCluster"
ALICLOUD_CMS_ALARM = "alicloud:cms/alarm:Alarm"
ALICLOUD_CMS_EVENT_RULE = "alicloud:cms/eventRule:EventRule"
ALICLOUD_ARMS_RULE = "alicloud:arms/prometheusAlertRule:PrometheusAlertRule"
ALICLOUD_CLUSTER = "alicloud:cs/managedKubernetes:ManagedKubernetes"

GPU_UTIL_METRIC = "DCGM_FI_DEV_GPU_UTIL"
"""The DCGM exporter's GPU utilisation: an idle alert compares it below a threshold."""
UNKNOWN_TEXT = str(UNKNOWN)
"""How a value not known yet reads in an input rendered as text."""


# -- every alarm reaches a route ------------------------------------------------------------------
ROUTE_TYPES = (
    "aws:sns/topic:Topic",
    "gcp:monitoring/notificationChannel:NotificationChannel",
    "azure-native:monitor:ActionGroup",
    "azure-native:insights:ActionGroup",
    "alicloud:cms/alarmContactGroup:AlarmContactGroup",
    "alicloud:arms/dispatchRule:DispatchRule",
)
"""Notification routes: an action computed from one of these (at preview, its id or ARN is not
known yet) reaches a route."""


def _routed(ctx: Context, resource: Resource, prop: str) -> bool:
    """Whether `resource`'s input `prop` is not known yet but computed from a route of the stack.
    A known value is judged by what it says."""
    return is_unknown(resource.peek(prop)) and bool(ctx.resolved_by(resource, prop, ROUTE_TYPES))


def _has_action(items: object, key: str) -> bool:
    return any(isinstance(i, dict) and i.get(key) for i in as_list(items))


def _aws_alarm_route(alarm: Resource, ctx: Context) -> Iterator[str]:
    if _routed(ctx, alarm, "alarmActions"):
        return
    # A scaling alarm (an asynchronous endpoint woken from zero) drives a machine, not a person.
    if ctx.resolved_by(alarm, "alarmActions", "aws:appautoscaling/policy:Policy"):
        return
    actions = alarm.get("alarmActions")
    if not is_unknown(actions) and not any(":sns:" in str(a) for a in as_list(actions)):
        yield "alarmActions names no SNS topic: the alarm changes state and nobody is told"


def _aws_event_rule_route(rule: Resource, ctx: Context) -> Iterator[str]:
    stack = ctx.require_stack()
    for target in stack.referencing(rule, AWS_EVENT_TARGET, "rule", values=[rule.get("name")]):
        if _routed(ctx, target, "arn"):
            return
        # A rule that starts a workflow (event-driven batch) is a trigger, not an alarm.
        if ctx.resolved_by(target, "arn", "aws:sfn/stateMachine:StateMachine"):
            return
        arn = target.get("arn")
        if is_unknown(arn) or ":sns:" in str(arn):
            return
    yield "no event target sends the rule's events to an SNS topic"


def _aws_amp_rules_route(rules: Resource, ctx: Context) -> Iterator[str]:
    workspace = rules.get("workspaceId")
    for manager in ctx.require_stack().of_type(AWS_AMP_ALERT_MANAGER):
        if manager.get("workspaceId") == workspace or shares_source(manager, "workspaceId", rules, "workspaceId"):
            if _routed(ctx, manager, "definition"):
                return
            definition = manager.get("definition")
            if is_unknown(definition) or "sns_configs" in str(definition):
                return
    yield "the workspace has no alert manager definition with an SNS receiver: its alerts go nowhere"


def _gcp_policy_route(policy: Resource, ctx: Context) -> Iterator[str]:
    if _routed(ctx, policy, "notificationChannels"):
        return
    channels = policy.get("notificationChannels")
    if not is_unknown(channels) and not as_list(channels):
        yield "notificationChannels is empty: incidents open in the console and nobody is told"


def _azure_metric_alert_route(alert: Resource, ctx: Context) -> Iterator[str]:
    if _routed(ctx, alert, "actions"):
        return
    actions = alert.get("actions")
    if not is_unknown(actions) and not _has_action(actions, "actionGroupId"):
        yield "no action names an action group: the alert fires and nobody is told"


def _azure_prometheus_route(group: Resource, ctx: Context) -> Iterator[str]:
    if _routed(ctx, group, "rules"):
        return
    for rule in as_list(group.get("rules")):
        # Recording rules (no `alert`) notify nobody by design.
        if not isinstance(rule, dict) or not rule.get("alert") or is_unknown(rule.get("actions")):
            continue
        if not _has_action(rule.get("actions"), "actionGroupId"):
            yield f"alert rule {rule['alert']!r} has no action group"


def _alicloud_alarm_route(alarm: Resource, ctx: Context) -> Iterator[str]:
    if _routed(ctx, alarm, "contactGroups"):
        return
    groups = alarm.get("contactGroups")
    if not is_unknown(groups) and not as_list(groups):
        yield "contactGroups is empty: the alarm fires and nobody is told"


def _alicloud_event_rule_route(rule: Resource, ctx: Context) -> Iterator[str]:
    if _routed(ctx, rule, "contactParameters"):
        return
    parameters = rule.get("contactParameters")
    if not is_unknown(parameters) and not _has_action(parameters, "contactGroupName"):
        yield "contactParameters names no contact group"


def _alicloud_arms_rule_route(rule: Resource, ctx: Context) -> Iterator[str]:
    if rule.get("notifyType") == "DISPATCH_RULE" and _routed(ctx, rule, "dispatchRuleId"):
        return
    dispatch = rule.get("dispatchRuleId")
    if rule.get("notifyType") != "DISPATCH_RULE" or not (dispatch or is_unknown(dispatch)):
        yield "notifyType is not DISPATCH_RULE with a dispatchRuleId: ARMS routes the alert nowhere"


ALARM_NOTIFIES_ROUTE = Rule(
    id="alarm-notifies-route",
    ref="",
    domain="monitoring",
    description="Every alarm and alert rule has an action that reaches a notification route.",
    severity="high",
    tags=("security",),
    remediation="Point alarms at the environment's route: an SNS topic (alarm actions, event targets, the AMP "
    "alert manager), Cloud Monitoring notification channels, an Azure Monitor action group, a CloudMonitor "
    "contact group or an ARMS dispatch rule. The stacks wire every alarm they create this way.",
    rationale="An alarm without an action only changes colour in a console nobody watches: the GPU that idles, "
    "the endpoint that fails or the budget that is exceeded goes unnoticed until the bill or a user reports it.",
    examples=examples.ALARM_NOTIFIES_ROUTE,
    needs_stack=True,
    checks={
        AWS_ALARM: _aws_alarm_route,
        AWS_EVENT_RULE: _aws_event_rule_route,
        AWS_AMP_RULES: _aws_amp_rules_route,
        GCP_ALERT_POLICY: _gcp_policy_route,
        AZURE_METRIC_ALERT: _azure_metric_alert_route,
        AZURE_PROMETHEUS_RULES: _azure_prometheus_route,
        ALICLOUD_CMS_ALARM: _alicloud_alarm_route,
        ALICLOUD_CMS_EVENT_RULE: _alicloud_event_rule_route,
        ALICLOUD_ARMS_RULE: _alicloud_arms_rule_route,
    },
)


# -- every endpoint has an error and a latency alarm ----------------------------------------------
@dataclass(frozen=True)
class _Watch:
    """How one cloud's alarms on one endpoint type are found and told apart."""

    alarm_type: str
    names: Callable[[Resource], list[object]]
    """The endpoint's names an alarm would mention."""
    signals: Callable[[Resource], str]
    """The part of an alarm's inputs that says what it measures."""
    errors: tuple[str, ...]
    latency: tuple[str, ...]


def _aws_signals(alarm: Resource) -> str:
    queries = alarm.get("metricQueries")
    metrics = [alarm.get("metricName")] + (
        [dig(q, "metric.metricName") for q in as_list(queries)] if not is_unknown(queries) else [UNKNOWN]
    )
    return " ".join(f"[{m}]" for m in metrics if m is not None)


def _azure_signals(alert: Resource) -> str:
    return json.dumps(alert.get("criteria.allOf", []), default=str)


_AWS_WATCH = _Watch(
    AWS_ALARM,
    lambda e: [e.get("name")],
    _aws_signals,
    errors=("[Invocation5XXErrors]", "[Invocation4XXErrors]", "[InvocationModelErrors]", "[ModelError]"),
    latency=("[ModelLatency]", "[OverheadLatency]"),
)
_GCP_WATCH = _Watch(
    GCP_ALERT_POLICY,
    lambda e: [e.get("name")],
    lambda p: json.dumps(p.get("conditions", []), default=str),
    errors=("prediction/online/error_count", "prediction/online/response_count"),
    latency=("prediction/online/prediction_latencies",),
)
_WATCHES = {
    AWS_ENDPOINT: _AWS_WATCH,
    GCP_VERTEX_ENDPOINT: _GCP_WATCH,
    GCP_MODEL_GARDEN: _GCP_WATCH,
    AZURE_ONLINE_ENDPOINT: _Watch(
        AZURE_METRIC_ALERT,
        lambda e: [e.get("endpointName")],
        _azure_signals,
        errors=("5xx", "Error"),
        latency=('"RequestLatency',),
    ),
    ALICLOUD_EAS_SERVICE: _Watch(
        ALICLOUD_CMS_ALARM,
        lambda e: [eas_service_config(e).get("name")],
        lambda a: str(a.get("metric", "")),
        errors=("5xx", "4xx"),
        latency=("ResponseTime",),
    ),
}


def _endpoint_alarms(endpoint: Resource, ctx: Context) -> Iterator[str]:
    watch = _WATCHES[endpoint.type]
    alarms = watchers(ctx.require_stack(), endpoint, [watch.alarm_type], watch.names(endpoint))
    signals = [watch.signals(alarm) for alarm in alarms]
    if any(UNKNOWN_TEXT in s for s in signals):
        return  # an alarm measures something not known yet (preview): judged after the update
    for kind, patterns in (("error", watch.errors), ("latency", watch.latency)):
        if not any(p in s for s in signals for p in patterns):
            yield f"no {kind} alarm ({watch.alarm_type.rsplit(':', 1)[-1]}) watches this endpoint"


ENDPOINT_ALARMS = Rule(
    id="endpoint-error-latency-alarms",
    ref="",
    domain="monitoring",
    description="Every model endpoint has an error-rate alarm and a latency alarm.",
    severity="medium",
    tags=("security",),
    remediation="Declare the endpoint's alarms (the stacks' EndpointAlarms components: CloudWatch on AWS/SageMaker, "
    "Cloud Monitoring policies on Vertex AI, Azure Monitor metric alerts, CloudMonitor alarms on PAI-EAS) and keep "
    "`errors` and `latency` in ai-infra:alerts.endpoints.alarms.",
    rationale="A model endpoint fails in two ways users notice first: errors (a bad model version, out of memory) "
    "and slow answers (a saturated GPU, a cold start). Without an alarm on each, both are found by the people "
    "calling it rather than by the team that runs it.",
    examples=examples.ENDPOINT_ALARMS,
    needs_stack=True,
    checks=dict.fromkeys(_WATCHES, _endpoint_alarms),
)


# -- every GPU cluster has an idle-GPU alert ------------------------------------------------------
def _is_idle_rule(expression: object) -> bool:
    return isinstance(expression, str) and GPU_UTIL_METRIC in expression and "<" in expression


def _aws_alert_expressions(stack: Stack, cluster: Resource) -> list[object]:
    """Rule data of AMP rule group namespaces on a workspace that a scraper of the cluster feeds."""
    scrapers = watchers(stack, cluster, [AWS_AMP_SCRAPER], [cluster.get("name")])
    found = []
    for rules in stack.of_type(AWS_AMP_RULES):
        workspace = rules.get("workspaceId")
        fed = any(
            shares_source(s, "destination", rules, "workspaceId")
            or (isinstance(workspace, str) and str(s.get("destination.amp.workspaceArn", "")).endswith(f"/{workspace}"))
            for s in scrapers
        )
        if fed:
            found.append(rules.get("data"))
    return found


def _gcp_alert_expressions(stack: Stack, cluster: Resource) -> list[object]:
    policies = watchers(stack, cluster, [GCP_ALERT_POLICY], [cluster.get("name")])
    conditions = [c for p in policies for c in as_list(p.get("conditions")) if isinstance(c, dict)]
    return [dig(c, "conditionPrometheusQueryLanguage.query") for c in conditions]


def _azure_alert_expressions(stack: Stack, cluster: Resource) -> list[object]:
    groups = watchers(stack, cluster, [AZURE_PROMETHEUS_RULES], [cluster.get("resourceName")])
    return [
        r.get("expression") for g in groups for r in as_list(g.get("rules")) if isinstance(r, dict) and r.get("alert")
    ]


def _alicloud_alert_expressions(stack: Stack, cluster: Resource) -> list[object]:
    return [r.get("expression") for r in stack.of_type(ALICLOUD_ARMS_RULE) if r.comes_from("clusterId", cluster.urn)]


_CLUSTERS: dict[str, tuple[str, str, str, Callable[[Stack, Resource], list[object]]]] = {
    AWS_CLUSTER: (AWS_NODE_GROUP, "clusterName", "name", _aws_alert_expressions),
    GCP_CLUSTER: (GCP_NODE_POOL, "cluster", "name", _gcp_alert_expressions),
    AZURE_CLUSTER: (AZURE_AGENT_POOL, "resourceName", "resourceName", _azure_alert_expressions),
    ALICLOUD_CLUSTER: (ALICLOUD_NODE_POOL, "clusterId", "name", _alicloud_alert_expressions),
}
"""Cluster type -> (GPU pool type, pool input naming the cluster, cluster name input, the PromQL of
the alert rules that watch the cluster)."""


def _gpu_idle_alert(cluster: Resource, ctx: Context) -> Iterator[str]:
    stack = ctx.require_stack()
    pool_type, pool_input, name_input, alert_expressions = _CLUSTERS[cluster.type]
    pools = gpu_pools_of(stack, cluster, {pool_type: pool_input}, [cluster.get(name_input)])
    expressions = alert_expressions(stack, cluster) if pools else []
    if any(is_unknown(e) for e in expressions):
        return  # a rule not known yet (preview) may be the idle alert: judged after the update
    if pools and not any(_is_idle_rule(e) for e in expressions):
        yield (
            f"GPU pools ({', '.join(sorted(p.name for p in pools))}) run here but no alert reports idle GPUs "
            f"({GPU_UTIL_METRIC} below a threshold for hours)"
        )


GPU_IDLE_ALERT = Rule(
    id="gpu-cluster-idle-alert",
    ref="",
    domain="monitoring",
    description="Every cluster with GPU pools has an alert on idle GPUs (paid for, doing nothing).",
    severity="medium",
    tags=("cost",),
    remediation="Declare the cluster's GpuMonitoring (managed Prometheus rules on DCGM_FI_DEV_GPU_UTIL: AMP rule "
    "groups fed by the cluster's scraper, Cloud Monitoring PromQL policies, Azure Prometheus rule groups, ARMS "
    "alert rules); thresholds in ai-infra:alerts.gpu.",
    rationale="An allocated GPU that does no work is the costliest waste in an ML platform: a forgotten notebook "
    "or a stuck job keeps a node from scaling down for days. An alert on low utilisation over hours finds it "
    "while it is still a small bill.",
    examples=examples.GPU_IDLE_ALERT,
    needs_stack=True,
    checks=dict.fromkeys(_CLUSTERS, _gpu_idle_alert),
)


RULES = [ALARM_NOTIFIES_ROUTE, ENDPOINT_ALARMS, GPU_IDLE_ALERT]
