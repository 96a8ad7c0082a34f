"""Monitoring rules: every alarm reaches a route, every endpoint has an error and a latency alarm,
every GPU cluster has an idle-GPU alert. A known-good set per cloud passes; one changed field or
one removed resource is reported on the right URN; values not known yet are never a finding."""

from __future__ import annotations

import dataclasses
import json

import pytest

from policies.framework import UNKNOWN
from policies.rules import monitoring as m
from policies.rules.workloads import ALICLOUD_NODE_POOL, AWS_NODE_GROUP, AZURE_AGENT_POOL, GCP_NODE_POOL
from tests.policies.builders import assert_compliant, assert_flags, changed, find, judge, res, without

ROUTE = "alarm-notifies-route"
ENDPOINTS = "endpoint-error-latency-alarms"
IDLE = "gpu-cluster-idle-alert"
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:ai-infra-test-alerts"
ACTION_GROUP = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Insights/actionGroups/ag"
IDLE_EXPR = "avg by (Hostname) (DCGM_FI_DEV_GPU_UTIL) < 10"
GKE_IDLE_EXPR = 'avg by (Hostname) (DCGM_FI_DEV_GPU_UTIL{cluster="ai-infra-test"}) < 10'
XID_EXPR = "max by (Hostname, gpu) (DCGM_FI_DEV_XID_ERRORS) > 0"


# -- alarm-notifies-route -------------------------------------------------------------------------
def good_routes():
    topic = res(m.AWS_SNS_TOPIC, "topic", {"name": "ai-infra-test-alerts"})
    event_rule = res(m.AWS_EVENT_RULE, "spot", {"name": "spot", "eventPattern": "{}"})
    workspace = res("aws:amp/workspace:Workspace", "workspace", {"alias": "test"})
    return [
        topic,
        res(m.AWS_ALARM, "alarm", {"alarmActions": [TOPIC_ARN]}, deps={"alarmActions": topic}),
        event_rule,
        res(m.AWS_EVENT_TARGET, "spot-target", {"rule": "spot", "arn": TOPIC_ARN}, deps={"rule": event_rule}),
        workspace,
        res(m.AWS_AMP_RULES, "amp-rules", {"workspaceId": "ws-1", "data": IDLE_EXPR}, deps={"workspaceId": workspace}),
        res(
            m.AWS_AMP_ALERT_MANAGER,
            "amp-manager",
            {
                "workspaceId": "ws-1",
                "definition": f"alertmanager_config: |\n  sns_configs:\n  - topic_arn: {TOPIC_ARN}",
            },
            deps={"workspaceId": workspace},
        ),
        res(m.GCP_ALERT_POLICY, "policy", {"notificationChannels": ["projects/p/notificationChannels/1"]}),
        res(m.AZURE_METRIC_ALERT, "metric-alert", {"actions": [{"actionGroupId": ACTION_GROUP}]}),
        res(
            m.AZURE_PROMETHEUS_RULES,
            "prom-rules",
            {
                "rules": [
                    {"alert": "GpuIdle", "expression": IDLE_EXPR, "actions": [{"actionGroupId": ACTION_GROUP}]},
                    {"record": "gpu:util:avg", "expression": "avg(DCGM_FI_DEV_GPU_UTIL)"},
                ]
            },
        ),
        res(m.ALICLOUD_CMS_ALARM, "cms-alarm", {"contactGroups": ["ai-infra-test-alerts"]}),
        res(m.ALICLOUD_CMS_EVENT_RULE, "cms-event", {"contactParameters": [{"contactGroupName": "g", "level": "4"}]}),
        res(m.ALICLOUD_ARMS_RULE, "arms-rule", {"notifyType": "DISPATCH_RULE", "dispatchRuleId": "123"}),
    ]


def test_alarms_that_reach_a_route_pass():
    assert_compliant(ROUTE, good_routes())


@pytest.mark.parametrize(
    ("name", "path", "value", "says"),
    [
        ("alarm", "alarmActions", [], "SNS topic"),
        ("alarm", "alarmActions", ["arn:aws:automate:us-east-1:ec2:stop"], "SNS topic"),
        ("spot-target", "arn", "arn:aws:lambda:us-east-1:123456789012:function:f", "event target"),
        ("amp-manager", "definition", "alertmanager_config: |\n  receivers: []", "SNS receiver"),
        ("policy", "notificationChannels", [], "notificationChannels"),
        ("metric-alert", "actions", [], "action group"),
        ("prom-rules", "rules.0.actions", [], "GpuIdle"),
        ("cms-alarm", "contactGroups", [], "contactGroups"),
        ("cms-event", "contactParameters", [{"level": "4"}], "contact group"),
        ("arms-rule", "notifyType", "ALERT_MANAGER", "DISPATCH_RULE"),
    ],
)
def test_an_alarm_without_a_route_is_reported(name, path, value, says):
    broken = changed(good_routes(), name, path, value)
    flagged = {"spot-target": "spot", "amp-manager": "amp-rules"}.get(name, name)
    assert_flags(ROUTE, broken, flagged, contains=says)


def test_an_event_rule_without_any_target_is_reported():
    assert_flags(ROUTE, without(good_routes(), "spot-target"), "spot", contains="event target")


def _unknown_routes(with_sources: bool):
    resources = changed(good_routes(), "alarm", "alarmActions", [UNKNOWN])
    resources = changed(resources, "policy", "notificationChannels", UNKNOWN)
    resources = changed(resources, "cms-alarm", "contactGroups", UNKNOWN)
    resources = changed(resources, "arms-rule", "dispatchRuleId", UNKNOWN)
    if not with_sources:
        return resources
    channel = res("gcp:monitoring/notificationChannel:NotificationChannel", "channel", {"type": "email"})
    group = res("alicloud:cms/alarmContactGroup:AlarmContactGroup", "contacts", {"alarmContactGroupName": "g"})
    dispatch = res("alicloud:arms/dispatchRule:DispatchRule", "dispatch", {"dispatchRuleName": "d"})
    resources = [*resources, channel, group, dispatch]
    resources = _from_output(resources, "policy", "notificationChannels", "channel")
    resources = _from_output(resources, "cms-alarm", "contactGroups", "contacts")
    return _from_output(resources, "arms-rule", "dispatchRuleId", "dispatch")


def test_routes_not_known_yet_but_computed_from_a_route_reach_it():
    """At preview a topic's ARN or a channel's id is not known, but the property dependency says
    the action comes from a route of this stack: compliant already."""
    assert_compliant(ROUTE, _unknown_routes(with_sources=True))


def test_routes_not_known_yet_from_nowhere_known_are_judged_at_the_update():
    found = judge(ROUTE, _unknown_routes(with_sources=False))
    assert found and all(f.undecided for f in found), found
    assert {f.urn.rsplit("::", 1)[-1] for f in found} == {"policy", "cms-alarm", "arms-rule"}


# -- endpoint-error-latency-alarms ----------------------------------------------------------------
def _dims(name):
    return {"EndpointName": name, "VariantName": "primary"}


def good_endpoints():
    sagemaker = res(m.AWS_ENDPOINT, "sm-endpoint", {"name": "ai-infra-test-chat"})
    vertex = res(m.GCP_VERTEX_ENDPOINT, "vertex-endpoint", {"name": "1234567890"})
    garden = res(m.GCP_MODEL_GARDEN, "garden", {"location": "us-central1"})
    online = res(m.AZURE_ONLINE_ENDPOINT, "online-endpoint", {"endpointName": "test-chat-abc123"})
    eas = res(m.ALICLOUD_EAS_SERVICE, "eas", {"serviceConfig": json.dumps({"name": "test_chat"})})
    vertex_filter = 'resource.labels.endpoint_id = "1234567890" AND metric.type = "aiplatform.googleapis.com/'
    scope = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w"
    return [
        sagemaker,
        res(
            m.AWS_ALARM,
            "sm-errors",
            {
                "metricQueries": [
                    {
                        "id": "e",
                        "metric": {"metricName": "Invocation5XXErrors", "dimensions": _dims("ai-infra-test-chat")},
                    },
                    {"id": "r", "metric": {"metricName": "Invocations", "dimensions": _dims("ai-infra-test-chat")}},
                ]
            },
        ),
        res(m.AWS_ALARM, "sm-latency", {"metricName": "ModelLatency", "dimensions": _dims("ai-infra-test-chat")}),
        vertex,
        res(
            m.GCP_ALERT_POLICY,
            "vertex-errors",
            {"conditions": [{"conditionThreshold": {"filter": vertex_filter + 'prediction/online/error_count"'}}]},
        ),
        res(
            m.GCP_ALERT_POLICY,
            "vertex-latency",
            {
                "conditions": [
                    {"conditionThreshold": {"filter": vertex_filter + 'prediction/online/prediction_latencies"'}}
                ]
            },
        ),
        garden,
        res(
            m.GCP_ALERT_POLICY,
            "garden-errors",
            {
                "conditions": [
                    {
                        "conditionThreshold": {
                            "filter": 'metric.type = "aiplatform.googleapis.com/prediction/online/error_count"'
                        }
                    }
                ]
            },
            deps={"conditions": garden},
        ),
        res(
            m.GCP_ALERT_POLICY,
            "garden-latency",
            {
                "conditions": [
                    {
                        "conditionThreshold": {
                            "filter": 'metric.type = "aiplatform.googleapis.com/prediction/online/prediction_latencies"'
                        }
                    }
                ]
            },
            deps={"conditions": garden},
        ),
        online,
        res(
            m.AZURE_METRIC_ALERT,
            "online-errors",
            {
                "scopes": [f"{scope}/onlineEndpoints/test-chat-abc123"],
                "criteria": {
                    "allOf": [
                        {
                            "metricName": "RequestsPerMinute",
                            "dimensions": [{"name": "statusCodeClass", "operator": "Include", "values": ["5xx"]}],
                        }
                    ]
                },
            },
        ),
        res(
            m.AZURE_METRIC_ALERT,
            "online-latency",
            {
                "scopes": [f"{scope}/onlineEndpoints/test-chat-abc123"],
                "criteria": {"allOf": [{"metricName": "RequestLatency_P99"}]},
            },
        ),
        eas,
        res(
            m.ALICLOUD_CMS_ALARM,
            "eas-errors",
            {"metric": "5xxResponseRatio", "metricDimensions": json.dumps([{"serviceName": "test_chat"}])},
        ),
        res(m.ALICLOUD_CMS_ALARM, "eas-latency", {"metric": "TP99ResponseTime"}, deps={"metricDimensions": eas}),
    ]


def test_endpoints_with_error_and_latency_alarms_pass():
    assert_compliant(ENDPOINTS, good_endpoints())


@pytest.mark.parametrize(
    ("endpoint", "alarm", "kind"),
    [
        ("sm-endpoint", "sm-errors", "error"),
        ("sm-endpoint", "sm-latency", "latency"),
        ("vertex-endpoint", "vertex-errors", "error"),
        ("vertex-endpoint", "vertex-latency", "latency"),
        ("garden", "garden-errors", "error"),
        ("garden", "garden-latency", "latency"),
        ("online-endpoint", "online-errors", "error"),
        ("online-endpoint", "online-latency", "latency"),
        ("eas", "eas-errors", "error"),
        ("eas", "eas-latency", "latency"),
    ],
)
def test_an_endpoint_missing_an_alarm_is_reported(endpoint, alarm, kind):
    assert_flags(ENDPOINTS, without(good_endpoints(), alarm), endpoint, contains=f"no {kind} alarm")


@pytest.mark.parametrize(
    ("alarm", "path", "value", "endpoint", "kind"),
    [
        # An alarm on another endpoint does not count.
        ("sm-latency", "dimensions.EndpointName", "ai-infra-test-other", "sm-endpoint", "latency"),
        ("online-latency", "scopes", ["/subscriptions/s/x/onlineEndpoints/other"], "online-endpoint", "latency"),
        # An alarm on another metric does not count.
        ("sm-errors", "metricQueries.0.metric.metricName", "Invocations", "sm-endpoint", "error"),
        ("vertex-latency", "conditions", [{"conditionThreshold": {"filter": 'endpoint_id = "1234567890"'}}],
         "vertex-endpoint", "latency"),
        ("eas-errors", "metric", "QueryPerSecondTotal", "eas", "error"),
    ],
)  # fmt: skip
def test_an_alarm_on_something_else_does_not_count(alarm, path, value, endpoint, kind):
    assert_flags(ENDPOINTS, changed(good_endpoints(), alarm, path, value), endpoint, contains=f"no {kind} alarm")


# -- gpu-cluster-idle-alert -----------------------------------------------------------------------
def good_clusters():
    eks = res(m.AWS_CLUSTER, "eks", {"name": "ai-infra-test"})
    workspace = res("aws:amp/workspace:Workspace", "amp", {"alias": "test"})
    gke = res(m.GCP_CLUSTER, "gke", {"name": "ai-infra-test"})
    aks = res(m.AZURE_CLUSTER, "aks", {"resourceName": "aks-ai-infra-test"})
    ack = res(m.ALICLOUD_CLUSTER, "ack", {"name": "ai-infra-test"})
    return [
        eks,
        res(
            AWS_NODE_GROUP,
            "eks-gpu",
            {"clusterName": "ai-infra-test", "instanceTypes": ["g6.xlarge"]},
            deps={"clusterName": eks},
        ),
        workspace,
        res(
            m.AWS_AMP_SCRAPER,
            "scraper",
            {"source": {"eks": {"clusterArn": "arn:aws:eks:us-east-1:1:cluster/ai-infra-test"}}, "destination": {}},
            deps={"source": eks, "destination": workspace},
        ),
        res(
            m.AWS_AMP_RULES,
            "amp-rules",
            {"workspaceId": "ws-1", "data": f"expr: {IDLE_EXPR}"},
            deps={"workspaceId": workspace},
        ),
        gke,
        res(
            GCP_NODE_POOL,
            "gke-gpu",
            {
                "cluster": "projects/p/locations/us-central1/clusters/ai-infra-test",
                "nodeConfig": {
                    "machineType": "g2-standard-8",
                    "guestAccelerators": [{"type": "nvidia-l4", "count": 1}],
                },
            },
        ),
        res(
            m.GCP_ALERT_POLICY,
            "gke-idle",
            {"conditions": [{"conditionPrometheusQueryLanguage": {"query": GKE_IDLE_EXPR}}]},
        ),
        aks,
        res(AZURE_AGENT_POOL, "aks-gpu", {"resourceName": "aks-ai-infra-test", "vmSize": "Standard_NC4as_T4_v3"}),
        res(
            m.AZURE_PROMETHEUS_RULES,
            "aks-rules",
            {"clusterName": "aks-ai-infra-test", "rules": [{"alert": "GpuIdle", "expression": IDLE_EXPR}]},
        ),
        ack,
        res(ALICLOUD_NODE_POOL, "ack-gpu", {"instanceTypes": ["ecs.gn7i-c8g1.2xlarge"]}, deps={"clusterId": ack}),
        res(m.ALICLOUD_ARMS_RULE, "ack-idle", {"expression": IDLE_EXPR}, deps={"clusterId": ack}),
    ]


def test_gpu_clusters_with_an_idle_alert_pass():
    assert_compliant(IDLE, good_clusters())


@pytest.mark.parametrize(
    ("cluster", "name", "path", "value"),
    [
        ("eks", "amp-rules", "data", f"expr: {XID_EXPR}"),
        ("gke", "gke-idle", "conditions.0.conditionPrometheusQueryLanguage.query", XID_EXPR),
        ("aks", "aks-rules", "rules.0.expression", XID_EXPR),
        ("aks", "aks-rules", "clusterName", "aks-other"),
        ("ack", "ack-idle", "expression", XID_EXPR),
    ],
)
def test_a_gpu_cluster_without_an_idle_alert_is_reported(cluster, name, path, value):
    assert_flags(IDLE, changed(good_clusters(), name, path, value), cluster, contains="idle GPUs")


def test_rules_on_a_workspace_no_scraper_feeds_do_not_count():
    assert_flags(IDLE, without(good_clusters(), "scraper"), "eks", contains="eks-gpu")


def test_clusters_without_gpu_pools_need_no_idle_alert():
    cpu_only = changed(good_clusters(), "eks-gpu", "instanceTypes", ["m6i.large"])
    cpu_only = changed(cpu_only, "aks-gpu", "vmSize", "Standard_D4ds_v5")
    cpu_only = [r for r in cpu_only if r.name not in ("amp-rules", "aks-rules")]
    findings = judge(IDLE, cpu_only)
    assert [f for f in findings if f.urn.endswith(("::eks", "::aks"))] == []


def _from_output(resources, name, prop, source):
    """Resource `name` with `prop` computed from resource `source` (as an Output would be)."""
    target = find(resources, source).urn
    return [
        dataclasses.replace(r, property_dependencies={**r.property_dependencies, prop: (target,)})
        if r.name == name
        else r
        for r in resources
    ]


def test_alarms_not_known_yet_are_judged_after_the_update():
    # Preview: what the alarm measures (the Vertex filter, the AWS queries) is an Output not known yet.
    resources = _from_output(good_endpoints(), "vertex-errors", "conditions", "vertex-endpoint")
    resources = changed(resources, "vertex-errors", "conditions", [{"conditionThreshold": {"filter": UNKNOWN}}])
    resources = _from_output(resources, "sm-errors", "metricQueries", "sm-endpoint")
    resources = changed(resources, "sm-errors", "metricQueries", UNKNOWN)
    found = judge(ENDPOINTS, resources)
    assert found and all(f.undecided for f in found), "not known yet: neither a pass nor a violation"


def test_gpu_rules_not_known_yet_are_judged_after_the_update():
    resources = changed(good_clusters(), "amp-rules", "data", UNKNOWN)
    resources = _from_output(resources, "gke-idle", "conditions", "gke")
    resources = changed(resources, "gke-idle", "conditions.0.conditionPrometheusQueryLanguage.query", UNKNOWN)
    resources = changed(resources, "ack-idle", "expression", UNKNOWN)
    found = judge(IDLE, resources)
    assert found and all(f.undecided for f in found), "not known yet: neither a pass nor a violation"
