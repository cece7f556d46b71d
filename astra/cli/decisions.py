"""`astra decisions`: read the decision log (every evaluation, SKIPs included)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from astra.adapters.journal.decisions_query import DecisionRow, query_decisions
from astra.adapters.journal.migrations import SchemaError
from astra.adapters.journal.store import JournalMissingError, connect_readonly
from astra.cli.common import add_journal_arg, add_settings_args, journal_file
from astra.cli.main import CommandError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("decisions", help="read the decision log")
    add_settings_args(parser)
    add_journal_arg(parser)
    parser.add_argument("--market", metavar="ID", help="only this market")
    parser.add_argument("--action", metavar="ACTION", help="only this action (SKIP, PLACE, ...)")
    parser.add_argument("--last", metavar="N", type=int, help="only the newest N")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.set_defaults(func=_decisions)


def _line(row: DecisionRow) -> str:
    gates = row.payload.get("gates") or []
    failed = [g for g in gates if isinstance(g, dict) and not g.get("passed")]
    why = f" {failed[0].get('gate')}:{failed[0].get('reason')}" if failed else ""
    return f"{row.ts_ms} {row.market} {row.action}{why} run={row.run_id}"


def _decisions(args: argparse.Namespace) -> int:
    if args.last is not None and args.last < 0:
        raise CommandError("--last must be >= 0", exit_code=2)
    path = journal_file(args)
    try:
        conn = connect_readonly(path)
    except (JournalMissingError, SchemaError) as exc:
        raise CommandError(str(exc)) from exc
    try:
        rows = query_decisions(
            conn, market=args.market, action=args.action and args.action.upper(), last=args.last
        )
    finally:
        conn.close()
    for row in rows:
        print(json.dumps(row.to_dict(), sort_keys=True) if args.json else _line(row))
    return 0
