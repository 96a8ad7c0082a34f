"""URN stability: each stack's URNs match its snapshot under tests/snapshots/, so a refactor that
would make the engine delete and recreate a resource (a bucket, a key, a cluster) fails here
with the change and the alias that keeps the resource.

Update the snapshots after an intended change (resources really added or removed):
    UPDATE_SNAPSHOTS=1 uv run pytest tests/reliability/test_urn_snapshots.py
or, per stack:
    uv run preflight urns dev --out tests/snapshots/dev.urns
"""

from __future__ import annotations

import os

import pulumi
import pulumi_aws as aws
import pytest

from preflight.cli import main as preflight_main
from preflight.urns import check_urns, create_urn, read_snapshot, render_urns, stack_urns
from tests.conftest import REPO_ROOT
from tests.reliability.conftest import REQUIRED_STACKS, STACKS, require_stack

SNAPSHOT_DIR = REPO_ROOT / "tests" / "snapshots"
UPDATE = os.environ.get("UPDATE_SNAPSHOTS") == "1"


def _update_command(stack: str) -> str:
    return (
        f"UPDATE_SNAPSHOTS=1 uv run pytest tests/reliability/test_urn_snapshots.py "
        f"(or: uv run preflight urns {stack} --out tests/snapshots/{stack}.urns)"
    )


@pytest.mark.parametrize("stack", sorted({*REQUIRED_STACKS, *STACKS}))
def test_stack_urns_match_snapshot(stack, stack_run):
    require_stack(stack)
    run = stack_run(stack)
    snapshot = SNAPSHOT_DIR / f"{stack}.urns"
    if UPDATE:
        snapshot.write_text(render_urns(stack_urns(run)), encoding="utf-8")
        return
    assert snapshot.is_file(), f"no URN snapshot for stack {stack!r}; create it: {_update_command(stack)}"
    result = check_urns(
        read_snapshot(snapshot),
        run,
        snapshot=str(snapshot.relative_to(REPO_ROOT)),
        update_command=_update_command(stack),
    )
    assert result.ok, result.explain()


def test_every_snapshot_belongs_to_a_stack():
    orphans = sorted(p.name for p in SNAPSHOT_DIR.glob("*.urns") if p.stem not in STACKS)
    assert not orphans, f"snapshots without a Pulumi.<stack>.yaml (delete them): {orphans}"


# -- the check itself, proven on a small component declared twice --------------------------------
class _StoreV1(pulumi.ComponentResource):
    """Version 1: the bucket child is called `<name>-data`."""

    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ai-infra:test:Store", name, None, opts)
        aws.s3.Bucket(f"{name}-data", opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({})


class _StoreV2(pulumi.ComponentResource):
    """Version 2: the same bucket renamed to `<name>-store`, with or without an alias."""

    def __init__(
        self,
        name: str,
        *,
        alias: bool,
        type_: str = "ai-infra:test:Store",
        component_aliases: list[pulumi.Alias] | None = None,
    ):
        super().__init__(type_, name, None, pulumi.ResourceOptions(aliases=component_aliases))
        child_aliases = [pulumi.Alias(name=f"{name}-data")] if alias else None
        aws.s3.Bucket(f"{name}-store", opts=pulumi.ResourceOptions(parent=self, aliases=child_aliases))
        self.register_outputs({})


def _urn(name: str, type_: str, parent: str | None = None) -> str:
    return create_urn(name=name, type_=type_, parent=parent, project="ai-infra", stack="test")


STORE = _urn("models", "ai-infra:test:Store")
OLD_BUCKET = _urn("models-data", "aws:s3/bucket:Bucket", STORE)
NEW_BUCKET = _urn("models-store", "aws:s3/bucket:Bucket", STORE)


def test_version_one_snapshot_holds_the_real_urns(declare):
    # The URN builder agrees with the URNs the mock engine hands out.
    assert stack_urns(declare(lambda: _StoreV1("models"))) == sorted([STORE, OLD_BUCKET])


def test_renamed_child_without_alias_fails_with_the_change_and_the_fix(declare):
    snapshot = stack_urns(declare(lambda: _StoreV1("models")))

    result = check_urns(snapshot, declare(lambda: _StoreV2("models", alias=False)), snapshot="v1.urns")

    assert not result.ok
    assert result.disappeared == [OLD_BUCKET]
    assert result.appeared == [NEW_BUCKET]
    message = result.explain()
    assert f"- {OLD_BUCKET}" in message
    assert "stateful: its data would be lost" in message
    assert f"+ {NEW_BUCKET}" in message
    assert 'aliases=[pulumi.Alias(name="models-data")]' in message
    assert "update the snapshot" in message
    assert "uv run preflight urns test --out tests/snapshots/test.urns" in message


def test_renamed_child_with_alias_passes(declare):
    snapshot = stack_urns(declare(lambda: _StoreV1("models")))

    result = check_urns(snapshot, declare(lambda: _StoreV2("models", alias=True)))

    assert result.ok, result.explain()
    assert result.renamed == {OLD_BUCKET: NEW_BUCKET}


def test_alias_for_an_unrelated_name_does_not_cover_the_rename(declare):
    snapshot = stack_urns(declare(lambda: _StoreV1("models")))

    def v2_wrong_alias() -> None:
        store = pulumi.ComponentResource("ai-infra:test:Store", "models")
        aws.s3.Bucket(
            "models-store", opts=pulumi.ResourceOptions(parent=store, aliases=[pulumi.Alias(name="models-other")])
        )

    result = check_urns(snapshot, declare(v2_wrong_alias))

    assert result.disappeared == [OLD_BUCKET]
    assert result.appeared == [NEW_BUCKET]


def test_retyped_component_with_alias_carries_its_children(declare):
    # Changing a component's type token changes every child's URN (the parent type chain is part
    # of it); one alias on the component covers the children, as the engine resolves it.
    snapshot = stack_urns(declare(lambda: _StoreV1("models")))

    def v2() -> None:
        _StoreV2(
            "models",
            alias=True,
            type_="ai-infra:test:ObjectStore",
            component_aliases=[pulumi.Alias(type_="ai-infra:test:Store")],
        )

    result = check_urns(snapshot, declare(v2))

    assert result.ok, result.explain()
    new_store = _urn("models", "ai-infra:test:ObjectStore")
    assert result.renamed == {
        STORE: new_store,
        OLD_BUCKET: _urn("models-store", "aws:s3/bucket:Bucket", new_store),
    }


def test_renamed_component_children_follow_its_alias(declare):
    # `<name>-<role>` children of a renamed component keep their identity through the component's
    # alias alone (the engine substitutes the old name prefix).
    snapshot = stack_urns(declare(lambda: _StoreV1("models")))

    def v2() -> None:
        store = pulumi.ComponentResource(
            "ai-infra:test:Store", "weights", opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name="models")])
        )
        aws.s3.Bucket("weights-data", opts=pulumi.ResourceOptions(parent=store))

    result = check_urns(snapshot, declare(v2))

    assert result.ok, result.explain()
    assert result.renamed[OLD_BUCKET] == _urn(
        "weights-data", "aws:s3/bucket:Bucket", _urn("weights", "ai-infra:test:Store")
    )


def test_resource_moved_into_a_component_needs_a_parent_alias(declare):
    snapshot = stack_urns(declare(lambda: aws.s3.Bucket("models-data")))

    def moved(with_alias: bool) -> None:
        store = pulumi.ComponentResource("ai-infra:test:Store", "models")
        aliases = [pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE)] if with_alias else None
        aws.s3.Bucket("models-data", opts=pulumi.ResourceOptions(parent=store, aliases=aliases))

    without = check_urns(snapshot, declare(lambda: moved(False)))
    assert without.disappeared == [_urn("models-data", "aws:s3/bucket:Bucket")]
    assert "parent=<the old parent: the stack>" in without.explain()

    with_alias = check_urns(snapshot, declare(lambda: moved(True)))
    assert with_alias.disappeared == []
    # The new component itself is an addition the snapshot does not know yet.
    assert with_alias.appeared == [STORE]


# -- the command (on a small project of its own: the real stacks take seconds per run) -----------
_SMALL_PROGRAM = """
import pulumi
import pulumi_aws as aws

store = pulumi.ComponentResource("ai-infra:test:Store", "models")
aws.s3.Bucket("models-data", opts=pulumi.ResourceOptions(parent=store))
aws.s3.Bucket("logs")
"""
SMALL_URNS = [
    "urn:pulumi:dev::ai-infra::ai-infra:test:Store$aws:s3/bucket:Bucket::models-data",
    "urn:pulumi:dev::ai-infra::ai-infra:test:Store::models",
    "urn:pulumi:dev::ai-infra::aws:s3/bucket:Bucket::logs",
]


@pytest.fixture
def small_project(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: ai-infra\nruntime: python\n", encoding="utf-8")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n", encoding="utf-8")
    (tmp_path / "__main__.py").write_text(_SMALL_PROGRAM, encoding="utf-8")
    return tmp_path


def test_urns_command_prints_the_sorted_urns(small_project, capsys):
    assert preflight_main(["urns", "dev", "--cwd", str(small_project)]) == 0
    assert capsys.readouterr().out == render_urns(SMALL_URNS)


def test_urns_command_check_passes_on_the_same_urns(small_project, capsys):
    snapshot = small_project / "dev.urns"
    snapshot.write_text(render_urns(SMALL_URNS), encoding="utf-8")

    assert preflight_main(["urns", "dev", "--cwd", str(small_project), "--check", str(snapshot)]) == 0
    assert "match" in capsys.readouterr().out


def test_urns_command_check_fails_on_a_disappeared_urn(small_project, capsys):
    gone = "urn:pulumi:dev::ai-infra::ai-infra:test:Store$aws:s3/bucket:Bucket::models-old"
    snapshot = small_project / "dev.urns"
    snapshot.write_text(render_urns([*SMALL_URNS[1:], gone]), encoding="utf-8")

    code = preflight_main(["urns", "dev", "--cwd", str(small_project), "--check", str(snapshot)])

    out = capsys.readouterr().out
    assert code == 1
    assert f"- {gone}" in out
    assert f"+ {SMALL_URNS[0]}" in out
    assert 'models-old -> models-data: aliases=[pulumi.Alias(name="models-old")]' in out
    assert f"preflight urns dev --out {snapshot}" in out


def test_urns_command_check_without_snapshot_is_a_usage_error(small_project, capsys):
    code = preflight_main(["urns", "dev", "--cwd", str(small_project), "--check", str(small_project / "none.urns")])
    assert code == 2
    assert "not found" in capsys.readouterr().err
