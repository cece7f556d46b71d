"""Shared helpers for the trading-actor tests: a small engine on a temp journal."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from astra.actors.chaos_scenario import chaos_engine_config
from astra.actors.engine import Engine, EngineConfig, EngineParts, WallClock
from astra.actors.synthetic import SyntheticStream, synthetic_markets
from astra.adapters.journal.store import JournalStore
from astra.domain.clock import Clock
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.metrics_port import CountingMetrics


def wait_for(predicate: Callable[[], bool], timeout_s: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.002)
    return predicate()


@contextmanager
def small_engine(
    tmp_path: Path,
    markets: int = 3,
    *,
    config: EngineConfig | None = None,
    parts: EngineParts | None = None,
    clock: Clock | None = None,
) -> Iterator[tuple[Engine, JournalStore, SyntheticStream]]:
    infos = synthetic_markets(markets)
    stream = SyntheticStream(infos, seed=3)
    store = JournalStore.open(tmp_path / "journal.sqlite3", synchronous="NORMAL")
    engine = Engine(
        infos,
        store,
        stream,
        clock=clock or WallClock(),
        metrics=CountingMetrics(),
        config=config or replace(chaos_engine_config(), watchdog=None),
        parts=parts,
    )
    engine.start()
    try:
        assert wait_for(engine.all_healthy)
        yield engine, store, stream
    finally:
        report = engine.shutdown(5.0)
        store.close()
        assert report.clean


def records(store: JournalStore, kind: RecordKind | None = None) -> list[JournalRecord]:
    kinds = None if kind is None else [kind]
    return [s.record for s in store.records_since(0, kinds)]


def feed_steps(engine: Engine, stream: SyntheticStream, steps: int) -> None:
    for _ in range(steps):
        for event in stream.step(stream.pick(), engine.clock.now_ms()):
            engine.feed(event)
