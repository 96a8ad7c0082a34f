"""Stages that enrich a plan report after the program has run (policy findings, costs).

A stage is a module with:
  - `add_arguments(parser)`: options it adds to `plan` (and `diff`);
  - `apply(report, args, context)`: adds its JSON section to `report.sections[<name>]`, its
    table column(s) to `report.columns` and its summary lines to `report.footer`;
  - `exit_code(report, args) -> int`: non-zero when the stage's verdict fails the run.
Stages run in the order listed here.
"""

from __future__ import annotations

import argparse
from types import ModuleType

from preflight.costs import stage as cost_stage
from preflight.policy import stage as policy_stage

STAGES: list[ModuleType] = [cost_stage, policy_stage]


def add_stage_arguments(parser: argparse.ArgumentParser) -> None:
    for stage in STAGES:
        stage.add_arguments(parser)
