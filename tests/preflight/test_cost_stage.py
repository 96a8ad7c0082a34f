"""The cost stage: the `costs` JSON section, the MONTHLY column and the totals under the table.

Figures are hand-computed from catalog/data/prices/aws.yaml (us-east-1): g6.xlarge spot $0.40/h,
inf2.24xlarge unknown, NAT gateway $0.045/h, S3 STANDARD $0.023 and STANDARD_IA $0.0125 per GB-month.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Callable

import pulumi
import pulumi_aws as aws
import pytest

from catalog.prices import DASH, TIMES
from preflight.costs import stage
from preflight.project import UsageError
from preflight.records import ProgramRun
from preflight.render_table import render_table
from preflight.report import PlanReport
from tests.conftest import REPO_ROOT, Declare

ARGS = argparse.Namespace()


def small_stack() -> None:
    provider = aws.Provider("aws", region="us-east-1")
    opts = pulumi.ResourceOptions(provider=provider)
    aws.eks.NodeGroup(
        "gpu",
        cluster_name="c",
        node_role_arn="arn:aws:iam::123456789012:role/n",
        subnet_ids=["s"],
        instance_types=["g6.xlarge"],
        capacity_type="SPOT",
        scaling_config={"min_size": 0, "max_size": 4, "desired_size": 0},
        opts=opts,
    )
    aws.eks.NodeGroup(
        "l40s",
        cluster_name="c",
        node_role_arn="arn:aws:iam::123456789012:role/n",
        subnet_ids=["s"],
        instance_types=["inf2.24xlarge"],
        scaling_config={"min_size": 1, "max_size": 2, "desired_size": 1},
        opts=opts,
    )
    aws.ec2.NatGateway("nat", subnet_id="s", allocation_id="e", opts=opts)
    bucket = aws.s3.Bucket("data", bucket="data", tags={"ai-infra-expected-size-gib": "1000"}, opts=opts)
    aws.s3.BucketLifecycleConfiguration(
        "data-lifecycle",
        bucket=bucket.id,
        rules=[
            {
                "id": "t",
                "status": "Enabled",
                "filter": {},
                "transitions": [{"days": 30, "storage_class": "STANDARD_IA"}],
            }
        ],
        opts=opts,
    )
    aws.iam.Role("role", assume_role_policy="{}", opts=opts)
    aws.cloudwatch.LogGroup("logs", retention_in_days=30, opts=opts)


@pytest.fixture(scope="module")
def run() -> ProgramRun:
    from preflight.engine import run_declarations

    recorded, _ = run_declarations(small_stack, project="ai-infra", stack="test")
    return recorded


TODAY = dt.date(2026, 12, 3)


def staged(run: ProgramRun, config: dict[str, str] | None = None, args: argparse.Namespace = ARGS) -> PlanReport:
    report = PlanReport.of(run)
    stage.apply(report, args, {stage.CONFIG_CONTEXT_KEY: config or {}, "today": TODAY})
    return report


def cost_of(report: PlanReport, name: str) -> dict[str, object]:
    (entry,) = [r for r in report.sections["costs"]["resources"] if r["urn"].endswith(f"::{name}")]
    return entry


def test_section_prices_each_resource_and_totals_the_known_ones(run: ProgramRun) -> None:
    report = staged(run)
    section = report.sections["costs"]
    assert (section["currency"], section["hours_per_month"], section["price_book"]) == ("USD", 730, None)
    # IAM roles and lifecycle configurations are free types: not items of their own. The log
    # group is billed by usage only: listed, never summed.
    names = sorted(r["urn"].rsplit("::", 1)[1] for r in section["resources"])
    assert names == ["data", "gpu", "l40s", "logs", "nat"]
    gpu = cost_of(report, "gpu")
    assert gpu | {"urn": None, "sources": None} == {
        "urn": None,
        "type": "aws:eks/nodeGroup:NodeGroup",
        "cloud": "aws",
        "floor_usd": 0.0,
        "ceiling_usd": 1168.0,  # 730 x 4 x 0.40
        "basis": f"730 h {TIMES} 0..4 {TIMES} g6.xlarge spot $0.40/h",
        "unknown_reason": None,
        "usage_only": False,
        "list_floor_usd": None,
        "list_ceiling_usd": None,
        "as_of": "2026-11-22",
        "sources": None,
    }
    (source,) = gpu["sources"]  # type: ignore[misc]
    assert source["as_of"] == "2026-11-22" and source["source"].startswith("shared/reference/prices.md")
    logs = cost_of(report, "logs")
    assert (logs["usage_only"], logs["floor_usd"], logs["unknown_reason"]) == (True, 0.0, None)
    assert "per GB ingested" in str(logs["basis"])
    data = cost_of(report, "data")
    assert (data["floor_usd"], data["ceiling_usd"]) == (12.5, 23.0)  # 1000 GiB x 0.0125 .. x 0.023
    l40s = cost_of(report, "l40s")
    assert (l40s["floor_usd"], l40s["ceiling_usd"]) == (None, None) and l40s["unknown_reason"]
    # 0 + 32.85 + 12.50 = 45.35 floor; 1168 + 32.85 + 23 = 1223.85 ceiling; the inf2 pool is counted, not summed.
    assert section["totals"] == {
        "floor_usd": 45.35,
        "ceiling_usd": 1223.85,
        "unknown_count": 1,
        "usage_count": 1,
        "list_floor_usd": None,
        "list_ceiling_usd": None,
        "by_cloud": {"aws": {"floor_usd": 45.35, "ceiling_usd": 1223.85, "unknown_count": 1}},
    }
    assert section["freshness"] == {"today": "2026-12-03", "max_age_days": 180, "stale": [], "undated": []}
    assert json.loads(json.dumps(report.to_json()))["costs"] == section


def test_table_has_a_monthly_column_and_totals(run: ProgramRun) -> None:
    report = staged(run)
    column = report.columns["MONTHLY"]
    by_name = {urn.rsplit("::", 1)[1]: cell for urn, cell in column.items()}
    assert by_name == {
        "gpu": f"$0{DASH}$1,168",
        "l40s": "unknown",
        "nat": "$32.85",
        "data": f"$12.50{DASH}$23.00",
        "logs": "usage",
    }
    text = render_table(report)
    assert "MONTHLY" in text.splitlines()[2]
    assert (
        f"Monthly cost (USD, 730 h): $45.35{DASH}$1,224 (floor: pools and endpoints at min, ceiling: at max); "
        "1 item unpriced, not included (MONTHLY = unknown); "
        "1 item billed by usage only, not estimated (MONTHLY = usage)"
    ) in text
    assert f"  aws: $45.35{DASH}$1,224 + 1 item unpriced" in text


def test_price_book_from_stack_config_discounts_and_is_reported(run: ProgramRun) -> None:
    book = {"discounts": {"aws": 10, "aws:g6.xlarge": 50}}
    report = staged(run, {"ai-infra:price_book": json.dumps(book)})
    assert report.sections["costs"]["price_book"] == {"discounts": {"aws": 10.0, "aws:g6.xlarge": 50.0}}
    assert cost_of(report, "gpu")["ceiling_usd"] == 584.0  # 1168 x 0.5: the machine's own discount wins
    assert cost_of(report, "nat")["ceiling_usd"] == 29.57  # 32.85 x 0.9


def test_malformed_price_book_is_a_usage_error_naming_the_key(run: ProgramRun) -> None:
    with pytest.raises(UsageError, match=r"ai-infra:price_book\.discounts\.aws: 150 is not a percentage"):
        staged(run, {"ai-infra:price_book": json.dumps({"discounts": {"aws": 150}})})


def test_region_comes_from_the_default_provider_config(declare: Declare) -> None:
    recorded = declare(lambda: aws.ec2.NatGateway("nat", subnet_id="s", allocation_id="e"))
    priced = staged(recorded, {"aws:region": "us-east-1"})
    assert cost_of(priced, "nat")["ceiling_usd"] == 32.85
    unpriced = staged(recorded, {"aws:region": "eu-west-1"})
    assert "priced in: us-east-1, us-east-2" in str(cost_of(unpriced, "nat")["unknown_reason"])


def test_dev_stack_gets_a_cost_for_every_priced_resource(stack_run: Callable[[str], ProgramRun]) -> None:
    run = stack_run("dev")
    report = PlanReport.of(run)
    stage.apply(report, argparse.Namespace(cwd=REPO_ROOT), {})  # reads Pulumi.dev.yaml
    section = report.sections["costs"]
    priced_types = {r["type"] for r in section["resources"]}
    assert "aws:eks/nodeGroup:NodeGroup" in priced_types and "aws:ec2/natGateway:NatGateway" in priced_types
    assert set(report.columns["MONTHLY"]) == {r["urn"] for r in section["resources"]}
    unknown = [r for r in section["resources"] if r["unknown_reason"]]
    assert section["totals"]["unknown_count"] == len(unknown)
    assert all(r["floor_usd"] is None and r["ceiling_usd"] is None for r in unknown)
    assert stage.exit_code(report, argparse.Namespace()) == 0


def test_figures_older_than_the_allowed_age_are_warned_about(run: ProgramRun) -> None:
    # The g6.xlarge, NAT and S3 figures are dated 2026-11-22: 11 days old on 2026-12-03, stale
    # once the allowed age is shorter than that.
    args = argparse.Namespace(max_price_age_days=10)
    report = staged(run, args=args)
    fresh = report.sections["costs"]["freshness"]
    assert fresh["max_age_days"] == 10
    titles = {entry["source"]: entry for entry in fresh["stale"]}
    reference = titles["shared/reference/prices.md (SkyPilot catalog CSVs and Infracost test data, gathered 2025-2026)"]
    assert reference["age_days"] == 11 and any(urn.endswith("::gpu") for urn in reference["resources"])
    text = render_table(report)
    assert "Prices older than 10 days (refresh catalog/data/prices):" in text
    assert "as of 2026-11-22 (11 days)" in text
    # With the default age nothing here is stale, and nothing is warned about.
    assert "Prices older than" not in render_table(staged(run))
