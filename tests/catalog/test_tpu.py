"""catalog.tpu: slice shapes, chips and hosts, and zone choice, checked over generated inputs."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog import load_catalog
from catalog.tpu import TpuError, load_tpu_catalog, tpu_slice, tpu_zone

TPUS = load_tpu_catalog()
GENERATIONS = sorted(TPUS.generations)
VALID = [(g, t) for g in GENERATIONS for t in TPUS.generations[g].topologies]
REGIONS = sorted(load_catalog().cloud("gcp").regions)
ALL_ZONES = sorted(z for r in REGIONS for z in load_catalog().zones("gcp", r))


def test_the_catalog_knows_the_three_generations_as_tpu_accelerators():
    assert GENERATIONS == ["tpu-v5e", "tpu-v5p", "tpu-v6e"]
    for name in GENERATIONS:
        accelerator = load_catalog().accelerator(name)
        assert (accelerator.kind, accelerator.taint_key) == ("tpu", "google.com/tpu")


@pytest.mark.parametrize(
    ("generation", "topology", "chips", "hosts", "machine", "vm_type"),
    [
        ("tpu-v5e", "1x1", 1, 1, "ct5lp-hightpu-1t", "v5litepod-1"),
        ("tpu-v5e", "2x2", 4, 1, "ct5lp-hightpu-4t", "v5litepod-4"),
        ("tpu-v5e", "2x4", 8, 1, "ct5lp-hightpu-8t", "v5litepod-8"),
        ("tpu-v5e", "4x4", 16, 4, "ct5lp-hightpu-4t", "v5litepod-16"),
        ("tpu-v5e", "16x16", 256, 64, "ct5lp-hightpu-4t", "v5litepod-256"),
        ("tpu-v5p", "2x2x1", 4, 1, "ct5p-hightpu-4t", "v5p-8"),
        ("tpu-v5p", "2x2x2", 8, 2, "ct5p-hightpu-4t", "v5p-16"),
        ("tpu-v5p", "4x4x4", 64, 16, "ct5p-hightpu-4t", "v5p-128"),
        ("tpu-v6e", "2x4", 8, 1, "ct6e-standard-8t", "v6e-8"),
        ("tpu-v6e", "4x8", 32, 8, "ct6e-standard-4t", "v6e-32"),
    ],
)
def test_known_slices(generation, topology, chips, hosts, machine, vm_type):
    tpu = tpu_slice(generation, topology)
    assert (tpu.chips, tpu.hosts, tpu.machine_type, tpu.vm_accelerator_type) == (chips, hosts, machine, vm_type)
    assert tpu.multi_host == (hosts > 1)


@given(st.sampled_from(VALID))
def test_every_valid_topology_is_accepted_with_its_chip_count(case):
    generation, topology = case
    tpu = tpu_slice(generation, topology)
    assert tpu.chips == math.prod(int(d) for d in topology.split("x"))
    assert tpu.hosts * tpu.chips_per_host == tpu.chips
    machine = load_catalog().machine("gcp", tpu.machine_type)
    assert machine.accelerator == generation
    assert machine.accelerator_count == tpu.chips_per_host


@given(
    st.sampled_from(GENERATIONS),
    st.lists(st.integers(min_value=1, max_value=64), min_size=1, max_size=4),
)
def test_impossible_topologies_are_rejected_with_what_is_valid(generation, dims):
    topology = "x".join(str(d) for d in dims)
    if topology in TPUS.generations[generation].topologies:
        return
    with pytest.raises(TpuError) as error:
        tpu_slice(generation, topology)
    message = str(error.value)
    assert repr(topology) in message
    assert TPUS.generations[generation].topologies[0] in message or "expected" in message


@given(st.sampled_from(GENERATIONS), st.text(max_size=12))
def test_malformed_topologies_are_rejected_not_crashed_on(generation, text):
    if text in TPUS.generations[generation].topologies:
        return
    with pytest.raises(TpuError, match=r"topology|slice shape|dimensions"):
        tpu_slice(generation, text)


def test_wrong_dimension_count_says_how_many_the_generation_has():
    with pytest.raises(TpuError, match=r"'2x2' has 2 dimensions but tpu-v5p slices have 3 \(AxBxC\)"):
        tpu_slice("tpu-v5p", "2x2")
    with pytest.raises(TpuError, match=r"'3x3' is not a tpu-v5e slice shape; valid: 1x1, 2x2"):
        tpu_slice("tpu-v5e", "3x3")


def test_unknown_generation():
    with pytest.raises(TpuError, match="'tpu-v9' is not a TPU generation"):
        tpu_slice("tpu-v9", "2x2")


@given(st.sampled_from(GENERATIONS), st.sampled_from(REGIONS), st.one_of(st.none(), st.sampled_from(ALL_ZONES)))
def test_zone_is_in_the_region_and_offers_the_generation_or_the_error_says_why(generation, region, requested):
    offered = TPUS.generations[generation].zones
    region_zones = load_catalog().zones("gcp", region)
    try:
        zone = tpu_zone(generation, region, requested)
    except TpuError as error:
        if requested is None:
            assert not set(offered) & set(region_zones)
            assert f"not offered in any zone of {region}" in str(error)
        else:
            assert requested not in region_zones or requested not in offered
            assert requested in str(error)
        return
    assert zone in region_zones and zone in offered
    if requested is not None:
        assert zone == requested
    else:
        assert zone == next(z for z in region_zones if z in offered)


def test_default_zones_for_the_stacks_region():
    assert tpu_zone("tpu-v5e", "us-central1") == "us-central1-a"
    assert tpu_zone("tpu-v6e", "us-central1") == "us-central1-b"
    with pytest.raises(TpuError, match=r"tpu-v5p is not offered in us-central1-b \(offered in: us-central1-a\)"):
        tpu_zone("tpu-v5p", "us-central1", "us-central1-b")
