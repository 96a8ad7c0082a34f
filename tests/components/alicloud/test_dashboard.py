"""ai-infra:alicloud:Dashboard: no provider resource holds a dashboard, so the component carries a
generated Grafana dashboard (endpoint, GPU and budget panels) and says it is not a cloud resource."""

from __future__ import annotations

import json

from components.alicloud.dashboard import Dashboard, DashboardArgs


def make(**overrides):
    args = {
        "title": "ai-infra test",
        "services": {"chat": "test_chat"},
        "gpu_pools": {"a10": "ecs.gn7i-c8g1.2xlarge"},
        "monthly_budget_usd": 2000,
        **overrides,
    }
    return lambda: Dashboard("dash", DashboardArgs(**args))


def test_no_cloud_resource_and_a_generated_grafana_dashboard(declare):
    run = declare(make())
    component = run.one("ai-infra:alicloud:Dashboard")
    assert [r for r in run.resources if r.custom and not r.is_provider] == []
    assert component.inputs["providerSupport"] == "none"
    panels = json.loads(component.inputs["dashboardJson"])["panels"]
    titles = [p["title"] for p in panels]
    assert titles[:2] == ["chat: 5xx responses (%)", "chat: p99 response time (ms)"]
    assert panels[0]["targets"][0]["dimensions"] == [{"serviceName": "test_chat"}]
    gpu = next(p for p in panels if p["title"] == "GPU utilisation per node (%)")
    assert gpu["targets"][0]["expr"] == "avg by (Hostname) (DCGM_FI_DEV_GPU_UTIL)"
    assert "2,000 USD" in panels[-1]["options"]["content"]
    assert len({p["id"] for p in panels}) == len(panels)
