"""`astra paper` on the loopback venue: a market that resolved while the trader was down is
settled at the next start, and the universe changes live (a market added, one closed,
settled and retired) with nothing lost (docs/settlement.md)."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from astra.adapters.journal.paths import journal_path
from astra.adapters.journal.store import StoredRecord, connect_readonly, read_records
from astra.domain.journal_record import RecordKind
from tests.app.live_venue import (
    ASTRA,
    Venue,
    announce,
    free_port,
    list_market,
    live_venue,
    resolve,
    start_paper,
    tokens,
)

# These runs check settlement and the universe, not contracts: the loopback markets (copies
# of real fixtures, some of which the contract builders refuse) trade without one.
NO_CONTRACT = {"ASTRA_STRATEGY__REQUIRE_CONTRACT": "false"}
FAST = {"ASTRA_SETTLEMENT__CHECK_INTERVAL_S": "1", "ASTRA_DISCOVERY__REFRESH_S": "1", **NO_CONTRACT}
# No periodic rediscovery: only the WS `new_market` makes the universe look for a new market.
ON_ANNOUNCE = {
    "ASTRA_SETTLEMENT__CHECK_INTERVAL_S": "1",
    "ASTRA_DISCOVERY__REFRESH_S": "0",
    **NO_CONTRACT,
}


def journal(data_dir: Path) -> list[StoredRecord]:
    conn = connect_readonly(journal_path(data_dir))
    try:
        return read_records(conn, 0)
    finally:
        conn.close()


def risk_ledgers(records: list[StoredRecord]) -> list[StoredRecord]:
    return [
        s for s in records if s.record.kind is RecordKind.LEDGER and s.record.producer == "risk"
    ]


def changes(records: list[StoredRecord], market: str, prefix: str = "market_") -> dict[str, int]:
    """The universe's INCIDENT records for `market`: change -> first record id (`prefix`
    "market_" keeps the changes of the universe, "resolution_" the settlement vetoes)."""
    found: dict[str, int] = {}
    for s in records:
        r = s.record
        if r.kind is RecordKind.INCIDENT and r.producer == "universe" and r.market == market:
            reason = str(r.data()["reason"])
            if reason.startswith(prefix):
                found.setdefault(reason, s.id)
    return found


def wait_until(data_dir: Path, done: Callable[[list[StoredRecord]], bool], what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if journal_path(data_dir).is_file() and done(journal(data_dir)):
            return
        time.sleep(0.3)
    raise AssertionError(f"never saw: {what}")


def run(venue: Venue, data_dir: Path, seconds: str, env: dict[str, str] | None = None) -> str:
    proc = start_paper(venue, data_dir, free_port(), "--max-runtime", seconds, env=env)
    try:
        _, err = proc.communicate(timeout=90)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    return err


def status_of(venue: Venue, data_dir: Path, port: int) -> dict[str, Any]:
    done = subprocess.run(
        [*ASTRA, "status", "--json"], env=venue.env(data_dir, port),
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def held(ledger: dict[str, Any], market: str) -> dict[str, dict[str, int]]:
    return {a: p for a, p in ledger["positions"].items() if p["market"] == market}


def test_a_market_resolved_while_the_trader_was_down_is_settled_at_the_next_start(
    tmp_path: Path,
) -> None:
    # YES prints only: held YES and NO would merge into collateral (issue 16) and leave
    # nothing to settle.
    with live_venue(no_prints=False) as venue:
        market = venue.markets[0]
        cid, (yes, no) = market["conditionId"], tokens(market)
        run(venue, tmp_path, "8")
        before = risk_ledgers(journal(tmp_path))[-1].record.data()
        positions = held(before, cid)
        assert positions, "the first run bought something in the market"
        # Down: the market closes and resolves YES (Gamma and CLOB agree).
        resolve(venue, 0, ["1", "0"], "resolved")
        run(venue, tmp_path, "6", env=FAST)
    records = journal(tmp_path)
    ledgers = risk_ledgers(records)
    at = next(i for i, s in enumerate(ledgers) if cid_settled(s.record.data(), positions))
    settled, previous = ledgers[at].record.data(), ledgers[at - 1].record.data()
    # Hand-computed: YES pays 1 per share (its size in micros), NO pays 0.
    yes_size = positions.get(yes, {"size": 0})["size"]
    cost = sum(p["cost"] for p in positions.values())
    assert {a: settled["settled"][a] for a in positions} == {
        a: (p["size"] if a == yes else 0) for a, p in positions.items()
    }
    assert settled["cash"] - previous["cash"] == yes_size
    assert settled["realised"] - previous["realised"] == yes_size - cost
    assert held(settled, cid) == {}
    assert held(previous, cid) == positions  # kept (marked) until the settlement
    assert no in positions or yes in positions
    assert "market_settled" in changes(records, cid)
    # Once: no later ledger pays this market again.
    payouts = {
        json.dumps({a: s.record.data()["settled"].get(a) for a in positions}) for s in ledgers[at:]
    }
    assert len(payouts) == 1


def test_an_ambiguous_resolution_pays_nothing_keeps_the_position_and_alerts(
    tmp_path: Path,
) -> None:
    """Down, the market closes; Gamma says YES won, CLOB flags NO: a named veto, not a guess."""
    with live_venue(no_prints=False) as venue:  # YES only: no pair to merge away
        market = venue.markets[0]
        cid, no = market["conditionId"], tokens(market)[1]
        run(venue, tmp_path, "8")
        positions = held(risk_ledgers(journal(tmp_path))[-1].record.data(), cid)
        assert positions
        resolve(venue, 0, ["1", "0"], "resolved")
        clob = venue.http.state.clob_markets[cid]
        clob["tokens"] = [dict(t, winner=t["token_id"] == no) for t in clob["tokens"]]
        err = run(venue, tmp_path, "6", env=FAST)
    records = journal(tmp_path)
    last = risk_ledgers(records)[-1].record.data()
    assert held(last, cid) == positions  # still held (and marked), nothing paid
    assert not any(a in last.get("settled", {}) for a in positions)
    vetoes = [
        s.record.data() for s in records
        if s.record.kind is RecordKind.INCIDENT and s.record.market == cid
        and s.record.data()["reason"] == "resolution_ambiguous"
    ]  # fmt: skip
    assert vetoes
    assert "gamma: winner" in vetoes[0]["detail"]
    assert "clob: winner" in vetoes[0]["detail"]
    assert "Resolution ambiguous" in err  # the alert (logged; no webhook configured)


def cid_settled(ledger: dict[str, Any], positions: dict[str, Any]) -> bool:
    return all(a in ledger.get("settled", {}) for a in positions)


def test_the_universe_changes_live_and_nothing_is_lost(tmp_path: Path) -> None:
    with live_venue(n_markets=3, listed=2, rounds=400, no_prints=False) as venue:
        leaving, joining = venue.markets[0], venue.markets[2]
        out_id, in_id = leaving["conditionId"], joining["conditionId"]
        metrics_port = free_port()
        env = {**ON_ANNOUNCE, "ASTRA_METRICS__PORT": str(metrics_port)}
        control_port = free_port()
        proc = start_paper(venue, tmp_path, control_port, "--max-runtime", "60", env=env)
        try:
            wait_until(
                tmp_path,
                lambda rs: any(
                    s.record.kind is RecordKind.FILL and s.record.market == out_id for s in rs
                ),
                "a fill in the market that will leave",
            )
            resolve(venue, 0, ["0.9", "0.1"], "proposed")  # closed, a proposal: no result yet
            list_market(venue, 2)
            time.sleep(1.5)  # a rediscovery would add it now: there is none without an announce
            assert "market_added" not in changes(journal(tmp_path), in_id)
            announce(venue, 2)
            wait_until(tmp_path, lambda rs: "market_closing" in changes(rs, out_id), "closing")
            wait_until(tmp_path, lambda rs: "market_opened" in changes(rs, in_id), "opened")
            resolve(venue, 0, ["1", "0"], "resolved")
            wait_until(tmp_path, lambda rs: "market_retired" in changes(rs, out_id), "retired")
            url = f"http://127.0.0.1:{metrics_port}/metrics"
            exposition = httpx.get(url, timeout=5).text
            status = status_of(venue, tmp_path, control_port)
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=60)
        finally:
            proc.kill()
        assert proc.returncode == 0, err
        operations = venue.ws.operations()
    # Status (and /readyz) follow the universe: the two trading markets' tokens, all synced.
    assert status["universe"]["retired"] == 1
    assert status["feed"] == {"assets": 4, "synced": 4, "desyncs": status["feed"]["desyncs"]}
    # Every change is counted too.
    for change in ("market_added", "market_opened", "market_closing", "market_retired"):
        assert f'astra_universe_changes_total{{change="{change}"}} 1.0' in exposition, change
    assert 'astra_settlement_checks_total{outcome="winner"}' in exposition
    records = journal(tmp_path)
    gone, added = changes(records, out_id), changes(records, in_id)
    assert list(gone) == ["market_closing", "market_settled", "market_retired"]
    assert list(added) == ["market_added", "market_opened"]
    assert "resolution_pending" in changes(records, out_id, "resolution_")
    # The leaving market: no order rests after it closed, every order ended before retirement.
    orders: dict[str, tuple[int, dict[str, Any]]] = {}
    for s in records:
        if s.record.kind is RecordKind.ORDER_EVENT and s.record.market == out_id:
            orders[str(s.record.data()["order_id"])] = (s.id, s.record.data())
    assert orders
    assert all(d["state"] in ("filled", "canceled", "rejected") for _, d in orders.values())
    assert all(i < gone["market_retired"] for i, _ in orders.values())
    closed_cancels = [d for _, d in orders.values() if d["reason"] == "market_closed"]
    assert closed_cancels  # it was quoting when it closed: those orders went market_closed
    opened_after = [
        s for s in records
        if s.record.kind is RecordKind.ORDER_EVENT and s.record.market == out_id
        and s.id > gone["market_closing"]
        and s.record.data()["state"] in ("pending_new", "resting")
    ]  # fmt: skip
    assert opened_after == []
    # Its position was kept until the settlement, which came before the retirement.
    ledgers = risk_ledgers(records)
    settle_at = next(
        s.id
        for s in ledgers
        if held(s.record.data(), out_id) == {} and s.id > gone["market_closing"]
    )
    assert any(held(s.record.data(), out_id) for s in ledgers if s.id < settle_at)
    assert settle_at < gone["market_retired"]
    # The joining market: subscribed, its actor ran (decisions), its gate opened.
    join_tokens, out_tokens = set(tokens(joining)), set(tokens(leaving))
    subscribed = {
        a for op in operations if op["operation"] == "subscribe" for a in op["assets_ids"]
    }
    unsubscribed = {
        a for op in operations if op["operation"] == "unsubscribe" for a in op["assets_ids"]
    }
    assert join_tokens <= subscribed
    assert out_tokens <= unsubscribed
    decisions = [
        s for s in records if s.record.kind is RecordKind.DECISION and s.record.market == in_id
    ]
    assert decisions
    assert any(
        s.record.kind is RecordKind.RISK_EVENT and s.record.market == in_id
        and s.record.data()["state"] == "active"
        for s in records
    )  # fmt: skip
