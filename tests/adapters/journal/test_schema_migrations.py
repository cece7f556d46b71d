"""Schema versions: forward migration from every earlier version, refusals, no blind stamping."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from astra.adapters.journal.migrations import SchemaError, migrate, user_version
from astra.adapters.journal.schema import SCHEMA_VERSION, STEPS
from astra.adapters.journal.store import JournalStore
from tests.adapters.journal import factories as f


def _db_at(path: Path, version: int) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, str(path), target=version) == list(range(1, version + 1))
    return conn


def _columns(conn: sqlite3.Connection) -> dict[str, list[tuple[str, str]]]:
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        ).fetchall()
    ]
    return {
        t: sorted((c[1], c[2]) for c in conn.execute(f"PRAGMA table_info({t})")) for t in tables
    }


def _write_v1_rows(conn: sqlite3.Connection) -> None:
    """Rows as the v1 writer stored them (v1 has no decision run_id/definition_hash columns)."""
    d = f.decision("old", 1, action="PLACE", run_id="old-run", definition_hash="abc")
    conn.execute(
        "INSERT INTO records (producer, seq, kind, ts_ms, market, payload) VALUES (?,?,?,?,?,?)",
        (d.producer, d.seq, d.kind.value, d.ts_ms, d.market, d.payload),
    )
    conn.execute(
        "INSERT INTO decisions (producer, seq, ts_ms, market, action) VALUES (?,?,?,?,?)",
        (d.producer, d.seq, d.ts_ms, d.market, "PLACE"),
    )
    conn.execute(
        "INSERT INTO runs (run_id, started_ms, ended_ms, status) VALUES ('old-run', 1, 2, 'clean')"
    )


def test_every_version_has_a_step() -> None:
    assert sorted(STEPS) == list(range(1, SCHEMA_VERSION + 1))


@pytest.mark.parametrize("start", range(SCHEMA_VERSION))
def test_forward_migration_from_every_earlier_version(tmp_path: Path, start: int) -> None:
    path = tmp_path / "j.sqlite3"
    conn = _db_at(path, start)
    if start >= 1:
        _write_v1_rows(conn)
    conn.close()
    with JournalStore.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        with store.reading() as c:
            migrated = _columns(c)
        store.write_batch(f.healthy_session())  # the migrated schema takes today's records
    fresh = tmp_path / "fresh.sqlite3"
    JournalStore.open(fresh).close()
    reference = sqlite3.connect(fresh)
    try:
        assert migrated == _columns(reference)
    finally:
        reference.close()


def test_v1_to_v2_backfills_decisions_and_keeps_runs(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    conn = _db_at(path, 1)
    _write_v1_rows(conn)
    conn.close()
    with JournalStore.open(path) as store, store.reading() as c:
        decision = c.execute(
            "SELECT run_id, definition_hash, decision_schema_version, action FROM decisions"
        ).fetchone()
        run = c.execute("SELECT run_id, status, code_version, config_json FROM runs").fetchone()
    assert decision == ("old-run", "abc", 1, "PLACE")
    assert run == ("old-run", "clean", "unknown", "{}")
    # The pre-migration state was kept, through the backup API.
    backup = sqlite3.connect(tmp_path / "j.sqlite3.pre-v2")
    try:
        assert user_version(backup) == 1
        assert backup.execute("SELECT count(*) FROM decisions").fetchone()[0] == 1
    finally:
        backup.close()


def test_migration_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    JournalStore.open(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        assert migrate(conn, str(path)) == []
        assert user_version(conn) == SCHEMA_VERSION
    finally:
        conn.close()


def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    JournalStore.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaError, match="newer than this code"):
        JournalStore.open(path)


def test_defect_legacy_db_stamped_without_migration(tmp_path: Path) -> None:
    """B-20: an unversioned database that already has tables must not be stamped current."""
    path = tmp_path / "legacy.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE records (id INTEGER PRIMARY KEY, payload TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(SchemaError, match="refusing to stamp"):
        JournalStore.open(path)
    conn = sqlite3.connect(path)
    try:
        assert user_version(conn) == 0
    finally:
        conn.close()


def test_failed_step_leaves_the_previous_version(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    conn = _db_at(path, 1)
    conn.execute("CREATE TABLE clash (a)")
    conn.execute("CREATE INDEX decisions_run ON clash (a)")  # the v2 step's index name is taken
    with pytest.raises(sqlite3.OperationalError, match="decisions_run"):
        migrate(conn, str(path))
    assert user_version(conn) == 1
    assert "run_id" not in [c[1] for c in conn.execute("PRAGMA table_info(decisions)")]
    conn.close()
