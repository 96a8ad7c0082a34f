"""The git side of `preflight diff`: which repository, which commit, and a throwaway worktree."""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from preflight.project import UsageError


@dataclass(frozen=True)
class Repository:
    root: Path
    """The top of the working tree (`git rev-parse --show-toplevel`)."""
    project_path: Path
    """The Pulumi project directory relative to `root` (`.` when the project is at the top)."""
    head_commit: str | None
    """The checked-out commit (None in a repository without commits yet)."""
    dirty: bool
    """The working tree has changes that are not committed (the head side includes them)."""


@dataclass(frozen=True)
class BaseRef:
    ref: str
    """The ref as the user wrote it (`main`, `HEAD~1`, a SHA)."""
    commit: str
    """The full commit SHA it resolves to."""

    @property
    def short(self) -> str:
        return self.commit[:7]


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise UsageError("git is not installed; `preflight diff` needs it to read the base ref") from None


def repository_path(path: Path) -> str:
    """`path` relative to the top of its git working tree, with `/` separators (how code scanning
    names files); just the file name outside a repository."""
    path = path.resolve()
    top = _git(["rev-parse", "--show-toplevel"], path.parent)
    if top.returncode != 0:
        return path.name
    return path.relative_to(Path(top.stdout.strip()).resolve()).as_posix()


def open_repository(project_dir: Path) -> Repository:
    """The git repository that holds `project_dir`."""
    project_dir = project_dir.resolve()
    top = _git(["rev-parse", "--show-toplevel"], project_dir)
    if top.returncode != 0:
        raise UsageError(f"{project_dir} is not inside a git repository; `preflight diff` compares against a git ref")
    root = Path(top.stdout.strip()).resolve()
    head = _git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], root)
    # Untracked files count: the program may import a module that is not committed yet.
    status = _git(["status", "--porcelain", "--", str(project_dir)], root)
    return Repository(
        root=root,
        project_path=project_dir.relative_to(root),
        head_commit=head.stdout.strip() if head.returncode == 0 else None,
        dirty=bool(status.stdout.strip()),
    )


def resolve_ref(repo: Repository, ref: str) -> BaseRef:
    """The commit `ref` names; an unknown ref is a usage error (exit 2)."""
    if ref.startswith("-"):
        raise UsageError(f"--base {ref!r}: not a git ref")
    found = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], repo.root)
    if found.returncode != 0:
        raise UsageError(
            f"--base {ref!r} is not a commit in {repo.root} "
            "(use a branch, tag or SHA; in a shallow clone, fetch it first)"
        )
    return BaseRef(ref=ref, commit=found.stdout.strip())


def _tree(repo: Repository, commit: str) -> str | None:
    """The id of the project directory's tree in `commit` (None: not there, or no such commit)."""
    path = repo.project_path.as_posix()
    spec = f"{commit}^{{tree}}" if path == "." else f"{commit}:{path}"
    found = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", spec], repo.root)
    return found.stdout.strip() if found.returncode == 0 else None


def base_is_head(repo: Repository, base: BaseRef) -> bool:
    """True when evaluating `base` would evaluate exactly what the head evaluates: the project
    directory has no uncommitted or untracked (non-ignored) changes and its tree in `base` is the
    one in HEAD (a docs-only change, or `--base HEAD` on a clean checkout). Files outside the
    project directory do not count: the program imports only from there, and both sides are
    judged and priced with this checkout's pack and catalog anyway."""
    if repo.dirty or repo.head_commit is None:
        return False
    if base.commit == repo.head_commit:
        return True
    head_tree = _tree(repo, repo.head_commit)
    return head_tree is not None and head_tree == _tree(repo, base.commit)


@contextlib.contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """While inside, SIGTERM (CI cancelling a job) unwinds like Ctrl-C does, so `finally` runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def base_worktree(repo: Repository, base: BaseRef) -> Iterator[Path]:
    """A detached worktree of `base` in a temporary directory; yields the top of its tree.
    It is removed on the way out, whatever happens inside (errors, Ctrl-C, SIGTERM)."""
    holder = Path(tempfile.mkdtemp(prefix="preflight-base-")).resolve()
    tree = holder / "tree"
    with _terminate_as_exit():
        try:
            added = _git(["worktree", "add", "--detach", "--quiet", str(tree), base.commit], repo.root)
            if added.returncode != 0:
                raise UsageError(f"could not check out --base {base.ref} ({base.short}): {added.stderr.strip()}")
            yield tree
        finally:
            removed = _git(["worktree", "remove", "--force", str(tree)], repo.root)
            shutil.rmtree(holder, ignore_errors=True)
            if removed.returncode != 0 and _is_registered(repo, tree):
                # The directory is gone now but git still lists the worktree: drop that bookkeeping.
                _git(["worktree", "prune"], repo.root)


def _is_registered(repo: Repository, tree: Path) -> bool:
    listed = _git(["worktree", "list", "--porcelain"], repo.root).stdout
    return any(line == f"worktree {tree}" for line in listed.splitlines())
