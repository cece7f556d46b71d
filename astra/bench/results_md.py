"""benchmarks/RESULTS.md from a bench result: the command, the machine, every figure.

Anything below the NOTES marker in an existing file (hand-written profile notes) is kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

NOTES_MARKER = "<!-- notes: kept across regenerations -->"


def _table(header: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def _met(value: bool | None) -> str:
    return "not measured at this scale" if value is None else ("met" if value else "MISSED")


def render(result: dict[str, Any], command: str) -> str:
    m = result["machine"]
    out = [
        "# Benchmark results",
        "",
        f"Command: `{command}` (scale `{result['scale']}`, seed {result['seed']}, "
        f"{result['elapsed_s']} s).",
        "",
        f"Machine: {m['cpu']}, {m['usable_cpus']} usable of {m['logical_cpus']} logical CPUs, "
        f"{m['memory']} RAM, {m['os']}, {m['python']}.",
        "",
        "## Targets",
        "",
        *_table(
            ["target", "goal", "measured", "verdict"],
            [[t["name"], t["target"], t["measured"], _met(t["met"])] for t in result["targets"]],
        ),
        "",
        "## Throughput: full actor engine vs the inline ceiling (same events, same domain code)",
        "",
        *_table(
            ["markets", "events", "engine ev/s", "inline ev/s", "engine/inline"],
            [
                [
                    r["markets"],
                    r["events"],
                    r["engine_events_per_s"],
                    r["inline_events_per_s"],
                    r["engine_to_inline_ratio"],
                ]
                for r in result["throughput"]
            ],
        ),
        "",
        "## Event-to-decision latency at fixed offered load",
        "",
        *_table(
            ["offered ev/s", "achieved ev/s", "markets", "events", "p50 ms", "p99 ms", "p99.9 ms"],
            [
                [
                    r["offered_per_s"],
                    r["achieved_per_s"],
                    r["markets"],
                    r["events"],
                    r["p50_ms"],
                    r["p99_ms"],
                    r["p99_9_ms"],
                ]
                for r in result["latency"]
            ],
        ),
        "",
        *_other_figures(result),
    ]
    return "\n".join(out) + "\n"


def _other_figures(result: dict[str, Any]) -> list[str]:
    halt = result["halt_propagation"]
    lines = [
        "## Memory, halt propagation, journal, startup",
        "",
        f"- Resident memory per market actor ({result['memory']['markets']} markets, a fresh "
        f"process: resident set after the run minus before the engine started, per market): "
        f"{result['memory']['bytes_per_market_actor']} bytes.",
        f"- Halt propagation, injected MarketActor crash to every order canceled "
        f"({halt['markets']} markets, {halt['rounds']} rounds, "
        f"{halt['orders_canceled_per_round']} orders canceled per round): p50 {halt['p50_ms']} ms,"
        f" p99 {halt['p99_ms']} ms, max {halt['max_ms']} ms.",
    ]
    if "journal" in result:
        journal = result["journal"]
        lines.append(
            f"- Journal (WAL, synchronous=FULL, batches of 256, the inline run's records): "
            f"{journal['records_per_s']} records/s over {journal['records']} records."
        )
    threads = result.get("thread_per_market")
    if threads is not None:
        lines.append(
            f"- Runtime comparison, {threads['markets']} markets, same workload: pooled "
            f"dispatcher ({threads['market_workers']} workers) "
            f"{threads['pooled_events_per_s']} events/s; pykka thread per market "
            f"{threads['thread_per_market_events_per_s']} events/s."
        )
    startup = result["startup"]
    lines.append(
        f"- Startup to trading open with {startup['markets']} markets: {startup['start_s']} s; "
        f"orderly stop {startup['stop_s']} s."
    )
    return lines


def write_results(path: Path, result: dict[str, Any], command: str) -> None:
    text = render(result, command)
    if path.exists():
        old = path.read_text()
        if NOTES_MARKER in old:
            text += "\n" + NOTES_MARKER + old.split(NOTES_MARKER, 1)[1]
    path.write_text(text)
