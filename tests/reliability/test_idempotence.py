"""Idempotence: the same program and config always declare the same resources with the same
inputs. No timestamps, no unseeded random suffixes, no names that depend on set ordering.

Each stack runs twice: once in this process (the session's run) and once in a child process with
another hash seed, which also changes the iteration order of sets of strings. (One child for all
stacks: a run of the real program costs seconds.)"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import REPO_ROOT
from tests.reliability.conftest import REQUIRED_STACKS, STACKS, require_stack
from tests.reliability.run_digest import digest

ALL_STACKS = sorted({*REQUIRED_STACKS, *STACKS})


def differences(first: dict[str, Any], second: dict[str, Any], path: str = "") -> Iterator[str]:
    """Dotted paths where two JSON documents differ, with both values."""
    if isinstance(first, dict) and isinstance(second, dict):
        for key in sorted(set(first) | set(second), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in first:
                yield f"{where}: only in the second run"
            elif key not in second:
                yield f"{where}: only in the first run"
            else:
                yield from differences(first[key], second[key], where)
    elif isinstance(first, list) and isinstance(second, list) and len(first) == len(second):
        for index, (a, b) in enumerate(zip(first, second, strict=True)):
            yield from differences(a, b, f"{path}[{index}]")
    elif first != second:
        yield f"{path}: {_short(first)} != {_short(second)}"


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 160 else text[:157] + "..."


def _assert_same(first: dict[str, Any], second: dict[str, Any], what: str) -> None:
    found = list(differences(first, second))
    assert not found, f"{what} differ ({len(found)} places):\n" + "\n".join(found[:40])


@pytest.mark.parametrize("stack", ALL_STACKS)
def test_each_urn_is_registered_once(stack, stack_run):
    require_stack(stack)
    urns = [r.urn for r in stack_run(stack).resources]
    duplicates = sorted({u for u in urns if urns.count(u) > 1})
    assert not duplicates, f"registered more than once: {duplicates}"


def test_a_run_with_another_hash_seed_declares_the_same(stack_run):
    present = [s for s in ALL_STACKS if s in STACKS]
    seed = "1" if os.environ.get("PYTHONHASHSEED") == "0" else "0"
    child = subprocess.run(
        [sys.executable, "-m", "tests.reliability.run_digest", *present],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONHASHSEED": seed},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    other = json.loads(child.stdout)
    for stack in present:
        _assert_same(digest(stack_run(stack)), other[stack], f"stack {stack!r} under PYTHONHASHSEED={seed} and here")


def _strings_and_numbers(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _strings_and_numbers(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings_and_numbers(value, f"{path}[{index}]")
    else:
        yield path, node


def clock_values(document: dict[str, Any], now: dt.datetime) -> list[str]:
    """Places holding today's date or a Unix time within a day of `now` (a timestamp in a
    name or tag changes on every run, so every `pulumi up` would update or replace)."""
    today = now.date()
    stamps = {today.isoformat(), today.strftime("%Y%m%d"), today.strftime("%Y/%m/%d")}
    epoch = now.timestamp()
    found = []
    for path, value in _strings_and_numbers(document):
        if isinstance(value, str) and any(stamp in value for stamp in stamps):
            found.append(f"{path}: {value!r} holds today's date")
        elif (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and (abs(value - epoch) < 86_400 or abs(value / 1000 - epoch) < 86_400)
        ):
            found.append(f"{path}: {value!r} is the current Unix time")
    return found


@pytest.mark.parametrize("stack", ALL_STACKS)
def test_no_input_or_output_holds_the_clock(stack, stack_run):
    require_stack(stack)
    found = clock_values(digest(stack_run(stack)), dt.datetime.now(dt.UTC))
    assert not found, "\n".join(found)


def test_differences_and_clock_checks_report_what_changed():
    now = dt.datetime(2025, 3, 4, 12, 0, tzinfo=dt.UTC)
    first = {"resources": {"urn:a": [{"inputs": {"name": "data-x1"}}]}, "outputs": {}}
    second = {"resources": {"urn:a": [{"inputs": {"name": "data-x2"}}], "urn:b": []}, "outputs": {}}
    assert list(differences(first, second)) == [
        'resources.urn:a[0].inputs.name: "data-x1" != "data-x2"',
        "resources.urn:b: only in the second run",
    ]
    assert clock_values({"tags": {"created": "2025-03-04"}, "ttl": int(now.timestamp()), "days": 30}, now) == [
        "tags.created: '2025-03-04' holds today's date",
        f"ttl: {int(now.timestamp())} is the current Unix time",
    ]
