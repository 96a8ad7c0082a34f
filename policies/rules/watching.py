"""Which alarm watches which resource, for the monitoring rules (and nothing else).

An alarm watches a resource when one of its inputs was computed from that resource (a property
dependency, as the engine records it) or, for programs that pass plain strings, when its inputs
name it: the endpoint or cluster name as a whole quoted value, or as the last segment of an id
(`.../onlineEndpoints/<name>`, `.../clusters/<name>`)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from policies.framework import UNKNOWN, Resource, Stack
from policies.rules.workloads import capacity_of


def is_unknown(value: object) -> bool:
    """Not known yet (preview), or a list holding a value not known yet."""
    return value is UNKNOWN or (isinstance(value, list) and any(v is UNKNOWN for v in value))


def text_of(resource: Resource) -> str:
    """All inputs as one JSON text to search (JSON strings inside stay escaped)."""
    return json.dumps(resource.props, default=str, sort_keys=True)


def names_in(text: str, names: Iterable[object]) -> bool:
    """Whether `text` (from `text_of`) mentions one of `names` as a value or last id segment."""
    for name in names:
        if not isinstance(name, str) or not name:
            continue
        for quoted in (f'"{name}"', f'\\"{name}\\"', f'/{name}"', f'/{name}\\"'):
            if quoted in text:
                return True
    return False


def depends_on(resource: Resource, target: Resource) -> bool:
    """Whether any input of `resource` was computed from `target`."""
    return any(target.urn in urns for urns in resource.property_dependencies.values())


def shares_source(a: Resource, prop_a: str, b: Resource, prop_b: str) -> bool:
    """Whether `a.prop_a` and `b.prop_b` were computed from the same resource."""
    return bool(set(a.property_dependencies.get(prop_a, ())) & set(b.property_dependencies.get(prop_b, ())))


def watchers(stack: Stack, target: Resource, types: Iterable[str], names: Iterable[object]) -> list[Resource]:
    """Resources of `types` that depend on `target` or name it."""
    wanted = set(types)
    known = [n for n in names if isinstance(n, str) and n]
    return [r for r in stack.resources if r.type in wanted and (depends_on(r, target) or names_in(text_of(r), known))]


def gpu_pools_of(
    stack: Stack, cluster: Resource, pool_inputs: Mapping[str, str], names: Iterable[object]
) -> list[Resource]:
    """The cluster's node pools that run GPU machines. `pool_inputs`: pool type -> the input that
    names the cluster (`clusterName`, `cluster`, `resourceName`, `clusterId`)."""
    known = [n for n in names if isinstance(n, str) and n]
    pools = []
    for pool_type, prop in pool_inputs.items():
        for pool in stack.of_type(pool_type):
            value = pool.get(prop)
            named = isinstance(value, str) and any(value == n or value.endswith(f"/{n}") for n in known)
            if not (pool.comes_from(prop, cluster.urn) or named):
                continue
            capacity = capacity_of(pool, stack)
            if capacity is not None and any(machine.kind == "gpu" for machine in capacity.machines):
                pools.append(pool)
    return pools
