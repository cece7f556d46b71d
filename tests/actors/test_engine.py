from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from astra.actors.chaos.config import chaos_engine_config
from astra.actors.chaos.synthetic import SyntheticStream, synthetic_markets
from astra.actors.engine import Engine
from astra.actors.engine_parts import WallClock
from astra.adapters.journal.store import JournalStore
from astra.domain.clock import ManualClock
from astra.domain.journal_record import JournalRecord
from astra.domain.market import MarketInfo
from astra.domain.metrics_port import CountingMetrics

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


def test_start_returns_once_every_pooled_market_has_started(tmp_path: Path) -> None:
    """A market's start slice runs on a pool worker; `start()` waits for all of them, so
    nothing fed afterwards can also reach a market through its start-up book snapshot."""

    class SlowBooks(SyntheticStream):
        def __init__(self, markets: list[MarketInfo]) -> None:
            super().__init__(markets, seed=3)
            self.calls = 0
            self._lock = threading.Lock()

        def snapshots(self, market: MarketInfo) -> list[Any]:
            time.sleep(0.05)  # a slow REST /book
            with self._lock:
                self.calls += 1
            return super().snapshots(market)

    infos = synthetic_markets(6)
    books = SlowBooks(infos)
    config = replace(chaos_engine_config(), watchdog=None, market_workers=1)
    with JournalStore.open(tmp_path / "j.sqlite3") as store:
        engine = Engine(infos, store, books, clock=WallClock(), metrics=CountingMetrics(),
                        config=config)  # fmt: skip
        try:
            engine.start()
            assert books.calls == 6  # one worker, 50 ms each: start() waited ~0.3 s
            assert engine.all_healthy()
        finally:
            engine.shutdown(5.0)
