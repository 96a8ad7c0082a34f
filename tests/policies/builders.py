"""Build resources the way the engine hands them to the pack, and judge them with one rule.

Each test starts from a known-good set of resources (`good_*` in the test modules), changes one
field (`changed`) or removes one hardening resource (`without`), and asserts the rule's finding
names the resource by URN.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from policies.framework import Finding, Resource, Rule, StackEnv
from policies.rules import rules_by_id

PROJECT = "proj"
STACK = "test"
ENV = StackEnv(stack=STACK, project=PROJECT, config={})
TAGS = {"environment": "test", "owner": "ml", "cost-center": "cc-1", "managed-by": "pulumi", "project": "ai-infra"}
DELETE = object()
"""`changed(..., path, DELETE)` removes the input."""


def urn(type_: str, name: str) -> str:
    return f"urn:pulumi:{STACK}::{PROJECT}::{type_}::{name}"


def res(
    type_: str,
    name: str,
    props: Mapping[str, Any] | None = None,
    *,
    protect: bool = False,
    deps: Mapping[str, Resource | Sequence[Resource]] | None = None,
    provider: Resource | None = None,
) -> Resource:
    """A resource; `deps` maps an input name to the resource(s) it was computed from."""
    property_dependencies = {
        prop: tuple(r.urn for r in ([source] if isinstance(source, Resource) else source))
        for prop, source in (deps or {}).items()
    }
    return Resource(
        type=type_,
        urn=urn(type_, name),
        props=copy.deepcopy(dict(props or {})),
        protect=protect,
        dependencies=tuple(sorted({u for urns in property_dependencies.values() for u in urns})),
        property_dependencies=property_dependencies,
        provider=provider,
    )


def _set(props: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node: Any = props
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    elif value is DELETE:
        node.pop(last, None)
    else:
        node[last] = value


def changed(resources: Iterable[Resource], name: str, path: str, value: Any) -> list[Resource]:
    """The same resources with one input of resource `name` set to `value` (or removed)."""
    result = []
    for resource in resources:
        if resource.name == name:
            props = copy.deepcopy(dict(resource.props))
            _set(props, path, value)
            resource = Resource(
                type=resource.type,
                urn=resource.urn,
                props=props,
                protect=resource.protect,
                dependencies=resource.dependencies,
                property_dependencies=resource.property_dependencies,
                provider=resource.provider,
            )
        result.append(resource)
    return result


def without(resources: Iterable[Resource], name: str) -> list[Resource]:
    """The same resources minus the one named `name` (a missing hardening resource)."""
    resources = list(resources)
    kept = [r for r in resources if r.name != name]
    assert len(kept) < len(resources), f"no resource {name!r}"
    return kept


def unprotected(resources: Iterable[Resource], name: str) -> list[Resource]:
    """The same resources with `protect` off on resource `name`."""
    return [dataclasses.replace(r, protect=False) if r.name == name else r for r in resources]


def find(resources: Iterable[Resource], name: str) -> Resource:
    for resource in resources:
        if resource.name == name:
            return resource
    raise LookupError(name)


def judge(
    rule_id: str, resources: Sequence[Resource], config: Mapping[str, Any] | None = None, env: StackEnv = ENV
) -> list[Finding]:
    rule: Rule = rules_by_id()[rule_id]
    return rule.evaluate(list(resources), env, config)


def assert_compliant(rule_id: str, resources: Sequence[Resource], config: Mapping[str, Any] | None = None) -> None:
    findings = judge(rule_id, resources, config)
    assert findings == [], f"{rule_id} should pass, found: {findings}"


def assert_flags(
    rule_id: str,
    resources: Sequence[Resource],
    name: str,
    config: Mapping[str, Any] | None = None,
    *,
    contains: str = "",
) -> list[str]:
    """The rule reports resource `name` (by URN); returns its messages."""
    findings = judge(rule_id, resources, config)
    target = find(resources, name).urn
    messages = [f.message for f in findings if f.urn == target]
    assert messages, f"{rule_id} should flag {target}; found: {findings}"
    if contains:
        assert any(contains in m for m in messages), messages
    return messages
