"""Suppressions: reviewed exceptions to a rule, as data (`policies/suppressions/<stack>.yaml`).

```yaml
suppressions:
  - rule: endpoint-scales-to-zero
    urn: "urn:pulumi:dev::ai-infra::...::dev-chat-config"   # or name: "dev-chat-*" (a glob on the resource name)
    reason: "Demo endpoint kept warm for the latency benchmark"   # 10+ characters, one line
    owner: ml-platform
    expires: 2027-01-31
```

A matching, unexpired entry turns the finding into an advisory one marked as suppressed (the
finding is still reported, with the reason). A rule's findings are suppressible only when its
policy config sets `allowSuppression: true`. An expired entry is ignored (the finding is enforced
again) and is itself reported. The file is validated strictly: a mistake stops the run with the
file, the entry index and what is wrong.
"""

from __future__ import annotations

import datetime
import fnmatch
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from policies.framework import urn_name

_FIELDS = {"rule", "urn", "name", "reason", "owner", "expires"}
_OWNER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$")
MIN_REASON = 10


class SuppressionFileError(ValueError):
    """The suppression file is not valid; the message names the file, entry and field."""


@dataclass(frozen=True)
class Suppression:
    index: int
    rule: str
    urn: str | None
    name: str | None
    """Glob on the resource name (the last part of the URN), e.g. `dev-chat-*`."""
    reason: str
    owner: str
    expires: datetime.date
    """Last day the suppression applies."""

    @property
    def target(self) -> str:
        return self.urn or f"resources named {self.name!r}"

    def matches(self, rule: str, urn: str) -> bool:
        if rule != self.rule:
            return False
        if self.urn is not None:
            return urn == self.urn
        return self.name is not None and fnmatch.fnmatchcase(urn_name(urn), self.name)

    def expired(self, today: datetime.date) -> bool:
        return today > self.expires

    def problems(self, today: datetime.date, limits: SuppressionLimits) -> list[str]:
        """Why this entry does not apply: expired, or beyond the environment's limits."""
        found = []
        if self.expired(today):
            found.append(f"expired on {self.expires.isoformat()}")
        elif (self.expires - today).days > limits.max_days:
            found.append(
                f"expires {self.expires.isoformat()}, more than {limits.max_days} days ahead (the limit for this "
                "environment in policies/suppressions/limits.yaml)"
            )
        if self.name is not None and too_broad(self.name):
            found.append(f"name {self.name!r} matches (nearly) every resource; name the resources it is about")
        return found


@dataclass(frozen=True)
class SuppressionLimits:
    """What a stack's suppressions may do (policies/suppressions/limits.yaml, reviewed with the pack)."""

    max_days: int
    """How far ahead an entry may expire."""


DEFAULT_LIMITS = SuppressionLimits(max_days=90)
"""For a stack the limits file does not name: the strictest (prod's)."""
MIN_LITERAL = 2
"""A name glob needs this many literal characters: `*`, `*-*` or `?*` would match everything."""


def too_broad(glob: str) -> bool:
    return len(re.sub(r"\[[^\]]*\]|[*?]", "", glob).strip("-_.")) < MIN_LITERAL


def load_limits(path: Path, stack: str) -> SuppressionLimits:
    """The limits for `stack` (its own entry, else `default`, else DEFAULT_LIMITS)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return DEFAULT_LIMITS
    except yaml.YAMLError as exc:
        raise SuppressionFileError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise SuppressionFileError(f"{path}: expected a mapping of stack name -> limits")
    entry = raw.get(stack, raw.get("default"))
    if entry is None:
        return DEFAULT_LIMITS
    days = entry.get("max_days") if isinstance(entry, dict) else None
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        raise SuppressionFileError(
            f"{path}: {stack if stack in raw else 'default'}.max_days: {days!r} is not a number of days >= 1"
        )
    return SuppressionLimits(max_days=days)


def _problem(path: Path, index: int | None, field: str | None, message: str) -> SuppressionFileError:
    where = f"suppressions[{index}]" if index is not None else "top level"
    if field:
        where += f".{field}"
    return SuppressionFileError(f"{path}: {where}: {message}")


def _date(path: Path, index: int, value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise _problem(path, index, "expires", f"{value!r} is not a date (YYYY-MM-DD)")


def _entry(path: Path, index: int, raw: Any, known_rules: Collection[str]) -> Suppression:
    if not isinstance(raw, dict):
        raise _problem(path, index, None, "each entry is a mapping with rule, urn or name, reason, owner, expires")
    unknown = sorted(set(map(str, raw)) - _FIELDS)
    if unknown:
        raise _problem(path, index, unknown[0], f"unknown field (allowed: {', '.join(sorted(_FIELDS))})")
    for field in ("rule", "reason", "owner", "expires"):
        if raw.get(field) in (None, ""):
            raise _problem(path, index, field, "is required")
    rule = raw["rule"]
    if not isinstance(rule, str) or (known_rules and rule not in known_rules):
        raise _problem(
            path, index, "rule", f"{rule!r} is not a rule of the pack (known: {', '.join(sorted(known_rules))})"
        )
    urn, name = raw.get("urn"), raw.get("name")
    if (urn is None) == (name is None):
        raise _problem(
            path, index, "urn", "give exactly one of urn (a resource URN) and name (a glob on resource names)"
        )
    if urn is not None and (not isinstance(urn, str) or not urn.startswith("urn:pulumi:")):
        raise _problem(
            path, index, "urn", f"{urn!r} is not a Pulumi URN (urn:pulumi:<stack>::<project>::<type>::<name>)"
        )
    if name is not None and (not isinstance(name, str) or not name.strip()):
        raise _problem(path, index, "name", "must be a non-empty glob such as 'dev-chat-*'")
    reason = raw["reason"]
    if not isinstance(reason, str) or len(reason.strip()) < MIN_REASON or "\n" in reason.strip():
        raise _problem(path, index, "reason", f"must be one line of at least {MIN_REASON} characters saying why")
    owner = raw["owner"]
    if not isinstance(owner, str) or not _OWNER.match(owner):
        raise _problem(path, index, "owner", f"{owner!r} is not an owner (a team or person: letters, digits, ._@+-)")
    return Suppression(
        index=index,
        rule=rule,
        urn=urn,
        name=name,
        reason=reason.strip(),
        owner=owner,
        expires=_date(path, index, raw["expires"]),
    )


def parse_suppressions(path: Path, text: str, known_rules: Collection[str] = ()) -> list[Suppression]:
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SuppressionFileError(f"{path}: not valid YAML: {exc}") from None
    if loaded is None:
        return []
    if not isinstance(loaded, dict) or set(loaded) - {"suppressions"}:
        raise _problem(path, None, None, "expected a mapping with a single key 'suppressions' (a list)")
    entries = loaded.get("suppressions") or []
    if not isinstance(entries, list):
        raise _problem(path, None, "suppressions", "must be a list of entries")
    return [_entry(path, index, raw, known_rules) for index, raw in enumerate(entries)]


_CACHE: dict[Path, tuple[tuple[int, int], list[Suppression]]] = {}


def load_suppressions(path: Path, known_rules: Collection[str] = (), *, required: bool = False) -> list[Suppression]:
    """The entries of `path`; none when it does not exist (unless `required`). Re-read when the
    file changes, so a long-running pack sees edits."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        if required:
            raise SuppressionFileError(f"{path}: suppression file not found") from None
        return []
    key = (stat.st_mtime_ns, stat.st_size)
    cached = _CACHE.get(path)
    if cached is not None and cached[0] == key:
        return cached[1]
    entries = parse_suppressions(path, path.read_text(encoding="utf-8"), known_rules)
    _CACHE[path] = (key, entries)
    return entries


SUPPRESSED_MARK = re.compile(
    r"^\[suppressed (?P<rule>\S+) until (?P<expires>\d{4}-\d{2}-\d{2}) by (?P<owner>\S+?): (?P<reason>.*)\]$"
)
"""How a suppressed finding's message starts (one line); preflight parses it back."""


def suppressed_mark(rule: str, entry: Suppression) -> str:
    return f"[suppressed {rule} until {entry.expires.isoformat()} by {entry.owner}: {entry.reason}]"
