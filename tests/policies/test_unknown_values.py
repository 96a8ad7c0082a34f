"""Three-valued judgement: at a preview, values a provider computes are unknown. A rule never
passes silently on a value it cannot see, never fails on one, and judges a reference by the
resource of the stack it was computed from."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest

from policies.framework import UNKNOWN, Finding, Resource
from tests.policies import (
    test_identity,
    test_keys_registries_logs,
    test_kubernetes,
    test_kubernetes_depth,
    test_network_identity_ml,
    test_network_meaning,
    test_secrets,
    test_storage,
)
from tests.policies.builders import changed, find, judge, res

KEY = "aws:kms/key:Key"
S3 = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"


def _leaves(value: Any, path: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for key in dict.keys(value):
            yield from _leaves(dict.__getitem__(value, key), f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index in range(len(value)):
            yield from _leaves(list.__getitem__(value, index), f"{path}.{index}" if path else str(index))
    elif path:
        yield path


def _value(resource: Resource, path: str) -> Any:
    node: Any = resource.props
    for part in path.split("."):
        node = list.__getitem__(node, int(part)) if isinstance(node, list) else dict.__getitem__(node, part)
    return node


def _on(findings: Sequence[Finding], resource: Resource) -> list[Finding]:
    return [f for f in findings if f.urn == resource.urn]


DEPTH_MODULES = [test_network_meaning, test_kubernetes_depth, test_keys_registries_logs]
"""Tables of the depth rules (issue 13): each has GOOD (sets per cloud), RULES (every rule judged
on every set) and VIOLATIONS (rule, set, break, flagged, message part)."""

Case = tuple[str, Callable[[], list[Resource]], Callable[[list[Resource]], list[Resource]], str]


def _cases() -> Iterator[Any]:
    tables = [
        (test_storage.VIOLATIONS, test_storage.GOOD),
        (test_kubernetes.VIOLATIONS, test_kubernetes.GOOD),
        (test_network_identity_ml.VIOLATIONS, test_network_identity_ml.GOOD),
        *((module.VIOLATIONS, module.GOOD) for module in DEPTH_MODULES),
        (test_identity.VIOLATIONS, test_identity.GOOD),
        (test_secrets.VIOLATIONS, test_secrets.GOOD),
    ]
    for violations, good in tables:
        for rule, group, break_it, flagged, _contains in violations:
            yield pytest.param(rule, good[group], break_it, flagged, id=f"{rule}-{flagged}")


def _unknown_variants(good: list[Resource], broken: list[Resource], flagged: str) -> Iterator[tuple[str, str]]:
    """(resource, path) pairs to make unknown: every value the break changed or added, and every
    value of the flagged resource."""
    before = {r.name: r for r in good}
    for resource in broken:
        original = before.get(resource.name)
        for path in _leaves(resource.props):
            if resource.name == flagged:
                yield resource.name, path
                continue
            try:
                same = original is not None and _value(original, path) == _value(resource, path)
            except (KeyError, IndexError, TypeError):
                same = False
            if not same:
                yield resource.name, path


@pytest.mark.parametrize(("rule", "good", "break_it", "flagged"), list(_cases()))
def test_an_unknown_value_never_turns_a_violation_into_a_silent_pass(rule, good, break_it, flagged) -> None:
    """Make each value the violation rests on unknown, one at a time: the resource is still
    reported, as a violation or as not decidable yet, never passed."""
    broken = break_it(good())
    for name, path in _unknown_variants(good(), broken, flagged):
        resources = changed(broken, name, path, UNKNOWN)
        found = _on(judge(rule, resources), find(resources, flagged))
        assert found, f"{rule}: {name}.{path} unknown made {flagged} pass silently"


def _compliant_sets() -> Iterator[Any]:
    groups = [
        (test_storage.GOOD, {g: test_storage.BUCKET_RULES for g in test_storage.GOOD}),
        (test_kubernetes.GOOD, {g: test_kubernetes.RULES for g in test_kubernetes.GOOD}),
        (test_network_identity_ml.GOOD, test_network_identity_ml.RULES),
        *((module.GOOD, {g: module.RULES for g in module.GOOD}) for module in DEPTH_MODULES),
        (test_identity.GOOD, test_identity.RULES),
        (test_secrets.GOOD, test_secrets.RULES),
    ]
    for good, rules in groups:
        for group, make in good.items():
            for rule in rules[group]:
                yield pytest.param(rule, make, id=f"{rule}-{group}")


@pytest.mark.parametrize(("rule", "good"), list(_compliant_sets()))
def test_an_unknown_value_never_makes_a_compliant_resource_violate(rule, good) -> None:
    """Make each value of a known-good set unknown, one at a time: the verdict may become "not
    known until the update", never a violation (a preview must not refuse what the update allows)."""
    resources = good()
    for resource in resources:
        for path in _leaves(resource.props):
            definite = [f for f in judge(rule, changed(resources, resource.name, path, UNKNOWN)) if not f.undecided]
            assert definite == [], f"{rule}: {resource.name}.{path} unknown gave {definite}"


# -- references judged by what they come from -----------------------------------------------------------
def _s3_with_key(key_arn: Any, *, key_type: str = KEY) -> list[Resource]:
    resources = test_storage.s3_set("data")
    key = res(key_type, "data-key", {"enableKeyRotation": True})
    sse = find(resources, "data-encryption")
    rules = [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": key_arn}}]
    wired = res(
        SSE,
        "data-encryption",
        {**dict(sse.props), "rules": rules},
        deps={"bucket": find(resources, "data-bucket"), "rules": key},
    )
    return [*(r for r in resources if r.name != "data-encryption"), wired, key]


def test_a_key_id_not_known_yet_from_a_customer_key_of_the_stack_is_a_customer_key() -> None:
    findings = judge("bucket-encrypted-with-cmk", _s3_with_key(UNKNOWN))
    assert findings == []


def test_a_key_id_not_known_yet_from_elsewhere_is_undecided_not_a_violation() -> None:
    findings = judge("bucket-encrypted-with-cmk", _s3_with_key(UNKNOWN, key_type="aws:iam/role:Role"))
    [finding] = findings
    assert finding.undecided and "kmsMasterKeyId" in finding.message


def test_an_aws_managed_key_is_not_a_customer_key() -> None:
    findings = judge("bucket-encrypted-with-cmk", _s3_with_key("alias/aws/s3"))
    [finding] = findings
    assert not finding.undecided and "customer-managed" in finding.message


def test_an_unknown_iam_document_is_undecided_never_a_pass() -> None:
    role = res("aws:iam/role:Role", "role", {"name": "r"})
    policy = res("aws:iam/rolePolicy:RolePolicy", "policy", {"role": "r", "policy": UNKNOWN}, deps={"role": role})
    for rule in ("iam-no-admin-or-wildcard-actions", "iam-no-wildcard-resources"):
        [finding] = judge(rule, [role, policy])
        assert finding.undecided and finding.urn == policy.urn, (rule, finding)


def test_a_known_iam_document_with_an_unknown_resource_arn_is_still_judged_on_its_actions() -> None:
    document = json.dumps({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    policy = res("aws:iam/rolePolicy:RolePolicy", "policy", {"role": UNKNOWN, "policy": document})
    [finding] = judge("iam-no-admin-or-wildcard-actions", [policy])
    assert not finding.undecided, "the role is unknown, the wildcard action is not"


def test_a_node_pool_running_as_an_account_of_the_stack_is_judged_at_preview() -> None:
    account = res("gcp:serviceaccount/account:Account", "nodes-sa", {"accountId": "nodes"})
    pool = res(
        "gcp:container/nodePool:NodePool",
        "gpu",
        {"nodeConfig": {"serviceAccount": UNKNOWN, "machineType": "g2-standard-8"}},
        deps={"nodeConfig": account},
    )
    assert judge("k8s-nodes-custom-service-account", [account, pool]) == []
    elsewhere = res("gcp:container/nodePool:NodePool", "gpu", {"nodeConfig": {"serviceAccount": UNKNOWN}})
    [finding] = judge("k8s-nodes-custom-service-account", [elsewhere])
    assert finding.undecided


def test_an_unset_service_account_is_a_violation_at_preview_too() -> None:
    pool = res("gcp:container/nodePool:NodePool", "gpu", {"nodeConfig": {"machineType": "g2-standard-8"}})
    [finding] = judge("k8s-nodes-custom-service-account", [pool])
    assert not finding.undecided, "nothing is unknown: the default account is certain"
