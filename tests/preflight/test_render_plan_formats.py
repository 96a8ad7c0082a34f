"""`preflight plan --format markdown|sarif|mermaid` on a small external project, and where SARIF
results point inside a git repository."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from preflight.cli import main
from preflight.diff.git import repository_path
from preflight.render_markdown import MARKER

TINY = Path(__file__).resolve().parents[1] / "fixtures" / "tiny_project"


def plan(tmp_path: Path, format_: str) -> str:
    out = tmp_path / f"plan.{format_}"
    code = main(["plan", "dev", "--cwd", str(TINY), "--format", format_, "--out", str(out)])
    assert code in (0, 1), "1 only for a mandatory policy finding"
    return out.read_text(encoding="utf-8")


def test_plan_markdown(tmp_path):
    text = plan(tmp_path, "markdown")
    lines = text.splitlines()
    assert lines[0] == MARKER
    assert lines[1] == "### preflight: `tiny` / `dev`"
    assert lines[3].startswith("**dev**: ") and lines[3].endswith("4 resources in 2 components")
    assert "| tiny:index:Store | <code>store0</code> |  |" in text, "a component row"
    assert "| &nbsp;&nbsp;aws:s3:Bucket | <code>store0-bucket</code> |" in text, "its child, indented under it"
    assert "```mermaid" in text and "\033[" not in text


def test_plan_mermaid(tmp_path):
    text = plan(tmp_path, "mermaid")
    assert text.startswith("flowchart LR\n")
    assert '  c_store0["store0<br/><small>tiny:index:Store</small>"]:::component' in text
    assert '  c_store0_2["aws:s3:BucketVersioning"]' in text
    assert "  c_store0 --> c_store0_2" in text
    assert "pulumi:providers" not in text


def test_plan_sarif_points_at_the_program_line_that_declares_the_resource(tmp_path):
    document = json.loads(plan(tmp_path, "sarif"))
    assert document["version"] == "2.1.0"
    assert document["runs"][0]["tool"]["driver"]["name"] == "preflight"
    results = document["runs"][0]["results"]
    assert results, "the tiny project has findings"
    program = (TINY / "__main__.py").read_text(encoding="utf-8").splitlines()
    for result in results:
        location = result["locations"][0]["physicalLocation"]
        name = result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
        if "pulumi:pulumi:Stack" in name:
            assert location["artifactLocation"]["uri"].endswith("Pulumi.dev.yaml")
            continue
        assert location["artifactLocation"]["uri"] == "tests/fixtures/tiny_project/__main__.py"
        line = program[location["region"]["startLine"] - 1]
        assert "aws." in line or "Store(" in line, line


@pytest.mark.parametrize("inside", [True, False])
def test_repository_path(tmp_path, inside):
    project = tmp_path / "infra" / "ml"
    project.mkdir(parents=True)
    (project / "Pulumi.dev.yaml").write_text("config: {}\n", encoding="utf-8")
    if inside:
        subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
        assert repository_path(project / "Pulumi.dev.yaml") == "infra/ml/Pulumi.dev.yaml"
    else:
        assert repository_path(project / "Pulumi.dev.yaml") == "Pulumi.dev.yaml"
