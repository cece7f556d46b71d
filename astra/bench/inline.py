"""The ceiling: the same events through the same domain code on one thread, no actors.

Per market a `MarketState` (the MarketActor's own body: books, toxicity, orders, fills,
strategy, gates), risk approvals straight on the domain `RiskState` the RiskActor wraps,
and journal records numbered by the same `Outbox` and committed by the same `JournalStore`
in the TelemetryActor's batch size. What is missing is exactly the actor machinery:
mailboxes, threads, asks, supervision.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from astra.actors.market_actor import market_producer
from astra.actors.market_state import MarketState
from astra.actors.outbox import Outbox
from astra.actors.risk_book import DomainRiskBook
from astra.adapters.journal.store import JournalStore
from astra.app.runtime import engine_config
from astra.bench.harness import bench_settings, default_strategy
from astra.bench.workload import Workload
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.trading import Fill, OrderIntent
from astra.domain.verdict import Verdict


@dataclass(frozen=True, slots=True)
class InlineResult:
    events: int
    seconds: float
    records: int
    journal: Path

    @property
    def events_per_s(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


class _BatchedJournal:
    """Outbox numbering and batched commits, as the TelemetryActor does them."""

    def __init__(self, store: JournalStore, batch_size: int) -> None:
        self.store = store
        self.batch_size = batch_size
        self.pending: list[JournalRecord] = []
        self.written = 0

    def add(self, record: JournalRecord) -> None:
        self.pending.append(record)
        if len(self.pending) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.store.write_batch(self.pending)
            self.written += len(self.pending)
            self.pending = []


class _Sink:
    def __init__(self, outbox: Outbox, market: str, journal: _BatchedJournal) -> None:
        self._outbox = outbox
        self._market = market
        self._journal = journal

    def emit(self, kind: RecordKind, ts_ms: int, payload: dict[str, Any]) -> None:
        record = self._outbox.append(kind, ts_ms, self._market, payload)
        self._journal.add(record)
        self._outbox.ack((record.seq,))


class _Risk:
    def __init__(self, book: DomainRiskBook) -> None:
        self._book = book

    def approve(self, intent: OrderIntent, now_ms: int) -> Verdict:
        return self._book.check_intent(intent, now_ms)

    def report_fill(self, fill: Fill) -> None:
        self._book.apply_fill(fill, fill.ts_ms)


def run_inline(workload: Workload, directory: Path) -> InlineResult:
    """Every event of `workload` through MarketState on this thread; timed end to end."""
    config = engine_config(bench_settings(), "bench-inline", seed=1, live=False)
    start_ms = workload.events[0].recv_ms if workload.events else 0
    risk_book = DomainRiskBook(config.risk_limits, config.initial_cash, start_ms)
    risk_book.resume(start_ms, "bench")
    path = directory / "inline.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    strategy = default_strategy()
    with JournalStore.open(path) as store:
        journal = _BatchedJournal(store, config.telemetry.batch_size)
        risk = _Risk(risk_book)
        states = {
            info.condition_id: MarketState(
                info,
                strategy(info),
                _Sink(Outbox(market_producer(info.condition_id)), info.condition_id, journal),
                risk,
                config.market,
            )
            for info in workload.markets
        }
        started = time.perf_counter()
        for event in workload.events:
            states[event.market].on_event(event, event.recv_ms)
        journal.flush()
        seconds = time.perf_counter() - started
    return InlineResult(len(workload.events), seconds, journal.written, path)
