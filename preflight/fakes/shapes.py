"""Output shapes read from the provider SDKs themselves, and values that fit them.

Every generated provider SDK registers its resource modules with the Pulumi runtime (type token
-> Python class) and declares each output property with its type (`pulumi.Output[str]`,
`Sequence[outputs.ClusterIdentity]`, ...); invoke results are `@pulumi.output_type` classes. From
these the update phase fills every output a provider computes with a value of the right shape
(a one-element list of a fully populated object, a string shaped by the property's name), so a
program that reads `cluster.identities[0].oidcs[0].issuer` after `pulumi up` sees a string, never
None.
"""

from __future__ import annotations

import enum
import functools
import importlib
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pulumi import _types
from pulumi.runtime import rpc

MAX_DEPTH = 4
"""Nested output objects deeper than this are left empty (recursive types exist)."""

StringMaker = Callable[[str], str]
"""Property name -> a string value shaped for it."""


@functools.cache
def resource_class(token: str) -> type | None:
    """The SDK class registered for a resource type token, if its package is imported."""
    package, _, rest = token.partition(":")
    module_name, _, _ = rest.rpartition(":")
    for module in rpc._RESOURCE_MODULES.get(f"{package}:{module_name}", []):
        info = getattr(module, "mod_info", None)
        if not isinstance(info, Mapping):
            continue
        class_name = info.get("classes", {}).get(token)
        if class_name:
            try:
                return getattr(importlib.import_module(info["fqn"]), class_name)
            except (ImportError, AttributeError):
                return None
    return None


@functools.cache
def output_types(token: str) -> Mapping[str, Any]:
    """Engine property name -> type of every output the SDK class declares (empty when the
    class is unknown)."""
    cls = resource_class(token)
    if cls is None:
        return {}
    try:
        types = _types.resource_types(cls)
    except (NameError, TypeError, AttributeError):
        return {}
    return {name: typ for name, typ in types.items() if name not in ("id", "urn")}


@functools.cache
def result_types(result_cls: type) -> Mapping[str, Any]:
    """Engine property name -> type of an `@output_type` class (an invoke result)."""
    try:
        return _types.output_type_types(result_cls)
    except (AssertionError, NameError, TypeError, AttributeError):
        return {}


def _unwrap(typ: Any) -> Any:
    origin = typing.get_origin(typ)
    if origin is typing.Union:
        args = [a for a in typing.get_args(typ) if a is not type(None)]
        return _unwrap(args[0]) if args else str
    try:
        return _types.unwrap_type(typ)
    except (AssertionError, TypeError):
        return typ


def value_for(typ: Any, prop: str, make_string: StringMaker, depth: int = 0) -> Any:
    """A value of type `typ` for property `prop`: strings from `make_string`, numbers 0, lists
    with one element, objects with every property filled."""
    typ = _unwrap(typ)
    origin = typing.get_origin(typ)
    if typ is bool:
        return False
    if typ in (int, float):
        return 0
    if isinstance(typ, type) and issubclass(typ, enum.Enum):
        members = list(typ)
        return members[0].value if members else make_string(prop)
    if origin in (list, Sequence, typing.Sequence) or origin is getattr(typing, "List", None):
        args = typing.get_args(typ)
        return [value_for(args[0] if args else str, prop, make_string, depth + 1)] if depth < MAX_DEPTH else []
    if origin in (dict, Mapping, typing.Mapping):
        return {}
    if isinstance(typ, type) and _types.is_output_type(typ):
        if depth >= MAX_DEPTH:
            return {}
        return {name: value_for(t, name, make_string, depth + 1) for name, t in result_types(typ).items()}
    return make_string(prop)


_WIRE_SIG_KEY = "4dabf18193072939515e22adb298388d"
_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def conform(value: Any, typ: Any, replacement: Callable[[Any, str], Any], prop: str = "") -> Any:
    """`value` with every part that does not fit the declared output type `typ` replaced by
    `replacement(typ, prop)`. Some inputs change shape as outputs (an Azure identity's list of
    user-assigned ids comes back as a map keyed by id); the SDK rejects a value of the wrong
    shape, the engine never sends one."""
    if value == _UNKNOWN or value is None or (isinstance(value, dict) and _WIRE_SIG_KEY in value):
        return value
    typ = _unwrap(typ)
    origin = typing.get_origin(typ)
    if typ is str:
        return value if isinstance(value, str) else replacement(typ, prop)
    if typ is bool:
        return value if isinstance(value, bool) else replacement(typ, prop)
    if typ in (int, float):
        return value if isinstance(value, int | float) and not isinstance(value, bool) else replacement(typ, prop)
    if origin in (list, Sequence, typing.Sequence):
        if not isinstance(value, list):
            return replacement(typ, prop)
        args = typing.get_args(typ)
        return [conform(v, args[0], replacement, prop) for v in value] if args else value
    if origin in (dict, Mapping, typing.Mapping):
        if not isinstance(value, dict):
            return replacement(typ, prop)
        args = typing.get_args(typ)
        return {k: conform(v, args[1], replacement, k) for k, v in value.items()} if len(args) == 2 else value
    if isinstance(typ, type) and _types.is_output_type(typ):
        if not isinstance(value, dict):
            return replacement(typ, prop)
        types = result_types(typ)
        return {k: conform(v, types[k], replacement, k) if k in types else v for k, v in value.items()}
    return value


def unknown_nested(value: Any, typ: Any, depth: int = 0) -> Any:
    """`value` with every property its output type declares but it lacks set to unknown, in the
    objects it has: at preview a provider plans the nested attributes it computes as unknown, and
    the SDK would otherwise read a missing nested property as None."""
    if depth > MAX_DEPTH or value == _UNKNOWN or value is None:
        return value
    typ = _unwrap(typ)
    origin = typing.get_origin(typ)
    if origin in (list, Sequence, typing.Sequence) and isinstance(value, list):
        args = typing.get_args(typ)
        return [unknown_nested(v, args[0], depth + 1) for v in value] if args else value
    if isinstance(typ, type) and _types.is_output_type(typ) and isinstance(value, dict) and _WIRE_SIG_KEY not in value:
        types = result_types(typ)
        filled = {k: unknown_nested(v, types[k], depth + 1) if k in types else v for k, v in value.items()}
        for name in types:
            filled.setdefault(name, _UNKNOWN)
        return filled
    return value


def conform_state(token: str, state: Mapping[str, Any], replacement: Callable[[Any, str], Any]) -> dict[str, Any]:
    """Every top-level property of `state` conformed to the resource's declared output types."""
    types = output_types(token)
    return {k: conform(v, types[k], replacement, k) if k in types else v for k, v in state.items()}


def fill_nested(value: Any, typ: Any, make_string: StringMaker, depth: int = 0) -> Any:
    """`value` with every property its output type declares but it lacks (or holds as None) given
    a value of the right shape, in the objects it has: after `pulumi up` a provider returns the
    nested attributes it computes (a subnet's id inside a virtual network, an instance's NAT IP
    inside an access config), so the program must not read None there."""
    if depth > MAX_DEPTH or value is None or value == _UNKNOWN:
        return value
    typ = _unwrap(typ)
    origin = typing.get_origin(typ)
    if origin in (list, Sequence, typing.Sequence) and isinstance(value, list):
        args = typing.get_args(typ)
        return [fill_nested(v, args[0], make_string, depth + 1) for v in value] if args else value
    if isinstance(typ, type) and _types.is_output_type(typ) and isinstance(value, dict) and _WIRE_SIG_KEY not in value:
        types = result_types(typ)
        filled = {k: fill_nested(v, types[k], make_string, depth + 1) if k in types else v for k, v in value.items()}
        for name, prop_type in types.items():
            if filled.get(name) is None:
                filled[name] = value_for(prop_type, name, make_string, depth + 1)
        return filled
    return value


def fill_outputs(token: str, state: Mapping[str, Any], make_string: StringMaker) -> dict[str, Any]:
    """`state` plus a value for every declared output it lacks, at the top level and inside the
    objects it has."""
    filled = dict(state)
    for name, typ in output_types(token).items():
        if name not in filled or filled[name] is None:
            filled[name] = value_for(typ, name, make_string)
        else:
            filled[name] = fill_nested(filled[name], typ, make_string)
    return filled


def fill_result(result_cls: type | None, answer: Mapping[str, Any], make_string: StringMaker) -> dict[str, Any]:
    """An invoke's `answer` plus a value for every property of its result type it lacks, at the top
    level and inside the objects it has."""
    filled = dict(answer)
    if result_cls is None:
        return filled
    for name, typ in result_types(result_cls).items():
        if name not in filled or filled[name] is None:
            filled[name] = value_for(typ, name, make_string)
        else:
            filled[name] = fill_nested(filled[name], typ, make_string)
    return filled
