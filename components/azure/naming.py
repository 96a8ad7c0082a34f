"""Names for Azure resources whose names are global (storage accounts, Key Vaults, registries)
or region-wide (Azure ML online endpoints).

The names are deterministic: readable parts, cut to the length Azure allows, plus a short hash
of the subscription and the full parts, so that two environments (or two tenants using this
project) do not collide and the same config always yields the same name."""

from __future__ import annotations

import hashlib
import re

HASH_LENGTH = 6


def _digest(salt: str, parts: tuple[str, ...]) -> str:
    return hashlib.sha256("/".join((salt, *parts)).encode()).hexdigest()[:HASH_LENGTH]


def compact_name(*parts: str, salt: str, max_length: int = 24) -> str:
    """Lowercase letters and digits only (storage accounts: 3-24; container registries: 5-50).
    `parts[0]` should be a short lettered prefix (`st`, `cr`) so the name starts with a letter."""
    readable = re.sub(r"[^a-z0-9]", "", "".join(parts).lower())
    return readable[: max_length - HASH_LENGTH] + _digest(salt, parts)


def dashed_name(*parts: str, salt: str, max_length: int) -> str:
    """Lowercase letters, digits and single hyphens (Key Vaults: 3-24; online endpoints: 3-32)."""
    readable = re.sub(r"-+", "-", re.sub(r"[^a-z0-9-]", "-", "-".join(parts).lower())).strip("-")
    head = readable[: max_length - HASH_LENGTH - 1].rstrip("-")
    return f"{head}-{_digest(salt, parts)}"
