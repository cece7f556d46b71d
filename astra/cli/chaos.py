"""`astra chaos`: the seeded in-process chaos run; prints every invariant with its figures.

Exit 0 when every invariant holds, 4 on any violation (1 stays for operational errors).
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from astra.cli.main import CommandError

if TYPE_CHECKING:
    from astra.adapters.journal.store import JournalStore

VIOLATION_EXIT = 4


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "chaos", help="kill actors at random under load and check the fail-closed invariants"
    )
    parser.add_argument("--markets", type=int, default=20, help="markets (one actor each)")
    parser.add_argument("--kills", type=int, default=30, help="faults to inject")
    parser.add_argument("--seed", type=int, default=7, help="seed of the stream and the faults")
    parser.add_argument("--workdir", type=Path, help="keep the journal here (default: temp dir)")
    parser.add_argument(
        "--faults",
        default="tell,start,ask,stop,stuck",
        help="all, or a comma-separated list of: tell, start, ask, stop, stuck (actor kills), "
        "pool, watchdog, dispatcher, journal_stall, feed_silence, poison, event, root (default: "
        "the actor kills)",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from astra.actors.chaos.injectors import parse_faults
    from astra.actors.chaos.scenario import ChaosConfig, run_chaos
    from astra.adapters.polymarket.ws_decode import decode_market_frame

    if args.markets < 1 or args.kills < 0:
        raise CommandError("--markets must be >= 1 and --kills >= 0", 2)
    try:
        faults = parse_faults(args.faults)
    except ValueError as exc:
        raise CommandError(f"--faults: {exc}", 2) from exc
    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
    # Hundreds of injected deaths log tracebacks by design; the report carries the counts.
    actors_log = logging.getLogger("astra.actors")
    actors_log.propagate = False
    try:
        config = ChaosConfig(args.markets, args.kills, args.seed, faults=faults)
        report = run_chaos(config, _open_journal, args.workdir, decode_market_frame)
    finally:
        actors_log.propagate = True
    if args.json:
        print(json.dumps(report.as_dict(), sort_keys=True, default=str))
    else:
        _print_text(report.as_dict())
    return 0 if report.ok else VIOLATION_EXIT


def _open_journal(path: Path) -> JournalStore:
    from astra.adapters.journal.store import JournalStore

    # NORMAL survives a process kill; the chaos journal need not survive power loss.
    return JournalStore.open(path, synchronous="NORMAL")


def _print_text(data: dict[str, Any]) -> None:
    for inv in data["invariants"]:
        mark = "ok  " if inv["ok"] else "FAIL"
        figures = ", ".join(f"{k}={v}" for k, v in inv["figures"].items())
        print(f"{mark} ({inv['key']}) {inv['name']}: {figures}")
    figures = ", ".join(f"{k}={v}" for k, v in data["figures"].items())
    print(f"{'PASS' if data['ok'] else 'FAIL'}: {figures}")
