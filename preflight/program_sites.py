"""Where in the user's program something happened: the file and line behind an invoke, an
`apply` callback, or a resource registration.

Exceptions raised inside `apply`, `Output.all`/`concat` or a stack reference's `get_output` run
long after the program line that set them up, and their traceback holds only SDK frames. While a
program runs under preflight, `Output.apply` remembers the first program frame that called it and
adds it to any exception its callback raises (`add_note`); provider function calls remember theirs
for the monitor, which names them in warnings. Both patches are undone when the run ends.
"""

from __future__ import annotations

import contextlib
import contextvars
import sys
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pulumi.resource
import pulumi.runtime
from pulumi.output import Output

_PULUMI_DIR = str(Path(pulumi.__file__).resolve().parent)
_PREFLIGHT_DIR = str(Path(__file__).resolve().parent)


@dataclass(frozen=True)
class Site:
    file: str
    """Path relative to the project directory when inside it."""
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class InvokeCall:
    token: str
    output_form: bool
    """`get_x_output(...)` (an Output result) rather than the plain `get_x(...)`."""
    result_type: type | None
    site: Site | None


REMOTE_OUTPUTS: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("preflight_remote", default=())
"""Output names of the multi-language component being registered (its props left None): the
request does not carry them, and the monitor must answer each as unknown."""
CURRENT_INVOKE: contextvars.ContextVar[InvokeCall | None] = contextvars.ContextVar("preflight_invoke", default=None)
"""Set while a provider function call is made; the SDK copies it into the call's context, so the
monitor reads it when the request arrives."""


class _Finder:
    def __init__(self, project_dir: Path):
        self.root = str(project_dir.resolve())
        # filename -> its path relative to the project (None: not the program's). `site` runs for
        # every apply and invoke (tens of thousands a run) and walks many frames of few files:
        # deciding each file once keeps the walk cheap (resolving a path costs system calls).
        self._program_files: dict[str, str | None] = {}

    def _is_program(self, filename: str) -> bool:
        if filename.startswith("<") or not filename.startswith(self.root):
            return False
        return ".venv" not in filename and "site-packages" not in filename and not filename.startswith(_PREFLIGHT_DIR)

    def _program_file(self, filename: str) -> str | None:
        """`filename` relative to the project when it is a file of the program, else None."""
        try:
            return self._program_files[filename]
        except KeyError:
            found = self.relative(filename) if self._is_program(filename) else None
            self._program_files[filename] = found
            return found

    def site(self, skip: int = 2) -> Site | None:
        """The innermost frame of the user's program on the current stack."""
        frame = sys._getframe(skip)
        while frame is not None:
            file = self._program_file(frame.f_code.co_filename)
            if file is not None:
                return Site(file=file, line=frame.f_lineno)
            frame = frame.f_back  # type: ignore[assignment]
        return None

    def relative(self, filename: str) -> str:
        path = Path(filename)
        try:
            return str(path.resolve().relative_to(self.root))
        except ValueError:
            return filename


@contextlib.contextmanager
def recording_sites(project_dir: Path) -> Iterator[_Finder]:
    """Patch `Output.apply` and `pulumi.runtime.invoke*` for the duration of one program run."""
    finder = _Finder(project_dir)
    original_apply = Output.apply
    originals = {name: getattr(pulumi.runtime, name) for name in ("invoke", "invoke_output")}

    def apply(self: Output[Any], func: Callable[[Any], Any], run_with_unknowns: bool = False) -> Output[Any]:
        site = finder.site()
        if site is None:
            return original_apply(self, func, run_with_unknowns)

        def located(value: Any) -> Any:
            try:
                return func(value)
            except Exception as exc:
                if not any(str(site) in note for note in getattr(exc, "__notes__", ())):
                    exc.add_note(f"raised in a callback set up at {site}")
                raise

        return original_apply(self, located, run_with_unknowns)

    def wrap_invoke(name: str) -> Callable[..., Any]:
        real = originals[name]

        def call(tok: str, props: Any, opts: Any = None, typ: Any = None, *args: Any, **kwargs: Any) -> Any:
            info = InvokeCall(token=tok, output_form=name == "invoke_output", result_type=typ, site=finder.site())
            token = CURRENT_INVOKE.set(info)
            try:
                return real(tok, props, opts, typ, *args, **kwargs)
            finally:
                CURRENT_INVOKE.reset(token)

        return call

    original_register = pulumi.resource.register_resource  # type: ignore[attr-defined]

    def register(res: Any, ty: str, name: str, custom: bool, remote: bool, *args: Any, **kwargs: Any) -> Any:
        if not remote:
            return original_register(res, ty, name, custom, remote, *args, **kwargs)
        props = args[1] if len(args) > 1 else kwargs.get("props")
        outputs = tuple(k for k, v in (props or {}).items() if v is None)
        token = REMOTE_OUTPUTS.set(outputs)
        try:
            return original_register(res, ty, name, custom, remote, *args, **kwargs)
        finally:
            REMOTE_OUTPUTS.reset(token)

    Output.apply = apply  # type: ignore[method-assign]
    pulumi.resource.register_resource = register  # type: ignore[attr-defined]
    for name in originals:
        setattr(pulumi.runtime, name, wrap_invoke(name))
    try:
        yield finder
    finally:
        Output.apply = original_apply  # type: ignore[method-assign]
        pulumi.resource.register_resource = original_register  # type: ignore[attr-defined]
        for name, real in originals.items():
            setattr(pulumi.runtime, name, real)


def site_of_frames(frames: Any, finder: _Finder) -> Site | None:
    """The first program frame of an RPC stack trace (`StackTrace.frames`, innermost first)."""
    for frame in frames:
        uri = frame.pc.uri if frame.HasField("pc") else ""
        if not uri.startswith("file://"):
            continue
        path = urllib.parse.unquote(uri.removeprefix("file://"))
        file = finder._program_file(path)
        if file is not None:
            return Site(file=file, line=frame.pc.line)
    return None
