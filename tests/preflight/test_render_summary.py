"""The default terminal report: summary first, every mandatory finding named, short."""

from __future__ import annotations

from catalog.prices import DASH
from preflight.render_summary import TOP_COSTS, render_summary
from tests.preflight.test_diff_model import costs, finding, policy, report, resource

STACK = "prod"


def _many_resources_report():
    component = resource(STACK, "ai-infra:aws:Bucket", "prod-data", custom=False)
    buckets = [
        resource(STACK, "aws:s3/bucket:Bucket", f"prod-data-{i}", parent=component, protect=i % 2 == 0)
        for i in range(40)
    ]
    pools = [resource(STACK, "gcp:container/nodePool:NodePool", f"prod-pool-{i}") for i in range(15)]
    priced = {r.urn: (float(i), float(i * 10)) for i, r in enumerate(buckets + pools)}
    cost_section = costs(100.0, 5000.0, {"aws": (40.0, 2000.0), "gcp": (60.0, 3000.0)}, unknown=2, priced=priced)
    for entry in cost_section["resources"]:
        entry.update(cloud="aws" if "s3" in entry["urn"] else "gcp", type=entry["urn"].split("::")[2].split("$")[-1])
    findings = [
        finding("bucket-encrypted-with-cmk", buckets[3].urn, "mandatory", message="bucket 3 uses the AWS key"),
        finding("k8s-nodes-private", pools[1].urn, "mandatory", message="pool 1 has public nodes"),
        *[finding("bucket-versioned", b.urn) for b in buckets[:25]],
        *[finding("tags-required", p.urn, severity="low") for p in pools],
    ]
    for f in findings:
        f["phase"] = "update"
    policy_section = policy(findings)
    policy_section["gates"] = {
        "preview": {"verdict": "refused", "mandatory": 2, "deferred": 0},
        "update": {"verdict": "refused", "mandatory": 2, "deferred": 0},
    }
    return report(STACK, [component, *buckets, *pools], costs=cost_section, policy=policy_section)


def test_summary_fits_one_screen_and_names_every_mandatory_finding() -> None:
    text = render_summary(_many_resources_report(), color=False, width=120)
    lines = text.splitlines()
    assert len(lines) <= 60, text
    assert "+ 55 to create" in lines[0]
    for rule, message in (
        ("bucket-encrypted-with-cmk", "bucket 3 uses the AWS key"),
        ("k8s-nodes-private", "pool 1 has public nodes"),
    ):
        assert any(rule in line for line in lines), rule
        assert any(message in line for line in lines), message
    assert any(line.startswith("Gates:") and "REFUSED" in line for line in lines)
    advisory = next(line for line in lines if line.startswith("Advisory:"))
    assert "40" in advisory and "bucket-versioned 25" in advisory and "tags-required 15" in advisory
    # Advisory findings are counted, not listed one per resource.
    assert not any("prod-data-24" in line and "bucket-versioned" in line for line in lines)
    assert "\033[" not in text


def test_top_costs_are_the_largest_ceilings_in_order() -> None:
    text = render_summary(_many_resources_report(), color=False, width=160)
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Largest monthly costs"))
    assert f"top {TOP_COSTS} of 54 priced" in lines[start]  # the zero-cost line is not a cost line
    rows = [line for line in lines[start + 1 :] if "(NodePool)" in line or "(Bucket)" in line][:TOP_COSTS]
    assert len(rows) == TOP_COSTS
    # The most expensive resources (pools 14..5, priced 540..450) come first, largest first.
    names = [row.split("(")[0].split()[-1] for row in rows]
    assert names == [f"prod-pool-{i}" for i in range(14, 4, -1)]


def test_cloud_table_counts_and_unpriced_items() -> None:
    text = render_summary(_many_resources_report(), color=False, width=160)
    aws_row = next(line for line in text.splitlines() if line.startswith("aws "))
    assert aws_row.split()[1:3] == ["40", "20"], "40 buckets to create, 20 protected"
    assert "2 unpriced items are not in the totals" in text


def test_color_only_when_asked() -> None:
    assert "\033[" in render_summary(_many_resources_report(), color=True, width=120)


def test_a_narrow_terminal_cuts_only_the_service_listing() -> None:
    plan = _many_resources_report()
    # Long service names make the listing wider than the terminal.
    for service in ("ec2instances", "iamidentity", "kmskeysandmore", "sagemakerendpoints"):
        plan.run.resources.append(resource(STACK, f"aws:{service}/longName:LongName", f"x-{service}"))
    lines = render_summary(plan, color=False, width=80).splitlines()
    header = next(line for line in lines if line.startswith("CLOUD"))
    for column in ("CREATE", "PROTECTED", f"MONTHLY (floor{DASH}ceiling)", "UNPRICED"):
        assert column in header, header
    assert any(line.startswith("aws ") and f"$40.00{DASH}$2,000" in line for line in lines)
