"""Stateful resources (catalog/data/stateful_types.yaml: buckets and their keys, clusters, KMS
keys, ML workspaces, ...) are protected and retained on delete in prod, and never block
teardown in dev.

Every stateful type any stack declares is checked at both tiers: each stack at its own tier, and
a stack at the other tier (`ai-infra:tier` overridden) when it declares a stateful type the
stacks of that tier do not.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from catalog import stateful_types
from components.aws import Bucket, BucketArgs
from preflight.records import ProgramRun, ResourceRecord
from preflight.report import cloud_of
from stacks.config import parse_environment
from tests.reliability.conftest import PROJECT, REQUIRED_STACKS, STACKS, require_stack


@dataclass(frozen=True)
class TeardownSetting:
    """An input that decides whether deleting the resource can succeed (checked in dev)."""

    key: str
    """Engine (camelCase) input name."""
    teardown_value: Any
    """The value that lets `pulumi destroy` delete the resource and what it holds."""
    provider_default: Any
    """What the provider does when the input is not set."""
    forbidden_in_prod: bool = False
    """True when the teardown value would let a prod delete wipe data (force-destroy)."""


# Verified in the installed SDKs (args classes); defaults from their docs.
TEARDOWN_SETTINGS: dict[str, TeardownSetting] = {
    "aws:s3/bucket:Bucket": TeardownSetting("forceDestroy", True, False, forbidden_in_prod=True),
    "aws:eks/cluster:Cluster": TeardownSetting("deletionProtection", False, False),
    "gcp:storage/bucket:Bucket": TeardownSetting("forceDestroy", True, False, forbidden_in_prod=True),
    # GKE clusters refuse deletion unless deletion_protection is explicitly false.
    "gcp:container/cluster:Cluster": TeardownSetting("deletionProtection", False, True),
    "alicloud:oss/bucket:Bucket": TeardownSetting("forceDestroy", True, False, forbidden_in_prod=True),
    "alicloud:cs/managedKubernetes:ManagedKubernetes": TeardownSetting("deletionProtection", False, False),
    "alicloud:kms/key:Key": TeardownSetting("deletionProtection", "Disabled", "Disabled"),
}

ALL_STATEFUL = frozenset().union(*stateful_types().values())


def _own_tier(stack: str) -> str:
    raw = yaml.safe_load(PROJECT.stack_file(stack).read_text(encoding="utf-8")) or {}
    values = {k.removeprefix("ai-infra:"): v for k, v in (raw.get("config") or {}).items()}
    return str(parse_environment(values).tier)


def _stateful(run: ProgramRun) -> list[ResourceRecord]:
    return [r for r in run.sorted_resources() if r.type in ALL_STATEFUL]


def runs_at_tier(tier: str, stack_run, stack_run_with) -> list[ProgramRun]:
    """Runs that together show every stateful type any stack declares at `tier`: each stack
    whose file has that tier, plus, with `ai-infra:tier` overridden, each other stack that
    declares a stateful type those do not (a program run costs seconds; no run is repeated
    without something new to check)."""
    runs = [stack_run(stack) for stack in STACKS if _own_tier(stack) == tier]
    covered = {r.type for run in runs for r in _stateful(run)}
    for stack in STACKS:
        if _own_tier(stack) == tier:
            continue
        if {r.type for r in _stateful(stack_run(stack))} - covered:
            runs.append(stack_run_with(stack, {"ai-infra:tier": tier}))
            covered |= {r.type for r in _stateful(runs[-1])}
    return runs


@pytest.mark.parametrize("stack", sorted({*REQUIRED_STACKS, *STACKS}))
def test_every_cloud_in_the_stack_has_a_stateful_type_list(stack, stack_run):
    require_stack(stack)
    run = stack_run(stack)
    clouds = {cloud_of(r.type) for r in run.resources} - {"other"}
    missing = sorted(clouds - set(stateful_types()))
    assert not missing, f"clouds without an entry in catalog/data/stateful_types.yaml: {missing}"


def prod_problems(run: ProgramRun) -> list[str]:
    """One line (with the URN) per stateful resource that a prod delete could destroy."""
    problems = []
    for record in _stateful(run):
        if not record.protect:
            problems.append(f"{record.urn}: not protected (use stateful_options(self, protect=True))")
        if not record.retain_on_delete:
            problems.append(f"{record.urn}: not retained on delete")
        setting = TEARDOWN_SETTINGS.get(record.type)
        if setting and setting.forbidden_in_prod and record.inputs.get(setting.key) == setting.teardown_value:
            problems.append(f"{record.urn}: {setting.key}={setting.teardown_value!r} in prod would delete its data")
    return problems


def dev_problems(run: ProgramRun) -> list[str]:
    """One line (with the URN) per stateful resource that would block or outlive `pulumi destroy`."""
    problems = []
    for record in _stateful(run):
        if record.protect:
            problems.append(f"{record.urn}: protected, `pulumi destroy` would refuse")
        if record.retain_on_delete:
            problems.append(f"{record.urn}: retained on delete, `pulumi destroy` would leave it behind (and bill)")
        setting = TEARDOWN_SETTINGS.get(record.type)
        if setting:
            value = record.inputs.get(setting.key, setting.provider_default)
            if value != setting.teardown_value:
                problems.append(
                    f"{record.urn}: {setting.key}={value!r} blocks deletion; dev needs {setting.teardown_value!r}"
                )
    return problems


def test_prod_protects_and_retains_every_stateful_resource(stack_run, stack_run_with):
    problems = [p for run in runs_at_tier("prod", stack_run, stack_run_with) for p in prod_problems(run)]
    assert not problems, "at tier prod:\n" + "\n".join(problems)


def test_dev_stateful_resources_do_not_block_teardown(stack_run, stack_run_with):
    problems = [p for run in runs_at_tier("dev", stack_run, stack_run_with) for p in dev_problems(run)]
    assert not problems, "at tier dev:\n" + "\n".join(problems)


def _bucket(protect: bool) -> Bucket:
    return Bucket("data", BucketArgs(bucket_name="ai-infra-test-data", purpose="data", protect=protect))


def test_checks_name_the_urn_of_an_unprotected_prod_bucket(declare):
    problems = prod_problems(declare(lambda: _bucket(protect=False)))
    bucket = "urn:pulumi:test::ai-infra::ai-infra:aws:Bucket$aws:s3/bucket:Bucket::data-bucket"
    key = "urn:pulumi:test::ai-infra::ai-infra:aws:Bucket$aws:kms/key:Key::data-key"
    assert f"{bucket}: not protected (use stateful_options(self, protect=True))" in problems
    assert f"{bucket}: not retained on delete" in problems
    assert f"{bucket}: forceDestroy=True in prod would delete its data" in problems
    assert f"{key}: not protected (use stateful_options(self, protect=True))" in problems
    assert dev_problems(declare(lambda: _bucket(protect=False))) == []


def test_checks_name_the_urn_of_a_dev_bucket_that_blocks_teardown(declare):
    problems = dev_problems(declare(lambda: _bucket(protect=True)))
    bucket = "urn:pulumi:test::ai-infra::ai-infra:aws:Bucket$aws:s3/bucket:Bucket::data-bucket"
    assert f"{bucket}: protected, `pulumi destroy` would refuse" in problems
    assert f"{bucket}: forceDestroy=False blocks deletion; dev needs True" in problems
    assert prod_problems(declare(lambda: _bucket(protect=True))) == []


def test_the_stacks_declare_stateful_resources(stack_run):
    # Guards the tests above against passing vacuously (e.g. after the type list drifts from the
    # tokens the components really use).
    declared = {r.type for stack in STACKS for r in stack_run(stack).resources}
    assert declared & ALL_STATEFUL, f"no stateful type of the catalog list is declared; types seen: {sorted(declared)}"


# -- the list itself -----------------------------------------------------------------------------
_SDK_PACKAGES = {
    "aws": "pulumi_aws",
    "gcp": "pulumi_gcp",
    "azure-native": "pulumi_azure_native",
    "alicloud": "pulumi_alicloud",
}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _sdk_declares(token: str) -> bool:
    """Whether the installed provider SDK has a resource class registered under `token` (read
    from source: importing the SDK modules would take seconds)."""
    package, module, class_name = token.split(":")
    spec = importlib.util.find_spec(_SDK_PACKAGES.get(package, f"pulumi_{package}"))
    if spec is None or not spec.submodule_search_locations:
        return False
    module_name = module.split("/")[0]
    directory = Path(next(iter(spec.submodule_search_locations)))
    if module_name != "index":
        directory = directory / module_name
    file_stem = module.split("/")[1] if "/" in module else class_name
    candidates = [directory / f"{_snake(file_stem)}.py", *sorted(directory.glob("*.py"))]
    if package == "kubernetes":
        # pulumi_kubernetes: one file per kind under <group>/<version>/ (core/v1/Namespace.py).
        candidates.insert(0, directory / file_stem / f"{class_name}.py")
    quoted = (f"'{token}'", f'"{token}"')
    for path in candidates:
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            if any(q in text for q in quoted) and f"class {class_name}(pulumi.CustomResource)" in text:
                return True
    return False


@pytest.mark.parametrize("token", sorted(ALL_STATEFUL))
def test_stateful_type_tokens_exist_in_the_installed_sdks(token):
    assert _sdk_declares(token), f"{token!r} in catalog/data/stateful_types.yaml is not a resource type of the SDK"


def test_a_misspelt_token_is_not_found_in_the_sdk():
    assert not _sdk_declares("aws:s3/bukket:Bucket")
    assert not _sdk_declares("aws:s3/bucket:Bukket")
