"""`preflight prices <accelerator>`: where an accelerator is cheapest, from the catalog the stacks use.

Every machine type the catalog maps the accelerator to (with `--hosting`: every managed-hosting
type: SageMaker, Vertex AI, Azure ML, PAI-EAS), on every cloud and in every region with a price
figure, priced per accelerator-hour (GPU-hour or TPU chip-hour), cheapest first; each row shows
the date and source of its figures, a derived hosting rate shows as a range, figures older than
`--max-price-age-days` (default 180) or from undated sources are flagged. Types without a sourced
price are listed last with the reason.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any, Literal

from catalog.freshness import DEFAULT_MAX_AGE_DAYS, stale_quotes
from catalog.prices import DASH, usd_rate
from preflight.commands.common import emit
from preflight.project import UsageError

NAME = "prices"
HELP = "price per accelerator-hour of an accelerator across clouds and regions, cheapest first"
STALE_MARK = "!"
UNDATED_MARK = "?"


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(NAME, help=HELP, description=HELP)
    parser.add_argument("accelerator", help="neutral accelerator name from the catalog (nvidia-h100, tpu-v5e, ...)")
    parser.add_argument(
        "--hosting",
        action="store_true",
        help="managed model hosting (SageMaker, Vertex AI, Azure ML, PAI-EAS) instead of machines",
    )
    parser.add_argument(
        "--sort", choices=["on-demand", "spot"], default="on-demand", help="which price orders the rows"
    )
    parser.add_argument(
        "--max-price-age-days",
        type=int,
        default=DEFAULT_MAX_AGE_DAYS,
        metavar="DAYS",
        help=f"flag figures older than DAYS (default {DEFAULT_MAX_AGE_DAYS})",
    )
    parser.add_argument("--format", choices=["table", "json"], default="table", help="output format")
    parser.add_argument(
        "--out", type=argparse.FileType("w", encoding="utf-8"), help="write to FILE instead of standard output"
    )
    parser.set_defaults(handler=run)


def _money(value: float | None, top: float | None = None) -> str:
    """`$55.04`, `$0.245` (small rates keep their digits), `$1.07-$1.30` (a derived range), `unknown`."""
    if value is None:
        return "unknown"

    def one(v: float) -> str:
        return f"${v:,.2f}" if v >= 1 else usd_rate(round(v, 4))

    return f"{one(value)}{DASH}{one(top)}" if top is not None and top != value else one(value)


def _freshness_mark(offer: Any, today: dt.date, max_age_days: int) -> str:
    old = stale_quotes(offer.figures, today, max_age_days)
    if any(q.source.undated for q in old):
        return UNDATED_MARK
    return STALE_MARK if old else ""


def render_table(
    accelerator: str,
    offers: list[Any],
    sort: str,
    *,
    hosting: bool = False,
    today: dt.date | None = None,
    max_age_days: int = DEFAULT_MAX_AGE_DAYS,
) -> str:
    today = today or dt.date.today()
    known = [o for o in offers if o.unknown_reason is None]
    unknown = [o for o in offers if o.unknown_reason is not None]
    citations: dict[str, int] = {}
    for offer in known:
        for source in offer.sources:
            citations.setdefault(source, len(citations) + 1)
    kind = "HOSTING TYPE" if hosting else "MACHINE"
    headers = ["CLOUD", "REGION", kind, "PER MACHINE", "ON-DEMAND/H", "SPOT/H", "MACHINE ON-DEMAND/H"]
    headers += ["AS OF", "SOURCE"]
    rows = [
        [
            o.cloud,
            o.region,
            o.machine_type,
            str(o.accelerators_per_machine),
            _money(o.on_demand, o.on_demand_max),
            _money(o.spot, o.spot_max),
            _money(o.machine_on_demand, o.machine_on_demand_max),
            (o.as_of.isoformat() if o.as_of else "?") + _freshness_mark(o, today, max_age_days),
            ",".join(f"[{citations[s]}]" for s in o.sources),
        ]
        for o in known
    ]
    unit = "chip-hour" if accelerator.startswith("tpu-") else "accelerator-hour"
    what = "managed hosting" if hosting else "machines"
    out = [f"{accelerator}: USD per {unit} from the catalog ({what}), cheapest {sort} first", ""]
    if rows:
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
        out.append("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
        out += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    else:
        out.append(f"No {'hosting type' if hosting else 'machine type'} mapped to it has a sourced price.")
    notes = []
    derived = [o for o in known if o.derived_range]
    if derived:
        notes.append(f"A range ({DASH}) is a derived figure, not a published price:")
        for offer in derived:
            how = "; ".join(q.note for q in offer.figures if q.note) or "see the source"
            notes.append(f"  {offer.cloud} {offer.machine_type} ({offer.region}): {how}")
    if any(row[7].endswith(STALE_MARK) for row in rows):
        notes.append(f"{STALE_MARK} figures older than {max_age_days} days: refresh catalog/data/prices.")
    if any(row[7].endswith(UNDATED_MARK) for row in rows):
        notes.append(f"{UNDATED_MARK} the source does not date its prices (the date is when they were read).")
    if notes:
        out += ["", *notes]
    if unknown:
        out += ["", f"Unpriced ({len(unknown)}): shown as unknown, never $0"]
        out += [f"  {o.cloud} {o.machine_type}: {o.unknown_reason}" for o in unknown]
    if citations:
        out += ["", "Sources:"]
        out += [f"  [{n}] {citation}" for citation, n in citations.items()]
    return "\n".join(out) + "\n"


def run(args: argparse.Namespace) -> int:
    from catalog import CatalogError
    from catalog.offers import accelerator_offers

    if args.max_price_age_days < 0:
        raise UsageError(f"--max-price-age-days: {args.max_price_age_days} is negative (allowed: 0 or more days)")
    role: Literal["node", "endpoint"] = "endpoint" if args.hosting else "node"
    try:
        offers = accelerator_offers(args.accelerator, sort=args.sort, role=role)
    except CatalogError as exc:
        raise UsageError(str(exc)) from None
    today = dt.date.today()
    if args.format == "json":
        document = {
            "accelerator": args.accelerator,
            "currency": "USD",
            "unit": "per chip-hour" if args.accelerator.startswith("tpu-") else "per accelerator-hour",
            "role": role,
            "sort": args.sort,
            "max_price_age_days": args.max_price_age_days,
            "offers": [
                offer.to_json() | {"stale": bool(stale_quotes(offer.figures, today, args.max_price_age_days))}
                for offer in offers
            ],
        }
        text = json.dumps(document, indent=2) + "\n"
    else:
        text = render_table(
            args.accelerator,
            offers,
            args.sort,
            hosting=args.hosting,
            today=today,
            max_age_days=args.max_price_age_days,
        )
    if args.out is not None:
        with args.out:
            args.out.write(text)
    else:
        emit(text, None)
    return 0
