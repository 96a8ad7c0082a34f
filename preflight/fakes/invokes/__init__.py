"""Provider functions (data sources, `list*` calls) preflight answers, per cloud.

Each entry maps a function token to `(args, where) -> result`, where `args` are the call's
arguments with engine names and `where` is the calling provider's account and region. A token
that is not listed is answered by the monitor from the result type's shape (see
`preflight.monitor`), with a warning."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from preflight.fakes.invokes import alicloud, aws, azure, gcp
from preflight.fakes.world import Where

Answer = Callable[[Mapping[str, Any], Where], dict[str, Any]]

INVOKES: dict[str, Answer] = {**aws.INVOKES, **gcp.INVOKES, **azure.INVOKES, **alicloud.INVOKES}


def answer(token: str, args: Mapping[str, Any], where: Where) -> dict[str, Any] | None:
    """The result of a known function, None for one preflight cannot answer."""
    function = INVOKES.get(token)
    return None if function is None else function(args, where)
