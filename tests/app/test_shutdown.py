"""SIGTERM on a real `astra paper` at the loopback venue: a clean exit within 5 s, the run
manifest closed `clean`, and no paper order left resting in the journal."""

from __future__ import annotations

import json
import signal
import sqlite3
import time
from pathlib import Path

from astra.adapters.journal.paths import journal_path
from astra.adapters.journal.recovery import open_orders
from astra.adapters.journal.store import connect_readonly, read_records
from tests.app.live_venue import free_port, live_venue, start_paper
from tests.app.test_paper_cli import wait_for


def test_sigterm_stops_cleanly_within_five_seconds(tmp_path: Path) -> None:
    port = free_port()
    with live_venue() as venue:
        proc = start_paper(venue, tmp_path, port, "--json-summary")
        try:
            wait_for(venue, tmp_path, port, "trading_opened", True)
            time.sleep(1.0)  # let orders rest
            sent = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=10)
            elapsed = time.monotonic() - sent
        finally:
            proc.kill()
    assert proc.returncode == 0, err
    assert elapsed < 5.0
    summary = json.loads(out)
    assert summary["stop_reason"] == "signal"
    assert summary["shutdown_s"] < 5.0
    conn = connect_readonly(journal_path(tmp_path))
    try:
        runs = conn.execute("SELECT status, ended_ms FROM runs").fetchall()
        records = [s.record for s in read_records(conn)]
    finally:
        conn.close()
    assert runs == [("clean", runs[0][1])]
    assert runs[0][1] is not None
    assert open_orders(records) == {}
    shutdown_cancels = [
        r for r in records if r.kind.value == "order_event" and '"reason":"shutdown"' in r.payload
    ]
    assert shutdown_cancels, "orders were resting; SIGTERM must cancel them"


def test_manifest_is_readable_while_running(tmp_path: Path) -> None:
    port = free_port()
    with live_venue() as venue:
        proc = start_paper(venue, tmp_path, port)
        try:
            wait_for(venue, tmp_path, port, "trading_opened", True)
            conn = sqlite3.connect(journal_path(tmp_path))
            status = conn.execute("SELECT status FROM runs").fetchall()
            conn.close()
            proc.send_signal(signal.SIGINT)
            proc.communicate(timeout=10)
        finally:
            proc.kill()
    assert status == [("running",)]
    assert proc.returncode == 0
