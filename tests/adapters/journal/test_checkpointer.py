"""WAL checkpoints run beside the commits: no commit draws one, and the WAL still drains."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from astra.adapters.journal.checkpointer import WalCheckpointer
from astra.adapters.journal.store import JournalStore
from tests.adapters.journal.factories import order_event


def _write(store: JournalStore, first: int, count: int) -> None:
    store.write_batch([order_event("m", seq, f"o{seq}") for seq in range(first, first + count)])


def test_commits_never_checkpoint_and_a_passive_round_drains_the_wal(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    with JournalStore.open(path) as store:
        with store.reading() as conn:
            assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        for batch in range(40):  # well past SQLite's default 1,000-page automatic threshold
            _write(store, 1 + batch * 250, 250)
        wal = Path(f"{path}-wal").stat().st_size
        assert wal > 1_000 * 4096  # nothing moved it into the database
        rounds = WalCheckpointer(path)
        conn = sqlite3.connect(path)
        try:
            busy, frames, done = rounds.checkpoint(conn)
        finally:
            conn.close()
        assert (busy, done) == (0, frames)
        assert frames > 1_000
        _write(store, 10_001, 10)  # the writer carries on; the WAL restarts from its head
        assert store.max_seq("m") == 10_010


def test_the_store_runs_its_checkpointer_until_closed(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    store = JournalStore.open(path)
    checkpointer = store.checkpointer
    assert checkpointer.alive
    store.close()
    assert not checkpointer.alive
    assert checkpointer.failures == 0


def test_a_round_is_due_after_enough_records_or_after_the_longest_wait(tmp_path: Path) -> None:
    rounds = WalCheckpointer(tmp_path / "j.sqlite3", interval_s=1.0, every_records=100,
                             max_wait_s=3.0)  # fmt: skip
    assert not rounds.due()  # nothing written: never due
    rounds.wrote(99)
    assert not rounds.due()
    rounds.wrote(1)
    assert rounds.due()  # 100 records
    quiet = WalCheckpointer(tmp_path / "k.sqlite3", interval_s=1.0, every_records=100,
                            max_wait_s=3.0)  # fmt: skip
    quiet.wrote(1)
    assert [quiet.due() for _ in range(3)] == [False, False, True]  # one record, 3 s later
