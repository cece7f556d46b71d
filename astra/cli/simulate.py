"""`astra simulate`: write a seeded synthetic session in the recording format.

The output replays like a live recording (`astra replay FILE`); the same arguments give a
byte-identical file. `--sample` regenerates the bundled sample session's exact parameters.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from astra.cli.main import CommandError

if TYPE_CHECKING:
    from astra.domain.sim.session import SessionConfig


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "simulate", help="generate a synthetic market session (recording format)"
    )
    parser.add_argument("--markets", type=int, default=10, help="number of markets (default 10)")
    parser.add_argument("--minutes", type=float, default=10.0, help="session length (default 10)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--start-ms", type=int, default=None, help="session start, epoch ms")
    parser.add_argument(
        "--sample", action="store_true", help="use the bundled sample session's parameters"
    )
    parser.add_argument("--out", type=Path, required=True, metavar="FILE", help="output .jsonl.gz")
    parser.set_defaults(func=_simulate)


def _config(args: argparse.Namespace) -> SessionConfig:
    from astra.adapters.sim.sample import SAMPLE_CONFIG
    from astra.domain.sim.session import SessionConfig

    if args.sample:
        return SAMPLE_CONFIG
    if args.markets < 1:
        raise CommandError("--markets must be at least 1", exit_code=2)
    if args.minutes <= 0:
        raise CommandError("--minutes must be positive", exit_code=2)
    config = SessionConfig(markets=args.markets, minutes=args.minutes, seed=args.seed)
    return config if args.start_ms is None else replace(config, start_ms=args.start_ms)


def _simulate(args: argparse.Namespace) -> int:
    from astra.adapters.sim.session_writer import write_session

    config = _config(args)
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        stats = write_session(config, args.out)
    except OSError as exc:
        raise CommandError(f"cannot write {args.out}: {exc}") from exc
    print(
        f"wrote {args.out}: {config.markets} markets, {config.minutes:g} minutes, seed "
        f"{config.seed} (synthetic): {stats.market_frames} market frames, "
        f"{stats.spot_frames} spot frames, {stats.model_frames} model frames, "
        f"{stats.bytes_written} bytes"
    )
    return 0
