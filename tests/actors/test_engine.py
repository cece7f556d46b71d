from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from astra.actors.chaos_scenario import chaos_engine_config
from astra.domain.clock import ManualClock
from astra.domain.journal_record import JournalRecord

from .trading_support import feed_steps, small_engine


def replay(tmp_path: Path) -> dict[str, list[JournalRecord]]:
    """Feed a seeded stream under event time, draining after each event: a replay."""
    config = replace(chaos_engine_config(), watchdog=None, flush_interval_s=None)
    clock = ManualClock(1_700_000_000_000)
    with small_engine(tmp_path, markets=3, config=config, clock=clock) as (engine, store, stream):
        assert engine.resume("replay").resumed
        assert engine.drain()
        for _ in range(40):
            clock.advance(100)
            feed_steps(engine, stream, 1)
            assert engine.drain()
        return {p: store.producer_records(p) for p in sorted(store.max_seqs())}


def test_replays_are_deterministic_per_producer(tmp_path: Path) -> None:
    first = replay(tmp_path / "a")
    second = replay(tmp_path / "b")
    markets = [p for p in first if p.startswith("market:")]
    assert len(markets) == 3
    for producer in markets:
        assert [(r.seq, r.kind, r.ts_ms, r.payload) for r in first[producer]] == [
            (r.seq, r.kind, r.ts_ms, r.payload) for r in second[producer]
        ]
    assert sum(len(first[p]) for p in markets) > 100


def test_feed_to_unknown_market_is_refused_and_shutdown_is_clean(tmp_path: Path) -> None:
    from astra.domain.events import BookSnapshot

    with small_engine(tmp_path, markets=1) as (engine, _store, _stream):
        assert not engine.feed(BookSnapshot("nope", "x", 1, (), ()))
        assert engine.all_healthy()
        assert engine.flush().ok
