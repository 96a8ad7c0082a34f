"""The diff model on hand-built plan reports: resources by URN, cost deltas, findings by (rule, URN).

`sample_diff()` is also the input of the Markdown golden file and the SARIF checks
(tests/preflight/test_render_markdown.py, test_render_sarif.py): one changed stack with costs on
two clouds and findings of every class, one stack that only exists on the new side, and one whose
base could not be evaluated.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from preflight.diff.model import (
    ABSENT,
    Amount,
    DiffReport,
    InputChange,
    diff_stack,
    input_changes,
)
from preflight.records import ProgramRun, ResourceRecord
from preflight.report import PlanReport

PROJECT = "demo"
STACK_URN = f"urn:pulumi:dev::{PROJECT}::pulumi:pulumi:Stack::{PROJECT}-dev"


# -- builders -----------------------------------------------------------------------------------------
def resource(
    stack: str,
    type_: str,
    name: str,
    *,
    parent: ResourceRecord | None = None,
    inputs: dict[str, Any] | None = None,
    custom: bool = True,
    protect: bool = False,
) -> ResourceRecord:
    chain = f"{parent.urn.split('::')[2]}${type_}" if parent else type_
    return ResourceRecord(
        type=type_,
        name=name,
        urn=f"urn:pulumi:{stack}::{PROJECT}::{chain}::{name}",
        parent=parent.urn if parent else None,
        custom=custom,
        protect=protect,
        retain_on_delete=protect,
        provider=None,
        dependencies=[],
        property_dependencies={},
        aliases=[],
        inputs=inputs or {},
    )


def report(stack: str, resources: list[ResourceRecord], **sections: Any) -> PlanReport:
    plan = PlanReport.of(ProgramRun(project=PROJECT, stack=stack, resources=resources, outputs={}, secret_outputs=[]))
    plan.sections.update(sections)
    return plan


def costs(floor: float, ceiling: float, by_cloud: dict[str, tuple[float, float]], unknown: int = 0, **per_urn: Any):
    return {
        "currency": "USD",
        "hours_per_month": 730,
        "resources": [
            {"urn": urn, "floor_usd": low, "ceiling_usd": high, "unknown_reason": None}
            for urn, (low, high) in per_urn.get("priced", {}).items()
        ],
        "totals": {
            "floor_usd": floor,
            "ceiling_usd": ceiling,
            "unknown_count": unknown,
            "by_cloud": {
                c: {"floor_usd": lo, "ceiling_usd": hi, "unknown_count": 0} for c, (lo, hi) in by_cloud.items()
            },
        },
    }


def finding(rule: str, urn: str | None, enforcement: str = "advisory", **extra: Any) -> dict[str, Any]:
    return {
        "rule": rule,
        "severity": extra.pop("severity", "high"),
        "enforcement": enforcement,
        "urn": urn,
        "message": extra.pop("message", f"{rule} broken"),
        "remediation": extra.pop("remediation", f"fix {rule}"),
        "tags": extra.pop("tags", ["security"]),
        "suppressed": extra.pop("suppressed", False),
        "suppression": extra.pop("suppression", None),
    }


def policy(findings: list[dict[str, Any]]) -> dict[str, Any]:
    return {"pack": "ai-infra", "config_file": None, "findings": findings, "summary": {}}


def dev_reports() -> tuple[PlanReport, PlanReport]:
    """Base and head of `dev`: a bucket grows and becomes protected, a GPU pool is added, a CPU
    node group is removed; findings come and go."""
    stack = "dev"
    base_bucket_component = resource(stack, "ai-infra:aws:Bucket", "dev-models", custom=False)
    base_bucket = resource(
        stack,
        "aws:s3/bucket:Bucket",
        "dev-models-bucket",
        parent=base_bucket_component,
        inputs={"bucket": "models", "forceDestroy": True, "tags": {"ai-infra-expected-size-gib": "100"}},
    )
    base_role = resource(stack, "aws:iam/role:Role", "dev-role", inputs={"name": "role", "token": "[secret]"})
    cpu = resource(stack, "aws:eks/nodeGroup:NodeGroup", "dev-cpu", inputs={"instanceTypes": ["m5.large"]})
    base = report(
        stack,
        [base_bucket_component, base_bucket, base_role, cpu],
        costs=costs(
            2288.0,
            32000.0,
            {"aws": (2288.0, 32000.0)},
            priced={base_bucket.urn: (2.3, 2.3), cpu.urn: (70.08, 140.16)},
        ),
        policy=policy(
            [
                finding("s3-lifecycle", base_bucket.urn, severity="low", tags=["cost"]),
                finding("eks-no-public-ip", cpu.urn, "mandatory"),
            ]
        ),
    )

    head_bucket_component = resource(stack, "ai-infra:aws:Bucket", "dev-models", custom=False)
    head_bucket = resource(
        stack,
        "aws:s3/bucket:Bucket",
        "dev-models-bucket",
        parent=head_bucket_component,
        protect=True,
        inputs={
            "bucket": "models",
            "tags": {"ai-infra-expected-size-gib": "500", "kubernetes.io/role": "data|lake"},
        },
    )
    head_role = resource(stack, "aws:iam/role:Role", "dev-role", inputs={"name": "role", "token": "[secret]"})
    pool = resource(stack, "ai-infra:aws:GpuNodePool", "dev-l4", custom=False)
    nodes = resource(
        stack,
        "aws:eks/nodeGroup:NodeGroup",
        "dev-l4-nodes",
        parent=pool,
        inputs={"instanceTypes": ["g6.xlarge"], "scalingConfig": {"minSize": 0, "maxSize": 2}},
    )
    head = report(
        stack,
        [head_bucket_component, head_bucket, head_role, pool, nodes],
        costs=costs(
            2700.0,
            34950.0,
            {"aws": (2600.0, 34000.0), "gcp": (100.0, 950.0)},
            unknown=1,
            priced={head_bucket.urn: (11.5, 11.5), nodes.urn: (0.0, 1175.01)},
        ),
        policy=policy(
            [
                finding("s3-lifecycle", head_bucket.urn, severity="low", tags=["cost"]),
                finding("eks-spot-in-dev", nodes.urn, "mandatory", severity="medium", tags=["cost"]),
                finding(
                    "budget-within-limit",
                    STACK_URN,  # stack-level findings carry the root stack's URN
                    "mandatory",
                    severity="high",
                    tags=["cost"],
                    message="monthly floor $2,700 exceeds the budget of $2,500",
                ),
                finding("s3-access-logging", head_bucket.urn, severity="medium"),
                finding(
                    "eks-imdsv2",
                    nodes.urn,
                    "advisory",
                    suppressed=True,
                    suppression={
                        "reason": "driver installer needs IMDS",
                        "owner": "ml-platform",
                        "expires": "2027-01-31",
                    },
                ),
            ]
        ),
    )
    return base, head


def prod_report() -> PlanReport:
    bucket = resource("prod", "aws:s3/bucket:Bucket", "prod-models-bucket", protect=True, inputs={"bucket": "m"})
    return report(
        "prod",
        [bucket],
        costs=costs(11.5, 11.5, {"aws": (11.5, 11.5)}, priced={bucket.urn: (11.5, 11.5)}),
        policy=policy([]),
    )


def staging_report() -> PlanReport:
    bucket = resource("staging", "aws:s3/bucket:Bucket", "staging-bucket", inputs={"bucket": "s"})
    return report(
        "staging",
        [bucket],
        costs=costs(2.3, 2.3, {"aws": (2.3, 2.3)}, priced={bucket.urn: (2.3, 2.3)}),
        policy=policy([finding("s3-public-access-block", bucket.urn, "mandatory", severity="critical")]),
    )


def sample_diff() -> DiffReport:
    base, head = dev_reports()
    return DiffReport(
        project=PROJECT,
        base_ref="main",
        base_commit="0123456789abcdef0123456789abcdef01234567",
        head_commit="89abcdef0123456789abcdef0123456789abcdef",
        head_dirty=False,
        stacks=[
            diff_stack("dev", base, head, stack_file="infra/Pulumi.dev.yaml"),
            diff_stack("prod", None, prod_report(), stack_file="infra/Pulumi.prod.yaml"),
            diff_stack(
                "staging",
                None,
                staging_report(),
                stack_file="infra/Pulumi.staging.yaml",
                base_error="invalid stack config:\nai-infra:owner: missing",
            ),
            diff_stack(
                "test",
                prod_report(),
                None,
                stack_file="infra/Pulumi.test.yaml",
                head_error="the program raised KeyError: 'gpu_pools'",
            ),
        ],
    )


# -- resources ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def dev():
    base, head = dev_reports()
    return diff_stack("dev", base, head, stack_file="Pulumi.dev.yaml")


def test_resources_are_keyed_by_urn_added_removed_changed(dev):
    assert [(r.status, r.name) for r in dev.resources] == [
        ("added", "dev-l4"),
        ("added", "dev-l4-nodes"),
        ("removed", "dev-cpu"),
        ("changed", "dev-models-bucket"),
    ], "unchanged resources (the role, the bucket component) are not listed; children follow their component"
    assert dev.status == "changed"
    assert (dev.base_count, dev.head_count) == (3, 3)


def test_changed_resource_lists_input_paths_with_before_and_after(dev):
    (bucket,) = dev.of_status("changed")
    assert bucket.inputs == [
        InputChange("forceDestroy", before=True),
        InputChange("tags.ai-infra-expected-size-gib", "100", "500"),
        InputChange('tags["kubernetes.io/role"]', after="data|lake"),
    ]
    assert bucket.options == [InputChange("protect", False, True), InputChange("retain_on_delete", False, True)]
    assert bucket.to_json()["inputs"][0] == {"path": "forceDestroy", "before": True}, "absent side is left out"


def test_secret_inputs_stay_masked_and_equal_secrets_are_no_change(dev):
    assert all(r.name != "dev-role" for r in dev.resources)
    changes = input_changes({"password": "[secret]", "n": 1}, {"password": "[secret]", "n": 2})
    assert changes == [InputChange("n", 1, 2)]


def test_input_changes_walk_lists_by_index_and_types_matter():
    assert input_changes({"a": [1, 2]}, {"a": [1, 3, 4]}) == [
        InputChange("a[1]", 2, 3),
        InputChange("a[2]", ABSENT, 4),
    ]
    assert input_changes({"on": True}, {"on": 1}) == [InputChange("on", True, 1)], "True and 1 are different inputs"
    assert input_changes({"x": {"y": 1}}, {"x": "flat"}) == [InputChange("x", {"y": 1}, "flat")]


# -- costs --------------------------------------------------------------------------------------------
def test_cost_delta_total_and_per_cloud(dev):
    costs = dev.costs
    assert costs is not None
    assert costs.floor.delta == pytest.approx(412.0)
    assert costs.floor.percent == pytest.approx(412 / 2288 * 100)
    assert costs.ceiling.delta == pytest.approx(2950.0)
    assert costs.by_cloud["aws"].floor.delta == pytest.approx(312.0)
    assert costs.by_cloud["gcp"].floor.base == 0.0
    assert costs.by_cloud["gcp"].floor.percent is None, "no percent against a base of 0"
    assert (costs.unknown_base, costs.unknown_head) == (0, 1)
    document = costs.to_json()
    assert document["floor"] == {"base": 2288.0, "head": 2700.0, "delta": 412.0, "percent": 18.0}
    assert document["by_cloud"]["gcp"]["floor"]["percent"] is None


def test_amount_without_a_side_has_no_delta():
    assert Amount(None, 10.0).delta is None
    assert Amount(0.0, 10.0).percent is None
    assert Amount(20.0, 10.0).percent == pytest.approx(-50.0)


def test_resource_costs_are_attached_from_both_sides(dev):
    by_name = {r.name: r for r in dev.resources}
    assert by_name["dev-l4-nodes"].cost_base is None
    assert by_name["dev-l4-nodes"].cost_head.ceiling_usd == pytest.approx(1175.01)
    assert by_name["dev-cpu"].cost_base.floor_usd == pytest.approx(70.08)
    assert by_name["dev-models-bucket"].cost_head.floor_usd == pytest.approx(11.5)


# -- findings -----------------------------------------------------------------------------------------
def test_findings_new_and_fixed_by_rule_and_urn_new_mandatory_first(dev):
    findings = dev.findings
    assert findings is not None
    assert [(f["rule"], f["enforcement"], f["suppressed"]) for f in findings.new] == [
        ("budget-within-limit", "mandatory", False),
        ("eks-spot-in-dev", "mandatory", False),
        ("s3-access-logging", "advisory", False),
        ("eks-imdsv2", "advisory", True),
    ]
    assert [f["rule"] for f in findings.fixed] == ["eks-no-public-ip"]
    assert [f["rule"] for f in findings.new_mandatory] == ["budget-within-limit", "eks-spot-in-dev"]
    assert findings.base.to_json() == {"mandatory": 1, "advisory": 1, "deferred": 0, "suppressed": 0}
    assert findings.head.to_json() == {"mandatory": 2, "advisory": 2, "deferred": 0, "suppressed": 1}


def test_a_finding_whose_message_changes_is_neither_new_nor_fixed():
    base, head = dev_reports()
    for f in head.sections["policy"]["findings"]:
        if f["rule"] == "s3-lifecycle":
            f["message"] = "reworded"
    stack = diff_stack("dev", base, head, stack_file="Pulumi.dev.yaml")
    assert "s3-lifecycle" not in {f["rule"] for f in stack.findings.new + stack.findings.fixed}


# -- stacks on one side only, failed base, missing sections -------------------------------------------
def test_stack_only_on_the_new_side_is_all_added():
    stack = diff_stack("prod", None, prod_report(), stack_file="Pulumi.prod.yaml")
    assert stack.status == "added"
    assert [r.status for r in stack.resources] == ["added"]
    assert stack.costs.floor.base == 0.0 and stack.costs.floor.percent is None


def test_stack_only_on_the_base_side_is_all_removed():
    stack = diff_stack("prod", prod_report(), None, stack_file="Pulumi.prod.yaml")
    assert stack.status == "removed"
    assert [r.status for r in stack.resources] == ["removed"]
    assert stack.costs.floor.delta == pytest.approx(-11.5)
    assert stack.findings.head.to_json() == {"mandatory": 0, "advisory": 0, "deferred": 0, "suppressed": 0}


def test_base_that_failed_compares_nothing_and_keeps_the_error():
    stack = diff_stack("staging", None, staging_report(), stack_file="s", base_error="boom")
    assert stack.status == "base-failed"
    assert stack.resources == []
    assert stack.base_count is None
    assert stack.costs.floor.base is None and stack.costs.floor.delta is None
    assert stack.findings.base is None and stack.findings.new == []
    assert stack.to_json()["base_error"] == "boom"


def test_head_that_fails_compares_nothing_and_keeps_the_error():
    stack = diff_stack("prod", prod_report(), None, stack_file="s", head_error="boom")
    assert stack.status == "head-failed"
    assert stack.resources == [] and stack.head_count is None and stack.base_count == 1
    assert stack.costs.floor.base == pytest.approx(11.5) and stack.costs.floor.delta is None
    assert stack.findings is None
    assert stack.to_json()["head_error"] == "boom"


def test_without_stage_sections_costs_and_findings_are_null():
    base = report("dev", [resource("dev", "aws:s3/bucket:Bucket", "b", inputs={"bucket": "x"})])
    head = report("dev", [resource("dev", "aws:s3/bucket:Bucket", "b", inputs={"bucket": "y"})])
    stack = diff_stack("dev", base, head, stack_file="Pulumi.dev.yaml")
    assert stack.costs is None and stack.findings is None
    assert stack.to_json()["costs"] is None
    assert [r.status for r in stack.resources] == ["changed"]


def test_unchanged_stack():
    stack = diff_stack("prod", prod_report(), prod_report(), stack_file="Pulumi.prod.yaml")
    assert stack.status == "unchanged" and stack.resources == []
    assert stack.costs.floor.delta == 0.0


def test_json_document_is_stable_and_versioned():
    first, second = sample_diff().to_json(), sample_diff().to_json()
    assert first == second
    assert first["schema_version"] == 1 and first["kind"] == "preflight-diff"
    assert [s["stack"] for s in first["stacks"]] == ["dev", "prod", "staging", "test"]
    dev_json = first["stacks"][0]
    assert [r["name"] for r in dev_json["resources"]["added"]] == ["dev-l4", "dev-l4-nodes"]
    assert dev_json["findings"]["new"][0]["class"] == "mandatory"


def test_a_base_identical_to_the_head_says_so_in_every_format():
    from preflight.commands.diff import render

    _, head = dev_reports()
    diff = DiffReport(
        project=PROJECT,
        base_ref="main",
        base_commit="0123456789abcdef0123456789abcdef01234567",
        head_commit="0123456789abcdef0123456789abcdef01234567",
        head_dirty=False,
        # What preflight/diff/build.py does: the head's report, judged once, on both sides.
        stacks=[diff_stack("dev", head, head, stack_file="infra/Pulumi.dev.yaml")],
        base_identical=True,
    )
    note = "base `main` (0123456) is identical to the head: no changes"
    (dev,) = diff.stacks
    assert dev.status == "unchanged" and dev.resources == []
    assert dev.findings.new == [] and dev.findings.fixed == [] and dev.findings.head.mandatory == 2
    assert dev.costs.floor.delta == 0.0 and dev.costs.ceiling.delta == 0.0

    document = json.loads(render(diff, "json"))
    assert document["base"]["identical_to_head"] is True and document["note"] == note
    assert f"**Note:** {note}." in render(diff, "markdown").splitlines()
    assert note.replace("`", "") in render(diff, "table").splitlines()
    sarif = json.loads(render(diff, "sarif"))["runs"][0]
    assert sarif["properties"] == {"baseIdenticalToHead": True, "note": note}
    assert {r["baselineState"] for r in sarif["results"]} == {"unchanged"}


def test_a_base_that_was_evaluated_has_no_note():
    from preflight.commands.diff import render

    diff = sample_diff()
    assert diff.to_json()["base"]["identical_to_head"] is False and diff.to_json()["note"] is None
    assert "identical to the head" not in render(diff, "markdown") + render(diff, "table")
    assert "properties" not in json.loads(render(diff, "sarif"))["runs"][0]
