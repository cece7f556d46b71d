"""`astra arb`: complete-set and neg-risk arbitrage.

`arb scan FILE [--json]` evaluates one offline snapshot (`astra.app.arb_scan`); bad input is
one line and exit 2.
"""

from __future__ import annotations

import argparse
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from astra.app.arb_scan import ScanInputError, load_snapshot, result_json, scan
from astra.cli.main import CommandError
from astra.domain.prices import format_size

BAD_INPUT_EXIT = 2


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("arb", help="complete-set and neg-risk arbitrage")
    commands = parser.add_subparsers(dest="arb_command", metavar="ARB_COMMAND", required=True)
    scan_parser = commands.add_parser(
        "scan", help="every opportunity in a {event, books} snapshot, after fees"
    )
    scan_parser.add_argument("file", type=Path, help="JSON snapshot: {event, books, held?}")
    scan_parser.add_argument("--json", action="store_true", help="print JSON")
    scan_parser.set_defaults(func=_scan)


def _scan(args: argparse.Namespace) -> int:
    try:
        result = scan(load_snapshot(args.file))
    except ScanInputError as exc:
        raise CommandError(f"bad input: {exc}", BAD_INPUT_EXIT) from exc
    if args.json:
        print(json.dumps(result_json(result), sort_keys=True))
        return 0
    kind = "neg-risk" if result.neg_risk else "not neg-risk"
    print(f"event {result.event_id} ({kind}, {len(result.markets)} markets): {result.title}")
    for reason, detail in result.vetoes:
        print(f"  veto {reason}: {detail}")
    for opp in result.opportunities:
        walk = opp.walk
        print(
            f"  {opp.key}  size {format_size(walk.size)}  gross {_usd(walk.gross)}"
            f"  fee {_usd(walk.fee)}  net {_usd(walk.net)} USD"
            f"  ({Decimal(walk.net_per_share) / 100} pips/share)"
        )
    if not result.opportunities:
        print("  no opportunity")
    return 0


def _usd(micros: int) -> str:
    """Micro-collateral as USD text (the same 1e-6 scale as micro-shares)."""
    return format_size(micros) if micros >= 0 else "-" + format_size(-micros)
