"""The startup checklist: real directories, sockets and journals; failures are named."""

from __future__ import annotations

import logging
import socket
import sqlite3
from pathlib import Path

import pytest

from astra.adapters.journal.store import JournalStore
from astra.adapters.startup_checks import (
    StartupCheck,
    clock_skew,
    condition,
    dir_writable,
    disk_space,
    journal_ready,
    port_bindable,
    run_checklist,
)
from astra.domain.metrics_port import STARTUP_CHECK_PASSED, CountingMetrics


def _raises() -> tuple[bool, str]:
    raise ConnectionError("venue unreachable")


def test_all_checks_run_and_report(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    metrics = CountingMetrics()
    journal = tmp_path / "astra.sqlite3"
    JournalStore.open(journal).close()
    checks = [
        dir_writable("data_dir_writable", tmp_path),
        disk_space("disk_space", tmp_path, 1),
        port_bindable("metrics_port_bindable", "127.0.0.1", 0),
        journal_ready("journal_ready", journal),
        clock_skew("clock_sane", lambda: 1_000, lambda: 1_400, max_skew_ms=500),
        condition("feeds_reachable", _raises),
        condition("books_fresh", lambda: (False, "2 of 5 books stale"), warn_only=True),
    ]
    with caplog.at_level(logging.INFO, logger="astra.adapters.startup_checks"):
        report = run_checklist(checks, metrics)
    passed = {r.name: r.passed for r in report.results}
    assert passed == {
        "data_dir_writable": True,
        "disk_space": True,
        "metrics_port_bindable": True,
        "journal_ready": True,
        "clock_sane": True,
        "feeds_reachable": False,
        "books_fresh": False,
    }
    assert not report.ok
    assert [r.name for r in report.blocking_failures] == ["feeds_reachable"]
    assert report.summary() == (
        "startup checks failed: feeds_reachable: error: ConnectionError: venue unreachable"
    )
    assert metrics.gauges[(STARTUP_CHECK_PASSED, (("check", "journal_ready"),))] == 1.0
    assert metrics.gauges[(STARTUP_CHECK_PASSED, (("check", "feeds_reachable"),))] == 0.0
    levels = {
        r.getMessage().split(":")[0]: r.levelname for r in caplog.records if r.exc_info is None
    }
    assert levels["startup check feeds_reachable"] == "ERROR"
    assert levels["startup check books_fresh"] == "WARNING"
    assert levels["startup check disk_space"] == "INFO"
    # No probe file is left behind.
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".astra-startup-check")]
    assert report.to_dict()["checks"][0]["name"] == "data_dir_writable"


def test_warn_only_failures_do_not_block() -> None:
    report = run_checklist(
        [
            condition("ok", lambda: (True, "fine")),
            condition("w", lambda: (False, "x"), warn_only=True),
        ],
        CountingMetrics(),
    )
    assert report.ok
    assert report.summary() == "all 2 startup checks passed"


def test_missing_or_readonly_dirs_fail_without_creating_anything(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    (result,) = run_checklist([dir_writable("d", missing)], CountingMetrics()).results
    assert not result.passed
    assert "does not exist" in result.detail
    assert not missing.exists()


def test_taken_port_fails() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        (result,) = run_checklist(
            [port_bindable("control_port_bindable", "127.0.0.1", port)], CountingMetrics()
        ).results
    assert not result.passed
    assert f"127.0.0.1:{port}" in result.detail


def test_disk_space_below_minimum_fails(tmp_path: Path) -> None:
    (result,) = run_checklist([disk_space("disk", tmp_path, 2**62)], CountingMetrics()).results
    assert not result.passed
    assert "MiB free" in result.detail


def test_journal_missing_old_or_foreign_fails(tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.sqlite3"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE t (x)")
    old = tmp_path / "old.sqlite3"
    with sqlite3.connect(old) as conn:
        conn.execute("PRAGMA user_version = 1")
    checks = [
        journal_ready("missing", tmp_path / "none.sqlite3"),
        journal_ready("foreign", foreign),
        journal_ready("old", old),
    ]
    results = {r.name: r for r in run_checklist(checks, CountingMetrics()).results}
    assert not any(r.passed for r in results.values())
    assert "does not exist" in results["missing"].detail
    assert "SchemaError" in results["foreign"].detail
    assert "schema v1" in results["old"].detail


def test_journal_locked_by_a_writer_fails(tmp_path: Path) -> None:
    journal = tmp_path / "astra.sqlite3"
    JournalStore.open(journal).close()
    holder = sqlite3.connect(journal, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        check = journal_ready("journal_ready", journal)
        (result,) = run_checklist([check], CountingMetrics()).results
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert not result.passed
    assert "locked" in result.detail


def test_clock_skew_beyond_the_limit_fails() -> None:
    check = clock_skew("clock_sane", lambda: 10_000, lambda: 12_000, max_skew_ms=1_000)
    (result,) = run_checklist([check], CountingMetrics()).results
    assert not result.passed
    assert result.detail == "skew 2000 ms (allowed ±1000 ms)"


def test_duplicate_names_are_refused() -> None:
    check = StartupCheck("same", lambda: (True, ""))
    with pytest.raises(ValueError, match="duplicate"):
        run_checklist([check, check], CountingMetrics())
