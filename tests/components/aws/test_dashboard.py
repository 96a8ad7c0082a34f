"""ai-infra:aws:Dashboard: a generated CloudWatch dashboard with endpoint charts per endpoint, the
GPU pools (and where their DCGM metrics are), and spend against the budget."""

from __future__ import annotations

import json

from components.aws.dashboard import Dashboard, DashboardArgs, PoolPanel


def make(**overrides):
    args = {
        "dashboard_name": "ai-infra-test",
        "region": "us-east-1",
        "endpoints": {"chat": "ai-infra-test-chat", "embed": "ai-infra-test-embed"},
        "pools": [PoolPanel(name="l4", instance_type="g6.xlarge", min_nodes=0, max_nodes=2, spot=True)],
        "prometheus_workspace_id": "ws-1",
        "monthly_budget_usd": 3000,
        **overrides,
    }
    return lambda: Dashboard("dash", DashboardArgs(**args))


def widgets(run):
    return json.loads(run.one("aws:cloudwatch/dashboard:Dashboard").inputs["dashboardBody"])["widgets"]


def test_endpoint_charts_plot_every_endpoint(declare):
    charts = {w["properties"]["title"]: w["properties"] for w in widgets(declare(make())) if w["type"] == "metric"}
    for title, metric in (
        ("Requests per minute", "Invocations"),
        ("Server errors (5xx) per minute", "Invocation5XXErrors"),
    ):
        lines = charts[title]["metrics"]
        assert [(line[1], line[3], line[-1]["label"]) for line in lines] == [
            (metric, "ai-infra-test-chat", "chat"),
            (metric, "ai-infra-test-embed", "embed"),
        ]
    assert charts["Model latency p99 (microseconds)"]["metrics"][0][-1]["stat"] == "p99"


def test_pools_and_their_prometheus_workspace_are_listed(declare):
    texts = [w["properties"]["markdown"] for w in widgets(declare(make())) if w["type"] == "text"]
    pools = next(t for t in texts if t.startswith("## GPU pools"))
    assert "| l4 | g6.xlarge | 0..2 | spot |" in pools
    assert "`ws-1`" in pools and "DCGM_FI_DEV_GPU_UTIL" in pools


def test_spend_is_drawn_against_the_budget(declare):
    spend = next(
        w["properties"]
        for w in widgets(declare(make()))
        if w["properties"].get("metrics", [[None]])[0][0] == "AWS/Billing"
    )
    assert spend["region"] == "us-east-1"
    assert spend["annotations"] == {"horizontal": [{"label": "monthly budget", "value": 3000}]}


def test_widgets_are_laid_out_without_overlap(declare):
    cells = set()
    for widget in widgets(declare(make())):
        assert widget["x"] >= 0 and widget["x"] + widget["width"] <= 24
        for dx in range(widget["width"]):
            for dy in range(widget["height"]):
                cell = (widget["x"] + dx, widget["y"] + dy)
                assert cell not in cells
                cells.add(cell)


def test_no_endpoints_no_endpoint_section(declare):
    kinds = [w["type"] for w in widgets(declare(make(endpoints={}, pools=[])))]
    assert kinds == ["text", "metric"], "title and spend only"
