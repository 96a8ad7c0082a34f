"""A progress line on standard error while the program runs and the stages judge and price it.

Shown only when standard error is a terminal: never in files, pipes, CI logs or the report
itself (which goes to standard output or `--out`)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Step = Callable[[str], None]


def _silent(_: str) -> None:
    return None


@contextmanager
def progress(enabled: bool | None = None) -> Iterator[Step]:
    """Yields `step(text)`, which replaces the spinner's text; a no-op when not on a terminal."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield _silent
        return
    from rich.console import Console

    with Console(stderr=True).status("starting", spinner="dots") as status:
        yield lambda text: status.update(text)
