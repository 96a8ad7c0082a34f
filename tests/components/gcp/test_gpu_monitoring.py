"""ai-infra:gcp:GpuMonitoring: PromQL alert policies on Managed Prometheus data filtered to the
cluster (idle GPUs, XID errors, NotReady GPU nodes) and spot preemption notices, to the route."""

from __future__ import annotations

from components.alert_rules import GpuThresholds
from components.gcp.gpu_monitoring import GpuMonitoring, GpuMonitoringArgs

POLICY = "gcp:monitoring/alertPolicy:AlertPolicy"
CHANNELS = ["projects/acme-test/notificationChannels/1"]


def make(**overrides):
    args = {
        "project": "acme-test",
        "cluster_name": "ai-infra-test",
        "notification_channels": CHANNELS,
        "display_name_prefix": "ai-infra test gpu",
        "thresholds": GpuThresholds(idle_utilization_percent=5, idle_hours=1),
        "labels": {"environment": "test"},
        **overrides,
    }
    return lambda: GpuMonitoring("gpu", GpuMonitoringArgs(**args))


def promql(run):
    return {
        p.name.removeprefix("gpu-"): p.inputs["conditions"][0]["conditionPrometheusQueryLanguage"]
        for p in run.of_type(POLICY)
        if "conditionPrometheusQueryLanguage" in p.inputs["conditions"][0]
    }


def test_idle_gpus_of_this_cluster_for_the_configured_hours(declare):
    idle = promql(declare(make()))["gpu-idle"]
    assert idle["query"] == 'avg by (Hostname) (DCGM_FI_DEV_GPU_UTIL{cluster="ai-infra-test"}) < 5'
    assert idle["duration"] == "3600s"
    assert idle["disableMetricValidation"] is True, "the metric exists only once GPU nodes have run"


def test_health_rules_are_filtered_to_the_cluster(declare):
    rules = promql(declare(make()))
    assert set(rules) == {"gpu-idle", "gpu-xid-errors", "gpu-node-not-ready"}
    assert 'DCGM_FI_DEV_XID_ERRORS{cluster="ai-infra-test"}' in rules["gpu-xid-errors"]["query"]
    assert 'status="true",cluster="ai-infra-test"' in rules["gpu-node-not-ready"]["query"]


def test_every_policy_notifies_the_route(declare):
    for policy in declare(make(spot_preemption_alerts=True)).of_type(POLICY):
        assert policy.inputs["notificationChannels"] == CHANNELS


def test_spot_preemptions_of_the_cluster_only_with_spot_pools(declare):
    assert len(declare(make()).of_type(POLICY)) == 3
    run = declare(make(spot_preemption_alerts=True))
    spot = run.named("gpu-spot-preemption").inputs
    log_filter = spot["conditions"][0]["conditionMatchedLog"]["filter"]
    assert 'protoPayload.methodName="compute.instances.preempted"' in log_filter
    assert 'protoPayload.resourceName:"gke-ai-infra-test-"' in log_filter
    assert spot["alertStrategy"]["notificationRateLimit"] == {"period": "300s"}
