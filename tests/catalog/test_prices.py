"""The price files: sound data (no catalog traps), full coverage of the machines the catalog maps,
and lookups that combine figures the way each cloud bills."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from catalog import load_catalog
from catalog.offers import accelerator_offers
from catalog.price_checks import coverage_problems, file_problems, price_problems
from catalog.price_models import CloudPrices
from catalog.prices import TIMES, PriceCatalog, Quote, Unpriced, load_prices

TODAY = dt.date(2026, 12, 3)
SOURCES = {"test": {"title": "test figures", "as_of": "2026-11-01"}}


def cloud_prices(**tables: Any) -> CloudPrices:
    return CloudPrices.model_validate({"cloud": "aws", "sources": SOURCES, **tables})


# -- the shipped data ---------------------------------------------------------------------------------
def test_shipped_price_files_have_no_problems() -> None:
    # Against the real date: a figure read today is not "in the future".
    assert price_problems(load_prices(), load_catalog()) == []


def test_every_machine_the_catalog_maps_has_a_figure_or_an_explicit_unknown() -> None:
    prices, catalog = load_prices(), load_catalog()
    for cloud, cloud_catalog in catalog.clouds.items():
        for machine in cloud_catalog.machines.values():
            role = "endpoint" if machine.role == "endpoint" else "node"
            name = prices.hosting_type(cloud, machine.name) if role == "endpoint" else machine.name
            quote = prices.machine_quote(cloud, name, None, role=role)
            if isinstance(quote, Unpriced):
                # "no entry" would mean a gap in the data; an explicit unknown or a
                # region-specific figure is fine.
                assert "has no entry" not in quote.reason, f"{cloud} {machine.name}: {quote.reason}"


def test_every_accelerator_the_stacks_default_to_is_priced_or_explicitly_unknown() -> None:
    catalog, prices = load_catalog(), load_prices()
    for cloud, cloud_catalog in catalog.clouds.items():
        for accelerator, defaults in cloud_catalog.defaults.items():
            for role in ("node", "endpoint", "node_multi_node"):
                machine_name = getattr(defaults, role)
                if machine_name is None:
                    continue
                machine = catalog.machine(cloud, machine_name)
                name = prices.hosting_type(cloud, machine.name) if machine.role == "endpoint" else machine.name
                quote = prices.machine_quote(
                    cloud, name, None, role="endpoint" if machine.role == "endpoint" else "node"
                )
                reason = quote.reason if isinstance(quote, Unpriced) else ""
                assert "has no entry" not in reason, f"{cloud} {accelerator} -> {machine_name}: {reason}"


# Accelerators per machine from the vendors' instance type pages. A public catalog lists
# ND96isr_H100_v5 with 12 GPUs: it has 8.
KNOWN_COUNTS = {
    ("aws", "g4dn.12xlarge"): 4,
    ("aws", "g5.xlarge"): 1,
    ("aws", "g5.12xlarge"): 4,
    ("aws", "g5.48xlarge"): 8,
    ("aws", "g6.xlarge"): 1,
    ("aws", "p4d.24xlarge"): 8,
    ("aws", "p4de.24xlarge"): 8,
    ("aws", "p5.48xlarge"): 8,
    ("gcp", "g2-standard-4"): 1,
    ("gcp", "a2-highgpu-1g"): 1,
    ("gcp", "a2-highgpu-8g"): 8,
    ("gcp", "a3-highgpu-8g"): 8,
    ("gcp", "ct5lp-hightpu-4t"): 4,
    ("gcp", "ct5p-hightpu-4t"): 4,
    ("gcp", "ct6e-standard-8t"): 8,
    ("azure", "Standard_NC4as_T4_v3"): 1,
    ("azure", "Standard_NC24ads_A100_v4"): 1,
    ("azure", "Standard_NC40ads_H100_v5"): 1,
    ("azure", "Standard_ND96asr_v4"): 8,
    ("azure", "Standard_ND96isr_H100_v5"): 8,
}


@pytest.mark.parametrize(("cloud", "machine_type"), sorted(KNOWN_COUNTS))
def test_accelerator_counts_per_machine_are_right(cloud: str, machine_type: str) -> None:
    machines = load_catalog().clouds[cloud].machines
    if machine_type not in machines:
        pytest.skip(f"the catalog does not map {cloud} {machine_type}")
    assert machines[machine_type].accelerator_count == KNOWN_COUNTS[(cloud, machine_type)]


def test_tpu_machines_are_priced_per_chip_with_the_catalogs_chip_count() -> None:
    prices = load_prices()
    assert prices.tpu_machine("gcp", "ct5lp-hightpu-4t") == ("tpu-v5e", 4)
    assert prices.tpu_machine("gcp", "ct6e-standard-8t") == ("tpu-v6e", 8)
    assert prices.tpu_vm("gcp", "v5litepod-8") == ("tpu-v5e", 8)
    assert prices.tpu_vm("gcp", "v5p-8") == ("tpu-v5p", 4)  # v5p names count TensorCores
    assert prices.tpu_vm("gcp", None, "V5P", "2x2x2") == ("tpu-v5p", 8)
    quote = prices.machine_quote("gcp", "ct5lp-hightpu-4t", "us-central1")
    assert not isinstance(quote, Unpriced)
    assert (quote.on_demand, quote.spot) == (pytest.approx(4 * 1.20), pytest.approx(4 * 0.2449))


# -- the checks catch the known traps --------------------------------------------------------------
def test_spot_above_on_demand_is_flagged() -> None:
    prices = cloud_prices(machines={"g5.xlarge": {"us-east-1": {"on_demand": 1.0, "spot": 1.2, "source": "test"}}})
    assert file_problems(prices, TODAY) == ["aws: machines.g5.xlarge.us-east-1: spot 1.2 is above on-demand 1.0"]


def test_spot_equal_to_on_demand_is_flagged_as_a_placeholder() -> None:
    prices = cloud_prices(machines={"g5.xlarge": {"us-east-1": {"on_demand": 1.0, "spot": 1.0, "source": "test"}}})
    assert ["placeholder" in p for p in file_problems(prices, TODAY)] == [True]


def test_700_an_hour_is_flagged_as_a_placeholder() -> None:
    prices = cloud_prices(accelerators={"tpu-v5e": {"us-east5": {"on_demand": 700.0, "source": "test"}}})
    problems = file_problems(prices, TODAY)
    assert any("placeholder" in p for p in problems)
    assert any("implausible" in p for p in problems)


def test_an_absurd_rate_per_accelerator_is_flagged() -> None:
    # 8 GPUs at $400/h would be $50 per GPU-hour.
    prices = PriceCatalog(
        {"aws": cloud_prices(machines={"p5.48xlarge": {"us-east-1": {"on_demand": 400.0, "source": "test"}}})}
    )
    problems = coverage_problems(prices, load_catalog())
    assert any("p5.48xlarge (node) in us-east-1: $50.00 per nvidia-h100-hour is implausible" in p for p in problems)


def test_a_machine_without_any_entry_is_reported() -> None:
    prices = PriceCatalog({"aws": cloud_prices()})
    problems = coverage_problems(prices, load_catalog())
    assert "aws: g5.xlarge (node): no entry in machines (give a price with a source, or `unknown: <why>`)" in problems


def test_a_figure_dated_in_the_future_is_flagged() -> None:
    prices = cloud_prices(
        machines={"g5.xlarge": {"us-east-1": {"on_demand": 1.0, "source": "test", "as_of": "2027-01-01"}}}
    )
    assert file_problems(prices, TODAY) == ["aws: machines.g5.xlarge.us-east-1: as_of 2027-01-01 is in the future"]


@pytest.mark.parametrize(
    "figure",
    [
        {"on_demand": 1.0},  # no source
        {"on_demand": 1.0, "source": "elsewhere"},  # source not in `sources`
        {"on_demand": 1.0, "unknown": "why", "source": "test"},  # both a price and unknown
        {},  # neither
        {"on_demand": 0, "source": "test"},  # $0 is not a machine price
        {"spot": 0.5, "source": "test"},  # spot without on-demand
    ],
)
def test_malformed_figures_fail_to_load(figure: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        cloud_prices(machines={"g5.xlarge": {"us-east-1": figure}})


# -- lookups ---------------------------------------------------------------------------------------------
def test_an_exact_key_wins_over_a_pattern_and_star_covers_every_region() -> None:
    prices = PriceCatalog(
        {
            "aws": cloud_prices(
                machines={
                    "g6.*": {"*": {"unknown": "family not sourced"}},
                    "g6.xlarge": {"us-east-1": {"on_demand": 0.8, "source": "test"}},
                }
            )
        }
    )
    assert isinstance(prices.machine("aws", "g6.xlarge", "us-east-1"), Quote)
    assert prices.machine("aws", "g6.2xlarge", "eu-west-1") == Unpriced(
        "aws machine type 'g6.2xlarge': family not sourced"
    )
    assert prices.machine("aws", "g6.xlarge", "eu-west-1") == Unpriced(
        "no price for aws machine type 'g6.xlarge' in eu-west-1 (priced in: us-east-1)"
    )


def test_a_gcp_gpu_machine_is_its_host_plus_its_gpus() -> None:
    quote = load_prices().machine_quote("gcp", "g2-standard-4", "us-central1")
    assert not isinstance(quote, Unpriced)
    assert quote.on_demand == pytest.approx(0.14683 + 0.56)
    assert (
        quote.describe(spot=False) == f"g2-standard-4 on-demand $0.70683/h (host $0.14683 + 1 {TIMES} nvidia-l4 $0.56)"
    )
    assert quote.spot == pytest.approx(0.08254 + 0.3148)
    # a3-highgpu-8g: the H100's own spot price is not known, so neither is the machine's.
    a3 = load_prices().machine_quote("gcp", "a3-highgpu-8g", "us-central1")
    assert not isinstance(a3, Unpriced) and a3.on_demand == pytest.approx(88.49)
    assert a3.spot is None and "spot" in (a3.spot_unknown or "")


def test_an_n1_host_gets_only_the_gpus_attached_to_it() -> None:
    prices = PriceCatalog(
        {
            "gcp": CloudPrices.model_validate(
                {
                    "cloud": "gcp",
                    "sources": SOURCES,
                    "accelerators_billed_separately": True,
                    "machines": {"n1-standard-8": {"us-central1": {"on_demand": 0.38, "spot": 0.08, "source": "test"}}},
                    "accelerators": {
                        "nvidia-t4": {"us-central1": {"on_demand": 0.35, "spot": 0.175, "source": "test"}}
                    },
                }
            )
        }
    )
    bare = prices.machine_quote("gcp", "n1-standard-8", "us-central1")
    with_t4 = prices.machine_quote("gcp", "n1-standard-8", "us-central1", accelerators=[("nvidia-t4", 2)])
    assert not isinstance(bare, Unpriced) and not isinstance(with_t4, Unpriced)
    assert bare.on_demand == pytest.approx(0.38)
    assert (with_t4.on_demand, with_t4.spot) == (pytest.approx(0.38 + 2 * 0.35), pytest.approx(0.08 + 2 * 0.175))


def test_h100_offers_are_cheapest_first_with_unpriced_ones_last() -> None:
    offers = accelerator_offers("nvidia-h100")
    known = [o.on_demand for o in offers if o.on_demand is not None]
    assert known == sorted(known) and known
    first = offers[0]
    assert (first.cloud, first.machine_type, first.on_demand) == ("aws", "p5.48xlarge", pytest.approx(55.04 / 8))
    seen_unknown = False
    for offer in offers:
        seen_unknown = seen_unknown or offer.on_demand is None
        assert not (seen_unknown and offer.on_demand is not None), "a priced offer after an unpriced one"
    assert any(o.machine_type == "a3-highgpu-8g" and o.on_demand == pytest.approx(88.49 / 8) for o in offers)
    a100 = accelerator_offers("nvidia-a100-80gb")
    assert a100[-1].unknown_reason and a100[-1].on_demand is None  # unpriced offers come last
    assert any(o.cloud == "alicloud" and o.unknown_reason for o in a100)
