"""Backups through the backup API: WAL-safe, rotated, verified; restores verified."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from astra.adapters.journal.backup import BackupError, backup, list_backups, restore
from astra.adapters.journal.check import check_journal
from astra.adapters.journal.runs import open_run
from astra.adapters.journal.store import JournalStore
from tests.adapters.journal import factories as f


def _records(path: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT producer, seq, payload FROM records ORDER BY id").fetchall()
    finally:
        conn.close()


def test_defect_backup_without_wal(tmp_path: Path) -> None:
    """B-21: committed data still in the WAL must be in the backup (a file copy loses it)."""
    db = tmp_path / "astra.sqlite3"
    session = f.healthy_session()
    store = JournalStore.open(db)  # held open: nothing checkpoints the WAL into the main file
    store.write_batch(session[:4])
    store.checkpoint()
    store.write_batch(session[4:])  # committed, but only in the WAL
    assert Path(f"{db}-wal").stat().st_size > 0
    naive = tmp_path / "copy.sqlite3"
    shutil.copyfile(db, naive)  # what the original did
    assert len(_records(naive)) == 4
    made = backup(db, tmp_path / "backups")
    restored = tmp_path / "restored" / "astra.sqlite3"
    restore(made, restored)
    assert _records(restored) == _records(db)
    assert len(_records(restored)) == len(f.healthy_session())
    assert check_journal(restored).ok
    store.close()


def test_backups_are_numbered_and_rotated(tmp_path: Path) -> None:
    db = tmp_path / "astra.sqlite3"
    with JournalStore.open(db) as store:
        for seq in range(1, 6):
            store.write_batch([f.decision("p", seq)])
            backup(db, tmp_path / "b", keep=3)
    kept = list_backups(tmp_path / "b")
    assert [p.name for p in kept] == [
        "astra-000003.sqlite3",
        "astra-000004.sqlite3",
        "astra-000005.sqlite3",
    ]
    assert len(_records(kept[0])) == 3
    assert len(_records(kept[-1])) == 5
    assert not list((tmp_path / "b").glob(".*partial"))


def test_restore_refuses_a_corrupt_backup_and_keeps_the_journal(tmp_path: Path) -> None:
    db = tmp_path / "astra.sqlite3"
    with JournalStore.open(db) as store:
        store.write_batch(f.healthy_session())
    bad = tmp_path / "astra-000001.sqlite3"
    bad.write_bytes(b"not sqlite" * 500)
    with pytest.raises(BackupError, match="not a usable journal"):
        restore(bad, db)
    assert len(_records(db)) == len(f.healthy_session())


def test_restore_refuses_over_a_running_trader_unless_forced(tmp_path: Path) -> None:
    db = tmp_path / "astra.sqlite3"
    with JournalStore.open(db) as store:
        store.write_batch([f.decision("p", 1)])
    made = backup(db, tmp_path / "b")
    with JournalStore.open(db) as store:
        store.write_batch([f.decision("p", 2)])
        open_run(store, run_id="live", started_ms=1, code_version="v", config={})
    with pytest.raises(BackupError, match="live"):
        restore(made, db)
    restore(made, db, force=True)
    assert [r[1] for r in _records(db)] == [1]
    with JournalStore.open(db) as store:  # the restored journal is usable for writing
        store.write_batch([f.decision("p", 2)])
        assert store.max_seq("p") == 2


def test_backup_errors_are_named(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="no journal"):
        backup(tmp_path / "none.sqlite3", tmp_path / "b")
    with pytest.raises(BackupError, match="keep must be"):
        backup(tmp_path / "none.sqlite3", tmp_path / "b", keep=0)
    with pytest.raises(BackupError, match="no backup"):
        restore(tmp_path / "nothing.sqlite3", tmp_path / "astra.sqlite3")
