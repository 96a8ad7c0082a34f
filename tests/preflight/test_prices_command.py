"""`preflight prices <accelerator>`: the catalog's prices per accelerator-hour, cheapest first,
machines by default and managed hosting with `--hosting`, each row with its date and source.

Expected figures from catalog/data/prices: p5.48xlarge $55.04/h for 8 H100 = $6.88 per GPU-hour
(us-east-1), Standard_NC40ads_H100_v5 $6.98/h for 1 (eastus), Standard_NC80adis_H100_v5 $13.96/h
for 2 = $6.98; Vertex g2-standard-8 (1 L4) derived as $0.85366..$0.98171/h."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from catalog.offers import accelerator_offers
from catalog.prices import DASH
from preflight.cli import main
from preflight.commands.prices import STALE_MARK, render_table
from tests.conftest import REPO_ROOT


def table_rows(lines: list[str], count: int) -> list[list[str]]:
    header = lines.index(next(line for line in lines if line.startswith("CLOUD")))
    return [line.split() for line in lines[header + 1 : header + 1 + count]]


def test_h100_machines_table_lists_the_cheapest_first_with_date_and_source(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prices", "nvidia-h100"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "nvidia-h100: USD per accelerator-hour from the catalog (machines), cheapest on-demand first"
    rows = table_rows(lines, 3)
    assert [(r[0], r[1], r[2], r[4]) for r in rows] == [
        ("aws", "us-east-1", "p5.48xlarge", "$6.88"),
        ("azure", "eastus", "Standard_NC40ads_H100_v5", "$6.98"),
        ("azure", "eastus", "Standard_NC80adis_H100_v5", "$6.98"),
    ]
    assert rows[0][7] == "2026-11-22" and rows[0][8] == "[1]"  # as-of date and source per row
    assert not any(line.startswith(("  aws ml.", "  gcp vertex:")) for line in lines)  # no hosting rows


def test_hosting_answers_with_derived_ranges_and_their_reasoning(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prices", "nvidia-l4", "--hosting"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == (
        "nvidia-l4: USD per accelerator-hour from the catalog (managed hosting), cheapest on-demand first"
    )
    (first,) = table_rows(lines, 1)
    assert first[:5] == ["gcp", "us-central1", "vertex:g2-standard-8", "1", f"$0.8537{DASH}$0.9817"]
    assert first[7] == "2026-10-07"
    assert "A range (\u2013) is a derived figure, not a published price:" in out
    assert "gcp vertex:g2-standard-8 (us-central1): g2-standard-8 host $0.29366 + L4 $0.56" in out
    machines = [row[2] for row in table_rows(lines, 3)]
    assert "ml.g6.xlarge" in machines and "g6.xlarge" not in machines and "g2-standard-4" not in machines


def test_stale_rows_are_flagged_against_the_allowed_age() -> None:
    offers = accelerator_offers("nvidia-h100", role="endpoint")
    text = render_table("nvidia-h100", offers, "on-demand", hosting=True, today=dt.date(2026, 12, 3))
    sagemaker = next(line for line in text.splitlines() if "ml.p5.48xlarge" in line and "$" in line)
    assert f"2025-01-26{STALE_MARK}" in sagemaker  # fmbench's list, 676 days old
    assert f"{STALE_MARK} figures older than 180 days" in text
    lenient = render_table(
        "nvidia-h100", offers, "on-demand", hosting=True, today=dt.date(2026, 12, 3), max_age_days=1000
    )
    assert f"2025-01-26{STALE_MARK}" not in lenient


def test_json_offers_carry_machine_and_accelerator_prices(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prices", "nvidia-l4", "--format", "json", "--sort", "spot"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert (document["accelerator"], document["currency"], document["sort"]) == ("nvidia-l4", "USD", "spot")
    assert document["role"] == "node"
    first = document["offers"][0]
    assert (first["cloud"], first["machine_type"], first["spot_usd_per_accelerator_hour"]) == (
        "gcp",
        "g2-standard-4",
        pytest.approx(0.39734),
    )
    assert first["as_of"] == "2026-07-30" and first["sources"][0]["as_of"] and "stale" in first
    spots = [o["spot_usd_per_accelerator_hour"] for o in document["offers"] if o["spot_usd_per_accelerator_hour"]]
    assert spots == sorted(spots)


def test_json_hosting_offers_keep_the_range(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prices", "nvidia-l4", "--hosting", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    sagemaker = next(o for o in document["offers"] if o["machine_type"] == "ml.g6.xlarge")
    assert sagemaker["derived_range"] is True
    assert (sagemaker["on_demand_usd_per_accelerator_hour"], sagemaker["on_demand_max_usd_per_accelerator_hour"]) == (
        0.92552,
        1.12672,
    )
    assert "1.15..1.40" in sagemaker["sources"][0]["note"]


def test_unknown_accelerator_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prices", "nvidia-x100"]) == 2
    err = capsys.readouterr().err
    assert "preflight: error: 'nvidia-x100' is not a known accelerator (known: " in err and "nvidia-h100" in err


def test_the_installed_command_answers_where_h100s_are_cheapest() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "preflight", "prices", "nvidia-h100"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "p5.48xlarge" in done.stdout and "Traceback" not in done.stderr
