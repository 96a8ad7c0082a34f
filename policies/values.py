"""Property values as rules read them, and the record of which unknown values they read.

At a preview every value a provider computes is unknown (`UNKNOWN`). A rule that reads one
cannot say "compliant" or "violating" from it: the framework watches every read of a resource's
properties (`Props`, `PropList`), and a check's verdict that rests on an unknown value it did not
resolve (through a dependency, see `Context.resolved_by`) is reported as "not known until the
update" instead (`policies.framework`). Rules therefore never special-case unknown values to
pass or fail: they read properties normally and the framework keeps the judgement honest.
"""

from __future__ import annotations

import contextvars
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple


class Unknown:
    """A value not known yet (during a `pulumi preview`). Falsy, equal only to itself."""

    _instance: Unknown | None = None

    def __new__(cls) -> Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<unknown>"

    def __bool__(self) -> bool:
        return False


UNKNOWN = Unknown()


class UnknownRead(NamedTuple):
    """A rule read an unknown value: which resource, and where in its properties."""

    urn: str
    path: str


_READS: contextvars.ContextVar[list[UnknownRead] | None] = contextvars.ContextVar("policy_unknown_reads", default=None)


def record_reads(reads: list[UnknownRead] | None) -> contextvars.Token[list[UnknownRead] | None]:
    """Start collecting unknown reads into `reads` (None: stop); returns the token to reset."""
    return _READS.set(reads)


def reset_reads(token: contextvars.Token[list[UnknownRead] | None]) -> None:
    _READS.reset(token)


def _seen(urn: str, path: str, value: Any) -> Any:
    if value is UNKNOWN:
        reads = _READS.get()
        if reads is not None:
            reads.append(UnknownRead(urn, path))
    return value


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


class Props(dict):  # type: ignore[type-arg]
    """A resource's properties (or a nested object of them) that notes each unknown value read."""

    __slots__ = ("_path", "_urn")

    def __init__(self, data: Mapping[str, Any], urn: str = "", path: str = ""):
        super().__init__({k: track(v, urn, _join(path, k)) for k, v in data.items()})
        self._urn = urn
        self._path = path

    def __getitem__(self, key: Any) -> Any:
        return _seen(self._urn, _join(self._path, key), dict.__getitem__(self, key))

    def get(self, key: Any, default: Any = None) -> Any:
        return self[key] if dict.__contains__(self, key) else default

    def items(self) -> list[tuple[Any, Any]]:  # type: ignore[override]
        return [(k, self[k]) for k in dict.keys(self)]

    def values(self) -> list[Any]:  # type: ignore[override]
        return [self[k] for k in dict.keys(self)]

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return untracked(self)

    def __reduce__(self) -> Any:
        return (dict, (untracked(self),))


class PropList(list):  # type: ignore[type-arg]
    """A list property that notes each unknown element read."""

    __slots__ = ("_path", "_urn")

    def __init__(self, data: Sequence[Any], urn: str = "", path: str = ""):
        super().__init__(track(v, urn, _join(path, i)) for i, v in enumerate(data))
        self._urn = urn
        self._path = path

    def __getitem__(self, index: Any) -> Any:
        value = list.__getitem__(self, index)
        if isinstance(index, slice):
            return value
        return _seen(self._urn, _join(self._path, index), value)

    def __iter__(self) -> Iterator[Any]:
        for index in range(len(self)):
            yield self[index]

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:
        return untracked(self)

    def __reduce__(self) -> Any:
        return (list, (untracked(self),))


def track(value: Any, urn: str = "", path: str = "") -> Any:
    """`value` with its objects and lists watched for unknown reads."""
    if isinstance(value, Props | PropList):
        return value
    if isinstance(value, Mapping):
        return Props(value, urn, path)
    if isinstance(value, list | tuple):
        return PropList(value, urn, path)
    return value


def untracked(value: Any) -> Any:
    """A plain copy (dicts and lists), read without noting anything."""
    if isinstance(value, Mapping):
        return {k: untracked(dict.__getitem__(value, k) if isinstance(value, dict) else value[k]) for k in value}
    if isinstance(value, list | tuple):
        return [
            untracked(list.__getitem__(value, i) if isinstance(value, list) else value[i]) for i in range(len(value))
        ]
    return value


def peek(value: Any, path: str, default: Any = None) -> Any:
    """Like `dig`, but without noting unknown reads (for bookkeeping such as matching references)."""
    token = _READS.set(None)
    try:
        return dig(value, path, default)
    finally:
        _READS.reset(token)


# -- property access ------------------------------------------------------------------------------
def dig(value: Any, path: str, default: Any = None) -> Any:
    """`dig(props, "vpcConfig.publicAccessCidrs")`; numeric parts index lists. Missing -> default;
    an unknown value anywhere on the path -> UNKNOWN."""
    current = value
    for part in path.split("."):
        if current is UNKNOWN:
            return UNKNOWN
        if isinstance(current, Mapping):
            if part not in current:
                return default
            current = current[part]
        elif isinstance(current, Sequence) and not isinstance(current, str) and part.isdigit():
            index = int(part)
            if index >= len(current):
                return default
            current = current[index]
        else:
            return default
    return default if current is None else current


def as_bool(value: Any) -> bool | None:
    """True/False from a bool or the strings "true"/"false" (some providers use strings); None
    when absent or unknown."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def as_int(value: Any) -> int | None:
    if isinstance(value, bool) or value is UNKNOWN:
        return None
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


def present(value: Any) -> bool:
    """Whether a value is set (a non-empty string, list or object, or any other value) without
    reading the elements of a list or object: a list of ids not known yet is still present."""
    if value is None or value is UNKNOWN or value == "":
        return False
    if isinstance(value, Sequence | Mapping) and not isinstance(value, str):
        return len(value) > 0
    return True


def as_list(value: Any) -> list[Any]:
    """A list input as a list ([] when absent or unknown)."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        return list(value)
    return []


def parse_json(value: Any) -> Any:
    """A JSON document given as a string (IAM policies, PAI service configs) or already parsed;
    None when absent, unknown or not JSON."""
    if isinstance(value, Mapping | list):
        return value
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return None


def walk_strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string leaf of a nested input, with its dotted path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from walk_strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, Sequence):
        for index, item in enumerate(value):
            yield from walk_strings(item, f"{path}.{index}" if path else str(index))
