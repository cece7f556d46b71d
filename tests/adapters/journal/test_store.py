"""JournalStore: WAL, idempotent batches, projections, conflicts, readers."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from astra.adapters.journal.projections import PayloadError
from astra.adapters.journal.store import (
    JournalConflictError,
    JournalMissingError,
    JournalStore,
    JournalWriteError,
    connect_readonly,
)
from astra.domain.journal_record import JournalRecord, RecordKind
from tests.adapters.journal import factories as f


def _count(path: Path, table: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608
    finally:
        conn.close()


def test_open_creates_wal_journal_with_full_sync(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "astra.sqlite3"
    with JournalStore.open(path) as store, store.reading() as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert path.is_file()


def test_same_batch_twice_stores_once(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    batch = f.healthy_session()
    with JournalStore.open(path) as store:
        assert store.insert(batch) == len(batch)
        assert store.insert(batch) == 0
        store.write_batch(batch[:3])
    assert _count(path, "records") == len(batch)
    assert _count(path, "fills") == 2
    assert _count(path, "order_events") == 3
    assert _count(path, "ledger_entries") == 3
    assert _count(path, "risk_events") == 2
    assert _count(path, "incidents") == 1
    assert _count(path, "decisions") == 1


def test_projection_columns_are_typed_from_payload(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    with JournalStore.open(path) as store:
        store.write_batch(f.healthy_session())
        with store.reading() as conn:
            row = conn.execute(
                "SELECT fill_id, order_id, price, size, fee, market FROM fills WHERE seq = 3"
            ).fetchone()
            halt = conn.execute("SELECT kind, state, reason FROM risk_events WHERE seq = 4")
            decision = conn.execute("SELECT action, run_id, decision_schema_version FROM decisions")
            assert row == ("f1", "o1", 4_000, 5_000_000, 200_000, "m1")
            assert halt.fetchone() == ("halt", "HALTED", "operator")
            assert decision.fetchone() == ("PLACE", "run-1", 1)


def test_resend_with_different_content_is_a_conflict_and_stores_nothing(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    with JournalStore.open(path) as store:
        store.write_batch([f.fill("p", 1, "f1", "o1")])
        changed = f.fill("p", 1, "f1", "o1", size=1)
        fresh = f.fill("p", 2, "f2", "o1")
        with pytest.raises(JournalConflictError, match=r"\(p, 1\)"):
            store.write_batch([fresh, changed])
        assert store.max_seq("p") == 1
    assert _count(path, "fills") == 1


def test_malformed_payload_fails_the_whole_batch(tmp_path: Path) -> None:
    bad = JournalRecord.build("p", 2, RecordKind.FILL, 1, "m1", {"fill_id": "f2"})
    with JournalStore.open(tmp_path / "j.sqlite3") as store:
        with pytest.raises(PayloadError, match=r"fill record \(p, 2\): 'order_id'"):
            store.write_batch([f.fill("p", 1, "f1", "o1"), bad])
        assert store.records_since() == []


def test_bool_is_not_an_integer_in_payloads(tmp_path: Path) -> None:
    record = f.order_event("p", 1, "o1")
    data = record.data() | {"price": True}
    bad = JournalRecord.build("p", 1, RecordKind.ORDER_EVENT, 1, "m1", data)
    with JournalStore.open(tmp_path / "j.sqlite3") as store, pytest.raises(PayloadError):
        store.write_batch([bad])


def test_sequence_numbers_start_at_one(tmp_path: Path) -> None:
    zero = JournalRecord.build("p", 0, RecordKind.FILL, 1, "m1", f.fill("p", 1, "f", "o").data())
    with JournalStore.open(tmp_path / "j.sqlite3") as store:
        with pytest.raises(JournalWriteError, match="start at 1"):
            store.write_batch([zero])
        assert store.records_since() == []


def test_database_error_is_a_named_write_error_and_rolls_back(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    with JournalStore.open(path) as store:
        other = sqlite3.connect(path)
        other.execute("DROP TABLE fills")
        other.close()
        with pytest.raises(JournalWriteError, match="batch of 2 records not written"):
            store.write_batch([f.decision("p", 1), f.fill("p", 2, "f1", "o1")])
        assert store.records_since() == []
        store.write_batch([f.decision("p", 1)])  # the store is still usable
        assert store.max_seq("p") == 1


def test_records_are_append_only(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    with JournalStore.open(path) as store:
        store.write_batch([f.fill("p", 1, "f1", "o1")])
    conn = sqlite3.connect(path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE records SET payload = '{}'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM records")
    finally:
        conn.close()


def test_max_seq_and_readers(tmp_path: Path) -> None:
    with JournalStore.open(tmp_path / "j.sqlite3") as store:
        assert store.max_seq("risk") == 0
        store.write_batch(f.healthy_session())
        assert store.max_seq("risk") == 5
        assert store.max_seqs() == {"market:m1": 6, "risk": 5, "supervisor": 1}
        everything = store.records_since()
        assert [s.id for s in everything] == sorted(s.id for s in everything)
        fills = store.records_since(kinds=[RecordKind.FILL])
        assert [s.record.data()["fill_id"] for s in fills] == ["f1", "f2"]
        after = store.records_since(after_id=everything[5].id, limit=2)
        assert [s.record for s in after] == [r.record for r in everything[6:8]]
        assert [r.seq for r in store.producer_records("risk", after_seq=3)] == [4, 5]


def test_last_order_events_are_each_orders_latest_event_only(tmp_path: Path) -> None:
    m, other = "market:m1", "market:m2"
    batch = [
        f.order_event(m, 1, "o1"),
        f.decision(m, 2),
        f.order_event(m, 3, "o2"),
        f.order_event(m, 4, "o1", state="partially_filled", reason="fill", filled=2_000_000),
        f.decision(m, 5),
        f.order_event(m, 6, "o2", state="canceled", reason="halt"),
        f.order_event(m, 7, "o3"),
        f.order_event(other, 1, "o9"),
    ]
    with JournalStore.open(tmp_path / "j.sqlite3") as store:
        store.write_batch(batch)
        latest = store.last_order_events(m)
        assert [(r.seq, r.data()["order_id"]) for r in latest] == [(4, "o1"), (6, "o2"), (7, "o3")]
        assert latest[0].data()["state"] == "partially_filled"
        assert store.last_order_events("market:none") == []


def test_market_recovery_reads_fills_exits_and_last_order_events_only(tmp_path: Path) -> None:
    m = "market:m1"
    halted = {"state": "halted", "reason": "halt", "detail": "market"}
    closed = {"state": "halted", "reason": "market_closed", "detail": "market"}
    batch = [
        f.order_event(m, 1, "o1"),
        f.decision(m, 2),
        JournalRecord.build(m, 3, RecordKind.RISK_EVENT, 1_003, f.MARKET, halted),
        f.order_event(m, 4, "o1", state="filled", reason="fill", filled=10_000_000),
        f.fill(m, 5, "f1", "o1"),
        f.order_event(m, 6, "o2"),
        JournalRecord.build(m, 7, RecordKind.RISK_EVENT, 1_007, f.MARKET, closed),
    ]
    with JournalStore.open(tmp_path / "j.sqlite3") as store:
        store.write_batch(batch)
        assert [r.seq for r in store.market_recovery_records(m)] == [4, 5, 6, 7]


def test_records_survive_reopen_without_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    batch = f.healthy_session()
    store = JournalStore.open(path)
    store.write_batch(batch)
    assert Path(f"{path}-wal").stat().st_size > 0
    with JournalStore.open(path) as again:
        assert [s.record for s in again.records_since()] == batch
    store.close()


def test_readonly_connection_requires_an_existing_journal(tmp_path: Path) -> None:
    with pytest.raises(JournalMissingError, match="no journal"):
        connect_readonly(tmp_path / "missing.sqlite3")
    assert not (tmp_path / "missing.sqlite3").exists()
    path = tmp_path / "j.sqlite3"
    JournalStore.open(path).close()
    conn = connect_readonly(path)
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            conn.execute("CREATE TABLE x (a)")
    finally:
        conn.close()
