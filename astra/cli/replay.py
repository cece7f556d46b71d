"""`astra replay FILE`: a recording (or a JSON array of venue messages) through the engine.

Event time is the clock and `--seed` seeds every random draw, so the same file and seed give
the same journal and the same `journal_digest`. Prints the summary (one JSON document with
`--json-summary`); a progress bar goes to stderr when it is a terminal. A recording that ends
early (cut gzip stream, cut last line, unclosed array) is replayed as far as it goes, the summary
says so, and the exit status is TRUNCATED_EXIT unless `--allow-truncated`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry

from astra.adapters.metrics_prometheus import PrometheusMetrics, start_metrics_server
from astra.app.replay_runner import ReplayError, ReplayOptions, progress_stream, run_replay
from astra.app.strategies import contract_strategy_factory
from astra.cli.common import (
    add_settings_args,
    configure_command_logging,
    data_dir,
    port_arg,
    settings_from_args,
    writable_data_dir,
)
from astra.cli.main import CommandError
from astra.settings import Settings, SettingsError

TRUNCATED_EXIT = 5  # replayed, but the recording was cut short


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("replay", help="replay a recording through the engine")
    parser.add_argument("file", metavar="FILE", type=Path, help="recording or JSON array")
    add_settings_args(parser)
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: config)")
    parser.add_argument("--paced", action="store_true", help="keep the recording's pace")
    parser.add_argument("--speed", type=float, default=1.0, help="pace multiplier (--paced)")
    parser.add_argument("--json-summary", action="store_true", help="print one JSON summary")
    parser.add_argument(
        "--allow-truncated",
        action="store_true",
        help=f"exit 0 on a recording cut short (default: exit {TRUNCATED_EXIT} after replaying it)",
    )
    parser.add_argument("--strategy", metavar="NAME", help="trade every market with this strategy")
    parser.add_argument(
        "--metrics-port",
        type=port_arg,
        metavar="N",
        help="serve Prometheus metrics on the configured host, port N (0 = any free port)",
    )
    parser.add_argument(
        "--linger-s",
        type=float,
        default=0.0,
        metavar="S",
        help="keep the metrics endpoint up S seconds after the replay (to be scraped)",
    )
    parser.set_defaults(func=_replay)


def with_strategy(settings: Settings, name: str | None) -> Settings:
    """`--strategy NAME`: every category trades NAME (the settings hash records it)."""
    if name is None:
        return settings
    return replace(settings, strategy=replace(settings.strategy, default=name, by_category=()))


def _replay(args: argparse.Namespace) -> int:
    settings = with_strategy(settings_from_args(args), args.strategy)
    writable_data_dir(settings)
    configure_command_logging(settings)
    if args.speed <= 0:
        raise CommandError("--speed must be positive", exit_code=2)
    if args.linger_s < 0:
        raise CommandError("--linger-s must not be negative", exit_code=2)
    try:
        strategy = contract_strategy_factory(settings)
        from astra.app.contracts import load_contract_file

        load_contract_file(settings.contracts.file)  # a bad file fails the start
    except SettingsError as exc:
        raise CommandError(str(exc), exit_code=2) from exc
    options = ReplayOptions(
        data_dir=data_dir(settings),
        seed=settings.run.seed if args.seed is None else args.seed,
        strategy=strategy,
        paced=args.paced,
        speed=args.speed,
        progress=progress_stream(),
    )
    if args.metrics_port is None:
        summary = _run(args, settings, options, None)
        print_summary(summary, as_json=args.json_summary)
        return _exit_status(summary, args.allow_truncated)
    metrics = PrometheusMetrics(CollectorRegistry())
    try:
        server = start_metrics_server(settings.metrics.host, args.metrics_port, metrics.registry)
    except OSError as exc:
        raise CommandError(f"metrics endpoint: {exc}", exit_code=2) from exc
    with server:
        print(f"metrics on http://{server.host}:{server.port}/metrics", file=sys.stderr)
        summary = _run(args, settings, options, metrics)
        print_summary(summary, as_json=args.json_summary)
        sys.stdout.flush()
        time.sleep(args.linger_s)
    return _exit_status(summary, args.allow_truncated)


def _exit_status(summary: dict[str, Any], allow_truncated: bool) -> int:
    return TRUNCATED_EXIT if summary.get("truncated") and not allow_truncated else 0


def _run(
    args: argparse.Namespace,
    settings: Settings,
    options: ReplayOptions,
    metrics: PrometheusMetrics | None,
) -> dict[str, Any]:
    try:
        return run_replay(args.file, settings, options, metrics)
    except ReplayError as exc:
        raise CommandError(str(exc), exit_code=3) from exc


def print_summary(summary: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(summary, sort_keys=True))
        return
    pnl = summary.get("pnl") or {}
    orders = summary["orders"]
    print(
        f"{summary.get('mode')}: {summary['events']} events, {summary['evaluations']} "
        f"evaluations, {orders['placed']} orders ({orders['rejected']} rejected), "
        f"{summary['fills']} fills, {len(summary['halts'])} halts"
    )
    if pnl:
        from astra.cli.demo import pnl_text

        print(pnl_text(pnl))
    if summary.get("rejected_frames"):
        print(f"{summary['rejected_frames']} frames rejected at the boundary")
    if summary.get("truncated"):
        print(f"TRUNCATED: {summary['truncated']}; replayed what the file holds")
    print(f"journal_digest {summary['journal_digest']}")
