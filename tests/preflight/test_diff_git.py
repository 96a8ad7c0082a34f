"""`preflight diff` end to end on a git repository made here: base commit, then a head commit that
adds a GPU node group and grows a bucket.

The repository holds a tiny Pulumi Python project of plain pulumi_aws resources and five stacks:
`dev` (changed), `legacy` (only in the base: all removed), `qa` (only in the head: all added),
`flaky` (its base config makes the program fail: the base could not be evaluated) and `regressed`
(the head's config makes it fail). One diff run (two worker processes) is shared by the module;
the error cases spawn no workers.

Cost figures are hand-computed from catalog/data/prices/aws.yaml (us-east-1): g6.xlarge on-demand
$0.8048/h, S3 STANDARD $0.023/GB-month, 730 hours a month.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from preflight.cli import build_parser, main
from preflight.commands.diff import render, write_stack_sarif
from preflight.diff import build
from preflight.diff.build import DiffOutcome, build_diff
from preflight.diff.git import base_is_head, open_repository, resolve_ref
from preflight.diff.model import DiffReport, InputChange
from preflight.diff.worker import SideJob, SideRecording
from preflight.render_markdown import MARKER
from preflight.render_sarif import render_plan_sarif

HOURS = 730
G6_XLARGE = 0.8048
S3_STANDARD = 0.023

# The bucket size comes from the project's own `catalog` package, a name this repository uses too:
# each side must import its own copy (the base's from the worktree), never this checkout's.
PROGRAM = """\
import pulumi
import pulumi_aws as aws

from catalog import MODELS_GIB

config = pulumi.Config()
if config.get_bool("broken"):
    raise ValueError("this stack is broken on purpose")
provider = aws.Provider("aws", region="us-east-1")
opts = pulumi.ResourceOptions(provider=provider)
aws.s3.Bucket(
    "models",
    bucket="fixture-models",
    tags={{"ai-infra-expected-size-gib": MODELS_GIB}},
    opts=opts,
)
{pool}"""

POOL = """aws.eks.NodeGroup(
    "gpu",
    cluster_name="fixture",
    node_role_arn="arn:aws:iam::123456789012:role/fixture-nodes",
    subnet_ids=["subnet-0123"],
    instance_types=["g6.xlarge"],
    capacity_type="ON_DEMAND",
    scaling_config={"min_size": 1, "max_size": 3, "desired_size": 1},
    opts=opts,
)
"""

GIT_ENV = {
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **GIT_ENV},
    )
    return result.stdout.strip()


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def write(repo: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("diff-repo")
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Preflight Test")
    git(root, "config", "user.email", "preflight@example.com")
    write(root, {"README.md": "no project yet\n"})
    empty = commit(root, "before the project")
    write(
        root,
        {
            "Pulumi.yaml": "name: fixture\nruntime: python\n",
            "__main__.py": PROGRAM.format(pool=""),
            "catalog/__init__.py": 'MODELS_GIB = "100"\n',
            "Pulumi.dev.yaml": "config: {}\n",
            "Pulumi.legacy.yaml": "config: {}\n",
            "Pulumi.flaky.yaml": "config:\n  fixture:broken: 'true'\n",
            "Pulumi.regressed.yaml": "config: {}\n",
        },
    )
    base = commit(root, "base: one bucket")
    (root / "Pulumi.legacy.yaml").unlink()
    write(
        root,
        {
            "__main__.py": PROGRAM.format(pool=POOL),
            "catalog/__init__.py": 'MODELS_GIB = "500"\n',
            "Pulumi.qa.yaml": "config: {}\n",
            "Pulumi.flaky.yaml": "config: {}\n",
            "Pulumi.regressed.yaml": "config:\n  fixture:broken: 'true'\n",
        },
    )
    head = commit(root, "head: a GPU pool, a bigger bucket")
    return {"root": root, "empty": empty, "base": base, "head": head}


def parse(*argv: str):
    return build_parser().parse_args(["diff", *argv])


@pytest.fixture(scope="module")
def outcome(repo) -> DiffOutcome:
    return build_diff(parse("--base", repo["base"], "--cwd", str(repo["root"])))


@pytest.fixture(scope="module")
def diff(outcome) -> DiffReport:
    return outcome.report


def stack(diff: DiffReport, name: str):
    (found,) = (s for s in diff.stacks if s.stack == name)
    return found


def has_costs(diff: DiffReport) -> bool:
    return stack(diff, "dev").costs is not None


def worktrees(repo) -> list[str]:
    listed = git(repo["root"], "worktree", "list", "--porcelain")
    return [line for line in listed.splitlines() if line.startswith("worktree ")]


# -- the dev stack: exactly the pool added and the bucket changed ----------------------------------
def test_every_stack_on_either_side_is_compared(diff, repo):
    assert [(s.stack, s.status) for s in diff.stacks] == [
        ("dev", "changed"),
        ("flaky", "base-failed"),
        ("legacy", "removed"),
        ("qa", "added"),
        ("regressed", "head-failed"),
    ]
    assert (diff.base_commit, diff.head_commit, diff.head_dirty) == (repo["base"], repo["head"], False)


def test_dev_lists_exactly_the_added_pool_and_the_changed_bucket(diff):
    dev = stack(diff, "dev")
    assert [(r.status, r.type, r.name) for r in dev.resources] == [
        ("added", "aws:eks/nodeGroup:NodeGroup", "gpu"),
        ("changed", "aws:s3/bucket:Bucket", "models"),
    ]
    (bucket,) = dev.of_status("changed")
    assert bucket.inputs == [InputChange("tags.ai-infra-expected-size-gib", "100", "500")]
    assert bucket.options == []
    assert (dev.base_count, dev.head_count) == (1, 2)


def test_dev_cost_delta_matches_the_catalog_prices(diff):
    dev = stack(diff, "dev")
    if dev.costs is None:
        pytest.fail("the cost stage added no costs section")
    bucket_base, bucket_head = 100 * S3_STANDARD, 500 * S3_STANDARD
    pool_floor, pool_ceiling = HOURS * 1 * G6_XLARGE, HOURS * 3 * G6_XLARGE
    assert dev.costs.floor.base == pytest.approx(bucket_base, abs=0.01)
    assert dev.costs.floor.head == pytest.approx(bucket_head + pool_floor, abs=0.01)
    assert dev.costs.floor.delta == pytest.approx(pool_floor + bucket_head - bucket_base, abs=0.01)  # +$596.70
    assert dev.costs.ceiling.delta == pytest.approx(pool_ceiling + bucket_head - bucket_base, abs=0.01)  # +$1,771.71
    assert dev.costs.floor.percent == pytest.approx(
        (pool_floor + bucket_head - bucket_base) / bucket_base * 100, rel=1e-4
    )
    assert dev.costs.by_cloud["aws"].floor.delta == pytest.approx(dev.costs.floor.delta, abs=0.01)
    by_name = {r.name: r for r in dev.resources}
    assert by_name["gpu"].cost_head.floor_usd == pytest.approx(pool_floor, abs=0.01)
    assert by_name["gpu"].cost_head.ceiling_usd == pytest.approx(pool_ceiling, abs=0.01)
    assert by_name["models"].cost_base.floor_usd == pytest.approx(bucket_base, abs=0.01)
    assert by_name["models"].cost_head.floor_usd == pytest.approx(bucket_head, abs=0.01)


def test_new_findings_concern_the_pool_and_the_cost_increase_sees_the_base(diff):
    dev = stack(diff, "dev")
    if dev.findings is None:
        pytest.skip("no policy section: the policy stage did not run")
    stack_urn = "urn:pulumi:dev::fixture::pulumi:pulumi:Stack::fixture-dev"
    pool_urn = "urn:pulumi:dev::fixture::aws:eks/nodeGroup:NodeGroup::gpu"
    assert dev.findings.new, "an on-demand GPU pool that does not scale to zero is judged"
    assert {f["urn"] for f in dev.findings.new} <= {pool_urn, stack_urn}, "the unchanged bucket brings nothing new"
    assert dev.findings.fixed == []
    # C6 gets the base's totals from the diff: the increase is measured from the base's $2.30.
    (increase,) = (f for f in dev.findings.new if f["rule"] == "cost-increase-within-threshold")
    assert increase["urn"] == stack_urn and "$2.30" in increase["message"]


# -- stacks on one side, a base that fails ---------------------------------------------------------
def test_stack_only_in_the_base_is_all_removed_and_only_in_the_head_all_added(diff):
    legacy, qa = stack(diff, "legacy"), stack(diff, "qa")
    assert {r.status for r in legacy.resources} == {"removed"} and len(legacy.resources) == 2, "bucket + provider"
    assert {r.status for r in qa.resources} == {"added"} and len(qa.resources) == 3, "bucket + pool + provider"
    if has_costs(diff):
        assert legacy.costs.floor.delta == pytest.approx(-100 * S3_STANDARD, abs=0.01)
        assert qa.costs.floor.percent is None, "no percent against a stack that did not exist"


def test_head_that_fails_is_reported_and_fails_the_run(diff, outcome):
    regressed = stack(diff, "regressed")
    assert "this stack is broken on purpose" in regressed.head_error
    assert regressed.resources == [] and regressed.base_count == 1
    assert outcome.exit_code == 1, "the change breaks a stack's program"


def test_base_that_fails_is_reported_not_fatal(diff):
    flaky = stack(diff, "flaky")
    assert "this stack is broken on purpose" in flaky.base_error
    assert flaky.resources == [] and flaky.head_count == 2


# -- formats ---------------------------------------------------------------------------------------
def test_markdown_comment(diff):
    text = render(diff, "markdown")
    lines = text.splitlines()
    assert lines[0] == MARKER
    headline = next(line for line in lines if line.startswith("- **dev**"))
    if has_costs(diff):
        # Totals in cents: floor $2.30 -> $599.00 (+$596.70, +25,943%), ceiling $2.30 -> $1,774.01.
        assert headline.startswith("- **dev**: monthly floor +$597 (+25,943%), ceiling +$1,772 (+77,031%)")
        assert "| Monthly floor | $2.30 | $599 | +$597 (+25,943%) |" in lines
    assert headline.endswith("resources: 1 added, 1 changed")
    assert "| <code>tags.ai-infra-expected-size-gib</code> | <code>100</code> | <code>500</code> |" in lines
    assert "- **legacy** (removed stack):" in text and "- **qa** (new stack):" in text
    assert "this stack is broken on purpose" in text
    assert render(diff, "markdown") == text, "deterministic"
    assert "\033[" not in text


def test_json_document(diff):
    document = json.loads(render(diff, "json"))
    assert document["schema_version"] == 1
    dev = document["stacks"][0]
    assert [r["name"] for r in dev["resources"]["added"]] == ["gpu"]
    assert dev["resources"]["changed"][0]["inputs"] == [
        {"path": "tags.ai-infra-expected-size-gib", "before": "100", "after": "500"}
    ]
    assert dev["stack_file"] == "Pulumi.dev.yaml"


def test_sarif_points_at_the_declaring_line_or_the_stack_file(diff):
    document = json.loads(render(diff, "sarif"))
    assert document["version"] == "2.1.0" and len(document["runs"]) == 1
    for result in document["runs"][0]["results"]:
        location = result["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        name = result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
        if "pulumi:pulumi:Stack" in name:
            assert uri == f"Pulumi.{result['properties']['stack']}.yaml", "stack-wide findings point at the stack file"
        else:
            assert uri.endswith(".py") and location["region"]["startLine"] > 1, "resources point at their program line"


def test_table_without_color(diff):
    text = render(diff, "table", color=False)
    assert "\033[" not in text
    assert "  + aws:eks:NodeGroup  gpu" in text.splitlines()
    assert "      tags.ai-infra-expected-size-gib: 100 -> 500" in text.splitlines()
    assert "\033[32m" in render(diff, "table", color=True)


# -- the command -----------------------------------------------------------------------------------
def test_command_writes_the_report_to_out_and_cleans_up(repo, tmp_path, capsys):
    out = tmp_path / "comment.md"
    code = main(
        ["diff", "dev", "--base", "HEAD~1", "--cwd", str(repo["root"]), "--format", "markdown", "--out", str(out)]
    )
    assert code in (0, 1), "1 only for a mandatory finding on the head"
    assert capsys.readouterr().out == ""
    text = out.read_text(encoding="utf-8")
    assert text.startswith(MARKER) and "**dev**" in text and "**qa**" not in text, "only the named stack"
    assert f"against `HEAD~1` ({repo['base'][:7]})" in text
    assert len(worktrees(repo)) == 1, "the base worktree is gone"


def test_unknown_ref_is_a_usage_error(repo, capsys):
    assert main(["diff", "--base", "no-such-ref", "--cwd", str(repo["root"])]) == 2
    assert "--base 'no-such-ref' is not a commit" in capsys.readouterr().err


def test_base_without_a_pulumi_project_is_a_usage_error_and_the_worktree_is_removed(repo, capsys):
    assert main(["diff", "--base", repo["empty"], "--cwd", str(repo["root"])]) == 2
    assert "has no Pulumi project at '.'" in capsys.readouterr().err
    assert len(worktrees(repo)) == 1


def test_unknown_stack_is_a_usage_error(repo, capsys):
    assert main(["diff", "nope", "--base", repo["base"], "--cwd", str(repo["root"])]) == 2
    assert "unknown stack(s) nope" in capsys.readouterr().err


def test_interrupt_while_workers_run_still_removes_the_worktree(repo, monkeypatch):
    class Interrupted:
        def __init__(self, project_dir: Path, stacks: list[str]):
            self.project_dir = project_dir

        def result(self):
            assert (self.project_dir / "Pulumi.yaml").exists()
            raise KeyboardInterrupt

        def kill(self) -> None:
            return None

    monkeypatch.setattr(build, "SideJob", Interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_diff(parse("--base", repo["base"], "--cwd", str(repo["root"])))
    assert len(worktrees(repo)) == 1


# -- the new side's SARIF per stack (--sarif-dir) ----------------------------------------------------
def test_sarif_dir_holds_each_stack_whose_new_side_ran_as_plan_would_write_it(diff, tmp_path):
    stale = tmp_path / "preflight-regressed.sarif"
    stale.write_text("{}", encoding="utf-8")
    write_stack_sarif(diff, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "preflight-dev.sarif",
        "preflight-flaky.sarif",
        "preflight-qa.sarif",
    ], "none for the removed stack nor for the one whose program fails (the stale file is gone)"
    for name in ("dev", "flaky", "qa"):
        head = stack(diff, name).head_report
        text = (tmp_path / f"preflight-{name}.sarif").read_text(encoding="utf-8")
        assert text == render_plan_sarif(head, f"Pulumi.{name}.yaml")
        if "policy" in head.sections:
            errors = [r for r in json.loads(text)["runs"][0]["results"] if r["level"] == "error"]
            assert len(errors) == head.sections["policy"]["summary"]["mandatory"]


# -- a base whose project directory is the head's ------------------------------------------------------
@pytest.fixture(scope="module")
def identical(repo, tmp_path_factory) -> dict[str, Any]:
    """`preflight diff dev regressed --base HEAD --sarif-dir DIR` on the clean fixture repository,
    with git worktrees forbidden and the workers counted."""
    out = tmp_path_factory.mktemp("identical")
    sarif_dir = out / "sarif"
    sarif_dir.mkdir()
    (sarif_dir / "preflight-regressed.sarif").write_text("{}", encoding="utf-8")
    jobs: list[tuple[Path, list[str]]] = []
    outcomes: list[DiffOutcome] = []
    real_build = build.build_diff

    class CountedJob(SideJob):
        def __init__(self, project_dir: Path, stacks: list[str]):
            jobs.append((project_dir, list(stacks)))
            super().__init__(project_dir, stacks)

    def no_worktree(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a base identical to the head needs no worktree")

    def keep(args: Any) -> DiffOutcome:
        outcomes.append(real_build(args))
        return outcomes[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(build, "SideJob", CountedJob)
        patch.setattr(build, "base_worktree", no_worktree)
        patch.setattr(build, "build_diff", keep)
        argv = ["diff", "dev", "regressed", "--base", "HEAD", "--cwd", str(repo["root"])]
        code = main([*argv, "--format", "markdown", "--out", str(out / "diff.md"), "--sarif-dir", str(sarif_dir)])
    (outcome,) = outcomes
    return {
        "code": code,
        "jobs": jobs,
        "outcome": outcome,
        "markdown": (out / "diff.md").read_text(encoding="utf-8"),
        "sarif_dir": sarif_dir,
    }


def test_identical_base_is_not_evaluated_again(identical, repo):
    assert identical["jobs"] == [(repo["root"].resolve(), ["dev", "regressed"])], "one worker, the head's"
    diff = identical["outcome"].report
    assert diff.base_identical and diff.base_commit == diff.head_commit == repo["head"] and not diff.head_dirty
    dev = stack(diff, "dev")
    assert dev.status == "unchanged" and dev.resources == []
    assert dev.base_report is dev.head_report and (dev.base_count, dev.head_count) == (2, 2)
    if dev.costs is not None:
        assert (dev.costs.floor.delta, dev.costs.ceiling.delta) == (0.0, 0.0)
    if dev.findings is not None:
        assert dev.findings.new == [] and dev.findings.fixed == [] and dev.findings.base == dev.findings.head
        rules = {f["rule"] for f in dev.head_report.sections["policy"]["findings"]}
        assert "cost-increase-within-threshold" not in rules, "no increase against itself"


def test_identical_base_still_fails_a_stack_whose_program_fails(identical):
    regressed = stack(identical["outcome"].report, "regressed")
    assert regressed.status == "head-failed" and "this stack is broken on purpose" in regressed.head_error
    assert identical["code"] == 1 == identical["outcome"].exit_code


def test_identical_base_is_said_in_the_report_and_sarif_is_written(identical, repo):
    note = f"base `HEAD` ({repo['head'][:7]}) is identical to the head: no changes"
    assert f"**Note:** {note}." in identical["markdown"].splitlines()
    assert "- **dev**: " in identical["markdown"] and "resources: no changes" in identical["markdown"]
    sarif_dir = identical["sarif_dir"]
    assert sorted(p.name for p in sarif_dir.iterdir()) == ["preflight-dev.sarif"]
    dev = stack(identical["outcome"].report, "dev")
    text = (sarif_dir / "preflight-dev.sarif").read_text(encoding="utf-8")
    assert text == render_plan_sarif(dev.head_report, "Pulumi.dev.yaml")


def test_uncommitted_changes_make_a_full_evaluation(repo, tmp_path, monkeypatch):
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo["root"]), str(clone))
    (clone / "notes.txt").write_text("not committed yet\n", encoding="utf-8")
    seen: list[Path] = []

    class Stub:
        def __init__(self, project_dir: Path, stacks: list[str]):
            seen.append(project_dir)

        def result(self) -> SideRecording:
            return SideRecording(project=None, error="not run in this test")

        def kill(self) -> None:
            return None

    monkeypatch.setattr(build, "SideJob", Stub)
    outcome = build_diff(parse("dev", "--base", "HEAD", "--cwd", str(clone)))
    assert outcome.report.head_dirty and not outcome.report.base_identical
    base_dir, head_dir = seen
    assert head_dir == clone.resolve() and base_dir.name == "tree" and base_dir != head_dir, "a worktree for HEAD"
    assert "identical" not in render(outcome.report, "markdown")


def test_base_is_head_looks_at_the_project_directory_only(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Preflight Test")
    git(root, "config", "user.email", "preflight@example.com")
    write(root, {"docs/index.md": "v1\n"})
    no_project = commit(root, "docs only")
    write(root, {"infra/Pulumi.yaml": "name: x\nruntime: python\n", "infra/.gitignore": "*.log\n"})
    first = commit(root, "project")
    write(root, {"docs/index.md": "v2\n"})
    docs_change = commit(root, "docs change")
    project = root / "infra"

    def identical_to(ref: str) -> bool:
        repo = open_repository(project)
        return base_is_head(repo, resolve_ref(repo, ref))

    assert identical_to("HEAD") and identical_to(first), "a docs-only change leaves the project as it was"
    assert not identical_to(no_project), "no project directory in the base"
    write(root, {"infra/__main__.py": "print('x')\n"})
    assert not identical_to("HEAD"), "an untracked file in the project"
    commit(root, "program")
    assert identical_to("HEAD") and not identical_to(docs_change)
    write(root, {"infra/debug.log": "ignored\n", "docs/index.md": "v3, not committed\n"})
    assert identical_to("HEAD"), "ignored files and changes outside the project do not count"
    write(root, {"infra/__main__.py": "print('y')\n"})
    assert not identical_to("HEAD"), "an uncommitted change in the project"


def test_base_is_head_for_a_project_at_the_top_compares_whole_trees(repo, tmp_path):
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo["root"]), str(clone))
    git(clone, "config", "user.name", "Preflight Test")
    git(clone, "config", "user.email", "preflight@example.com")
    git(clone, "-c", "commit.gpgsign=false", "commit", "-q", "--allow-empty", "-m", "empty")
    opened = open_repository(clone)
    assert base_is_head(opened, resolve_ref(opened, "HEAD~1")), "same tree, another commit"
    assert not base_is_head(opened, resolve_ref(opened, repo["base"]))
