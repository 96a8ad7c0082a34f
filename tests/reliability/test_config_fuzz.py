"""Config fuzzing: mutations of the real stack configs (wrong types, missing keys, unknown keys,
out-of-range numbers, odd strings, unicode) through the config loader. The loader must answer
with a valid `EnvironmentSpec` or a `ConfigError` whose every line starts with the key path
(`ai-infra:<path>: <message>`); any other exception is a bug.

Deterministic and bounded: `derandomize=True`, no example database, a fixed example budget
(over 500 per run), no deadline (a loaded CI machine must not turn into a flaky failure).
"""

from __future__ import annotations

import copy
import functools
import json
import math
import typing
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from stacks.config import ConfigError, EnvironmentSpec, parse_environment
from stacks.config.base import ConfigModel
from stacks.config.common import NAME_PATTERN
from tests.reliability.conftest import PROJECT, REQUIRED_STACKS, STACKS, require_stack

NAMESPACE = "ai-infra:"
EXAMPLES_PER_STACK = 400
UNKNOWN_KEY_EXAMPLES = 150

FUZZ = settings(
    max_examples=EXAMPLES_PER_STACK,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


Path_ = tuple[Any, ...]


def base_values(stack: str) -> dict[str, Any]:
    """The stack file's `ai-infra:` values with the namespace stripped, as YAML parsed them."""
    raw = yaml.safe_load(PROJECT.stack_file(stack).read_text(encoding="utf-8")) or {}
    return {k.removeprefix(NAMESPACE): v for k, v in (raw.get("config") or {}).items() if k.startswith(NAMESPACE)}


# -- values ---------------------------------------------------------------------------------------
ODD_STRINGS = st.sampled_from(
    [
        "",
        " ",
        "\t\n",
        "null",
        "~",
        "true",
        "0",
        "-1",
        "3.5",
        "NaN",
        "1e309",
        "{key}",
        "{0}",
        "%s",
        "${env}",
        "a" * 300,
        "\x00",
        "\u202eved",
        "dév",
        "ДЕВ",
        "开发",
        "🚀",
        "dev ",
        "DEV",
        "a.b",
        "a[0]",
        "function-after",
        "10.0.0.0/8",
        "0.0.0.0/0",
        "::1",
        "nvidia-l4\u200b",
        "x@y",
    ]
) | st.text(max_size=24)
BOUNDARY_NUMBERS = [0, -1, 1, 2, 7, 511, 512, 513, 2**31, 2**63, -(2**63), 10**30, 0.5, -0.0, 1e-300, 1e308]
NUMBERS = (
    st.sampled_from([*BOUNDARY_NUMBERS, math.nan, math.inf, -math.inf])
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, ODD_STRINGS)
ANY_VALUE = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ODD_STRINGS, inner, max_size=3),
    max_leaves=6,
)
ODD_KEYS = ODD_STRINGS | st.integers(-2, 3) | st.booleans() | st.none()


# -- navigation -----------------------------------------------------------------------------------
def walk(node: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, (*path, index))


def get(node: Any, path: Path_) -> Any:
    for part in path:
        node = node[part]
    return node


def set_at(root: dict[str, Any], path: Path_, value: Any) -> None:
    get(root, path[:-1])[path[-1]] = value


# -- mutations ------------------------------------------------------------------------------------
@st.composite
def mutate_once(draw: st.DrawFn, config: dict[Any, Any]) -> dict[Any, Any]:
    """One mutation at a random place in the config tree."""
    config = copy.deepcopy(config)
    nodes = list(walk(config))
    path, node = draw(st.sampled_from(nodes))
    kind = draw(st.sampled_from(["replace", "delete", "add_key", "rename_key", "numeric", "string", "empty"]))
    if kind == "replace" and path:
        set_at(config, path, draw(ANY_VALUE))
    elif kind == "delete" and path:
        container = get(config, path[:-1])
        del container[path[-1]]
    elif kind == "add_key" and isinstance(node, dict):
        node[draw(ODD_KEYS)] = draw(ANY_VALUE)
    elif kind == "rename_key" and path and isinstance(get(config, path[:-1]), dict):
        container = get(config, path[:-1])
        container[draw(ODD_KEYS)] = container.pop(path[-1])
    elif kind == "numeric" and path and isinstance(node, int | float) and not isinstance(node, bool):
        set_at(config, path, draw(st.sampled_from(_near(node)) | NUMBERS))
    elif kind == "string" and path and isinstance(node, str):
        set_at(config, path, draw(_string_variants(node)))
    elif kind == "empty" and path and isinstance(node, dict | list):
        set_at(config, path, type(node)())
    elif path:
        set_at(config, path, draw(ANY_VALUE))
    else:
        config[draw(ODD_KEYS)] = draw(ANY_VALUE)
    return config


def _near(number: float) -> list[Any]:
    """Boundary neighbours of a number in the real config, and the same number in other types."""
    values: list[Any] = [-number, number * 1000, 0, number + 1, number - 1, str(number), float(number), [number]]
    if isinstance(number, int):
        values.append(number + 0.5)
    return values


def _string_variants(text: str) -> st.SearchStrategy[str]:
    return st.sampled_from(
        [text.upper(), f" {text}", f"{text} ", text * 40, f"{text}\x00", f"{text}é", f"{text}🚀", text[:1], ""]
    ) | st.builds(lambda extra: text + extra, st.text(max_size=8))


def engine_form(values: dict[str, Any]) -> dict[str, Any]:
    """Top-level values the way the program reads them: the engine passes every config value as
    a string, and `read_namespace` decodes the ones that look like JSON structures."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        text = value if isinstance(value, str) else json.dumps(value)
        if text[:1] in "[{":
            try:
                out[str(key)] = json.loads(text)
                continue
            except json.JSONDecodeError:
                pass
        out[str(key)] = text
    return out


@st.composite
def mutated_configs(draw: st.DrawFn, base: dict[Any, Any]) -> dict[Any, Any]:
    config = base
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        config = draw(mutate_once(config))
    return engine_form(config) if draw(st.booleans()) else config


# -- the property ---------------------------------------------------------------------------------
def assert_loader_contract(values: dict[str, Any]) -> EnvironmentSpec | ConfigError:
    """A valid spec, or a ConfigError whose every problem starts with the path of a key the
    input has (or of a field the model at that place would default or requires)."""
    try:
        spec = parse_environment(values)
    except ConfigError as error:
        assert error.problems, "ConfigError without problems"
        for line in error.problems:
            assert line.startswith(NAMESPACE), f"problem without the {NAMESPACE} key path: {line!r}"
            assert _names_a_real_path(values, line), f"problem whose key path is not in the config: {line!r}"
        return error
    assert isinstance(spec, EnvironmentSpec)
    return spec


def _names_a_real_path(values: dict[str, Any], line: str) -> bool:
    """Whether `ai-infra:<path>: <message>` names a place in `values` (keys may hold ': ', so
    every split is tried)."""
    body = line.removeprefix(NAMESPACE)
    start = 0
    while (split := body.find(": ", start)) >= 0:
        if body[split + 2 :].strip() and _consume(values, body[:split], None):
            return True
        start = split + 1
    return False


def _key_texts(key: Any) -> set[str]:
    # pydantic locations hold str | int: a bool key (only possible when values do not come
    # through the engine's JSON) is reported as 0 / 1.
    return {str(key), str(int(key))} if isinstance(key, bool) else {str(key)}


def _consume(node: Any, rest: str, parent_key: Any) -> bool:
    if isinstance(node, dict):
        children = list(node.items())
    elif isinstance(node, list):
        children = list(enumerate(node))
    else:
        children = []
    for key, child in children:
        for text in _key_texts(key):
            if rest == text or (rest.startswith(f"{text}.") and _consume(child, rest[len(text) + 1 :], key)):
                return True
    # A key the input does not have: a required or defaulted field of the model at this place
    # (never directly under a named collection, where every key is a user's name).
    return isinstance(node, dict) and parent_key not in named_collections() and rest in _all_field_names()


FUZZED_STACKS = sorted({*REQUIRED_STACKS, *STACKS})


@pytest.mark.parametrize("stack", FUZZED_STACKS)
def test_real_config_is_valid(stack):
    require_stack(stack)
    assert isinstance(assert_loader_contract(base_values(stack)), EnvironmentSpec)
    assert isinstance(assert_loader_contract(engine_form(base_values(stack))), EnvironmentSpec)


@pytest.mark.parametrize("stack", FUZZED_STACKS)
def test_mutated_config_is_a_spec_or_a_config_error_with_key_path(stack):
    require_stack(stack)
    base = base_values(stack)

    @FUZZ
    @given(values=mutated_configs(base))
    def check(values: dict[str, Any]) -> None:
        assert_loader_contract(values)

    check()


def _config_models() -> list[type[ConfigModel]]:
    found: list[type[ConfigModel]] = []
    pending: list[type[ConfigModel]] = [ConfigModel]
    while pending:
        model = pending.pop()
        found.append(model)
        pending.extend(model.__subclasses__())
    return found


@functools.cache
def _all_field_names() -> frozenset[str]:
    """Every key some config model accepts (adding one of those is not an unknown key)."""
    return frozenset(name for model in _config_models() for name in model.model_fields)


def _is_mapping_type(annotation: Any) -> bool:
    if typing.get_origin(annotation) is dict:
        return True
    return any(_is_mapping_type(arg) for arg in typing.get_args(annotation))


@functools.cache
def named_collections() -> frozenset[str]:
    """Fields that are mappings of user-chosen names (`gpu_pools`, `buckets`, `labels`, ...),
    read from the config models: there any key is a new entry, not an unknown key."""
    return frozenset(
        name
        for model in _config_models()
        for name, field in model.model_fields.items()
        if _is_mapping_type(field.annotation)
    )


def _model_mappings(config: dict[str, Any]) -> list[Path_]:
    """Paths of mappings that are models (an unknown key there must be an error)."""
    found: list[Path_] = []
    for path, node in walk(config):
        if not isinstance(node, dict):
            continue
        parent_key = path[-1] if path else None
        if parent_key in named_collections():
            continue
        found.append(path)
    return found


@pytest.mark.parametrize("stack", FUZZED_STACKS)
def test_unknown_key_in_a_model_is_reported_at_its_path(stack):
    require_stack(stack)
    base = base_values(stack)
    known = _all_field_names()
    unknown_keys = st.text(min_size=1, max_size=16).filter(lambda k: "." not in k and k not in known)

    @settings(FUZZ, max_examples=UNKNOWN_KEY_EXAMPLES)
    @given(path=st.sampled_from(_model_mappings(base)), key=unknown_keys)
    def check(path: Path_, key: str) -> None:
        config = copy.deepcopy(base)
        target = get(config, path)
        if key in target:
            return
        target[key] = "x"
        result = assert_loader_contract(config)
        assert isinstance(result, ConfigError), f"unknown key {key!r} at {path} was accepted"
        where = ".".join(str(p) for p in (*path, key))
        assert any(line.startswith(f"{NAMESPACE}{where}: unknown key") for line in result.problems), result.problems

    check()


def _named_entries(config: dict[str, Any]) -> list[Path_]:
    """Paths of the entries of named collections that are models (a pool, a bucket, ...)."""
    return [
        path
        for path, node in walk(config)
        if len(path) >= 2 and path[-2] in named_collections() and isinstance(node, dict) and node
    ]


@pytest.mark.parametrize("stack", FUZZED_STACKS)
def test_error_inside_a_named_entry_names_the_entry(stack):
    require_stack(stack)
    base = base_values(stack)
    entries = _named_entries(base)
    if not entries:
        pytest.skip(f"stack {stack!r} configures no pools, buckets, workloads or endpoints")

    @settings(FUZZ, max_examples=UNKNOWN_KEY_EXAMPLES)
    @example(path=entries[0], name="function-calling", field_index=0)
    @example(path=entries[-1], name="tokenizer-v2", field_index=0)
    @given(
        path=st.sampled_from(entries),
        name=st.from_regex(NAME_PATTERN, fullmatch=True),
        field_index=st.integers(min_value=0, max_value=20),
    )
    def check(path: Path_, name: str, field_index: int) -> None:
        config = copy.deepcopy(base)
        collection = get(config, path[:-1])
        if name in collection:
            return
        entry = collection.pop(path[-1])
        fields = sorted(entry)
        entry[fields[field_index % len(fields)]] = [[None]]  # wrong for every field
        collection[name] = entry
        result = assert_loader_contract(config)
        assert isinstance(result, ConfigError)
        prefix = f"{NAMESPACE}{'.'.join(str(p) for p in path[:-1])}.{name}."
        assert any(line.startswith(prefix) for line in result.problems), (
            f"no problem names the entry {prefix!r}: {result.problems}"
        )

    check()
