"""The compliant and non-compliant examples docs/policy-rules.md shows are what the rules say."""

from __future__ import annotations

import pytest

from policies.rules import ALL_RULES
from tests.policies.builders import judge, res

OPTIONS_OR_TOTALS = {"stateful-resources-protected", "nat-gateway-limit"}
"""Rules whose verdict rests on resource options or on counts: one resource's inputs cannot show it."""

CASES = [
    pytest.param(rule.id, index, example, id=f"{rule.id}-{index}")
    for rule in ALL_RULES
    if rule.id not in OPTIONS_OR_TOTALS
    for index, example in enumerate(rule.examples)
]


@pytest.mark.parametrize(("rule", "index", "example"), CASES)
def test_the_compliant_example_passes_and_the_violating_one_is_reported(rule, index, example) -> None:
    compliant = res(example.type, "example", example.compliant)
    assert judge(rule, [compliant]) == [], f"{rule} example {index}: compliant inputs are reported"
    violating = res(example.type, "example", example.violating)
    findings = judge(rule, [violating])
    assert findings and all(not f.undecided for f in findings), f"{rule} example {index}: {findings}"


def test_every_rule_of_the_depth_domains_is_documented() -> None:
    domains = {"storage", "kubernetes", "network", "ml_endpoints", "keys", "registries", "logs"}
    undocumented = [r.id for r in ALL_RULES if r.domain in domains and (not r.rationale or not r.examples)]
    assert undocumented == []
