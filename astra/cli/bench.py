"""`astra bench [--quick] [--json]`: engine throughput vs its inline ceiling, latency, memory,
halt propagation, journal and startup, in one run (see astra/bench/).

A full run writes benchmarks/RESULTS.md (when that directory exists here) with the command
and the machine; `--results FILE` writes it anywhere, at any scale.
"""

from __future__ import annotations

import argparse
import json
import logging
import shlex
import sys
from pathlib import Path
from typing import Any

from astra.cli.main import CommandError

DEFAULT_RESULTS = Path("benchmarks/RESULTS.md")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("bench", help="measure the engine against its inline ceiling")
    scale = parser.add_mutually_exclusive_group()
    scale.add_argument("--quick", action="store_true", help="smaller market counts (minutes)")
    scale.add_argument("--tiny", action="store_true", help="test-sized smoke run (seconds)")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON line")
    parser.add_argument("--seed", type=int, default=1, help="simulator seed (default 1)")
    parser.add_argument("--results", type=Path, metavar="FILE", help="write RESULTS.md here")
    parser.set_defaults(func=_bench)


def _results_path(args: argparse.Namespace) -> Path | None:
    if args.results is not None:
        return Path(args.results)
    full = not (args.quick or args.tiny)
    return DEFAULT_RESULTS if full and DEFAULT_RESULTS.parent.is_dir() else None


def _bench(args: argparse.Namespace) -> int:
    from astra.bench.plan import PLANS
    from astra.bench.results_md import write_results
    from astra.bench.runner import run_bench

    plan = PLANS["quick" if args.quick else "tiny" if args.tiny else "full"]

    def progress(text: str) -> None:
        print(f"bench: {text}", file=sys.stderr, flush=True)

    # Measured crashes log tracebacks by design; the figures are what matters here.
    actors_log = logging.getLogger("astra.actors")
    actors_log.propagate = False
    try:
        result = run_bench(plan, args.seed, progress)
    except (RuntimeError, OSError) as exc:
        raise CommandError(f"bench failed: {exc}", exit_code=3) from exc
    finally:
        actors_log.propagate = True
    command = "astra " + shlex.join(sys.argv[1:]) if sys.argv[1:2] == ["bench"] else "astra bench"
    result["command"] = command
    path = _results_path(args)
    if path is not None:
        write_results(path, result, command)
        result["results_file"] = str(path)
    if args.json:
        print(json.dumps(result, sort_keys=True))
    else:
        _print_text(result)
    return 0


def _print_text(result: dict[str, Any]) -> None:
    for row in result["throughput"]:
        print(
            f"{row['markets']:>6} markets: engine {row['engine_events_per_s']:>9} ev/s, inline "
            f"{row['inline_events_per_s']:>9} ev/s, ratio {row['engine_to_inline_ratio']}"
        )
    for row in result["latency"]:
        print(
            f"offered {row['offered_per_s']:>6} ev/s (achieved {row['achieved_per_s']}): "
            f"p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms, p99.9 {row['p99_9_ms']} ms"
        )
    halt = result["halt_propagation"]
    print(
        f"halt propagation ({halt['markets']} markets): p50 {halt['p50_ms']} ms, "
        f"p99 {halt['p99_ms']} ms"
    )
    print(f"memory per market actor: {result['memory']['bytes_per_market_actor']} B")
    if "journal" in result:
        print(f"journal: {result['journal']['records_per_s']} records/s")
    print(f"startup ({result['startup']['markets']} markets): {result['startup']['start_s']} s")
    for target in result["targets"]:
        print(
            f"target {target['name']} {target['target']}: {target['measured']} -> {target['met']}"
        )
    if "results_file" in result:
        print(f"wrote {result['results_file']}")
