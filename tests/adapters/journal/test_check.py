"""check_journal: a healthy journal passes; each kind of corruption is named."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from astra.adapters.journal.check import CheckReport, check_journal
from astra.adapters.journal.store import JournalStore
from astra.domain.journal_record import JournalRecord
from tests.adapters.journal import factories as f


def _journal(tmp_path: Path, records: list[JournalRecord]) -> Path:
    path = tmp_path / "astra.sqlite3"
    with JournalStore.open(path) as store:
        store.write_batch(records)
    return path


def _tamper(path: Path, *statements: str, params: tuple[object, ...] = ()) -> None:
    """Edit behind the store's back, as disk corruption or a careless hand would."""
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER records_no_update")
    for statement in statements:
        conn.execute(statement, params)
    conn.commit()
    conn.close()


def _codes(report: CheckReport) -> set[str]:
    return {p.code for p in report.problems}


def test_healthy_journal_passes(tmp_path: Path) -> None:
    report = check_journal(_journal(tmp_path, f.healthy_session()))
    assert report.ok, report.problems
    assert report.counts["fill"] == 2
    assert report.counts["records"] == len(f.healthy_session())
    assert report.to_dict()["ok"] is True


def test_fill_without_order_is_named(tmp_path: Path) -> None:
    session = f.healthy_session()
    path = _journal(tmp_path, [*session, f.fill("market:m1", 7, "f9", "ghost")])
    report = check_journal(path)
    orphans = [p for p in report.problems if p.code == "fill_without_order"]
    assert len(orphans) == 1
    assert "ghost" in orphans[0].detail
    assert "f9" in orphans[0].detail


def test_changed_ledger_value_is_named(tmp_path: Path) -> None:
    path = _journal(tmp_path, f.healthy_session())
    record = f.healthy_session()[8]
    forged = json.dumps(record.data() | {"cash": record.data()["cash"] + 1}, sort_keys=True)
    _tamper(
        path, "UPDATE records SET payload = ? WHERE producer = 'risk' AND seq = 3", params=(forged,)
    )
    report = check_journal(path)
    assert {"ledger_mismatch", "projection_mismatch"} <= _codes(report)
    mismatch = next(p for p in report.problems if p.code == "ledger_mismatch")
    assert "ledger cash" in mismatch.detail


def test_changed_projection_is_named(tmp_path: Path) -> None:
    path = _journal(tmp_path, f.healthy_session())
    _tamper(path, "UPDATE ledger_entries SET fees = 0 WHERE seq = 3")
    report = check_journal(path)
    assert _codes(report) == {"projection_mismatch"}
    assert "ledger_entries row ('risk', 3) differs from its record in fees" in (
        report.problems[0].detail
    )


def test_seq_gap_is_named(tmp_path: Path) -> None:
    path = _journal(
        tmp_path,
        [f.decision("market:m1", 1), f.decision("market:m1", 2), f.decision("market:m1", 5)],
    )
    report = check_journal(path)
    assert [p.to_dict() for p in report.problems] == [
        {"code": "seq_gap", "detail": "producer market:m1: seq 3..4 missing"}
    ]


def test_missing_and_orphan_projection_rows_are_named(tmp_path: Path) -> None:
    path = _journal(tmp_path, f.healthy_session())
    _tamper(
        path,
        "DELETE FROM incidents",
        "INSERT INTO incidents VALUES ('nobody', 1, 0, 'k', 'n', 'r', NULL, 0)",
    )
    codes = _codes(check_journal(path))
    assert codes == {"projection_missing", "projection_orphan"}


def test_duplicate_fill_and_ledger_behind_are_named(tmp_path: Path) -> None:
    session = f.healthy_session()
    path = _journal(tmp_path, [*session, f.fill("market:m1", 7, "f2", "o1", size=5_000_000)])
    codes = _codes(check_journal(path))
    assert "duplicate_fill" in codes
    # f2 counted once for the ledger, so the ledger still matches its distinct fills
    assert "ledger_mismatch" not in codes
    path2 = _journal(tmp_path / "b", [*session, f.fill("market:m1", 7, "f3", "o1")])
    behind = [p for p in check_journal(path2).problems if p.code == "ledger_behind_fills"]
    assert behind[0].detail == "last ledger entry counts 2 fills, the journal holds 3"


def test_fills_without_ledger_is_named(tmp_path: Path) -> None:
    path = _journal(tmp_path, [f.order_event("p", 1, "o1"), f.fill("p", 2, "f1", "o1")])
    assert _codes(check_journal(path)) == {"ledger_missing"}


def test_missing_and_unreadable_files_are_named(tmp_path: Path) -> None:
    missing = check_journal(tmp_path / "none.sqlite3")
    assert _codes(missing) == {"missing"}
    assert not (tmp_path / "none.sqlite3").exists()
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"this is not a database" * 100)
    assert _codes(check_journal(garbage)) == {"unreadable"}


def test_corrupted_page_fails_integrity(tmp_path: Path) -> None:
    path = _journal(tmp_path, f.healthy_session())
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(path.read_bytes())
    for offset in range(page_size + 16, min(len(data), 3 * page_size), 7):
        data[offset] ^= 0x5A
    path.write_bytes(bytes(data))
    report = check_journal(path)
    assert not report.ok
    assert _codes(report) <= {"integrity", "unreadable"}
