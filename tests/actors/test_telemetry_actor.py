from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from astra.actors.outbox import Outbox, Outboxes
from astra.actors.telemetry_actor import TelemetryConfig, TelemetryCore
from astra.adapters.journal.store import JournalStore
from astra.domain.clock import ManualClock
from astra.domain.journal_record import JournalRecord, RecordKind
from astra.domain.metrics_port import JOURNAL_WRITE_ERRORS_TOTAL, CountingMetrics

from .trading_support import records, small_engine, wait_for


def incident(n: int) -> dict[str, object]:
    return {
        "actor_kind": "market",
        "actor_name": f"m{n}",
        "reason": "x",
        "detail": "",
        "dead_letters": 0,
    }


class FlakyWriter:
    def __init__(self, store: JournalStore) -> None:
        self.store = store
        self.down = False
        self.batches: list[int] = []

    def write_batch(self, batch: Sequence[JournalRecord]) -> None:
        if self.down:
            raise OSError("disk gone")
        self.batches.append(len(batch))
        self.store.write_batch(batch)


@pytest.fixture
def store(tmp_path: Path) -> JournalStore:
    journal = JournalStore.open(tmp_path / "j.sqlite3", synchronous="NORMAL")
    yield journal
    journal.close()


def make_core(store: JournalStore, batch: int = 3, latency: int = 50):
    clock = ManualClock(1_000)
    boxes = Outboxes()
    unavailable: list[str] = []
    writer = FlakyWriter(store)
    core = TelemetryCore(
        writer, boxes.ack_records, unavailable.append, CountingMetrics(), clock,
        TelemetryConfig(batch_size=batch, max_latency_ms=latency),
    )  # fmt: skip
    return core, clock, boxes, writer, unavailable


def test_outbox_numbers_keeps_and_acks_exact_records() -> None:
    box = Outbox("p", last_seq=7)
    first = box.append(RecordKind.INCIDENT, 1, None, incident(1))
    second = box.append(RecordKind.INCIDENT, 2, None, incident(2))
    assert (first.seq, second.seq) == (8, 9)
    box.ack([9])  # a later commit never acknowledges an earlier, lost record
    assert box.pending() == (first,)
    box.ack([8])
    assert len(box) == 0
    boxes = Outboxes({"p": 41})
    assert boxes.get("p").append(RecordKind.INCIDENT, 1, None, incident(3)).seq == 42


def test_commits_on_batch_size_and_acknowledges(store: JournalStore) -> None:
    core, _clock, boxes, writer, _ = make_core(store, batch=3)
    box = boxes.get("m")
    sent = [box.append(RecordKind.INCIDENT, 1, None, incident(i)) for i in range(3)]
    core.append(sent[:2])
    assert writer.batches == []
    assert core.buffered == 2
    core.append(sent[2:])
    assert writer.batches == [3]
    assert len(box) == 0
    assert [r.seq for r in records(store)] == [1, 2, 3]


def test_commits_on_latency_bound_from_the_timer(store: JournalStore) -> None:
    core, clock, boxes, writer, _ = make_core(store, batch=100, latency=50)
    core.append([boxes.get("m").append(RecordKind.INCIDENT, 1, None, incident(1))])
    clock.advance(49)
    core.tick()
    assert writer.batches == []
    clock.advance(1)
    core.tick()
    assert writer.batches == [1]


def test_journal_outage_reports_once_keeps_records_and_recovers(store: JournalStore) -> None:
    core, clock, boxes, writer, unavailable = make_core(store, batch=1)
    box = boxes.get("m")
    writer.down = True
    core.append([box.append(RecordKind.INCIDENT, 1, None, incident(1))])
    core.append([box.append(RecordKind.INCIDENT, 1, None, incident(2))])
    clock.advance(100)
    core.tick()
    assert len(unavailable) == 1
    assert "disk gone" in unavailable[0]
    assert core.buffered == 2
    assert len(box) == 2
    assert not core.available
    writer.down = False
    clock.advance(100)
    core.tick()
    assert core.available
    assert core.buffered == 0
    assert len(box) == 0
    assert [r.seq for r in records(store)] == [1, 2]


def test_resend_after_restart_is_idempotent(store: JournalStore) -> None:
    core, *_ = make_core(store, batch=10)
    record = Outbox("m").append(RecordKind.INCIDENT, 1, None, incident(1))
    core.append([record, record])
    assert core.flush().ok
    core.append([record])
    assert core.flush().ok
    assert len(records(store)) == 1


def test_telemetry_crash_loses_nothing(tmp_path: Path) -> None:
    from astra.actors.runtime.runtime_messages import Crash

    with small_engine(tmp_path, markets=2) as (engine, store, _stream):
        assert engine.resume("test").resumed
        assert engine.registry.tell("telemetry", Crash("test"))
        assert wait_for(lambda: len(engine.halt_entries()) == 1 and engine.all_healthy())
        assert engine.drain()
        assert engine.outboxes.pending_count() == 0
        metrics = engine.metrics
        assert isinstance(metrics, CountingMetrics)
        assert metrics.counter(JOURNAL_WRITE_ERRORS_TOTAL) == 0
        halts = records(store, RecordKind.HALT)
        assert any("telemetry" in r.data()["detail"] for r in halts)
        # Every producer's sequence is gap-free: nothing was lost with the dead writer.
        for producer, top in store.max_seqs().items():
            assert [r.seq for r in store.producer_records(producer)] == list(range(1, top + 1))
