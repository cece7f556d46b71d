"""Issue 9's targets, checked against a bench result (reported, never asserted in tests)."""

from __future__ import annotations

from typing import Any

KB = 1024


def _row(rows: list[dict[str, Any]], key: str, value: int) -> dict[str, Any] | None:
    return next((r for r in rows if r.get(key) == value), None)


def _target(name: str, goal: str, measured: float | None, met: bool | None) -> dict[str, Any]:
    return {"name": name, "target": goal, "measured": measured, "met": met}


def check_targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with its measured figure; `met` None when this run did not measure it."""
    thousand = _row(result["throughput"], "markets", 1_000)
    latency = _row(result["latency"], "offered_per_s", 5_000)
    memory = result["memory"]
    halt = result["halt_propagation"]
    ratio = None if thousand is None else thousand["engine_to_inline_ratio"]
    rate = None if thousand is None else thousand["engine_events_per_s"]
    p99 = None if latency is None else latency["p99_ms"]
    per_actor = memory["bytes_per_market_actor"] if memory["markets"] >= 5_000 else None
    halt_p99 = halt["p99_ms"] if halt["markets"] >= 1_000 else None
    return [
        _target("engine/inline at 1,000 markets", ">= 0.5", ratio, _ge(ratio, 0.5)),
        _target("engine events/s at 1,000 markets", ">= 50,000", rate, _ge(rate, 50_000)),
        _target("decision p99 at 5k events/s (ms)", "<= 2", p99, _le(p99, 2.0)),
        _target(
            "RSS per market actor, 5,000 markets (B)",
            "<= 65,536",
            per_actor,
            _le(per_actor, 64 * KB),
        ),
        _target("halt propagation p99, 1,000 markets (ms)", "<= 50", halt_p99, _le(halt_p99, 50)),
    ]


def _ge(value: float | None, floor: float) -> bool | None:
    return None if value is None else value >= floor


def _le(value: float | None, ceiling: float) -> bool | None:
    return None if value is None else value <= ceiling
