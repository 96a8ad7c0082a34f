"""Fake alicloud outputs for the mock runtime (filled in with the alicloud components)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

State = dict[str, Any]

FAKERS: dict[str, Callable[[str, State], State]] = {}
INVOKES: dict[str, State] = {}
