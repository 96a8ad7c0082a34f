"""Freshness of the price figures: every figure is dated, and the stale ones (older than the
allowed age, default 180 days) are listed here so that refreshing them is a visible change.

The list is judged on 2026-12-03: when a figure is refreshed (a newer source, a new `as_of`), it
leaves this list; when time passes, pass a later date to see what went stale since."""

from __future__ import annotations

import datetime as dt

from catalog.freshness import DEFAULT_MAX_AGE_DAYS, figure_ages, is_stale, stale_figures, undated_figures
from catalog.prices import load_prices

TODAY = dt.date(2026, 12, 3)

STALE_ON_2026_12_03 = [
    # Alibaba OSS: a worked example on a help page (2024-12-20).
    "alicloud: storage.STANDARD.*",
    # SageMaker hosting from fmbench's list (2025-01-26), before the 2025 P-family price cut.
    "aws: hosting.ml.g5.12xlarge.us-east-1",
    "aws: hosting.ml.g5.xlarge.us-east-1",
    "aws: hosting.ml.g6.12xlarge.us-east-1",
    "aws: hosting.ml.g6.2xlarge.us-east-1",
    "aws: hosting.ml.p4d.24xlarge.us-east-1",
    "aws: hosting.ml.p5.48xlarge.us-east-1",
    # GCP committed-use ratios from Cyclenerd's 2025-03-06 list.
    "gcp: commitments.cud.1y.a2-*",
    "gcp: commitments.cud.1y.c2-*",
    "gcp: commitments.cud.3y.a2-*",
    "gcp: commitments.cud.3y.c2-*",
    # AWS public IPv4 charge, last restated 2025-05.
    "aws: fees.public-ipv4.*",
    # Vantage data of 2026-01-21 (g6e and p5 were re-read from the 2026-08-26 data).
    "aws: hosting.ml.g4dn.xlarge.us-east-1",
    "aws: hosting.ml.inf2.xlarge.us-east-1",
    "aws: machines.g4dn.xlarge.us-east-1",
    "aws: machines.g6.12xlarge.us-east-1",
    "aws: machines.inf2.xlarge.us-east-1",
    "aws: machines.trn1.32xlarge.us-east-1",
    # AWS KMS pricing as restated 2026-03-14.
    "aws: fees.kms-key-rotation.*",
    "aws: fees.kms-key.*",
    # Alibaba ACK Pro billing page, last updated 2026-03-26.
    "alicloud: fees.ack-basic.*",
    "alicloud: fees.ack-pro.*",
]


def test_every_sourced_figure_is_dated_and_none_is_in_the_future() -> None:
    ages = figure_ages(load_prices(), TODAY)
    assert ages and all(age.as_of <= TODAY for age in ages)


def test_the_stale_entries_of_the_shipped_price_files() -> None:
    stale = stale_figures(load_prices(), TODAY)
    assert [figure.where for figure in stale] == STALE_ON_2026_12_03
    assert all(figure.age_days > DEFAULT_MAX_AGE_DAYS for figure in stale)
    # Oldest first, each line saying how old and from where.
    assert stale[0].describe().startswith("alicloud: storage.STANDARD.*: as of 2024-12-20 (713 days old;")


def test_the_allowed_age_is_configurable() -> None:
    prices = load_prices()
    strict = {f.where for f in stale_figures(prices, TODAY, max_age_days=30)}
    lenient = {f.where for f in stale_figures(prices, TODAY, max_age_days=1000)}
    assert set(STALE_ON_2026_12_03) < strict and "gcp: machines.e2-standard-4.us-central1" in strict
    assert lenient == set()
    assert is_stale(dt.date(2026, 6, 5), TODAY) and not is_stale(dt.date(2026, 6, 6), TODAY)  # 181 vs 180 days


def test_undated_sources_are_listed_apart_not_as_fresh() -> None:
    undated = {f.where for f in undated_figures(load_prices(), TODAY)}
    assert "azure: machines.Standard_D2ds_v5.eastus" in undated
    assert "gcp: accelerators.tpu-v5e.us-central1" in undated
    assert not undated & {f.where for f in stale_figures(load_prices(), TODAY)}
