"""A feed that stays connected and answers pings but sends nothing (loopback venue).

Before the market clock and the silence check, nothing happened without an event: the paper
trader's orders rested past their TTL and past `stale_after_s` while the socket was quiet.
Now time expires them (the market tick), and the silence check unsyncs the connection's
books (its markets' orders are canceled, `feed_desync`) and reconnects for fresh books.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from astra.adapters.journal.paths import journal_path
from astra.adapters.journal.store import JournalStore
from astra.domain.journal_record import JournalRecord, RecordKind
from tests.adapters.loopback_http import LoopbackVenue, VenueState, synthetic_markets
from tests.adapters.loopback_ws import LoopbackMarketWs, Pause, Send, Step
from tests.app.live_venue import ASTRA, END_DATE, Venue, book, free_port, sell_print, tokens


@contextlib.contextmanager
def silent_venue(n_markets: int = 2, talk_s: float = 5.0) -> Iterator[Venue]:
    """Books, then for `talk_s` a harmless sell print per market every 0.5 s (above the
    paper bids: no fill, but the strategies evaluate and quote once trading opens), then
    silence with every ping answered."""
    markets = synthetic_markets(n_markets, tag_every=1)
    for market in markets:
        market["endDate"] = END_DATE  # a market past its end date is not discovered
    now_ms = time.time_ns() // 1_000_000
    books = [book(m, t, 0.50, now_ms) for m in markets for t in tokens(m)]
    steps: list[Step] = []
    for n in range(round(talk_s / 0.5)):
        for market in markets:
            yes, _no = tokens(market)
            steps.append(Send(sell_print(market, yes, 0.55, now_ms + n)))
        steps.append(Pause(0.5))
    steps.append(Pause(60.0))
    with (
        LoopbackVenue(VenueState(markets=markets)) as http,
        LoopbackMarketWs(books, steps) as ws,
    ):
        yield Venue(http, ws, markets)


def _journal(data_dir: Path) -> list[JournalRecord]:
    store = JournalStore.open(journal_path(data_dir))
    try:
        return [s.record for s in store.records_since(0)]
    finally:
        store.close()


def _run(tmp_path: Path, **extra: str) -> list[JournalRecord]:
    with silent_venue() as venue:
        env = {**venue.env(tmp_path, free_port()), **extra}
        proc = subprocess.Popen(
            # 16 s: start-up, the venue's 5 s of prints, then at least a TTL (2 s) of silence
            # even when start-up is slow (11 s failed once under a loaded CI machine).
            [*ASTRA, "paper", "--strategy", "simple_quoter", "--max-runtime", "16"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            _out, err = proc.communicate(timeout=70)
        finally:
            proc.kill()
        assert proc.returncode == 0, err
        assert venue.ws.received.count("PING") >= 3  # the connection stayed alive
    return _journal(tmp_path)


def _orders(rows: list[JournalRecord], reason: str) -> list[JournalRecord]:
    return [r for r in rows if r.kind is RecordKind.ORDER_EVENT and r.data()["reason"] == reason]


def _last_decision_ms(rows: list[JournalRecord]) -> int:
    return max(r.ts_ms for r in rows if r.kind is RecordKind.DECISION)


def test_ttl_expires_on_a_silent_feed(tmp_path: Path) -> None:
    rows = _run(
        tmp_path,
        ASTRA_ORDERS__TTL_S="2",
        ASTRA_ORDERS__TICK_MS="100",
        ASTRA_FEED__SILENCE_S="0",  # only the clock tick here
        ASTRA_FEED__PING_INTERVAL_S="0.3",
    )
    assert _orders(rows, "submitted")
    # Expiries with no event after the last decision: only the market clock made them.
    silent = [r for r in _orders(rows, "ttl_expired") if r.ts_ms > _last_decision_ms(rows)]
    last = _last_decision_ms(rows)
    events = [
        (r.ts_ms - last, r.data()["reason"]) for r in rows if r.kind is RecordKind.ORDER_EVENT
    ]
    assert silent, f"order events (ms after the last decision, reason): {events}"


def test_silence_cancels_the_connections_orders_and_resyncs(tmp_path: Path) -> None:
    rows = _run(
        tmp_path,
        ASTRA_ORDERS__TTL_S="600",
        ASTRA_FEED__SILENCE_S="2",
        ASTRA_FEED__PING_INTERVAL_S="0.3",
    )
    submitted = _orders(rows, "submitted")
    assert submitted
    canceled = _orders(rows, "feed_desync")
    assert canceled
    first = min(r.ts_ms for r in canceled)
    assert first - _last_print_decision_ms(rows, first) >= 1_500  # nothing heard meanwhile
    # Every order resting when the silence was noticed was canceled for it (after the
    # resync the venue's fresh books let the strategy quote again).
    before = {r.data()["order_id"] for r in submitted if r.ts_ms < first}
    assert before
    assert before <= {r.data()["order_id"] for r in canceled}


def _last_print_decision_ms(rows: list[JournalRecord], until: int) -> int:
    return max(r.ts_ms for r in rows if r.kind is RecordKind.DECISION and r.ts_ms < until)
