"""docs/policy-rules.md and docs/policy-coverage.md are generated from the rules and the anchor
data and kept in sync; the anchor data names real rules and types the project creates."""

from __future__ import annotations

import pytest

from policies.anchors import AnchorError, load_anchors
from policies.docs import COVERAGE_DOC, RULES_DOC, coverage_doc, outdated, rules_doc
from policies.rules import rules_by_id


def test_generated_docs_are_up_to_date() -> None:
    assert outdated() == [], "run `uv run python -m policies.docs` and commit the result"


def test_every_rule_has_a_section_and_the_coverage_links_to_it() -> None:
    text = rules_doc()
    for rule_id in rules_by_id():
        assert f"\n## {rule_id}\n" in text, rule_id
    for anchor in load_anchors():
        if anchor.rule:
            assert f"policy-rules.md#{anchor.rule}" in coverage_doc()


def test_anchor_data_names_existing_rules() -> None:
    rules = rules_by_id()
    unknown = sorted({a.rule for a in load_anchors() if a.rule and a.rule not in rules})
    assert unknown == [], f"anchors name rules that do not exist: {unknown}"


def test_a_malformed_anchor_file_names_the_entry_and_field(tmp_path) -> None:
    (tmp_path / "aws-bad.yaml").write_text("- {id: X, tool: sonar, title: t, types: ['aws:s3/bucket:Bucket']}\n")
    load_anchors.cache_clear()
    try:
        with pytest.raises(AnchorError, match=r"aws-bad.yaml entry 0: tool 'sonar' is not one of"):
            load_anchors(tmp_path)
    finally:
        load_anchors.cache_clear()


def test_docs_live_where_the_readme_and_sarif_point() -> None:
    assert RULES_DOC.name == "policy-rules.md" and COVERAGE_DOC.name == "policy-coverage.md"
    assert RULES_DOC.parent.name == "docs"
