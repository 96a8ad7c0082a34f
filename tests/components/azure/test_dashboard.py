"""ai-infra:azure:Dashboard: a generated shared workbook with endpoint metric charts, PromQL GPU
charts on the Azure Monitor workspace and the budget; its GUID name is stable."""

from __future__ import annotations

import json

from components.azure.dashboard import Dashboard, DashboardArgs

WORKBOOK = "azure-native:applicationinsights:Workbook"
ENDPOINT = (
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w/onlineEndpoints/e"
)


def make(**overrides):
    args = {
        "resource_group_name": "rg-test",
        "location": "eastus",
        "display_name": "ai-infra test",
        "endpoint_ids": {"chat": ENDPOINT},
        "prometheus_workspace_id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Monitor/accounts/amw",
        "gpu_pools": {"t4": "Standard_NC4as_T4_v3"},
        "monthly_budget_usd": 2500,
        "tags": {"environment": "test"},
        **overrides,
    }
    return lambda: Dashboard("dash", DashboardArgs(**args))


def items(workbook):
    return {item["name"]: item for item in json.loads(workbook.inputs["serializedData"])["items"]}


def test_a_shared_workbook_with_a_stable_guid_name(declare):
    first, second = declare(make()).one(WORKBOOK), declare(make()).one(WORKBOOK)
    assert first.inputs["resourceName"] == second.inputs["resourceName"]
    assert (first.inputs["kind"], first.inputs["category"]) == ("shared", "workbook")
    assert first.inputs["tags"]["hidden-title"] == "ai-infra test"


def test_endpoint_metrics_and_gpu_promql_and_budget(declare):
    found = items(declare(make()).one(WORKBOOK))
    assert found["requests"]["content"]["resourceIds"] == [ENDPOINT]
    assert found["gpu-util"]["content"]["query"] == "avg by (Hostname) (DCGM_FI_DEV_GPU_UTIL)"
    assert found["gpu-util"]["content"]["crossComponentResources"][0].endswith("/accounts/amw")
    assert "2,500 USD" in found["spend"]["content"]["json"]


def test_sections_follow_what_the_environment_has(declare):
    found = items(declare(make(endpoint_ids={}, prometheus_workspace_id=None)).one(WORKBOOK))
    assert set(found) == {"title", "spend"}
