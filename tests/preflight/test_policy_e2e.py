"""The analyzer path end to end: the fixture program (tests/fixtures/policy_violations) judged by
the pack over gRPC, as the CLI would — findings with the enforcement levels of dev.json and
prod.json, and suppressions that apply, expire or are not allowed.

One pack process serves the whole module (a fresh one per stack: the stack name is part of the
pack's environment, as under the CLI)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from preflight.engine import run_program
from preflight.policy.analyzer import PACK_DIR, PolicyPackSession, PolicyResult, stack_urn
from preflight.project import load_project, load_stack_config
from preflight.records import ProgramRun

SOON = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
"""An expiry within every environment's suppression limits (policies/suppressions/limits.yaml)."""

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "policy_violations"
DEV_CONFIG = PACK_DIR / "config" / "dev.json"
PROD_CONFIG = PACK_DIR / "config" / "prod.json"
STACK = "(stack)"

# (rule, resource name or STACK, enforcement under dev.json, under prod.json); None: no finding.
EXPECTED = [
    ("bucket-public-access-blocked", "open-bucket", "mandatory", "mandatory"),
    ("bucket-public-access-blocked", "gcs-public", "mandatory", "mandatory"),
    ("bucket-public-access-blocked", "public-read", "mandatory", "mandatory"),
    ("bucket-public-access-blocked", "weakaccount", "mandatory", "mandatory"),
    ("bucket-encrypted-with-cmk", "open-bucket", "advisory", "mandatory"),
    ("bucket-versioning-enabled", "open-bucket", "advisory", "mandatory"),
    ("bucket-access-logging", "open-bucket", "advisory", "mandatory"),
    ("storage-tls-only", "weakaccount", "advisory", "mandatory"),
    ("bucket-uniform-access", "weakaccount", "advisory", "mandatory"),
    ("storage-network-default-deny", "weakaccount", "advisory", "mandatory"),
    ("stateful-resources-protected", "open-bucket", None, "mandatory"),
    ("bucket-lifecycle-tiering", "open-bucket", "advisory", "advisory"),
    ("network-no-public-admin-ingress", "ssh-open", "mandatory", "mandatory"),
    ("network-no-public-admin-ingress", "rdp-open", "mandatory", "mandatory"),
    ("network-flow-logs", "vpc", "advisory", "mandatory"),
    ("nat-gateway-limit", "nat-b", "mandatory", None),
    ("iam-no-admin-or-wildcard-actions", "admin", "mandatory", "mandatory"),
    ("iam-no-wildcard-resources", "admin", "advisory", "mandatory"),
    ("iam-no-long-lived-keys", "ci-key", "advisory", "mandatory"),
    ("k8s-api-endpoint-restricted", "eks", "advisory", "mandatory"),
    ("k8s-secrets-encrypted-with-kms", "eks", "advisory", "mandatory"),
    ("k8s-audit-logging", "eks", "advisory", "mandatory"),
    ("k8s-workload-identity", "h100", "advisory", "mandatory"),
    ("k8s-nodes-no-public-ip", "h100", "advisory", "mandatory"),
    ("k8s-node-auto-repair-upgrade", "h100", "advisory", "mandatory"),
    ("k8s-no-extended-support", "eks", "advisory", "mandatory"),
    ("disks-encrypted", "h100", "advisory", "mandatory"),
    ("ml-endpoint-private", "model", "advisory", "mandatory"),
    ("no-plaintext-secrets", "model", "advisory", "mandatory"),
    ("accelerator-allowed", "h100", "mandatory", None),
    ("accelerator-pool-uses-spot", "h100", "mandatory", None),
    ("gpu-pool-scales-to-zero", "h100", "mandatory", "advisory"),
    ("accelerator-capacity-limits", "h100", "mandatory", "mandatory"),
    ("accelerator-capacity-limits", STACK, "mandatory", "mandatory"),
    ("log-retention-set", "forever", "advisory", "advisory"),
    ("region-allowed", STACK, "advisory", "mandatory"),
    ("budget-defined", STACK, "advisory", "mandatory"),
    ("cost-allocation-tags", "open-bucket", "advisory", "mandatory"),
]


def fixture_run(stack: str) -> tuple[ProgramRun, object]:
    project = load_project(FIXTURE)
    config = load_stack_config(project, stack)
    run, _log = run_program(project, stack, config)
    return run, config


@pytest.fixture(scope="module")
def dev_run() -> ProgramRun:
    return fixture_run("dev")[0]


@pytest.fixture(scope="module")
def suppressions_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("suppressions") / "dev.yaml"
    path.write_text("suppressions: []\n")
    return path


@pytest.fixture(scope="module")
def dev_pack(suppressions_file: Path) -> Iterator[PolicyPackSession]:
    project = load_project(FIXTURE)
    with PolicyPackSession(
        project=project.name,
        stack="dev",
        stack_config=load_stack_config(project, "dev"),
        suppressions_file=suppressions_file,
    ) as session:
        yield session


@pytest.fixture(scope="module")
def dev_result(dev_pack: PolicyPackSession, dev_run: ProgramRun) -> PolicyResult:
    return dev_pack.analyze(dev_run, config_file=DEV_CONFIG)


@pytest.fixture(scope="module")
def prod_judged() -> tuple[PolicyResult, str]:
    # The fixture's prod stack: the pack reads PULUMI_STACK=prod, and prod.json decides.
    run, config = fixture_run("prod")
    with PolicyPackSession(project=run.project, stack="prod", stack_config=config) as session:  # type: ignore[arg-type]
        return session.analyze(run, config_file=PROD_CONFIG), stack_urn(run)


def levels(result: PolicyResult, run_stack_urn: str) -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = {}
    for finding in result.findings:
        name = STACK if finding.urn == run_stack_urn else finding.urn.rsplit("::", 1)[-1]
        found.setdefault((finding.rule, name), set()).add("suppressed" if finding.suppressed else finding.enforcement)
    return found


def test_at_least_fifteen_distinct_violations_across_domains() -> None:
    assert len({rule for rule, *_ in EXPECTED}) >= 15


@pytest.mark.parametrize(("rule", "name", "dev", "prod"), EXPECTED, ids=[f"{r}:{n}" for r, n, *_ in EXPECTED])
def test_expected_findings_with_dev_and_prod_levels(dev_result, prod_judged, dev_run, rule, name, dev, prod) -> None:
    dev_levels = levels(dev_result, stack_urn(dev_run)).get((rule, name), set())
    prod_result, prod_stack_urn = prod_judged
    prod_levels = levels(prod_result, prod_stack_urn).get((rule, name), set())
    assert dev_levels == ({dev} if dev else set()), f"dev: {rule} on {name}: {dev_levels}"
    assert prod_levels == ({prod} if prod else set()), f"prod: {rule} on {name}: {prod_levels}"


def test_findings_carry_the_rule_metadata_and_sort_mandatory_first(dev_result) -> None:
    finding = next(f for f in dev_result.findings if f.rule == "network-no-public-admin-ingress")
    assert finding.severity == "critical" and finding.tags == ("security",)
    assert "tcp port 22 from 0.0.0.0/0" in finding.message and not finding.message.startswith("No firewall rule")
    assert "Session Manager" in finding.remediation
    order = [f.sort_key()[0] for f in dev_result.findings]
    assert order == sorted(order)
    assert dev_result.summary()["mandatory"] == len(dev_result.blocking) > 0
    assert dev_result.pack == "ai-infra-policies"


# -- suppressions ---------------------------------------------------------------------------------
ONLY_SPOT_MANDATORY = {
    "all": "advisory",
    "accelerator-pool-uses-spot": {"enforcementLevel": "mandatory", "allowSuppression": True},
    "accelerator-capacity-limits": {"enforcementLevel": "mandatory", "allowSuppression": True, "maxNodesPerPool": 100},
    "iam-no-admin-or-wildcard-actions": {"enforcementLevel": "mandatory", "allowSuppression": False},
}


def _suppress(path: Path, *entries: dict) -> None:
    import yaml

    base = {"reason": "Benchmark pool, on-demand by design until 2099", "owner": "ml-platform"}
    path.write_text(yaml.safe_dump({"suppressions": [{**base, **e} for e in entries]}))


def _analyze(pack: PolicyPackSession, run: ProgramRun, tmp_path: Path) -> PolicyResult:
    config = tmp_path / "config.json"
    config.write_text(json.dumps(ONLY_SPOT_MANDATORY))
    return pack.analyze(run, config_file=config)


def _one(result: PolicyResult, rule: str, name: str):
    found = [f for f in result.findings if f.rule == rule and f.urn.endswith(f"::{name}")]
    assert len(found) == 1, found
    return found[0]


def test_a_valid_suppression_turns_a_mandatory_finding_into_a_suppressed_one(
    dev_pack, dev_run, suppressions_file, tmp_path
) -> None:
    _suppress(suppressions_file)
    before = _analyze(dev_pack, dev_run, tmp_path)
    assert _one(before, "accelerator-pool-uses-spot", "h100").blocking

    _suppress(suppressions_file, {"rule": "accelerator-pool-uses-spot", "name": "h1*", "expires": SOON})
    after = _analyze(dev_pack, dev_run, tmp_path)
    finding = _one(after, "accelerator-pool-uses-spot", "h100")
    assert finding.suppressed and finding.enforcement == "advisory" and not finding.blocking
    assert finding.suppression == {
        "reason": "Benchmark pool, on-demand by design until 2099",
        "owner": "ml-platform",
        "expires": SOON,
    }
    assert "on-demand capacity" in finding.message and finding.severity == "medium"
    assert after.summary()["suppressed"] == before.summary()["suppressed"] + 1


def test_stack_findings_can_be_suppressed_too(dev_pack, dev_run, suppressions_file, tmp_path) -> None:
    _suppress(suppressions_file, {"rule": "accelerator-capacity-limits", "urn": stack_urn(dev_run), "expires": SOON})
    result = _analyze(dev_pack, dev_run, tmp_path)
    stack_finding = next(
        f for f in result.findings if f.rule == "accelerator-capacity-limits" and f.urn == stack_urn(dev_run)
    )
    assert stack_finding.suppressed and "GPUs" in stack_finding.message


def test_an_expired_suppression_is_ignored_and_reported(dev_pack, dev_run, suppressions_file, tmp_path) -> None:
    _suppress(suppressions_file, {"rule": "accelerator-pool-uses-spot", "name": "h100", "expires": "2020-01-31"})
    result = _analyze(dev_pack, dev_run, tmp_path)
    finding = _one(result, "accelerator-pool-uses-spot", "h100")
    assert finding.blocking and "expired on 2020-01-31" in finding.message
    expired = [f for f in result.findings if f.rule == "invalid-suppressions"]
    assert (
        len(expired) == 1
        and expired[0].enforcement == "advisory"
        and "accelerator-pool-uses-spot" in expired[0].message
    )


def test_a_rule_whose_config_forbids_suppression_stays_mandatory(
    dev_pack, dev_run, suppressions_file, tmp_path
) -> None:
    _suppress(suppressions_file, {"rule": "iam-no-admin-or-wildcard-actions", "name": "admin", "expires": SOON})
    finding = _one(_analyze(dev_pack, dev_run, tmp_path), "iam-no-admin-or-wildcard-actions", "admin")
    assert finding.blocking and "does not allow suppression" in finding.message


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        ({"name": "h100", "expires": "2099-12-31"}, "more than 365 days ahead"),
        ({"name": "*", "expires": SOON}, "matches (nearly) every resource"),
    ],
)
def test_a_suppression_beyond_the_limits_does_not_apply_and_is_reported(
    dev_pack, dev_run, suppressions_file, tmp_path, entry, why
) -> None:
    _suppress(suppressions_file, {"rule": "accelerator-pool-uses-spot", **entry})
    result = _analyze(dev_pack, dev_run, tmp_path)
    finding = _one(result, "accelerator-pool-uses-spot", "h100")
    assert finding.blocking and why in finding.message, "the finding is enforced"
    [invalid] = [f for f in result.findings if f.rule == "invalid-suppressions"]
    assert why in invalid.message and "accelerator-pool-uses-spot" in invalid.message


def test_an_invalid_suppression_file_stops_the_run_with_file_and_entry(
    dev_pack, dev_run, suppressions_file, tmp_path
) -> None:
    from preflight.policy.analyzer import PolicyPackError

    _suppress(
        suppressions_file,
        {"rule": "accelerator-pool-uses-spot", "name": "h100", "expires": SOON, "reason": "short"},
    )
    try:
        with pytest.raises(PolicyPackError) as error:
            _analyze(dev_pack, dev_run, tmp_path)
        assert f"{suppressions_file}: suppressions[0].reason" in str(error.value)
    finally:
        _suppress(suppressions_file)


def test_extra_properties_reach_the_pack(dev_pack, dev_run) -> None:
    # How `preflight diff` hands C6 its base figures: properties added on top of the config file.
    extra = {"accelerator-capacity-limits": {"maxNodesPerPool": 100}}
    result = dev_pack.analyze(dev_run, config_file=DEV_CONFIG, extra_properties=extra)
    assert result.settings["accelerator-capacity-limits"].properties["maxNodesPerPool"] == 100
    assert not any(f.rule == "accelerator-capacity-limits" and f.urn.endswith("::h100") for f in result.findings)
