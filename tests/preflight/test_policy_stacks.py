"""The project's own stacks under their own configs: prod has no unsuppressed mandatory finding,
dev has no mandatory finding at all (advisories are allowed and listed)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from preflight.policy.analyzer import PolicyResult, run_policy_pack
from preflight.project import load_project, load_stack_config
from preflight.records import ProgramRun

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def judged(stack_run: Callable[[str], ProgramRun]) -> Callable[[str], PolicyResult]:
    cache: dict[str, PolicyResult] = {}

    def judge(stack: str) -> PolicyResult:
        if stack not in cache:
            config = load_stack_config(load_project(REPO), stack)
            cache[stack] = run_policy_pack(stack_run(stack), stack_config=config)
        return cache[stack]

    return judge


def _listing(result: PolicyResult) -> str:
    return "\n".join(
        f"  {f.enforcement:<9} {f.rule:<34} {f.urn.rsplit('::', 1)[-1]}: {f.message}" for f in result.findings
    )


def test_prod_has_no_unsuppressed_mandatory_findings(judged: Callable[[str], PolicyResult]) -> None:
    result = judged("prod")
    assert Path(result.config_file or "").name == "prod.json"
    assert result.blocking == [], "unsuppressed mandatory findings in prod:\n" + _listing(result)


def test_dev_has_no_mandatory_findings(judged: Callable[[str], PolicyResult]) -> None:
    result = judged("dev")
    assert Path(result.config_file or "").name == "dev.json"
    mandatory = [f for f in result.findings if f.enforcement == "mandatory"]
    print(f"dev advisories ({result.summary()['advisory']}):\n" + _listing(result))
    assert mandatory == [], "mandatory findings in dev:\n" + _listing(result)


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
