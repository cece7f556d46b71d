"""`astra arb`: complete-set and neg-risk arbitrage.

`arb scan FILE [--json]` evaluates one offline snapshot (`astra.app.arb_scan`); bad input is
one line and exit 2. `arb list [--journal F] [--json]` shows the EventActors' opportunity log
as episodes (open -> close), then the summary (`astra.app.arb_summary`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio

from astra.adapters.journal.arb_query import query_arb
from astra.adapters.journal.migrations import SchemaError
from astra.adapters.journal.paths import journal_path
from astra.adapters.journal.store import JournalMissingError, JournalStore, connect_readonly
from astra.app.arb_scan import ScanInputError, load_snapshot, result_json, scan
from astra.app.arb_summary import Episode, episodes, escalations, summary
from astra.app.cross_venue import (
    CROSS_VENUE_PRODUCER,
    Endpoints,
    MappingError,
    load_pairs,
    poll_round,
    records,
)
from astra.app.paper_runner import http_settings
from astra.cli.common import (
    add_journal_arg,
    add_settings_args,
    journal_file,
    settings_from_args,
    writable_data_dir,
)
from astra.cli.main import CommandError
from astra.cli.units import utc_iso
from astra.domain.metrics_port import ARB_CROSS_VENUE_REJECTED_TOTAL, CountingMetrics
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
    list_parser = commands.add_parser("list", help="the journaled opportunity log")
    add_settings_args(list_parser)
    add_journal_arg(list_parser)
    list_parser.add_argument("--json", action="store_true", help="one JSON object per line")
    list_parser.add_argument(
        "--cross-venue", action="store_true", help="the Polymarket/Kalshi price log instead"
    )
    list_parser.set_defaults(func=_list)
    poll = commands.add_parser(
        "poll-kalshi", help="log Polymarket vs Kalshi prices and the fee-adjusted gap"
    )
    add_settings_args(poll)
    poll.add_argument("--map", metavar="FILE", help="pairs file (default: [arb] cross_venue_map)")
    poll.add_argument("--rounds", type=int, default=1, help="poll rounds (default 1)")
    poll.add_argument("--interval-s", type=float, default=30.0, help="seconds between rounds")
    poll.set_defaults(func=_poll)


def _poll(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    given = args.map or settings.arb.cross_venue_map
    if not given:
        raise CommandError("no pairs file: give --map FILE or [arb] cross_venue_map", 2)
    if args.rounds < 1 or not 0 <= args.interval_s <= 86_400:
        raise CommandError("--rounds must be >= 1 and --interval-s in [0, 86400]", 2)
    try:
        pairs = load_pairs(Path(given))
    except MappingError as exc:
        raise CommandError(f"bad input: {exc}", BAD_INPUT_EXIT) from exc
    urls = Endpoints(settings.venue.gamma_url, settings.venue.clob_url, settings.arb.kalshi_url)
    store = JournalStore.open(journal_path(writable_data_dir(settings)))
    rejected = CountingMetrics()  # bodies refused at the boundary, by venue and named reason
    try:
        for round_no in range(args.rounds):
            if round_no:
                time.sleep(args.interval_s)
            payloads = anyio.run(poll_round, pairs, urls, http_settings(settings), rejected)
            now = time.time_ns() // 1_000_000
            last = store.max_seq(CROSS_VENUE_PRODUCER)
            store.write_batch(records(payloads, last, now, f"poll-{now}"))
            for payload in payloads:
                print(_cross_line(now, payload))
    finally:
        store.close()
    counts = sorted(
        (dict(labels).get("venue", "?"), dict(labels).get("reason", "?"), int(value))
        for (name, labels), value in rejected.counters.items()
        if name == ARB_CROSS_VENUE_REJECTED_TOTAL
    )
    if counts:
        text = ", ".join(f"{venue} {reason} {n}" for venue, reason, n in counts)
        print(f"rejected at the boundary: {text}", file=sys.stderr)
    return 0


def _cross_line(ts_ms: int, data: dict[str, Any]) -> str:
    head = f"{utc_iso(ts_ms)} {data.get('condition_id', '?')[:12]} {data.get('kalshi_ticker')}"
    if data.get("action") != "xvenue_quote":
        return f"{head} veto {data.get('venue')}:{data.get('reason')} {data.get('detail', '')}"
    gaps = " ".join(f"{g['direction']} {_usd(int(g['gap']))}" for g in data.get("gaps", []))
    return f"{head} {gaps or 'no two-sided quote'}"


def _list(args: argparse.Namespace) -> int:
    path = journal_file(args)
    try:
        conn = connect_readonly(path)
    except (JournalMissingError, SchemaError) as exc:
        raise CommandError(str(exc)) from exc
    try:
        rows = query_arb(conn)
    finally:
        conn.close()
    if args.cross_venue:
        cross = [(ts, data) for producer, _s, ts, data in rows if producer == CROSS_VENUE_PRODUCER]
        for ts, data in cross:
            print(
                json.dumps({"ts_ms": ts} | data, sort_keys=True)
                if args.json
                else _cross_line(ts, data)
            )
        return 0
    rows = [row for row in rows if row[0] != CROSS_VENUE_PRODUCER]
    found = episodes((producer, ts_ms, data) for producer, _seq, ts_ms, data in rows)
    if args.json:
        for episode in found:
            print(json.dumps(episode.to_dict(), sort_keys=True))
        taken = escalations(data for _p, _s, _t, data in rows)
        print(json.dumps({"summary": summary(found) | {"escalation": taken}}, sort_keys=True))
        return 0
    for episode in found:
        print(_episode_line(episode))
    totals = summary(found)
    print(
        f"{totals['opportunities']} opportunities ({totals['open']} open), capturable at open "
        f"{_usd(totals['capturable_net_micros'])} USD after fees"
    )
    return 0


def _episode_line(episode: Episode) -> str:
    lasted = "open" if episode.duration_ms is None else f"{episode.duration_ms} ms"
    legs = " + ".join(f"{leg['side']} {leg['outcome'] or leg['asset_id']}" for leg in episode.legs)
    return (
        f"{utc_iso(episode.opened_ms)} {episode.key} size {format_size(episode.size_at_open)} "
        f"net {_usd(episode.net_at_open)} USD lasted {lasted}: {legs}"
    )


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
