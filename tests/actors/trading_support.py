"""Shared helpers for the trading-actor tests: a small engine on a temp journal, and the
recording journal sink, risk gateway and empty book source the MarketState tests plug in."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from astra.actors.chaos.config import chaos_engine_config
from astra.actors.chaos.synthetic import SyntheticStream, synthetic_markets
from astra.actors.engine import Engine, EngineConfig, EngineParts, WallClock
from astra.actors.market_inputs import Marks
from astra.adapters.journal.store import JournalStore
from astra.domain.clock import Clock
from astra.domain.events import BookSnapshot
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.market import MarketInfo
from astra.domain.metrics_port import CountingMetrics
from astra.domain.trading import Fill, OrderIntent
from astra.domain.verdict import Verdict


def wait_for(predicate: Callable[[], bool], timeout_s: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.002)
    return predicate()


class Sink:
    """A journal sink that keeps every row it is given."""

    def __init__(self) -> None:
        self.rows: list[tuple[RecordKind, dict[str, Any]]] = []

    def emit(self, kind: RecordKind, ts_ms: int, payload: dict[str, Any]) -> None:
        self.rows.append((kind, payload))

    def of(self, kind: RecordKind) -> list[dict[str, Any]]:
        return [p for k, p in self.rows if k is kind]


class Risk:
    """A risk gateway that answers `verdict` (approve by default) and records what it hears."""

    def __init__(self, verdict: Verdict | None = None) -> None:
        self.verdict = verdict or Verdict.ok("risk")
        self.asked: list[OrderIntent] = []
        self.fills: list[Fill] = []
        self.marks: list[tuple[Marks, int]] = []

    def approve(self, intent: OrderIntent, now_ms: int) -> Verdict:
        self.asked.append(intent)
        return self.verdict

    def report_fill(self, fill: Fill) -> None:
        self.fills.append(fill)

    def report_marks(self, marks: Marks, now_ms: int) -> None:
        self.marks.append((marks, now_ms))


class NoBooks:
    """Nothing at start: books sync from the events the test feeds."""

    def snapshots(self, market: MarketInfo) -> Sequence[BookSnapshot]:
        return ()


@contextmanager
def running(engine: Engine, store: JournalStore) -> Iterator[None]:
    """Start `engine`, wait until every child is healthy; on exit shut it down cleanly and
    close `store`."""
    engine.start()
    try:
        assert wait_for(engine.all_healthy)
        yield
    finally:
        report = engine.shutdown(5.0)
        store.close()
        assert report.clean


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
    with running(engine, store):
        yield engine, store, stream


def records(store: JournalStore, kind: RecordKind | None = None) -> list[JournalRecord]:
    kinds = None if kind is None else [kind]
    return [s.record for s in store.records_since(0, kinds)]


def feed_steps(engine: Engine, stream: SyntheticStream, steps: int) -> None:
    for _ in range(steps):
        for event in stream.step(stream.pick(), engine.clock.now_ms()):
            engine.feed(event)
