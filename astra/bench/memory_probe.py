"""Resident memory per market actor, measured in a fresh process.

In the bench's own process the figure is flattered: the inline run and earlier engines freed
memory that the next engine reuses, so its resident set hardly grows. Here a new interpreter
builds the workload, collects, reads its resident set, runs the engine over every event and
reads it again; the growth divided by the market count is what one market actor costs
(books for both tokens, orders, strategy state, mailbox, and its share of the pool).

Run as `python -m astra.bench.memory_probe MARKETS EVENTS SEED DIR`; prints one JSON line.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

from astra.bench.engine_runs import engine_throughput
from astra.bench.workload import build_workload


def probe(markets: int, events: int, seed: int, directory: Path) -> dict[str, int]:
    workload = build_workload(markets, events, seed)
    gc.collect()
    measured = engine_throughput(workload, directory)
    return {
        "markets": markets,
        "rss_before": measured.rss_before,
        "rss_after": measured.rss_after,
        "bytes_per_market_actor": round(measured.bytes_per_market),
    }


def probe_in_subprocess(markets: int, events: int, seed: int, directory: Path) -> dict[str, int]:
    args = [sys.executable, "-m", "astra.bench.memory_probe"]
    args += [str(markets), str(events), str(seed), str(directory)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=900, check=False)  # noqa: S603 - our own module
    if done.returncode != 0:
        raise RuntimeError(f"memory probe failed: {done.stderr.strip()[-500:]}")
    result: dict[str, int] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str]) -> int:
    markets, events, seed = (int(a) for a in argv[:3])
    print(json.dumps(probe(markets, events, seed, Path(argv[3]))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
