"""The Markdown pull-request comment, against golden files.

Golden files live in tests/golden/. After an intended change to the output, regenerate them with

    PREFLIGHT_UPDATE_GOLDEN=1 uv run pytest tests/preflight/test_render_markdown.py

and review the diff of tests/golden/ like any other change.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from preflight.render_markdown import (
    MARKER,
    render_diff_markdown,
    render_plan_markdown,
    signed_percent,
    signed_usd,
    usd,
)
from tests.preflight.test_diff_model import dev_reports, sample_diff

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
UPDATE = os.environ.get("PREFLIGHT_UPDATE_GOLDEN") == "1"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing; run with PREFLIGHT_UPDATE_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from the golden file (see module docstring)"


def test_diff_markdown_matches_golden():
    check_golden("diff.md", render_diff_markdown(sample_diff()))


def test_plan_markdown_matches_golden():
    _base, head = dev_reports()
    check_golden("plan.md", render_plan_markdown(head))


def test_diff_markdown_is_deterministic_and_plain():
    text = render_diff_markdown(sample_diff())
    assert text == render_diff_markdown(sample_diff())
    assert "\033[" not in text
    assert text.splitlines()[0] == MARKER, "CI finds its comment by the marker on the first line"


def test_diff_markdown_headline_and_order():
    text = render_diff_markdown(sample_diff())
    assert (
        "- **dev**: monthly floor +$412 (+18%), ceiling +$2,950 (+9%), 2 new mandatory findings, "
        "2 other new, 1 fixed; resources: 1 added, 1 removed, 1 changed" in text.splitlines()
    )
    assert (
        "- **prod** (new stack): monthly floor +$11.50 (n/a), ceiling +$11.50 (n/a), 0 new mandatory findings; " in text
    )
    assert (
        "- **staging**: the base could not be evaluated, monthly floor $2.30, ceiling $2.30, 1 mandatory finding"
        in (text)
    )
    assert "- **test**: the program fails with this change (nothing to compare)" in text
    assert "The stack's program fails with this change:\n\n```\nthe program raised KeyError: 'gpu_pools'\n```" in text
    dev = text[text.index("#### `dev`") : text.index("#### `prod`")]
    # New mandatory findings are shown open, before anything collapsed.
    assert dev.index("**New mandatory findings (2)**") < dev.index("<details>")
    assert dev.index("budget-within-limit") < dev.index("eks-spot-in-dev") < dev.index("s3-access-logging")
    assert "| Monthly floor | $2,288 | $2,700 | +$412 (+18%) |" in dev
    assert "| gcp floor | $0 | $100 | +$100 (n/a) |" in dev
    assert "| + | &nbsp;&nbsp;aws:eks:NodeGroup | <code>dev-l4-nodes</code> | $0 | +$1,175 |" in dev
    assert "| - | aws:eks:NodeGroup | <code>dev-cpu</code> | -$70.08 | -$140 |" in dev
    assert "| ~ | &nbsp;&nbsp;aws:s3:Bucket | <code>dev-models-bucket</code> | $2.30 → $11.50 | $2.30 → $11.50 |" in dev
    # A value with a pipe does not break the table.
    assert "<code>data&#124;lake</code>" in dev


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2288.0, "$2,288"),
        (2.3, "$2.30"),
        (0.0, "$0"),
        (-12.4, "-$12.40"),
        (None, "unknown"),
        (0.004, "$0"),
        (99.999, "$100"),
    ],
)
def test_usd(value, expected):
    assert usd(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(412.0, "+$412"), (-12.0, "-$12.00"), (0.0, "$0"), (None, "n/a")],
)
def test_signed_usd(value, expected):
    assert signed_usd(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(18.007, "+18%"), (-0.44, "-0.4%"), (0.0, "0%"), (None, "n/a"), (9.2, "+9%")],
)
def test_signed_percent(value, expected):
    assert signed_percent(value) == expected
