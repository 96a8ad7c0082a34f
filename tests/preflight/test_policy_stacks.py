"""The project's own stacks under their own configs, judged in both phases as `pulumi preview` and
`pulumi up` would: prod has no unsuppressed mandatory finding, dev has no mandatory finding at all
(advisories and findings deferred to the update are allowed and listed)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from preflight.policy.analyzer import PolicyResult


@pytest.fixture(scope="module")
def judged(stack_policy: Callable[[str], PolicyResult]) -> Callable[[str], PolicyResult]:
    """The pack on both phases of a stack's session runs (tests/conftest.py), judged once per session."""
    return stack_policy


def _listing(result: PolicyResult) -> str:
    return "\n".join(
        f"  {f.phase:<7} {f.kind:<9} {f.enforcement:<9} {f.rule:<34} {f.urn.rsplit('::', 1)[-1]}: {f.message}"
        for f in result.findings
    )


def test_prod_has_no_unsuppressed_mandatory_findings(judged: Callable[[str], PolicyResult]) -> None:
    result = judged("prod")
    assert Path(result.config_file or "").name == "prod.json"
    assert result.blocking == [], "unsuppressed mandatory findings in prod:\n" + _listing(result)
    assert {phase: gate["verdict"] for phase, gate in result.gates().items()} == {"preview": "pass", "update": "pass"}


def test_dev_has_no_mandatory_findings(judged: Callable[[str], PolicyResult]) -> None:
    result = judged("dev")
    assert Path(result.config_file or "").name == "dev.json"
    assert set(result.phases) == {"preview", "update"}
    mandatory = [f for f in result.findings if f.enforcement == "mandatory"]
    print(f"dev advisories ({result.summary()['advisory']}):\n" + _listing(result))
    assert mandatory == [], "mandatory findings in dev:\n" + _listing(result)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_what_preview_cannot_judge_is_judged_in_the_update(judged: Callable[[str], PolicyResult], stack: str) -> None:
    """Every finding deferred at preview names a resource the update phase judged (and passed:
    no mandatory finding there)."""
    result = judged(stack)
    deferred = [f for f in result.findings if f.deferred]
    assert all(f.phase == "preview" for f in deferred), "nothing is unknown after the update"
    update_blocking = {(f.rule, f.urn) for f in result.of_phase("update") if f.blocking}
    assert not update_blocking & {(f.rule, f.urn) for f in deferred}


def test_the_shapes_the_engine_sends_at_preview(stack_run: Callable[..., Any]) -> None:
    """The preview run leaves hundreds of provider-computed inputs unknown, none of them null."""
    from preflight.wire import null_paths, unknown_paths

    preview, update = stack_run("prod", "preview"), stack_run("prod", "update")
    unknown = sum(len(list(unknown_paths(r.inputs))) for r in preview.resources)
    assert unknown >= 200, unknown
    assert [(r.name, p) for r in preview.resources for p in null_paths(r.inputs)] == []
    assert sum(len(list(unknown_paths(r.inputs))) for r in update.resources) == 0
    assert [(r.name, p) for r in update.resources for p in null_paths(r.inputs)] == []
    assert {r.urn for r in preview.resources} == {r.urn for r in update.resources}
    assert all(r.id is None for r in preview.resources if r.custom), "nothing exists yet at preview"
    assert all(r.id for r in update.resources if r.custom), "every created resource has an id after the update"


PLATFORM_RULES = (
    "accelerator-pool-autoscaled",
    "helm-chart-pinned",
    "container-image-pinned",
    "namespace-pod-security",
)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_in_cluster_layer_passes_its_own_rules(judged: Callable[[str], PolicyResult], stack: str) -> None:
    findings = [f for f in judged(stack).findings if f.rule in PLATFORM_RULES]
    assert findings == [], "\n".join(f"{f.rule} {f.urn}: {f.message}" for f in findings)
