"""The compliant and non-compliant examples docs/policy-rules.md shows are what the rules say."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from policies.framework import Resource
from policies.rules import ALL_RULES, rules_by_id
from tests.policies.builders import judge, res

OPTIONS_OR_TOTALS = {"stateful-resources-protected", "nat-gateway-limit"}
"""Rules whose verdict rests on resource options or on counts: one resource's inputs cannot show it."""

PROTECTED_ONLY = {"stateful-buckets-replicated"}
"""Rules that judge only protected (stateful) resources: their examples are judged as protected."""


@dataclass(frozen=True)
class InStack:
    """The other resources (and rule config) a rule's examples are judged with."""

    resources: tuple[Resource, ...]
    config: dict[str, Any] = field(default_factory=dict)


_ENDPOINT = "ai-infra-prod-chat"
_EKS = res("aws:eks/cluster:Cluster", "eks", {"name": "ai-infra-prod", "region": "us-east-1"})
_EKS_GPU_POOL = res(
    "aws:eks/nodeGroup:NodeGroup",
    "gpu",
    {
        "clusterName": "ai-infra-prod",
        "region": "us-east-1",
        "instanceTypes": ["g6.xlarge"],
        "capacityType": "ON_DEMAND",
        "scalingConfig": {"minSize": 0, "maxSize": 4, "desiredSize": 0},
    },
)

IN_STACK: dict[str, InStack] = {
    # An endpoint's alarms are resources of their own: the example is the endpoint's second alarm,
    # judged with the endpoint and its error alarm.
    "endpoint-error-latency-alarms": InStack(
        (
            res("aws:sagemaker/endpoint:Endpoint", "chat", {"name": _ENDPOINT, "endpointConfigName": _ENDPOINT}),
            res(
                "aws:cloudwatch/metricAlarm:MetricAlarm",
                "chat-errors",
                {
                    "namespace": "AWS/SageMaker",
                    "metricName": "Invocation5XXErrors",
                    "dimensions": {"EndpointName": _ENDPOINT, "VariantName": "primary"},
                },
            ),
        )
    ),
    # The cluster is judged on the alerts and GPU pools around it: the example is its alert policy.
    "gpu-cluster-idle-alert": InStack(
        (
            res("gcp:container/cluster:Cluster", "gke", {"name": "ai-infra-prod", "location": "us-central1"}),
            res(
                "gcp:container/nodePool:NodePool",
                "gke-gpu",
                {"cluster": "ai-infra-prod", "nodeConfig": {"machineType": "g2-standard-8", "spot": True}},
            ),
        )
    ),
    # A presence rule: an empty violating variant stands for the budget being absent.
    "budget-defined": InStack((_EKS,)),
    # The estimate sums other resources; the example is the budget it is compared with.
    "stack-cost-within-budget": InStack((_EKS, _EKS_GPU_POOL)),
    # The verdict compares with the base branch's estimate, which `preflight diff` passes as config
    # (here: the same cluster with a 4-node GPU pool, about $2,400 a month at full scale).
    "cost-increase-within-threshold": InStack((_EKS,), {"baseMonthlyCeilingUsd": 2500}),
}
"""Rules judged on resources other than the one an example changes, with the stack that shows it."""

CASES = [
    pytest.param(rule.id, index, example, id=f"{rule.id}-{index}")
    for rule in ALL_RULES
    if rule.id not in OPTIONS_OR_TOTALS and rule.id not in IN_STACK and rule.id not in PROTECTED_ONLY
    for index, example in enumerate(rule.examples)
]
STACK_CASES = [
    pytest.param(rule_id, index, example, id=f"{rule_id}-{index}")
    for rule_id in IN_STACK
    for index, example in enumerate(rules_by_id()[rule_id].examples)
]


@pytest.mark.parametrize(("rule", "index", "example"), CASES)
def test_the_compliant_example_passes_and_the_violating_one_is_reported(rule, index, example) -> None:
    compliant = res(example.type, "example", example.compliant)
    assert judge(rule, [compliant]) == [], f"{rule} example {index}: compliant inputs are reported"
    violating = res(example.type, "example", example.violating)
    findings = judge(rule, [violating])
    assert findings and all(not f.undecided for f in findings), f"{rule} example {index}: {findings}"


@pytest.mark.parametrize(("rule", "index", "example"), STACK_CASES)
def test_examples_of_rules_that_judge_the_stack_hold_in_it(rule, index, example) -> None:
    stack = IN_STACK[rule]
    compliant = res(example.type, "example", example.compliant)
    findings = judge(rule, [*stack.resources, compliant], stack.config)
    assert findings == [], f"{rule} example {index}: the compliant stack is reported: {findings}"
    violating = [res(example.type, "example", example.violating)] if example.violating else []
    findings = judge(rule, [*stack.resources, *violating], stack.config)
    assert findings and all(not f.undecided for f in findings), f"{rule} example {index}: {findings}"


@pytest.mark.parametrize("rule", sorted(PROTECTED_ONLY))
def test_examples_of_rules_on_protected_resources_hold_when_protected(rule) -> None:
    for index, example in enumerate(rules_by_id()[rule].examples):
        compliant = res(example.type, "example", example.compliant, protect=True)
        assert judge(rule, [compliant]) == [], f"{rule} example {index}: compliant inputs are reported"
        findings = judge(rule, [res(example.type, "example", example.violating, protect=True)])
        assert findings and all(not f.undecided for f in findings), f"{rule} example {index}: {findings}"
        # Unprotected, the same violating inputs are not this rule's business.
        assert judge(rule, [res(example.type, "example", example.violating)]) == []


def test_every_rule_is_documented() -> None:
    undocumented = [r.id for r in ALL_RULES if not r.rationale or not r.examples]
    assert undocumented == []


def test_the_exceptions_name_rules_with_examples() -> None:
    rules = rules_by_id()
    excepted = sorted(OPTIONS_OR_TOTALS | set(IN_STACK) | PROTECTED_ONLY)
    assert [r for r in excepted if r not in rules or not rules[r].examples] == []
