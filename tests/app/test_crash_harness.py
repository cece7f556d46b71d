"""kill -9 the paper trader at random points, restart it on the same journal, and check that
what every restart recovered equals an independent recomputation from the committed journal.

The trader runs against the loopback venue, which replays sell prints through the paper
bids, so fills happen between kills. Checked from the journal alone (with the journal
adapter's own readers, not the app's): at every restart the RiskActor's first ledger equals
the fills committed before it (cash, fees, positions, fill count); no fill id is journaled
twice and the final ledger counts every fill (none lost); every run but the last is marked
`crashed`, the last `clean`; nothing rests at the end; an operator halt made before a kill is
still in force after the restart (trading is not reopened) until an explicit resume.
"""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

import pytest

from astra.adapters.journal.check import check_journal
from astra.adapters.journal.migrations import SchemaError
from astra.adapters.journal.paths import journal_path
from astra.adapters.journal.recovery import (
    duplicate_fill_ids,
    fills,
    ledger_entry,
    open_orders,
    recompute_ledger,
)
from astra.adapters.journal.store import JournalMissingError, connect_readonly, read_records
from astra.domain.journal_record import JournalRecord, RecordKind
from tests.app.live_venue import Venue, free_port, live_venue, start_paper
from tests.app.test_paper_cli import control, wait_for

START_HALTS = {"startup", "risk_actor_restart"}


def run_harness(tmp_path: Path, kills: int, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    port = free_port()
    halted_at = kills // 2
    started = time.monotonic()
    with live_venue(rounds=100_000, pause_s=0.05) as venue:
        for cycle in range(kills):
            proc = start_paper(venue, tmp_path, port)
            wait_for_runs(tmp_path, cycle + 1 + (cycle > halted_at))
            if cycle == halted_at:
                wait_for(venue, tmp_path, port, "trading_opened", True)
                control(venue, tmp_path, port, "halt", "--reason", "harness")
            time.sleep(rng.uniform(0.05, 1.2))  # start-up, burn-in or trading
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
            if cycle == halted_at:
                assert_halt_survives(venue, tmp_path, port)
        final = start_paper(venue, tmp_path, port, "--max-runtime", "2.5")
        _out, err = final.communicate(timeout=60)
        assert final.returncode == 0, err
    return {"seconds": time.monotonic() - started}


def wait_for_runs(data_dir: Path, count: int) -> None:
    """Until the process under test has opened its run manifest (the kill point is random
    after that: a kill during import or discovery would test nothing of ours)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = connect_readonly(journal_path(data_dir))
        except (JournalMissingError, SchemaError):
            # The first process creates the file, then migrates it: until both are done there
            # is no manifest to count.
            time.sleep(0.05)
            continue
        try:
            (runs,) = conn.execute("SELECT count(*) FROM runs").fetchone()
        finally:
            conn.close()
        if runs >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"run {count} never opened")


def assert_halt_survives(venue: Venue, data_dir: Path, port: int) -> None:
    proc = start_paper(venue, data_dir, port)
    try:
        status = wait_for(venue, data_dir, port, "burn_in_rounds_left", 0)
        deadline = time.monotonic() + 10
        while status["open_refusal"] is None and time.monotonic() < deadline:
            status = control(venue, data_dir, port, "status")
        assert status["trading_opened"] is False
        assert "operator" in status["open_refusal"]
        assert "operator" in status["halt_reasons"]
        assert control(venue, data_dir, port, "resume")["ok"] is True
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)


def committed(data_dir: Path) -> tuple[list[tuple[int, JournalRecord]], list[str]]:
    conn = connect_readonly(journal_path(data_dir))
    try:
        records = [(s.id, s.record) for s in read_records(conn)]
        runs = [str(r[0]) for r in conn.execute("SELECT status FROM runs ORDER BY started_ms")]
    finally:
        conn.close()
    return records, runs


def check_restarts(records: list[tuple[int, JournalRecord]]) -> int:
    """Every restart's first ledger == the fills committed before it; returns restarts seen."""
    restarts = 0
    pending = False
    for rid, record in records:
        if record.producer != "risk":
            continue
        if record.kind is RecordKind.HALT and record.data()["reason"] in START_HALTS:
            pending = True
        elif record.kind is RecordKind.LEDGER and pending:
            pending = False
            restarts += 1
            before = [r for i, r in records if i < rid]
            assert_ledger_matches(record, before)
    return restarts


def assert_ledger_matches(ledger_record: JournalRecord, before: list[JournalRecord]) -> None:
    entry = ledger_entry(ledger_record)
    distinct = {f.fill_id: f for f in fills(before)}
    totals = recompute_ledger(distinct.values(), entry.opening_cash, entry.settled, entry.merged)
    assert entry.fills == len(distinct)
    assert (entry.cash, entry.fees, entry.sizes()) == (totals.cash, totals.fees, totals.sizes)


def verify(data_dir: Path, kills: int) -> dict[str, int]:
    records, runs = committed(data_dir)
    plain = [r for _, r in records]
    assert runs[:-1] == ["crashed"] * (len(runs) - 1)
    assert runs[-1] == "clean"
    assert len(runs) == kills + 2  # the kills, the halt-survival run, the final clean run
    all_fills = fills(plain)
    assert duplicate_fill_ids(all_fills) == []
    restarts = check_restarts(records)  # runs killed before the RiskActor started have none
    assert len(runs) // 2 < restarts <= len(runs)
    last = [r for r in plain if r.kind is RecordKind.LEDGER and r.producer == "risk"][-1]
    assert_ledger_matches(last, plain)  # the final ledger counts every fill: none lost
    assert open_orders(plain) == {}
    report = check_journal(journal_path(data_dir))
    assert report.ok, report.to_dict()
    return {"runs": len(runs), "restarts": restarts, "fills": len(all_fills), "records": len(plain)}


def test_twenty_kills_recover_exactly(tmp_path: Path) -> None:
    timing = run_harness(tmp_path, kills=20, seed=20)
    figures = verify(tmp_path, kills=20)
    assert figures["fills"] > 0
    print(f"crash harness: {figures} in {timing['seconds']:.1f} s")


@pytest.mark.slow
def test_hundred_kills_recover_exactly(tmp_path: Path) -> None:
    # ASTRA_SLOW_SCALE unset or "small" (CI): 10 kills; "1" or "full": the 100-kill run.
    scale = os.environ.get("ASTRA_SLOW_SCALE", "small")
    kills = 100 if scale in {"1", "full"} else 10
    timing = run_harness(tmp_path, kills=kills, seed=100)
    figures = verify(tmp_path, kills=kills)
    assert figures["fills"] > 0
    print(f"crash harness: {kills} kills, {figures} in {timing['seconds']:.1f} s")
