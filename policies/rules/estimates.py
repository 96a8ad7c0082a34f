"""Rules on the monthly estimate (catalog/costs.py, the same model preflight's cost column uses):
the stack within its budget (C5), the increase against the base branch (C6), every priced
resource with a known price (C13)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from catalog.costs import PriceBookError, ResourceCost, ResourceInput, StackCost, estimate_resources, estimate_stack
from catalog.estimators import ESTIMATORS
from policies.framework import UNKNOWN, Context, Example, Finding, Resource, Rule, Stack, as_int, cloud_of
from policies.rules.budgets import BUDGET_TYPES
from policies.rules.regions import DEFAULT_REGION_CONFIG, PROVIDER_TYPES

PRICE_BOOK_KEY = "ai-infra:price_book"


def _plain(value: Any) -> Any:
    """Inputs for the estimator: unknown values left out (they cannot be priced)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not UNKNOWN}
    if isinstance(value, list):
        return [_plain(v) for v in value if v is not UNKNOWN]
    return value


def _region(resource: Resource, ctx: Context) -> str | None:
    cloud = cloud_of(resource.type)
    if cloud is None:
        return None
    if resource.provider is not None and resource.provider.type in PROVIDER_TYPES:
        for key in PROVIDER_TYPES[resource.provider.type][1]:
            value = resource.provider.get(key)
            if isinstance(value, str) and value:
                return value
        return None
    value = ctx.env.config_value(DEFAULT_REGION_CONFIG[cloud]) if cloud in DEFAULT_REGION_CONFIG else None
    return value if isinstance(value, str) else None


class Estimate:
    """The stack's estimate, computed once per AnalyzeStack and shared by C5, C6 and C13."""

    def __init__(self, costs: list[ResourceCost], total: StackCost, price_book_problem: str | None = None):
        self.costs = costs
        self.total = total
        self.price_book_problem = price_book_problem


def estimate(stack: Stack, ctx: Context) -> Estimate:
    cached = stack.memo.get("estimate")
    if isinstance(cached, Estimate):
        return cached
    items = [
        ResourceInput(
            type=r.type,
            urn=r.urn,
            inputs=_plain(dict(r.props)),
            region=_region(r, ctx),
            dependencies=tuple({*r.dependencies, *(u for urns in r.property_dependencies.values() for u in urns)}),
        )
        for r in stack.resources
        if r.cloud is not None and not r.type.startswith(("pulumi:", "ai-infra:"))
    ]
    try:
        costs = estimate_resources(items, price_book=ctx.env.config_value(PRICE_BOOK_KEY))
        result = Estimate(costs, estimate_stack(costs))
    except PriceBookError as exc:
        result = Estimate([], estimate_stack([]), f"{PRICE_BOOK_KEY}: {exc}")
    stack.memo["estimate"] = result
    return result


def budgets_by_cloud(stack: Stack) -> dict[str, tuple[float, list[Resource]]]:
    """cloud -> (monthly USD of its budgets, the budget resources). Budgets in another currency
    are left out."""
    found: dict[str, tuple[float, list[Resource]]] = {}
    for cloud, types in BUDGET_TYPES.items():
        amount, resources = 0.0, []
        for budget in stack.of_type(*types):
            usd = budget_usd(budget)
            if usd is not None:
                amount += usd
                resources.append(budget)
        if resources:
            found[cloud] = (amount, resources)
    return found


def budget_usd(budget: Resource) -> float | None:
    def number(value: object) -> float | None:
        try:
            return float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None

    if budget.type == "aws:budgets/budget:Budget":
        return number(budget.get("limitAmount")) if budget.get("limitUnit", "USD") == "USD" else None
    if budget.type == "gcp:billing/budget:Budget":
        amount = budget.get("amount.specifiedAmount", {})
        if not isinstance(amount, dict) or amount.get("currencyCode", "USD") != "USD":
            return None
        units = number(amount.get("units"))
        return None if units is None else units + (as_int(amount.get("nanos")) or 0) / 1e9
    if budget.type == "azure-native:consumption:Budget":
        return number(budget.get("amount"))
    return number(budget.get("monthlyUsd"))


def _usd(amount: float) -> str:
    return f"${amount:,.0f}" if abs(amount) >= 1000 else f"${amount:,.2f}"


# -- C5 -------------------------------------------------------------------------------------------
def _c5_totals(stack: Stack, ctx: Context) -> Iterator[Finding]:
    result = estimate(stack, ctx)
    if result.price_book_problem:
        return  # reported by resource-price-known
    compare_ceiling = ctx.config["basis"] == "ceiling"
    unknown = result.total.unknown_by_cloud
    for cloud, (budget, budgets) in sorted(budgets_by_cloud(stack).items()):
        floor, ceiling = result.total.by_cloud.get(cloud, (0.0, 0.0))
        note = f" ({unknown[cloud]} unpriced resource(s) not included)" if unknown.get(cloud) else ""
        target = sorted(budgets, key=lambda b: b.urn)[0].urn
        if floor > budget:
            yield Finding(
                target,
                f"{cloud}: even idle the estimate is {_usd(floor)} a month, over the {_usd(budget)} budget{note}",
            )
        elif compare_ceiling and ceiling > budget:
            yield Finding(
                target,
                f"{cloud}: at full scale the estimate is {_usd(ceiling)} a month, over the {_usd(budget)} budget "
                f"(idle: {_usd(floor)}){note}",
            )


STACK_COST_WITHIN_BUDGET = Rule(
    id="stack-cost-within-budget",
    ref="C5",
    domain="cost",
    description="Each cloud's monthly estimate stays within that cloud's budget.",
    severity="high",
    tags=("cost",),
    remediation="Lower max nodes / replicas or machine sizes, or raise clouds.<cloud>.budget.monthly_usd after "
    "review. `preflight <stack>` shows the estimate per resource.",
    rationale="The budget is what the team agreed to spend; a program whose own estimate exceeds it will exceed "
    "it in the bill, and the review is the cheapest moment to notice. Comparing the full-scale ceiling, not only "
    "the idle floor, catches autoscalers that may grow past it.",
    # Judged with priced resources in the stack (an EKS cluster and a GPU node group in us-east-1, about
    # $2,400 a month at full scale): tests/policies/test_rule_examples.py adds them to both variants.
    examples=(
        Example(
            type="aws:budgets/budget:Budget",
            compliant={"budgetType": "COST", "limitAmount": "3000", "limitUnit": "USD", "timeUnit": "MONTHLY"},
            violating={"budgetType": "COST", "limitAmount": "1000", "limitUnit": "USD", "timeUnit": "MONTHLY"},
            note="a $1,000 budget for AWS resources that cost about $2,400 a month at full scale",
        ),
    ),
    needs_stack=True,
    totals=_c5_totals,
    covers=tuple(t for types in BUDGET_TYPES.values() for t in types),
    properties={
        "basis": {
            "type": "string",
            "enum": ["floor", "ceiling"],
            "default": "ceiling",
            "description": "Compare the budget with the idle floor only, or with the full-scale ceiling too.",
        }
    },
)


# -- C6 -------------------------------------------------------------------------------------------
def _increase(name: str, base: float, new: float, ctx: Context) -> str | None:
    delta = new - base
    if delta <= 0:
        return None
    percent = float("inf") if base == 0 else delta / base * 100
    if delta > ctx.config["maxIncreaseUsd"] and percent > ctx.config["maxIncreasePercent"]:
        shown = "new" if base == 0 else f"+{percent:.0f}%"
        return f"the monthly {name} rises from {_usd(base)} to {_usd(new)} (+{_usd(delta)}, {shown})"
    return None


def _c6_totals(stack: Stack, ctx: Context) -> Iterator[Finding]:
    base_floor, base_ceiling = ctx.config.get("baseMonthlyFloorUsd"), ctx.config.get("baseMonthlyCeilingUsd")
    if base_floor is None and base_ceiling is None:
        return  # no base to compare with (preflight diff supplies one)
    result = estimate(stack, ctx)
    problems = [
        p
        for p in (
            _increase("floor", float(base_floor), result.total.floor_usd, ctx) if base_floor is not None else None,
            _increase("ceiling", float(base_ceiling), result.total.ceiling_usd, ctx)
            if base_ceiling is not None
            else None,
        )
        if p
    ]
    if problems:
        limits = f"limits: +{_usd(ctx.config['maxIncreaseUsd'])} and +{ctx.config['maxIncreasePercent']:g}%"
        yield Finding(stack.stack_urn or ctx.env.stack_urn, f"{'; '.join(problems)} ({limits})")


COST_INCREASE = Rule(
    id="cost-increase-within-threshold",
    ref="C6",
    domain="cost",
    description="A change raises the monthly estimate by no more than the threshold (both absolute and percent).",
    severity="medium",
    tags=("cost",),
    remediation="Review the cost diff (`preflight diff --base main`); reduce the change or raise the thresholds "
    "for this review.",
    rationale="Most cost surprises come from one innocent-looking line: a larger machine, a higher node ceiling. "
    "Comparing the change's estimate with the base branch's makes a large increase a decision someone signs off "
    "rather than a side effect; both an absolute and a relative limit must be crossed, so small stacks are not "
    "flagged for every few dollars.",
    # Judged against a base estimate that `preflight diff` passes in the rule's config
    # (baseMonthlyFloorUsd / baseMonthlyCeilingUsd); without one the rule has nothing to compare.
    examples=(
        Example(
            type="aws:eks/nodeGroup:NodeGroup",
            compliant={
                "clusterName": "ai-infra-prod",
                "region": "us-east-1",
                "instanceTypes": ["g6.xlarge"],
                "capacityType": "ON_DEMAND",
                "scalingConfig": {"minSize": 0, "maxSize": 4, "desiredSize": 0},
            },
            violating={
                "clusterName": "ai-infra-prod",
                "region": "us-east-1",
                "instanceTypes": ["g6.xlarge"],
                "capacityType": "ON_DEMAND",
                "scalingConfig": {"minSize": 0, "maxSize": 16, "desiredSize": 0},
            },
            note="the node ceiling raised from 4 to 16 against a base (main) that had 4",
        ),
    ),
    needs_stack=True,
    totals=_c6_totals,
    covers=tuple(sorted(ESTIMATORS)),
    properties={
        "baseMonthlyFloorUsd": {"type": "number", "minimum": 0, "description": "Idle monthly estimate of the base."},
        "baseMonthlyCeilingUsd": {"type": "number", "minimum": 0, "description": "Full-scale estimate of the base."},
        "maxIncreaseUsd": {"type": "number", "minimum": 0, "default": 500, "description": "Allowed increase in USD."},
        "maxIncreasePercent": {"type": "number", "minimum": 0, "default": 20, "description": "Allowed increase in %."},
    },
)


# -- C13 ------------------------------------------------------------------------------------------
def _c13_totals(stack: Stack, ctx: Context) -> Iterator[Finding]:
    result = estimate(stack, ctx)
    if result.price_book_problem:
        yield Finding(stack.stack_urn or ctx.env.stack_urn, f"cannot price the stack: {result.price_book_problem}")
        return
    for cost in result.costs:
        if not cost.known:
            yield Finding(cost.urn, f"no price: {cost.unknown_reason} (counted as unknown, never as $0)")


PRICE_KNOWN = Rule(
    id="resource-price-known",
    ref="C13",
    domain="cost",
    description="Every priced resource has a known price (an unknown price is a finding, never $0).",
    severity="low",
    tags=("cost",),
    remediation="Add the machine / SKU and region to catalog/data/prices (with source and date), or pick a "
    "machine the catalog prices.",
    rationale="An unpriced resource is left out of the totals, so the estimate, and the budget check that relies "
    "on it, read lower than the truth; naming it keeps the gap visible and says which price to add.",
    examples=(
        Example(
            type="gcp:container/nodePool:NodePool",
            compliant={
                "cluster": "ai-infra-prod",
                "location": "us-central1",
                "nodeConfig": {"machineType": "g2-standard-8", "spot": True},
                "autoscaling": {"totalMinNodeCount": 0, "totalMaxNodeCount": 4},
            },
            violating={
                "cluster": "ai-infra-prod",
                "location": "europe-west4",
                "nodeConfig": {"machineType": "g2-standard-8", "spot": True},
                "autoscaling": {"totalMinNodeCount": 0, "totalMaxNodeCount": 4},
            },
            note="a region the price data has no figure for this machine in",
        ),
    ),
    needs_stack=True,
    totals=_c13_totals,
    covers=tuple(sorted(ESTIMATORS)),
)


RULES = [STACK_COST_WITHIN_BUDGET, COST_INCREASE, PRICE_KNOWN]
