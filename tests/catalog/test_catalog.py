"""The catalog's accelerator table is whole and consistent, and covers what the stacks use."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from catalog import CLOUDS, CatalogError, load_catalog

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "catalog" / "data"


def test_every_machine_names_a_known_accelerator_with_a_positive_count():
    catalog = load_catalog()
    for cloud in catalog.clouds.values():
        for machine in cloud.machines.values():
            assert machine.accelerator in catalog.accelerators, f"{cloud.cloud}:{machine.name}"
            assert machine.accelerator_count > 0


def test_defaults_point_at_machines_of_the_right_role_and_accelerator():
    catalog = load_catalog()
    for cloud in catalog.clouds.values():
        for accelerator, defaults in cloud.defaults.items():
            assert accelerator in catalog.accelerators, f"{cloud.cloud}: unknown accelerator {accelerator}"
            for role, machine_type in (
                ("node", defaults.node),
                ("endpoint", defaults.endpoint),
                ("node", defaults.node_multi_node),
            ):
                if machine_type is None:
                    continue
                machine = catalog.machine(cloud.cloud, machine_type)
                assert (machine.role, machine.accelerator) == (role, accelerator), f"{cloud.cloud}:{machine_type}"


@pytest.mark.parametrize("path", sorted(DATA.glob("*.yaml")), ids=lambda p: p.name)
def test_no_duplicate_keys_in_data_files(path):
    class StrictLoader(yaml.SafeLoader):
        pass

    def no_duplicates(loader, node, deep=False):
        keys = [loader.construct_object(k, deep=deep) for k, _ in node.value]
        duplicated = {k for k in keys if keys.count(k) > 1}
        assert not duplicated, f"{path.name}: duplicate keys {sorted(duplicated)}"
        return yaml.SafeLoader.construct_mapping(loader, node, deep)

    StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, no_duplicates)
    yaml.load(path.read_text(encoding="utf-8"), Loader=StrictLoader)  # a SafeLoader subclass


def test_known_multi_gpu_counts():
    catalog = load_catalog()
    assert catalog.machine("aws", "p5.48xlarge").accelerator_count == 8
    assert catalog.machine("aws", "p4d.24xlarge").accelerator_count == 8
    assert catalog.machine("aws", "g5.12xlarge").accelerator_count == 4


def _accelerators_used_by(stack_file: Path) -> set[tuple[str, str]]:
    config = yaml.safe_load(stack_file.read_text(encoding="utf-8"))["config"]
    used = set()
    for cloud, spec in (config.get("ai-infra:clouds") or {}).items():
        for section in ("gpu_pools", "endpoints"):
            for item in (spec.get(section) or {}).values():
                used.add((cloud, item["accelerator"]))
    return used


@pytest.mark.parametrize("stack_file", sorted(REPO.glob("Pulumi.*.yaml")), ids=lambda p: p.name)
def test_every_accelerator_the_stacks_use_is_known_on_its_cloud(stack_file):
    catalog = load_catalog()
    for cloud, accelerator in _accelerators_used_by(stack_file):
        assert cloud in CLOUDS
        catalog.accelerator(accelerator)
        assert accelerator in catalog.accelerators_on(cloud, "node") + catalog.accelerators_on(cloud, "endpoint")


def test_unknown_lookups_explain_what_is_known():
    catalog = load_catalog()
    with pytest.raises(CatalogError, match=r"'nvidia-x100' is not a known accelerator \(known: .*nvidia-h100"):
        catalog.accelerator("nvidia-x100")
    with pytest.raises(CatalogError, match="not a known aws region"):
        catalog.zones("aws", "mars-1")


@pytest.mark.parametrize(
    ("cloud", "machine_type", "local_nvme"),
    [
        ("aws", "ml.g6.xlarge", True),
        ("aws", "g6.xlarge", True),
        ("aws", "ml.p5e.48xlarge", True),  # a family the policy must know though no machine of it is listed
        ("aws", "ml.inf2.xlarge", False),
        ("aws", "ml.g6", True),
        ("aws", "None", False),
        ("gcp", "g2-standard-8", False),
    ],
)
def test_local_nvme_is_known_by_family(cloud: str, machine_type: str, local_nvme: bool) -> None:
    assert load_catalog().cloud(cloud).has_local_nvme(machine_type) is local_nvme
