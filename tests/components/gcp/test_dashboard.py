"""ai-infra:gcp:Dashboard: a generated Cloud Monitoring dashboard: Vertex AI endpoint charts,
GPU pool charts from Managed Prometheus filtered to the cluster, and the budget."""

from __future__ import annotations

import json

from components.gcp.dashboard import COLUMNS, Dashboard, DashboardArgs


def make(**overrides):
    args = {
        "project": "acme-test",
        "display_name": "ai-infra test",
        "endpoints": {"chat": "projects/acme-test/locations/us-central1/endpoints/4242"},
        "cluster_name": "ai-infra-test",
        "gpu_pools": {"l4": "g2-standard-8"},
        "monthly_budget_usd": 2500,
        **overrides,
    }
    return lambda: Dashboard("dash", DashboardArgs(**args))


def tiles(run):
    return json.loads(run.one("gcp:monitoring/dashboard:Dashboard").inputs["dashboardJson"])["mosaicLayout"]["tiles"]


def test_endpoint_charts_filter_on_the_endpoint_id(declare):
    widgets = {t["widget"]["title"]: t["widget"] for t in tiles(declare(make()))}
    [data_set] = widgets["Prediction errors per second"]["xyChart"]["dataSets"]
    assert 'resource.labels.endpoint_id = "4242"' in data_set["timeSeriesQuery"]["timeSeriesFilter"]["filter"]
    assert data_set["legendTemplate"] == "chat"


def test_gpu_charts_query_managed_prometheus_for_this_cluster(declare):
    widgets = {t["widget"]["title"]: t["widget"] for t in tiles(declare(make()))}
    query = widgets["GPU utilisation per node (%)"]["xyChart"]["dataSets"][0]["timeSeriesQuery"]["prometheusQuery"]
    assert query == 'avg by (Hostname) (DCGM_FI_DEV_GPU_UTIL{cluster="ai-infra-test"})'
    assert "DCGM_FI_DEV_FB_USED" in json.dumps(widgets["GPU memory used per node (MiB)"])
    assert "2,500 USD" in widgets["Spend vs budget"]["text"]["content"]


def test_tiles_fit_the_grid(declare):
    for tile in tiles(declare(make())):
        assert tile["xPos"] + tile["width"] <= COLUMNS
