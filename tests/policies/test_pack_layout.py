"""The pack as a whole: rule metadata, configs, README table, imports and module names."""

from __future__ import annotations

import ast
import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path

import pytest

from policies.framework import RULE_ID
from policies.pack import COMPANIONS, INVALID_POLICY, PACK_DIR, build_policies
from policies.rules import ALL_RULES, rules_by_id
from policies.rules_table import readme_table, rules_table

CONFIGS = {stack: json.loads((PACK_DIR / "config" / f"{stack}.json").read_text()) for stack in ("dev", "prod")}
NEVER_SUPPRESSIBLE = {
    "bucket-public-access-blocked",
    "network-no-public-admin-ingress",
    "iam-no-admin-or-wildcard-actions",
}


def test_rule_ids_are_unique_kebab_case_with_full_metadata() -> None:
    assert len(rules_by_id()) == len(ALL_RULES)
    for rule in ALL_RULES:
        assert RULE_ID.match(rule.id), rule.id
        assert rule.description and rule.remediation and rule.tags and rule.severity, rule.id
        assert rule.tags in (("security",), ("cost",)), rule.id


def test_every_rule_of_the_reference_is_covered() -> None:
    refs = {r.ref for r in ALL_RULES}
    assert {f"S{n}" for n in range(1, 26)} <= refs
    assert {f"C{n}" for n in range(1, 14)} <= refs


def test_policies_are_the_rules_plus_the_suppression_companions() -> None:
    names = [p.name for p in build_policies()]
    assert names == [r.id for r in ALL_RULES] + list(COMPANIONS)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_configs_set_every_rule_explicitly(stack: str) -> None:
    config = CONFIGS[stack]
    configured = {r.id for r in ALL_RULES} | {INVALID_POLICY}
    assert set(config) == configured, "every rule has an explicit level (no hidden defaults)"
    for rule in ALL_RULES:
        entry = config[rule.id]
        if entry == "disabled":
            continue
        assert isinstance(entry, dict) and "allowSuppression" in entry, f"{stack}: {rule.id} must say allowSuppression"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_what_must_never_happen_is_mandatory_and_not_suppressible(stack: str) -> None:
    for rule in NEVER_SUPPRESSIBLE:
        assert CONFIGS[stack][rule] == {"enforcementLevel": "mandatory", "allowSuppression": False}


def test_dev_config_keeps_dev_cheap_and_prod_config_enforces_security() -> None:
    dev, prod = CONFIGS["dev"], CONFIGS["prod"]
    for rule in ("accelerator-allowed", "accelerator-pool-uses-spot", "gpu-pool-scales-to-zero"):
        assert dev[rule]["enforcementLevel"] == "mandatory", rule
    for rule in ALL_RULES:
        if "security" in rule.tags:
            assert prod[rule.id]["enforcementLevel"] == "mandatory", rule.id
    assert prod["stateful-resources-protected"] == {"enforcementLevel": "mandatory", "allowSuppression": False}
    assert dev["stateful-resources-protected"] == "disabled"  # dev must stay teardown-able


def test_readme_table_matches_the_code() -> None:
    assert readme_table() == rules_table(), "run: uv run python -m policies.rules_table --update-readme"


def test_pack_imports_only_catalog_from_the_project() -> None:
    for path in PACK_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text())
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        roots = {name.split(".")[0] for name in imported}
        assert roots & {"components", "stacks", "preflight"} == set(), f"{path} imports {roots}"


def test_no_pack_module_shadows_a_library() -> None:
    # runpy puts policies/ first on sys.path: a top-level name there would shadow a library.
    taken = set(sys.stdlib_module_names)
    for dist in importlib.metadata.distributions():
        top_level = dist.read_text("top_level.txt") or ""
        taken.update(line.strip() for line in top_level.splitlines() if line.strip())
        taken.add((dist.metadata["Name"] or "").replace("-", "_").lower())
    ours = {p.stem for p in PACK_DIR.glob("*.py")} | {
        p.name for p in PACK_DIR.iterdir() if p.is_dir() and not p.name.startswith("__")
    }
    assert ours & taken == set(), ours & taken


def test_pack_starts_from_its_own_directory_like_the_cli() -> None:
    # `python -m pulumi.policy <engine> policies` runs policies/__main__.py with policies/ on sys.path[0].
    code = (
        "import runpy, sys; sys.path.insert(0, 'policies'); "
        "import pulumi_policy.policy as p; p.PolicyPack.__init__ = lambda self, **kw: print(len(kw['policies'])); "
        "runpy.run_path('policies', run_name='__main__')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=PACK_DIR.parent, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(len(ALL_RULES) + len(COMPANIONS))


def test_policy_pack_project_file_points_at_the_project_virtualenv() -> None:
    import yaml

    manifest = yaml.safe_load((PACK_DIR / "PulumiPolicy.yaml").read_text())
    assert manifest["runtime"]["name"] == "python"
    venv = (PACK_DIR / manifest["runtime"]["options"]["virtualenv"]).resolve()
    assert venv == (PACK_DIR.parent / ".venv").resolve()
    assert Path(venv, "bin", "python").exists()


def test_every_rule_has_rule_tests() -> None:
    sources = "\n".join(p.read_text() for p in Path(__file__).parent.glob("test_*.py") if p.name != Path(__file__).name)
    untested = [r.id for r in ALL_RULES if f'"{r.id}"' not in sources]
    assert untested == [], f"rules without tests in tests/policies: {untested}"
