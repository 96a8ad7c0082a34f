"""Which resource types are stateful (protected and retained in prod), per cloud."""

from __future__ import annotations

import functools

from catalog.loader import DATA_DIR, _read_yaml


@functools.cache
def stateful_types() -> dict[str, frozenset[str]]:
    """cloud -> type tokens whose resources hold data or are expensive to recreate."""
    raw = _read_yaml(DATA_DIR / "stateful_types.yaml")
    return {cloud: frozenset(types) for cloud, types in raw.items()}


def is_stateful(type_: str) -> bool:
    return any(type_ in types for types in stateful_types().values())
