"""Finds every IAM policy document a run registered and checks it for wildcards.

The rule the AWS components follow, stated once: in `Allow` statements no action contains `*`,
and `"Resource": "*"` appears only in statements whose actions IAM cannot scope to a resource
(each such statement has a `Sid` listed in `UNSCOPABLE` and a comment in the component). A `*`
inside an ARN is allowed only as the trailing object-key or log-stream part of a resource that
is otherwise exact (`arn:aws:s3:::bucket/*`, `...:log-group:name:log-stream:*`), and as the UUID
of an Auto Scaling group named exactly (`...:autoScalingGroup:*:autoScalingGroupName/<name>`:
AWS makes up the UUID when it creates the group), and as the per-run suffix of SageMaker
transform jobs under a fixed name prefix (`...:transform-job/<prefix>-*`: each run needs a new
job name). `Deny` statements may be broad (a broader deny
is stricter).

KMS key policies are resource policies of one key: there `"Resource": "*"` means that key, and
`kms:*` is allowed only in AWS's default statement that delegates the key to the account's IAM
policies (principal: the account root), which grants nothing by itself."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from preflight.records import ProgramRun, ResourceRecord

POLICY_INPUTS = ("policy", "assumeRolePolicy")
"""Input names that carry a JSON policy document on aws:iam/*, aws:s3/bucketPolicy, ..."""
UNSCOPABLE = {
    "EcrLogin": {"ecr:GetAuthorizationToken"},
    "PublishEndpointMetrics": {"cloudwatch:PutMetricData"},
    "ReadScalingState": {
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeAutoScalingInstances",
        "autoscaling:DescribeLaunchConfigurations",
        "autoscaling:DescribeScalingActivities",
        "autoscaling:DescribeTags",
        "ec2:DescribeImages",
        "ec2:DescribeInstanceTypes",
        "ec2:DescribeLaunchTemplateVersions",
        "ec2:GetInstanceTypesFromInstanceRequirements",
    },
    "DescribeVpc": {
        "ec2:DescribeDhcpOptions",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcs",
    },
}
"""Sid -> the only actions that statement may grant on `"Resource": "*"`."""
TRAILING_WILDCARDS = ("/*", ":log-stream:*")
EXACT_AUTOSCALING_GROUP = re.compile(
    r"^arn:aws:autoscaling:[a-z0-9-]+:\d{12}:autoScalingGroup:\*:autoScalingGroupName/[^*]+$"
)


def policy_documents(run: ProgramRun) -> Iterator[tuple[ResourceRecord, dict[str, Any]]]:
    """(resource, parsed document) for every policy-shaped input of every AWS resource."""
    for record in run.resources:
        if not record.type.startswith("aws:"):
            continue
        for key in POLICY_INPUTS:
            value = record.inputs.get(key)
            if isinstance(value, str) and value.lstrip().startswith("{"):
                yield record, json.loads(value)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


KEY_POLICY_TYPE = "aws:kms/key:Key"


def _delegates_to_account(statement: dict[str, Any]) -> bool:
    principal = statement.get("Principal")
    roots = _as_list(principal.get("AWS", [])) if isinstance(principal, dict) else []
    return bool(roots) and all(str(r).startswith("arn:") and str(r).endswith(":root") for r in roots)


PREFIXED_TRANSFORM_JOBS = re.compile(r"^arn:aws:sagemaker:[a-z0-9-]+:\d{12}:transform-job/[a-z0-9-]+-\*$")


def wildcard_problems(document: dict[str, Any], *, key_policy: bool = False) -> list[str]:
    """Human-readable violations of the wildcard rule (empty when the document is clean)."""
    problems = []
    for statement in _as_list(document.get("Statement", [])):
        if statement.get("Effect") != "Allow":
            continue
        sid = statement.get("Sid", "<no sid>")
        actions = _as_list(statement.get("Action", [])) + _as_list(statement.get("NotAction", []))
        delegation = key_policy and actions == ["kms:*"] and _delegates_to_account(statement)
        problems += [f"{sid}: wildcard action {a!r}" for a in actions if "*" in a and not delegation]
        if key_policy:
            continue
        if "NotResource" in statement:
            problems.append(f"{sid}: NotResource grants everything else")
        for resource in _as_list(statement.get("Resource", [])):
            if resource == "*":
                if sid not in UNSCOPABLE or not set(actions) <= UNSCOPABLE[sid]:
                    problems.append(f"{sid}: Resource '*' for {actions}")
            elif EXACT_AUTOSCALING_GROUP.match(resource) or PREFIXED_TRANSFORM_JOBS.match(resource):
                continue
            elif "*" in resource:
                stem = next((resource[: -len(t)] for t in TRAILING_WILDCARDS if resource.endswith(t)), None)
                if stem is None or "*" in stem:
                    problems.append(f"{sid}: wildcard resource {resource!r}")
    return problems


def assert_no_wildcards(run: ProgramRun) -> int:
    """Assert every policy document of the run is clean; returns how many were checked."""
    checked = 0
    for record, document in policy_documents(run):
        problems = wildcard_problems(document, key_policy=record.type == KEY_POLICY_TYPE)
        assert not problems, f"{record.type} {record.name}: {problems}"
        checked += 1
    return checked
