"""Run manifests: opened once, closed once, crashed runs marked at the next start."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from astra.adapters.journal.runs import (
    CRASH_DETAIL,
    RunError,
    RunStatus,
    close_run,
    get_run,
    list_runs,
    mark_crashed_runs,
    open_run,
)
from astra.adapters.journal.store import JournalStore

CONFIG = {"bankroll": 1000, "markets": ["m1", "m2"]}


def test_open_run_records_config_snapshot_and_hash(tmp_path: Path) -> None:
    with JournalStore.open(tmp_path / "j.sqlite3") as store:
        run = open_run(store, run_id="r1", started_ms=10, code_version="0.1.0+abc", config=CONFIG)
        with store.reading() as conn:
            stored = get_run(conn, "r1")
    expected_json = '{"bankroll":1000,"markets":["m1","m2"]}'
    assert stored == run
    assert run.status is RunStatus.RUNNING
    assert run.config_json == expected_json
    assert run.config_hash == hashlib.sha256(expected_json.encode()).hexdigest()
    assert run.ended_ms is None


def test_a_run_id_is_written_once(tmp_path: Path) -> None:
    with JournalStore.open(tmp_path / "j.sqlite3") as store:
        open_run(store, run_id="r1", started_ms=10, code_version="v", config={})
        with pytest.raises(RunError, match="already exists"):
            open_run(store, run_id="r1", started_ms=20, code_version="v", config={})


def test_close_run_sets_end_and_status_once(tmp_path: Path) -> None:
    with JournalStore.open(tmp_path / "j.sqlite3") as store:
        open_run(store, run_id="r1", started_ms=10, code_version="v", config={})
        closed = close_run(store, "r1", ended_ms=99, status=RunStatus.CLEAN, detail="sigterm")
        assert (closed.status, closed.ended_ms, closed.exit_detail) == (
            RunStatus.CLEAN,
            99,
            "sigterm",
        )
        with pytest.raises(RunError, match="already closed"):
            close_run(store, "r1", ended_ms=100, status=RunStatus.ERROR)
        with pytest.raises(RunError, match="does not exist"):
            close_run(store, "nope", ended_ms=100, status=RunStatus.ERROR)
        with pytest.raises(RunError, match="end status"):
            close_run(store, "r1", ended_ms=100, status=RunStatus.RUNNING)


def test_defect_manifest_never_closed(tmp_path: Path) -> None:
    """B-29: a run that died stays open forever in the original; here the next start closes it."""
    path = tmp_path / "j.sqlite3"
    store = JournalStore.open(path)
    open_run(store, run_id="killed", started_ms=10, code_version="v", config={})
    store.close()  # as if by kill -9: nobody called close_run
    with JournalStore.open(path) as store:
        assert mark_crashed_runs(store, now_ms=500) == ["killed"]
        open_run(store, run_id="next", started_ms=600, code_version="v", config={})
        assert mark_crashed_runs(store, now_ms=700) == ["next"]
        with store.reading() as conn:
            runs = list_runs(conn)
    assert [(r.run_id, r.status, r.ended_ms) for r in runs] == [
        ("killed", RunStatus.CRASHED, 500),
        ("next", RunStatus.CRASHED, 700),
    ]
    assert runs[0].exit_detail == CRASH_DETAIL
    assert all(r.ended_ms is not None for r in runs)
