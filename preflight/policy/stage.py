"""Plan stage placeholder: replaced by the real policy stage."""

from __future__ import annotations

import argparse
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    return None


def apply(report: Any, args: argparse.Namespace, context: dict[str, Any]) -> None:
    return None


def exit_code(report: Any, args: argparse.Namespace) -> int:
    return 0
