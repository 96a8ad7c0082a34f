"""ai-infra:kubernetes:DcgmExporter: a pinned DCGM exporter on the GPU pools' nodes, found by the
cluster's managed Prometheus; the outputs tell the monitoring layer where to scrape."""

from __future__ import annotations

import pytest

from components.kubernetes import DcgmExporter, DcgmExporterArgs
from tests.components.kubernetes.pools import H100, L4, RELEASE, TPU

SERVICE_MONITOR = "kubernetes:azmonitoring.coreos.com/v1:ServiceMonitor"


def test_exporter_release_runs_on_gpu_pools_with_scrape_annotations(declare):
    run = declare(lambda: DcgmExporter("gpu", DcgmExporterArgs(pools=[H100, L4])))
    release = run.one(RELEASE).inputs
    assert (release["chart"], release["version"]) == ("dcgm-exporter", "4.8.2")
    assert release["namespace"] == "kube-system"
    values = release["values"]
    # The chart's own ServiceMonitor needs the Prometheus operator's CRD: off unless asked.
    assert values["serviceMonitor"] == {"enabled": False}
    assert values["podAnnotations"]["prometheus.io/port"] == "9400"
    expression = values["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert expression["nodeSelectorTerms"][0]["matchExpressions"][0]["values"] == ["train", "serve"]
    assert run.of_type(SERVICE_MONITOR) == []


def test_azure_managed_prometheus_gets_its_service_monitor(declare):
    run = declare(lambda: DcgmExporter("gpu", DcgmExporterArgs(pools=[L4], scrape="azure-managed-prometheus")))
    monitor = run.one(SERVICE_MONITOR).inputs
    assert monitor["metadata"] == {"name": "dcgm-exporter", "namespace": "kube-system"}
    assert monitor["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"] == "dcgm-exporter"
    assert monitor["spec"]["endpoints"] == [{"port": "metrics", "path": "/metrics", "interval": "30s"}]
    assert run.one(RELEASE).urn in run.one(SERVICE_MONITOR).dependencies


def test_only_gpu_pools(declare):
    with pytest.raises(ValueError, match="pretrain"):
        declare(lambda: DcgmExporter("gpu", DcgmExporterArgs(pools=[TPU])))
