"""Plausible, deterministic output values for resources registered under the mock runtime.

A real provider computes ids, ARNs, endpoints and issuer URLs; offline we derive them from the
resource's name, so programs that read outputs (an ARN into a policy, an issuer into a trust
document) see stable, realistic values. Each cloud's module has `FAKERS` (type token ->
function of (name, inputs) returning extra outputs) and `INVOKES` (function token -> result).
Anything not listed gets its inputs back plus an id.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from preflight.fakes import alicloud, aws, azure, gcp

State = dict[str, Any]

FAKERS: dict[str, Callable[[str, State], State]] = {}
INVOKES: dict[str, State] = {}
for _cloud in (aws, gcp, azure, alicloud):
    FAKERS.update(_cloud.FAKERS)
    INVOKES.update(_cloud.INVOKES)


def fake_state(type_: str, name: str, inputs: State) -> tuple[str, State]:
    """The (id, outputs) a provider might return for this registration."""
    faker = FAKERS.get(type_)
    extra = faker(name, inputs) if faker else {}
    return f"{name}-id", {**inputs, **extra}


def fake_invoke(token: str, args: State) -> State:
    """The result of a provider function (data source) call; unknown ones return nothing."""
    return dict(INVOKES.get(token, {}))
