"""SARIF 2.1.0 output, checked against the parts of the schema that code scanning relies on.

There is no network here to fetch the official schema, so `SARIF_SUBSET` below restates its
required fields (sarif-schema-2.1.0.json: sarifLog, run, tool, toolComponent, reportingDescriptor,
result, message, location, physicalLocation, artifactLocation, region, logicalLocation,
suppression) with the same names, types and enums.
"""

from __future__ import annotations

import json

import jsonschema
import pytest

from preflight.render_sarif import render_diff_sarif, render_plan_sarif
from tests.preflight.test_diff_model import dev_reports, sample_diff

_LEVEL = {"enum": ["none", "note", "warning", "error"]}
_MESSAGE = {"type": "object", "anyOf": [{"required": ["text"]}, {"required": ["id"]}]}
SARIF_SUBSET = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "$schema": {"type": "string", "format": "uri"},
        "runs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["tool"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "version": {"type": "string"},
                                    "rules": {
                                        "type": "array",
                                        "uniqueItems": True,
                                        "items": {
                                            "type": "object",
                                            "required": ["id"],
                                            "properties": {
                                                "id": {"type": "string"},
                                                "shortDescription": _MESSAGE,
                                                "help": _MESSAGE,
                                                "defaultConfiguration": {
                                                    "type": "object",
                                                    "properties": {"level": _LEVEL},
                                                },
                                            },
                                        },
                                    },
                                },
                            }
                        },
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["message"],
                            "properties": {
                                "ruleId": {"type": "string"},
                                "ruleIndex": {"type": "integer", "minimum": -1},
                                "level": _LEVEL,
                                "message": _MESSAGE,
                                "baselineState": {"enum": ["new", "unchanged", "updated", "absent"]},
                                "partialFingerprints": {
                                    "type": "object",
                                    "additionalProperties": {"type": "string"},
                                },
                                "locations": {
                                    "type": "array",
                                    "minItems": 1,
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "physicalLocation": {
                                                "type": "object",
                                                "anyOf": [
                                                    {"required": ["address"]},
                                                    {"required": ["artifactLocation"]},
                                                ],
                                                "properties": {
                                                    "artifactLocation": {
                                                        "type": "object",
                                                        "properties": {
                                                            "uri": {"type": "string", "format": "uri-reference"},
                                                            "uriBaseId": {"type": "string"},
                                                        },
                                                    },
                                                    "region": {
                                                        "type": "object",
                                                        "properties": {"startLine": {"type": "integer", "minimum": 1}},
                                                    },
                                                },
                                            },
                                            "logicalLocations": {
                                                "type": "array",
                                                "items": {
                                                    "type": "object",
                                                    "properties": {
                                                        "name": {"type": "string"},
                                                        "fullyQualifiedName": {"type": "string"},
                                                        "kind": {"type": "string"},
                                                    },
                                                },
                                            },
                                        },
                                    },
                                },
                                "suppressions": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["kind"],
                                        "properties": {
                                            "kind": {"enum": ["inSource", "external"]},
                                            "status": {"enum": ["accepted", "underReview", "rejected"]},
                                            "justification": {"type": "string"},
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}


@pytest.fixture(scope="module")
def diff_sarif() -> dict:
    return json.loads(render_diff_sarif(sample_diff()))


@pytest.fixture(scope="module")
def plan_sarif() -> dict:
    _base, head = dev_reports()
    return json.loads(render_plan_sarif(head, "infra/Pulumi.dev.yaml"))


def test_diff_sarif_validates(diff_sarif):
    jsonschema.validate(diff_sarif, SARIF_SUBSET)
    assert len(diff_sarif["runs"]) == 1


def test_plan_sarif_validates(plan_sarif):
    jsonschema.validate(plan_sarif, SARIF_SUBSET)


def test_levels_follow_enforcement_and_suppression(plan_sarif):
    results = plan_sarif["runs"][0]["results"]
    levels = {r["ruleId"]: r["level"] for r in results}
    assert levels == {
        "budget-within-limit": "error",
        "eks-spot-in-dev": "error",
        "s3-access-logging": "warning",
        "s3-lifecycle": "warning",
        "eks-imdsv2": "note",
    }
    (suppressed,) = (r for r in results if r["ruleId"] == "eks-imdsv2")
    assert suppressed["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "driver installer needs IMDS",
            "properties": {"owner": "ml-platform", "expires": "2027-01-31"},
        }
    ]
    assert all("suppressions" not in r for r in results if r["ruleId"] != "eks-imdsv2")


def test_rules_come_from_findings_and_indexes_match(plan_sarif):
    run = plan_sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert sorted(rule["id"] for rule in rules) == sorted({r["ruleId"] for r in run["results"]})
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    spot = next(rule for rule in rules if rule["id"] == "eks-spot-in-dev")
    assert spot["help"] == {"text": "fix eks-spot-in-dev"}
    assert spot["defaultConfiguration"] == {"level": "error"}
    assert spot["properties"]["security-severity"] == "5.5"


def test_locations_point_at_the_stack_file_and_the_urn(plan_sarif):
    results = plan_sarif["runs"][0]["results"]
    for result in results:
        (location,) = result["locations"]
        assert location["physicalLocation"]["artifactLocation"]["uri"] == "infra/Pulumi.dev.yaml"
        assert location["physicalLocation"]["region"] == {"startLine": 1}
    by_rule = {r["ruleId"]: r["locations"][0]["logicalLocations"][0] for r in results}
    assert by_rule["eks-spot-in-dev"]["fullyQualifiedName"].endswith("$aws:eks/nodeGroup:NodeGroup::dev-l4-nodes")
    assert by_rule["eks-spot-in-dev"]["name"] == "dev-l4-nodes"
    assert by_rule["budget-within-limit"]["fullyQualifiedName"] == (
        "urn:pulumi:dev::demo::pulumi:pulumi:Stack::demo-dev"
    ), "a stack-level finding points at the stack resource"


def test_diff_sarif_marks_new_and_unchanged_and_leaves_fixed_out(diff_sarif):
    results = diff_sarif["runs"][0]["results"]
    dev = {r["ruleId"]: r.get("baselineState") for r in results if r["properties"]["stack"] == "dev"}
    assert dev == {
        "budget-within-limit": "new",
        "eks-spot-in-dev": "new",
        "s3-access-logging": "new",
        "s3-lifecycle": "unchanged",
        "eks-imdsv2": "new",
    }
    assert "eks-no-public-ip" not in {r["ruleId"] for r in results}, "fixed findings are not results"
    staging = [r for r in results if r["properties"]["stack"] == "staging"]
    assert [r["ruleId"] for r in staging] == ["s3-public-access-block"]
    assert "baselineState" not in staging[0], "no baseline when the base could not be evaluated"
    assert staging[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "infra/Pulumi.staging.yaml"


def test_fingerprints_are_stable_and_distinct(diff_sarif):
    again = json.loads(render_diff_sarif(sample_diff()))
    assert again == diff_sarif
    prints = [r["partialFingerprints"]["preflightFinding/v1"] for r in diff_sarif["runs"][0]["results"]]
    assert len(set(prints)) == len(prints)


def test_every_rule_points_at_its_documentation(plan_sarif, monkeypatch):
    rules = plan_sarif["runs"][0]["tool"]["driver"]["rules"]
    assert rules and all(r["helpUri"] == f"docs/policy-rules.md#{r['id']}" for r in rules)
    from preflight.render_sarif import rule_help_uri

    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/ai-infra")
    monkeypatch.setenv("GITHUB_SHA", "0123abc")
    assert rule_help_uri("storage-tls-only") == (
        "https://github.com/acme/ai-infra/blob/0123abc/docs/policy-rules.md#storage-tls-only"
    )
