"""The drawdown high-water mark survives a kill -9 (issue 14 item 4).

Three `astra paper` processes on one journal against the loopback venue, each killed with
SIGKILL: the first buys YES at the 0.50 book (sell prints through the paper bid); the second
sees YES bid 0.79, a marked gain and a new high-water mark (journaled at once, trigger
`peak`); the third sees YES bid 0.54. Uninterrupted that fall is a drawdown past the 1% limit
(`test_risk_durable.py` checks the same sequence in one RiskState), so it must halt
`drawdown` here too, although the third process never saw the peak: the at-cost replay of the
fills alone (the old start) would put the peak at the opening cash, below the equity it sees.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from astra.adapters.journal.migrations import SchemaError
from astra.adapters.journal.paths import journal_path
from astra.adapters.journal.store import JournalMissingError, connect_readonly, read_records
from astra.domain.journal_record import JournalRecord, RecordKind
from tests.adapters.loopback_http import LoopbackVenue, VenueState, synthetic_markets
from tests.adapters.loopback_ws import LoopbackMarketWs, Pause, Send, Step
from tests.app.live_venue import ASTRA, END_DATE, Venue, book, free_port, sell_print, tokens

OPENING = 100_000_000  # 100 USD
RISK_ENV = {
    "ASTRA_RISK__STARTING_EQUITY_USD": "100",
    "ASTRA_RISK__MAX_DRAWDOWN_FRAC": "0.01",
    "ASTRA_RISK__DAILY_LOSS_FRAC": "0.5",
    "ASTRA_RISK__MARKET_EXPOSURE_FRAC": "0.5",
    "ASTRA_RISK__CATEGORY_EXPOSURE_FRAC": "1.0",
    "ASTRA_DISCOVERY__MAX_MARKETS": "1",
    # The run checks durable risk state, not contracts: the loopback market trades without one.
    "ASTRA_STRATEGY__REQUIRE_CONTRACT": "false",
}


def risk_records(data_dir: Path) -> list[JournalRecord]:
    try:
        conn = connect_readonly(journal_path(data_dir))
    except (JournalMissingError, SchemaError):
        return []
    try:
        return [s.record for s in read_records(conn) if s.record.producer == "risk"]
    finally:
        conn.close()


def ledgers(data_dir: Path) -> list[dict[str, Any]]:
    return [r.data() for r in risk_records(data_dir) if r.kind is RecordKind.LEDGER]


def poll(what: str, check: Callable[[], bool], timeout_s: float = 90.0) -> None:
    # A bound, not a speed claim: three `astra paper` starts on a loaded 2-core machine
    # took over 30 s once (a full suite beside another engineer's).
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"never: {what}")


def run_until(
    http: LoopbackVenue,
    market: dict[str, Any],
    yes_mid: float,
    script: list[Step],
    data_dir: Path,
    what: str,
    check: Callable[[], bool],
) -> None:
    yes, no = tokens(market)
    now_ms = time.time_ns() // 1_000_000
    books = [book(market, yes, yes_mid, now_ms), book(market, no, 1.0 - yes_mid, now_ms)]
    with LoopbackMarketWs(books, script) as ws:
        venue = Venue(http, ws, [market])
        env = {**venue.env(data_dir, free_port()), **RISK_ENV}
        proc = subprocess.Popen(
            [*ASTRA, "paper", "--strategy", "simple_quoter"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            poll(what, check)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)


def held(payload: dict[str, Any]) -> int:
    return sum(int(p["size"]) for p in payload["positions"].values())


def test_the_high_water_mark_survives_kill_9_and_the_drawdown_halt_fires(
    tmp_path: Path,
) -> None:
    (market,) = synthetic_markets(1, tag_every=1)
    market["endDate"] = END_DATE  # a market past its end date is not discovered at all
    yes = tokens(market)[0]
    prints: list[Step] = [Pause(1.0)]
    for n in range(400):
        prints += [
            Send(sell_print(market, yes, 0.46, 1_700_000_000_000 + n), stamp=True),
            Pause(0.05),
        ]
    with LoopbackVenue(VenueState(markets=[market])) as http:
        # 1: buy YES around 0.50; killed once a fill's ledger is committed.
        run_until(
            http, market, 0.50, prints, tmp_path, "a YES position",
            lambda: any(held(p) > 0 for p in ledgers(tmp_path)),
        )  # fmt: skip
        bought = [p for p in ledgers(tmp_path) if held(p) > 0][-1]
        size = bought["positions"][yes]["size"]
        cost = bought["positions"][yes]["cost"]

        # 2: YES bid 0.79: a marked gain, a new high-water mark journaled; then killed.
        def at_79(p: dict[str, Any]) -> bool:
            return p.get("trigger") == "peak" and p["risk"]["marks"].get(yes) == 7900

        def peaked() -> bool:
            return any(at_79(p) for p in ledgers(tmp_path))

        run_until(http, market, 0.80, [Pause(30)], tmp_path, "a new high-water mark", peaked)
        peak = [p for p in ledgers(tmp_path) if at_79(p)][-1]
        assert peak["equity"] == peak["cash"] + size * 7900 // 10_000
        assert peak["risk"]["peak_equity"] == peak["equity"] > OPENING

        # 3: YES bid 0.54: still above cost, so no loss at cost, but a drawdown from the peak.
        def drawdown_halt() -> bool:
            return any(
                r.kind is RecordKind.HALT and r.data()["reason"] == "drawdown"
                for r in risk_records(tmp_path)
            )

        assert not drawdown_halt()
        run_until(http, market, 0.55, [Pause(30)], tmp_path, "a drawdown halt", drawdown_halt)

    final = ledgers(tmp_path)[-1]
    equity = final["cash"] + size * 5400 // 10_000
    assert equity > final["cash"] + cost  # above cost: an at-cost peak would see no drawdown
    assert (peak["equity"] - equity) / peak["equity"] >= 0.01
    assert final["risk"]["peak_equity"] == peak["equity"]
