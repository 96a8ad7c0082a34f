"""`preflight prices <accelerator>`: the catalog's prices per accelerator-hour, cheapest first.

Expected figures from catalog/data/prices: p5.48xlarge $55.04/h for 8 H100 = $6.88 per GPU-hour
(us-east-1), Standard_NC40ads_H100_v5 $6.98/h for 1 (eastus), ND96isr_H100_v5 $98.32/h for 8 =
$12.29."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from preflight.cli import main
from tests.conftest import REPO_ROOT


def test_h100_table_lists_the_cheapest_first(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prices", "nvidia-h100"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "nvidia-h100: USD per accelerator-hour from the catalog, cheapest on-demand first"
    header = lines.index(next(line for line in lines if line.startswith("CLOUD")))
    rows = [line.split() for line in lines[header + 1 : header + 4]]
    assert [(r[0], r[1], r[2], r[5]) for r in rows] == [
        ("aws", "us-east-1", "p5.48xlarge", "$6.88"),
        ("azure", "eastus", "Standard_NC40ads_H100_v5", "$6.98"),
        ("azure", "eastus", "Standard_ND96isr_H100_v5", "$12.29"),
    ]
    unpriced = lines[lines.index(next(line for line in lines if line.startswith("Unpriced"))) :]
    assert any("a3-highgpu-8g" in line for line in unpriced)


def test_json_offers_carry_machine_and_accelerator_prices(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prices", "nvidia-l4", "--format", "json", "--sort", "spot"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert (document["accelerator"], document["currency"], document["sort"]) == ("nvidia-l4", "USD", "spot")
    first = document["offers"][0]
    assert (first["cloud"], first["machine_type"], first["spot_usd_per_accelerator_hour"]) == ("aws", "g6.xlarge", 0.4)
    assert first["machine_on_demand_usd_per_hour"] == 0.8048 and first["as_of"]
    spots = [o["spot_usd_per_accelerator_hour"] for o in document["offers"] if o["spot_usd_per_accelerator_hour"]]
    assert spots == sorted(spots)


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
