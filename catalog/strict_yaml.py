"""YAML for hand-edited data files: a key written twice in one mapping is an error.

PyYAML's `safe_load` keeps the last of two equal keys, so a price row pasted twice (a merge
leftover, a copy-edit) silently replaces the first. For a price table that means a figure with
the wrong source or reason; this loader names the file position instead.
"""

from __future__ import annotations

from typing import IO, Any

import yaml


class DuplicateKeyError(ValueError):
    pass


class _StrictLoader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Mark] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            if key in seen:
                mark = key_node.start_mark
                raise DuplicateKeyError(
                    f"{mark.name}:{mark.line + 1}: key {key!r} appears twice in one mapping "
                    f"(first at line {seen[key].line + 1})"
                )
            seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


def load_strict(stream: str | IO[str]) -> Any:
    """`yaml.safe_load`, except that a repeated key in a mapping raises `DuplicateKeyError`."""
    return yaml.load(stream, Loader=_StrictLoader)
