"""`preflight prices <accelerator>`: where an accelerator is cheapest, from the catalog the stacks use.

Every machine type the catalog maps the accelerator to, on every cloud and in every region with
a price figure, priced per accelerator-hour (GPU-hour or TPU chip-hour), cheapest first;
machine types without a sourced price are listed last with the reason.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from catalog.prices import usd_rate
from preflight.commands.common import emit
from preflight.project import UsageError

NAME = "prices"
HELP = "price per accelerator-hour of an accelerator across clouds and regions, cheapest first"


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(NAME, help=HELP, description=HELP)
    parser.add_argument("accelerator", help="neutral accelerator name from the catalog (nvidia-h100, tpu-v5e, ...)")
    parser.add_argument(
        "--sort", choices=["on-demand", "spot"], default="on-demand", help="which price orders the rows"
    )
    parser.add_argument("--format", choices=["table", "json"], default="table", help="output format")
    parser.add_argument(
        "--out", type=argparse.FileType("w", encoding="utf-8"), help="write to FILE instead of standard output"
    )
    parser.set_defaults(handler=run)


def _money(value: float | None) -> str:
    """`$55.04`, `$0.245` (small rates keep their digits), `unknown`."""
    if value is None:
        return "unknown"
    return f"${value:,.2f}" if value >= 1 else usd_rate(round(value, 4))


def render_table(accelerator: str, offers: list[Any], sort: str) -> str:
    known = [o for o in offers if o.unknown_reason is None]
    unknown = [o for o in offers if o.unknown_reason is not None]
    citations: dict[str, int] = {}
    for offer in known:
        for source in offer.sources:
            citations.setdefault(source, len(citations) + 1)
    headers = [
        "CLOUD",
        "REGION",
        "MACHINE",
        "ROLE",
        "PER MACHINE",
        "ON-DEMAND/H",
        "SPOT/H",
        "MACHINE ON-DEMAND/H",
        "SOURCE",
    ]
    rows = [
        [
            o.cloud,
            o.region,
            o.machine_type,
            o.role,
            str(o.accelerators_per_machine),
            _money(o.on_demand),
            _money(o.spot),
            _money(o.machine_on_demand),
            ",".join(f"[{citations[s]}]" for s in o.sources),
        ]
        for o in known
    ]
    unit = "chip-hour" if accelerator.startswith("tpu-") else "accelerator-hour"
    out = [f"{accelerator}: USD per {unit} from the catalog, cheapest {sort} first", ""]
    if rows:
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
        out.append("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
        out += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    else:
        out.append("No machine type mapped to it has a sourced price.")
    if unknown:
        out += ["", f"Unpriced ({len(unknown)}): shown as unknown, never $0"]
        out += [f"  {o.cloud} {o.machine_type} ({o.role}): {o.unknown_reason}" for o in unknown]
    if citations:
        out += ["", "Sources:"]
        out += [f"  [{n}] {citation}" for citation, n in citations.items()]
    return "\n".join(out) + "\n"


def run(args: argparse.Namespace) -> int:
    from catalog import CatalogError
    from catalog.offers import accelerator_offers

    try:
        offers = accelerator_offers(args.accelerator, sort=args.sort)
    except CatalogError as exc:
        raise UsageError(str(exc)) from None
    if args.format == "json":
        document = {
            "accelerator": args.accelerator,
            "currency": "USD",
            "unit": "per chip-hour" if args.accelerator.startswith("tpu-") else "per accelerator-hour",
            "sort": args.sort,
            "offers": [offer.to_json() for offer in offers],
        }
        text = json.dumps(document, indent=2) + "\n"
    else:
        text = render_table(args.accelerator, offers, args.sort)
    if args.out is not None:
        with args.out:
            args.out.write(text)
    else:
        emit(text, None)
    return 0
