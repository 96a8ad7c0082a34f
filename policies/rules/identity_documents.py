"""IAM and RAM policy documents read the way AWS and Alibaba Cloud evaluate them.

A rule asks what a statement *means*, not how it is spelled: action names are matched without
regard to case and with `*` / `?` wildcards expanded (`IAM:pass*` grants `iam:PassRole`),
`NotAction` / `NotResource` / `NotPrincipal` grant everything they do not name, a resource
pattern that names every resource of its kind (`*`, `arn:aws:s3:::*/*`, `role/*`,
`parameter*`) is as broad as `*`, a principal may be `"*"`, `{"AWS": "*"}` or an ARN with a
wildcard account, and a condition restricts only when its operator and key truly narrow the
request (an `...IfExists`, a negated operator or a wildcard value narrows nothing).

Statements read their fields lazily, so a check that only needs the actions does not read (and
is not held up by) a resource ARN not known until the update.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from policies.framework import as_list, parse_json

_PROBE = "zq9probe"
"""An action or service name that no cloud has: a pattern that matches it matches every name."""


@functools.lru_cache(maxsize=4096)
def _pattern(glob: str) -> re.Pattern[str]:
    parts = ("." if c == "?" else ".*" if c == "*" else re.escape(c) for c in glob)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def glob_match(glob: str, value: str) -> bool:
    """Whether `value` matches the IAM-style pattern `glob` (`*` any run, `?` one character),
    case-insensitively."""
    return _pattern(glob).fullmatch(value) is not None


def _strings(value: Any) -> list[str]:
    """A policy field that may be one string or a list of them, as strings (other values, and
    values not known yet, give nothing: reading them is noted by the framework)."""
    if isinstance(value, str):
        return [value]
    return [v for v in as_list(value) if isinstance(v, str)]


def _field(statement: Mapping[str, Any], name: str) -> Any:
    """A statement field by name; the clouds spell them in CamelCase, but a document that does
    not is read the same way rather than being passed as empty."""
    if name in statement:
        return statement[name]
    for key in statement:
        if isinstance(key, str) and key.lower() == name.lower():
            return statement[key]
    return None


# -- conditions ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Condition:
    operator: str
    """Lower-case, with any `ForAnyValue:` / `ForAllValues:` qualifier kept."""
    key: str
    """Lower-case condition key (`aws:sourceaccount`, `oidc.eks...:sub`)."""
    values: tuple[str, ...]

    @property
    def narrows(self) -> bool:
        """Whether the condition can only make the statement apply to fewer requests: a positive
        match (equality, pattern, ARN, IP) that is not skipped when the key is missing and whose
        values are not all wildcards. `ForAllValues:` passes when the key is absent: no."""
        op = self.operator
        if op.startswith("forallvalues:") or op.endswith("ifexists") or "not" in op.split(":")[-1]:
            return False
        base = op.split(":")[-1]
        if not base.startswith(("stringequals", "stringlike", "arnequals", "arnlike", "ipaddress")):
            return False
        return bool(self.values) and all(v.strip("*?") for v in self.values)


def conditions(statement: Mapping[str, Any]) -> list[Condition]:
    found: list[Condition] = []
    block = _field(statement, "Condition")
    if not isinstance(block, Mapping):
        return found
    for operator, clause in block.items():
        if not isinstance(operator, str) or not isinstance(clause, Mapping):
            continue
        for key, value in clause.items():
            if isinstance(key, str):
                found.append(Condition(operator.lower(), key.lower(), tuple(str(v) for v in _strings(value))))
    return found


def narrowed_by(statement: Statement, keys: Iterable[str], prefixes: Iterable[str] = ()) -> list[Condition]:
    """The statement's conditions that narrow it on one of `keys` (lower-case) or on a key that
    starts with one of `prefixes` (`aws:resourcetag/`)."""
    wanted, starts = set(keys), tuple(prefixes)
    return [c for c in statement.conditions if c.narrows and (c.key in wanted or (starts and c.key.startswith(starts)))]


# -- statements ------------------------------------------------------------------------------------
class Statement:
    """One statement of a policy document; fields are read when a check asks for them."""

    def __init__(self, raw: Mapping[str, Any], index: int):
        self.raw = raw
        self.index = index

    @property
    def label(self) -> str:
        sid = _field(self.raw, "Sid")
        return str(sid) if isinstance(sid, str) and sid else str(self.index)

    @property
    def allows(self) -> bool:
        effect = _field(self.raw, "Effect")
        return isinstance(effect, str) and effect.lower() == "allow"

    # actions
    @property
    def not_action(self) -> bool:
        return _field(self.raw, "NotAction") is not None

    @property
    def actions(self) -> list[str]:
        """The Action patterns, or the NotAction patterns when the statement uses NotAction."""
        return _strings(_field(self.raw, "NotAction" if self.not_action else "Action"))

    def grants(self, action: str) -> bool:
        """Whether this statement's action part covers the concrete `action` (`iam:PassRole`)."""
        matched = any(glob_match(p, action) for p in self.actions)
        return not matched if self.not_action else matched

    def granted(self, actions: Iterable[str]) -> list[str]:
        return [a for a in actions if self.grants(a)]

    @property
    def all_actions(self) -> bool:
        """Grants every action of every service (`*`, `*:*`, `NotAction` of a few)."""
        return self.grants(f"{_PROBE}:{_PROBE}")

    def service_wildcards(self) -> list[str]:
        """Action patterns that grant every action of a service (`s3:*`, `IAM:*`, `ec2:?*`)."""
        if self.not_action:
            return []
        found = []
        for pattern in self.actions:
            service = pattern.split(":", 1)[0] if ":" in pattern else _PROBE
            probe = f"{service if '*' not in service and '?' not in service else _PROBE}:{_PROBE}"
            if glob_match(pattern, probe):
                found.append(pattern)
        return found

    # resources
    @property
    def not_resource(self) -> bool:
        return _field(self.raw, "NotResource") is not None

    @property
    def resources(self) -> list[str]:
        return _strings(_field(self.raw, "NotResource" if self.not_resource else "Resource"))

    def broad_resources(self) -> list[str]:
        """Resource patterns that name every resource of their kind (`NotResource` names
        everything it does not list, so all of it is broad)."""
        if self.not_resource:
            return [f"NotResource {', '.join(self.resources) or '[]'}"]
        return [r for r in self.resources if broad_resource(r)]

    # principals
    @property
    def not_principal(self) -> bool:
        return _field(self.raw, "NotPrincipal") is not None

    @property
    def principals(self) -> list[tuple[str, str]]:
        """(kind, value) pairs, kind lower-case (`aws`, `service`, `federated`, `ram`, `*`)."""
        return principal_pairs(_field(self.raw, "NotPrincipal" if self.not_principal else "Principal"))

    @property
    def conditions(self) -> list[Condition]:
        return conditions(self.raw)


def principal_pairs(principal: Any) -> list[tuple[str, str]]:
    if isinstance(principal, str):
        return [("*", principal)]
    if isinstance(principal, Mapping):
        return [(str(kind).lower(), value) for kind, values in principal.items() for value in _strings(values)]
    return []


def statements(document: Any) -> list[Statement]:
    """The statements of an IAM / RAM policy document (a JSON string or an object); none when
    the document is absent, not known yet or not a policy."""
    parsed = parse_json(document)
    if not isinstance(parsed, Mapping):
        return []
    found = _field(parsed, "Statement")
    if isinstance(found, Mapping):
        found = [found]
    return [Statement(s, i) for i, s in enumerate(as_list(found)) if isinstance(s, Mapping)]


def allowing(document: Any) -> Iterator[Statement]:
    yield from (s for s in statements(document) if s.allows)


# -- resources -------------------------------------------------------------------------------------
_UNTYPED_SERVICES = {"s3", "oss"}
"""Services whose ARNs name the resource directly (`arn:aws:s3:::bucket/key`), with no type prefix."""
_TYPE_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_-]*[/:]?")


def broad_resource(pattern: str) -> bool:
    """Whether an ARN pattern names every resource of its kind: `*`, `arn:aws:*`,
    `arn:aws:s3:::*/*`, `arn:aws:iam::123456789012:role/*`, `arn:aws:ssm:*:*:parameter*`,
    `acs:ram::*:role/*`. A pattern with a literal name before its first wildcard (a bucket, a
    role path, a log group) is scoped."""
    text = pattern.strip()
    if not any(c in text for c in "*?"):
        return False
    if not text.lower().startswith(("arn:", "acs:")):
        return text[0] in "*?"
    parts = text.split(":", 5)
    if len(parts) < 6:  # `arn:aws:*`: the wildcard swallows service, region, account, resource
        return any(c in parts[-1] for c in "*?") and not parts[-1].strip("*?")
    service, resource = parts[2].lower(), parts[5]
    if not resource or resource[0] in "*?":
        return True
    if service in _UNTYPED_SERVICES or any(c in service for c in "*?"):
        return False
    typed = _TYPE_PREFIX.match(resource)
    # Only a resource-type word (`role/`, `key/`, `secret:`, `parameter`) before the wildcard.
    return typed is not None and resource[typed.end() :][:1] in ("*", "?")


# -- principals ------------------------------------------------------------------------------------
_IDENTITY_SERVICES = {"iam", "sts", "ram"}


def public_principal(kind: str, value: str) -> bool:
    """Whether a principal stands for everyone: `*` of any kind, an ARN whose account is a
    wildcard (`arn:aws:iam::*:root`, `acs:ram::*:root`), or a wildcard service."""
    text = value.strip()
    if not text.strip("*?"):
        return True
    parts = text.split(":")
    # arn:<partition>:iam::<account>:... ; acs:ram::<account>:...
    service, account = (parts[2], parts[4]) if parts[0].lower() == "arn" and len(parts) >= 6 else ("", "")
    if parts[0].lower() == "acs" and len(parts) >= 5:
        service, account = parts[1], parts[3]
    if service.lower() in _IDENTITY_SERVICES:
        return bool(account) and not account.strip("*?")
    return kind == "service" and text[0] in "*?"


PRINCIPAL_NARROWING_KEYS = (
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceowner",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:userid",
    "kms:calleraccount",
    "acs:sourcevpc",
    "acs:principalaccount",
)
"""Condition keys that narrow who may use a grant to an account, organisation, source resource
or private network (a source IP or an external id does not: anyone can use them)."""


def open_to_everyone(statement: Statement) -> bool:
    """An Allow to every principal (`*`, a wildcard account, or `NotPrincipal`) that no
    condition narrows to an account, organisation, source or network."""
    if not statement.allows:
        return False
    public = statement.not_principal or any(public_principal(k, v) for k, v in statement.principals)
    return public and not narrowed_by(statement, PRINCIPAL_NARROWING_KEYS)


RESOURCE_NARROWING_KEYS = (
    "ec2:vpc",
    "ec2:subnet",
    "kms:resourcealiases",
    "kms:requestalias",
    "secretsmanager:secretid",
    "s3:prefix",
)
RESOURCE_NARROWING_PREFIXES = (
    "aws:resourcetag/",
    "ec2:resourcetag/",
    "iam:resourcetag/",
    "secretsmanager:resourcetag/",
    "ssm:resourcetag/",
    "acs:resourcetag/",
)
"""Condition keys that narrow which resources a statement reaches (a tag, a network, an alias):
a broad resource pattern with one of them is scoped."""


def broad_and_unnarrowed(statement: Statement) -> list[str]:
    """The statement's broad resource patterns, unless a condition narrows the resources."""
    broad = statement.broad_resources()
    if broad and narrowed_by(statement, RESOURCE_NARROWING_KEYS, RESOURCE_NARROWING_PREFIXES):
        return []
    return broad
