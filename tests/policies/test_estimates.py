"""Estimate-based rules (C5, C6, C13), computed with catalog/costs.py (the cost column's model)."""

from __future__ import annotations

from policies.framework import StackEnv
from policies.rules import rules_by_id
from tests.policies.builders import ENV, assert_compliant, assert_flags, changed, judge, res

PROVIDER = res("pulumi:providers:aws", "aws", {"region": "us-east-1"})


def good_priced():
    """Two g6.xlarge on-demand at most (about $1,175 a month), a $3,000 budget."""
    return [
        PROVIDER,
        res(
            "aws:eks/nodeGroup:NodeGroup",
            "l4",
            {
                "instanceTypes": ["g6.xlarge"],
                "capacityType": "ON_DEMAND",
                "scalingConfig": {"minSize": 0, "maxSize": 2},
            },
            provider=PROVIDER,
        ),
        res("aws:budgets/budget:Budget", "budget", {"limitAmount": "3000.00", "limitUnit": "USD"}, provider=PROVIDER),
    ]


def test_estimate_within_the_budget_passes() -> None:
    assert_compliant("stack-cost-within-budget", good_priced())


def test_full_scale_over_the_budget_is_reported_on_the_budget() -> None:
    resources = changed(good_priced(), "l4", "scalingConfig.maxSize", 8)
    messages = assert_flags("stack-cost-within-budget", resources, "budget", contains="at full scale")
    assert "$3,000" in messages[0]
    # Compared with the idle floor only, the same stack passes.
    assert_compliant("stack-cost-within-budget", resources, {"basis": "floor"})


def test_idle_floor_over_the_budget_is_reported_whatever_the_basis() -> None:
    resources = changed(good_priced(), "l4", "scalingConfig.minSize", 2)
    resources = changed(resources, "budget", "limitAmount", "100")
    assert_flags("stack-cost-within-budget", resources, "budget", {"basis": "floor"}, contains="even idle")


def test_unknown_prices_are_findings_never_zero() -> None:
    assert_compliant("resource-price-known", good_priced())
    unpriced = changed(good_priced(), "l4", "instanceTypes", ["g6.9xlarge-unpriced"])
    assert_flags("resource-price-known", unpriced, "l4", contains="never as $0")


def test_malformed_price_book_is_reported_on_the_stack() -> None:
    env = StackEnv(stack="test", project="proj", config={"ai-infra:price_book": '{"discounts": {"aws": 140}}'})
    findings = rules_by_id()["resource-price-known"].evaluate(good_priced(), env)
    assert [f.urn for f in findings] == [env.stack_urn] and "price_book" in findings[0].message


def test_increase_needs_a_base_to_compare_with() -> None:
    assert judge("cost-increase-within-threshold", good_priced()) == []


def test_increase_over_both_thresholds_is_reported_on_the_stack() -> None:
    # Base: the same pool at max 1 node (~$588); now max 2 (~$1,175): +$587, +100%.
    base = {"baseMonthlyFloorUsd": 0.0, "baseMonthlyCeilingUsd": 587.5}
    findings = judge(
        "cost-increase-within-threshold", good_priced(), {**base, "maxIncreaseUsd": 500, "maxIncreasePercent": 20}
    )
    assert [f.urn for f in findings] == [ENV.stack_urn]
    assert "ceiling rises" in findings[0].message
    # Within either threshold: no finding.
    assert judge("cost-increase-within-threshold", good_priced(), {**base, "maxIncreaseUsd": 1000}) == []
    assert judge("cost-increase-within-threshold", good_priced(), {**base, "maxIncreasePercent": 150}) == []
