"""One bench run: every measurement of issue 9, side by side, as one JSON-able document."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from astra.bench import machine
from astra.bench.engine_runs import Throughput, decision_latency, engine_throughput
from astra.bench.halt_run import halt_propagation
from astra.bench.inline import InlineResult, run_inline
from astra.bench.journal_startup import journal_throughput, startup_time
from astra.bench.memory_probe import probe_in_subprocess
from astra.bench.plan import BenchPlan
from astra.bench.targets import check_targets
from astra.bench.workload import build_workload
from astra.settings import Settings

Progress = Callable[[str], None]


def _throughput_row(engine: Throughput, inline: InlineResult) -> dict[str, Any]:
    ratio = engine.events_per_s / inline.events_per_s if inline.events_per_s > 0 else 0.0
    return {
        "markets": engine.markets,
        "events": engine.events,
        "engine_events_per_s": round(engine.events_per_s, 1),
        "inline_events_per_s": round(inline.events_per_s, 1),
        "engine_to_inline_ratio": round(ratio, 3),
        "engine_seconds": round(engine.seconds, 3),
        "inline_seconds": round(inline.seconds, 3),
    }


def _comparison(pooled: dict[str, Any], threads: Throughput) -> dict[str, Any]:
    """The same workload on pykka's thread per market: what the pooled dispatcher buys."""
    return {
        "markets": threads.markets,
        "market_workers": Settings().run.market_workers,
        "pooled_events_per_s": pooled["engine_events_per_s"],
        "thread_per_market_events_per_s": round(threads.events_per_s, 1),
    }


def run_bench(
    plan: BenchPlan, seed: int, progress: Progress, workdir: Path | None = None
) -> dict[str, Any]:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="astra-bench-") as tmp:
        directory = workdir or Path(tmp)
        result: dict[str, Any] = {"scale": plan.scale, "seed": seed, "machine": machine.describe()}
        rows: list[dict[str, Any]] = []
        inline_journal: Path | None = None
        for markets in plan.market_counts:
            progress(f"throughput: {markets} markets")
            workload = build_workload(markets, plan.events_for(markets), seed)
            inline = run_inline(workload, directory)
            inline_journal = inline.journal
            rows.append(_throughput_row(engine_throughput(workload, directory), inline))
            if markets == plan.compare_threads_at:
                progress(f"throughput: {markets} markets, thread per market (comparison)")
                threads = engine_throughput(workload, directory, market_workers=0)
                result["thread_per_market"] = _comparison(rows[-1], threads)
        result["throughput"] = rows
        largest = rows[-1]["markets"]
        progress(f"memory: {largest} markets in a fresh process")
        memory = probe_in_subprocess(largest, plan.events_for(largest), seed, directory)
        result["memory"] = {
            "markets": largest,
            "bytes_per_market_actor": memory["bytes_per_market_actor"],
            "rss_before": memory["rss_before"],
            "rss_after": memory["rss_after"],
        }
        result["latency"] = _latency(plan, seed, directory, progress)
        progress(f"halt propagation: {plan.halt_markets} markets")
        halt_load = build_workload(plan.halt_markets, plan.events_for(plan.halt_markets), seed)
        halt = halt_propagation(halt_load, plan.halt_rounds, directory)
        result["halt_propagation"] = {
            "markets": halt.markets,
            "rounds": halt.rounds,
            "orders_canceled_per_round": round(halt.orders_canceled_per_round, 1),
            **{f"{k}_ms" if k != "count" else k: v for k, v in halt.ms.as_dict().items()},
        }
        if inline_journal is not None:
            progress("journal throughput")
            journal = journal_throughput(inline_journal, directory)
            result["journal"] = {
                "records": journal.records,
                "records_per_s": round(journal.records_per_s, 1),
            }
        progress(f"startup: {plan.startup_markets} markets")
        boot = build_workload(plan.startup_markets, 2 * plan.startup_markets, seed)
        startup = startup_time(boot.markets, boot.events[0].recv_ms, directory)
        result["startup"] = {
            "markets": startup.markets,
            "start_s": round(startup.start_s, 3),
            "stop_s": round(startup.stop_s, 3),
        }
    result["targets"] = check_targets(result)
    result["elapsed_s"] = round(time.perf_counter() - started, 1)
    return result


def _latency(
    plan: BenchPlan, seed: int, directory: Path, progress: Progress
) -> list[dict[str, Any]]:
    needed = int(max(plan.latency_rates) * plan.latency_seconds) + 2 * plan.latency_markets
    workload = build_workload(plan.latency_markets, needed, seed)
    rows: list[dict[str, Any]] = []
    for rate in plan.latency_rates:
        progress(f"latency: {rate} events/s offered, {plan.latency_markets} markets")
        measured = decision_latency(workload, rate, plan.latency_seconds, directory)
        rows.append(
            {
                "offered_per_s": rate,
                "achieved_per_s": round(measured.achieved_per_s, 1),
                "markets": plan.latency_markets,
                **{
                    f"{k}_ms" if k != "count" else "events": v
                    for k, v in measured.ms.as_dict().items()
                },
            }
        )
    return rows
