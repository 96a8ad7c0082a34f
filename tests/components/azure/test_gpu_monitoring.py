"""ai-infra:azure:GpuMonitoring: an Azure Monitor workspace that the AKS metrics add-on writes to
(data collection endpoint, rule and both cluster associations) and a Prometheus rule group for the
cluster with the GPU idle and health rules acting through the route."""

from __future__ import annotations

from components.alert_rules import GpuThresholds
from components.azure.gpu_monitoring import GpuMonitoring, GpuMonitoringArgs

GROUP = "/subscriptions/s/resourceGroups/rg-test/providers/Microsoft.Insights/actionGroups/ag"
CLUSTER_ID = "/subscriptions/s/resourceGroups/rg-test/providers/Microsoft.ContainerService/managedClusters/aks-test"
WORKSPACE_ID = "/subscriptions/s/resourceGroups/rg-test/providers/Microsoft.Monitor/accounts/amw-test"


def make(**overrides):
    args = {
        "subscription_id": "s",
        "resource_group_name": "rg-test",
        "location": "eastus",
        "cluster_name": "aks-test",
        "workspace_name": "amw-test",
        "action_group_id": GROUP,
        "thresholds": GpuThresholds(idle_hours=4),
        "tags": {"environment": "test"},
        **overrides,
    }
    return lambda: GpuMonitoring("gpu", GpuMonitoringArgs(**args))


def test_prometheus_metrics_of_the_cluster_flow_to_the_workspace(declare):
    run = declare(make())
    rule = run.one("azure-native:monitor:DataCollectionRule").inputs
    assert rule["dataSources"]["prometheusForwarder"][0]["streams"] == ["Microsoft-PrometheusMetrics"]
    assert rule["destinations"]["monitoringAccounts"] == [
        {"name": "MonitoringAccount", "accountResourceId": WORKSPACE_ID}
    ]
    assert rule["dataFlows"] == [{"streams": ["Microsoft-PrometheusMetrics"], "destinations": ["MonitoringAccount"]}]
    associations = {
        a.inputs["associationName"]: a.inputs for a in run.of_type("azure-native:monitor:DataCollectionRuleAssociation")
    }
    assert {a["resourceUri"] for a in associations.values()} == {CLUSTER_ID}
    assert "dataCollectionEndpointId" in associations["configurationAccessEndpoint"]
    assert associations["dcra-amw-test"]["dataCollectionRuleId"].endswith("/dataCollectionRules/dcr-amw-test")


def test_rule_group_is_scoped_to_the_cluster_and_acts_through_the_route(declare):
    group = declare(make()).one("azure-native:alertsmanagement:PrometheusRuleGroup").inputs
    assert group["scopes"] == [WORKSPACE_ID, CLUSTER_ID] and group["clusterName"] == "aks-test"
    rules = {r["alert"]: r for r in group["rules"]}
    assert set(rules) == {"GpuIdle", "GpuXidErrors", "GpuNodeNotReady"}
    assert rules["GpuIdle"]["expression"] == "avg by (Hostname) (DCGM_FI_DEV_GPU_UTIL) < 10"
    assert (rules["GpuIdle"]["for"], rules["GpuIdle"]["severity"]) == ("PT4H", 3)
    assert rules["GpuXidErrors"]["severity"] == 1
    for rule in rules.values():
        assert rule["actions"] == [{"actionGroupId": GROUP}]
