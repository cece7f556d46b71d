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
    parser.add_argument(
        "--event-share",
        type=float,
        default=0.0,
        help="share of kills aimed at EventActors (markets grouped into neg-risk events)",
    )
    parser.add_argument("--workdir", type=Path, help="keep the journal here (default: temp dir)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from astra.actors.chaos.scenario import ChaosConfig, run_chaos

    if args.markets < 1 or args.kills < 0 or not 0 <= args.event_share <= 1:
        raise CommandError("--markets must be >= 1, --kills >= 0, --event-share in [0, 1]", 2)
    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
    # Hundreds of injected deaths log tracebacks by design; the report carries the counts.
    actors_log = logging.getLogger("astra.actors")
    actors_log.propagate = False
    try:
        report = run_chaos(
            ChaosConfig(args.markets, args.kills, args.seed, event_share=args.event_share),
            _open_journal,
            args.workdir,
        )
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
