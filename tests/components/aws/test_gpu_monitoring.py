"""ai-infra:aws:GpuMonitoring: an encrypted AMP workspace fed by a managed scraper of the cluster,
GPU idle/XID/NotReady rules, an alert manager that publishes to the route, and spot warnings."""

from __future__ import annotations

import json

import yaml

from components.alert_rules import GpuThresholds
from components.aws.gpu_monitoring import GpuMonitoring, GpuMonitoringArgs

TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts"
CLUSTER_ARN = "arn:aws:eks:us-east-1:123456789012:cluster/ai-infra-test"


def make(**overrides):
    args = {
        "cluster_name": "ai-infra-test",
        "cluster_arn": CLUSTER_ARN,
        "subnet_ids": ["subnet-a", "subnet-b"],
        "security_group_ids": ["sg-cluster"],
        "alarm_topic_arn": TOPIC,
        "region": "us-east-1",
        "workspace_alias": "ai-infra-test",
        "thresholds": GpuThresholds(idle_utilization_percent=15, idle_hours=2),
        **overrides,
    }
    return lambda: GpuMonitoring("gpu", GpuMonitoringArgs(**args))


def test_workspace_is_encrypted_with_a_rotating_key(declare):
    run = declare(make())
    assert run.one("aws:kms/key:Key").inputs["enableKeyRotation"] is True
    key = run.one("aws:kms/key:Key")
    assert run.one("aws:amp/workspace:Workspace").inputs["kmsKeyArn"] == key.outputs["arn"]


def test_the_managed_scraper_reads_the_cluster_into_the_workspace(declare):
    scraper = declare(make()).one("aws:amp/scraper:Scraper").inputs
    assert scraper["source"]["eks"] == {
        "clusterArn": CLUSTER_ARN,
        "subnetIds": ["subnet-a", "subnet-b"],
        "securityGroupIds": ["sg-cluster"],
    }
    assert scraper["destination"]["amp"]["workspaceArn"].startswith("arn:aws:aps:")
    jobs = {job["job_name"]: job for job in yaml.safe_load(scraper["scrapeConfiguration"])["scrape_configs"]}
    assert set(jobs) == {"dcgm-exporter", "kube-state-metrics"}
    assert jobs["kube-state-metrics"]["honor_labels"] is True, "its `node` label names the node it describes"


def test_rules_report_idle_gpus_xid_errors_and_not_ready_nodes(declare):
    data = yaml.safe_load(declare(make()).one("aws:amp/ruleGroupNamespace:RuleGroupNamespace").inputs["data"])
    rules = {r["alert"]: r for r in data["groups"][0]["rules"]}
    assert rules["GpuIdle"]["expr"] == "avg by (Hostname) (DCGM_FI_DEV_GPU_UTIL) < 15"
    assert rules["GpuIdle"]["for"] == "2h" and rules["GpuIdle"]["labels"]["kind"] == "cost"
    assert "DCGM_FI_DEV_XID_ERRORS" in rules["GpuXidErrors"]["expr"]
    assert 'kube_node_status_condition{condition="Ready",status="true"}' in rules["GpuNodeNotReady"]["expr"]
    assert rules["GpuNodeNotReady"]["for"] == "10m"


def test_the_alert_manager_publishes_to_the_route(declare):
    definition = yaml.safe_load(
        declare(make()).one("aws:amp/alertManagerDefinition:AlertManagerDefinition").inputs["definition"]
    )
    config = yaml.safe_load(definition["alertmanager_config"])
    [receiver] = config["receivers"]
    assert config["route"]["receiver"] == receiver["name"]
    assert receiver["sns_configs"] == [{"topic_arn": TOPIC, "sigv4": {"region": "us-east-1"}, "send_resolved": True}]


def test_spot_interruption_warnings_only_with_spot_pools(declare):
    assert declare(make()).of_type("aws:cloudwatch/eventRule:EventRule") == []
    run = declare(make(spot_interruption_alerts=True))
    pattern = json.loads(run.one("aws:cloudwatch/eventRule:EventRule").inputs["eventPattern"])
    assert pattern == {"source": ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"]}
    assert run.one("aws:cloudwatch/eventTarget:EventTarget").inputs["arn"] == TOPIC
