"""ai-infra:alicloud:GpuMonitoring: an ARMS Prometheus instance for the ACK cluster, one ARMS alert
rule per GPU rule dispatched through the route, and ECS spot interruption events."""

from __future__ import annotations

from components.alert_rules import GpuThresholds
from components.alicloud.gpu_monitoring import SPOT_INTERRUPTION, GpuMonitoring, GpuMonitoringArgs

RULE = "alicloud:arms/prometheusAlertRule:PrometheusAlertRule"


def make(**overrides):
    args = {
        "cluster_id": "c-test",
        "rule_prefix": "ai-infra-test",
        "dispatch_rule_id": "42",
        "contact_group_name": "ai-infra-test-alerts",
        "thresholds": GpuThresholds(idle_utilization_percent=5, idle_hours=1),
        "tags": {"environment": "test"},
        **overrides,
    }
    return lambda: GpuMonitoring("gpu", GpuMonitoringArgs(**args))


def test_the_cluster_gets_an_arms_prometheus_instance(declare):
    instance = declare(make()).one("alicloud:arms/prometheus:Prometheus").inputs
    assert (instance["clusterType"], instance["clusterId"], instance["grafanaInstanceId"]) == (
        "aliyun-cs",
        "c-test",
        "free",
    )


def test_gpu_rules_are_dispatched_through_the_route(declare):
    rules = {r.inputs["prometheusAlertRuleName"]: r.inputs for r in declare(make()).of_type(RULE)}
    assert set(rules) == {"ai-infra-test-gpu-idle", "ai-infra-test-gpu-xid-errors", "ai-infra-test-gpu-node-not-ready"}
    idle = rules["ai-infra-test-gpu-idle"]
    assert (idle["expression"], idle["duration"]) == ("avg by (Hostname) (DCGM_FI_DEV_GPU_UTIL) < 5", "60")
    for rule in rules.values():
        assert (rule["clusterId"], rule["notifyType"], rule["dispatchRuleId"]) == ("c-test", "DISPATCH_RULE", "42")


def test_spot_interruptions_only_with_spot_pools(declare):
    assert declare(make()).of_type("alicloud:cms/eventRule:EventRule") == []
    rule = declare(make(spot_interruption_alerts=True)).one("alicloud:cms/eventRule:EventRule").inputs
    assert rule["eventPattern"]["nameLists"] == [SPOT_INTERRUPTION]
    assert rule["contactParameters"] == [{"contactGroupName": "ai-infra-test-alerts", "level": "4"}]
