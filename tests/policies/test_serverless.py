"""serverless-endpoint-private: each weakness written in several forms is a definite finding; the
project's own shapes are clean; values unknown at preview are undecided, never a pass."""

from __future__ import annotations

import pytest

from policies.framework import UNKNOWN
from tests.policies.builders import changed, judge, res

RULE = "serverless-endpoint-private"

GOOD = [
    res(
        "gcp:cloudrunv2/service:Service",
        "run",
        {"ingress": "INGRESS_TRAFFIC_INTERNAL_ONLY", "invokerIamDisabled": False},
    ),
    res(
        "gcp:cloudrunv2/serviceIamMember:ServiceIamMember",
        "invoker",
        {"role": "roles/run.invoker", "member": "serviceAccount:caller@p.iam.gserviceaccount.com"},
    ),
    res(
        "gcp:cloudrunv2/jobIamBinding:JobIamBinding",
        "job-invokers",
        {"role": "roles/run.invoker", "members": ["serviceAccount:workflow@p.iam.gserviceaccount.com"]},
    ),
    res("azure-native:app:ManagedEnvironment", "env", {"vnetConfiguration": {"internal": True}}),
    res("azure-native:app:ContainerApp", "app", {"configuration": {"ingress": {"external": False}}}),
    res("alicloud:fc/v3Trigger:V3Trigger", "trigger", {"triggerType": "http", "triggerConfig": '{"authType":"jwt"}'}),
    res("aws:lambda/functionUrl:FunctionUrl", "url", {"authorizationType": "AWS_IAM"}),
]


def test_the_projects_shapes_are_clean() -> None:
    assert judge(RULE, GOOD) == []


@pytest.mark.parametrize(
    ("name", "path", "value", "says"),
    [
        ("run", "ingress", "INGRESS_TRAFFIC_ALL", "reachable from the internet"),
        ("run", "ingress", None, "unset (INGRESS_TRAFFIC_ALL)"),  # the default is public
        ("run", "invokerIamDisabled", "true", "without IAM"),  # a string bool counts too
        ("invoker", "member", "allUsers", "allUsers may call it"),
        ("invoker", "member", " AllAuthenticatedUsers ", "may call it"),  # case and spacing
        ("job-invokers", "members", ["serviceAccount:x@p.iam.gserviceaccount.com", "allUsers"], "allUsers"),
        ("env", "vnetConfiguration.internal", False, "public ingress address"),
        ("env", "vnetConfiguration", None, "public ingress address"),
        ("app", "configuration.ingress.external", True, "reachable from outside"),
        ("trigger", "triggerConfig", '{"authType":"anonymous"}', "anyone can invoke"),
        ("trigger", "triggerConfig", {"authType": "ANONYMOUS"}, "anyone can invoke"),  # a mapping, upper case
        ("trigger", "triggerConfig", '{"methods":["POST"]}', "unset (anonymous)"),
        ("url", "authorizationType", "none", "answers anyone"),
    ],
)
def test_each_weakness_in_each_form_is_a_definite_finding(name, path, value, says) -> None:
    findings = judge(RULE, changed(GOOD, name, path, value))
    assert len(findings) == 1 and not findings[0].undecided, findings
    assert says in findings[0].message and findings[0].urn.endswith(f"::{name}")


@pytest.mark.parametrize(
    ("name", "path"),
    [("run", "ingress"), ("env", "vnetConfiguration.internal"), ("trigger", "triggerConfig")],
)
def test_unknown_at_preview_is_never_a_violation(name, path) -> None:
    assert [f for f in judge(RULE, changed(GOOD, name, path, UNKNOWN)) if not f.undecided] == []


def test_a_trigger_that_is_not_http_is_not_judged() -> None:
    timer = res("alicloud:fc/v3Trigger:V3Trigger", "timer", {"triggerType": "timer", "triggerConfig": "{}"})
    assert judge(RULE, [timer]) == []
