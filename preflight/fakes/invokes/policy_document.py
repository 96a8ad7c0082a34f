"""`aws.iam.get_policy_document` rendered from its arguments, as the provider renders it.

The provider builds the document from its statements (Terraform's aws_iam_policy_document):
keys in the order Version, Id, Statement and, per statement, Sid, Effect, Action, NotAction,
Resource, NotResource, Principal, NotPrincipal, Condition; `Effect` defaults to Allow; a set of
one value collapses to the value itself; a `*` principal of type `*` is the bare string `"*"`;
`json` is indented by two spaces and `minifiedJson` is compact. Sets come out in sorted order.
Source and override documents are merged statement by statement (`Sid` decides).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any


def _get(mapping: Mapping[str, Any], camel: str) -> Any:
    """A statement field by its wire name or its Python name (programs pass either)."""
    if camel in mapping:
        return mapping[camel]
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in camel)
    return mapping.get(snake)


def _collapse(values: Any) -> Any:
    items = sorted({str(v) for v in values}) if isinstance(values, Sequence) and not isinstance(values, str) else values
    if isinstance(items, list) and len(items) == 1:
        return items[0]
    return items


def _principals(entries: Any) -> Any:
    if not isinstance(entries, Sequence) or isinstance(entries, str):
        return None
    grouped: dict[str, list[str]] = {}
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue
        kind = str(_get(entry, "type") or "AWS")
        identifiers = _get(entry, "identifiers") or []
        grouped.setdefault(kind, []).extend(str(i) for i in identifiers)
    if set(grouped) == {"*"} and grouped["*"] == ["*"]:
        return "*"
    return {kind: _collapse(ids) for kind, ids in sorted(grouped.items())}


def _conditions(entries: Any) -> dict[str, dict[str, Any]] | None:
    if not isinstance(entries, Sequence) or isinstance(entries, str) or not entries:
        return None
    result: dict[str, dict[str, Any]] = {}
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue
        test, variable = str(_get(entry, "test")), str(_get(entry, "variable"))
        values = [str(v) for v in (_get(entry, "values") or [])]
        result.setdefault(test, {})[variable] = values[0] if len(values) == 1 else values
    return result


def render_statement(statement: Mapping[str, Any]) -> dict[str, Any]:
    rendered: dict[str, Any] = {}
    if _get(statement, "sid"):
        rendered["Sid"] = str(_get(statement, "sid"))
    rendered["Effect"] = str(_get(statement, "effect") or "Allow")
    for field, key in (
        ("actions", "Action"),
        ("notActions", "NotAction"),
        ("resources", "Resource"),
        ("notResources", "NotResource"),
    ):
        values = _get(statement, field)
        if values:
            rendered[key] = _collapse(values)
    for field, key in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
        principals = _principals(_get(statement, field))
        if principals:
            rendered[key] = principals
    conditions = _conditions(_get(statement, "conditions"))
    if conditions:
        rendered["Condition"] = conditions
    return rendered


def _statements_of(document: Any) -> list[dict[str, Any]]:
    try:
        parsed = json.loads(document) if isinstance(document, str) else None
    except ValueError:
        return []
    statements = parsed.get("Statement", []) if isinstance(parsed, dict) else []
    return [s for s in ([statements] if isinstance(statements, dict) else statements) if isinstance(s, dict)]


def _merge(base: list[dict[str, Any]], overrides: list[dict[str, Any]]) -> list[dict[str, Any]]:
    merged = list(base)
    for statement in overrides:
        sid = statement.get("Sid")
        index = next((i for i, s in enumerate(merged) if sid and s.get("Sid") == sid), None)
        if index is None:
            merged.append(statement)
        else:
            merged[index] = statement
    return merged


def render_policy_document(args: Mapping[str, Any]) -> dict[str, Any]:
    """The invoke's result: `json`, `minifiedJson` and `id` (a hash of the document)."""
    statements: list[dict[str, Any]] = []
    for source in _get(args, "sourcePolicyDocuments") or []:
        statements = _merge(statements, _statements_of(source))
    own = [render_statement(s) for s in (_get(args, "statements") or []) if isinstance(s, Mapping)]
    statements = _merge(statements, own)
    for override in _get(args, "overridePolicyDocuments") or []:
        statements = _merge(statements, _statements_of(override))
    document: dict[str, Any] = {"Version": str(_get(args, "version") or "2012-10-17")}
    if _get(args, "policyId"):
        document["Id"] = str(_get(args, "policyId"))
    document["Statement"] = statements
    minified = json.dumps(document, separators=(",", ":"))
    return {
        "json": json.dumps(document, indent=2),
        "minifiedJson": minified,
        "id": str(int(hashlib.sha256(minified.encode()).hexdigest()[:8], 16)),
        "version": document["Version"],
    }
