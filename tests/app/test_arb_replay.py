"""A replayed simulator session with an injected mispricing, through the real replay path.

The session (12 markets, seed 7) has one neg-risk event of two outcomes (fair 0.22 and 0.96).
At T a stale YES book of the 0.96 outcome (best ask 0.50) is injected and that market's own
flow is held back until T + 4 s, when its true books (rebuilt from every event held back)
are put back. The EventActor must find the buy-every-YES arbitrage exactly then: opened at
T, closed at T + 4 s, logged once. Whatever else the simulator's independent fairs make
(their YES sums are not 1, so a buy-every-NO arbitrage persists) must be logged as well-formed
episodes too: each opened once and closed at most once.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from astra.adapters.journal.arb_query import query_arb
from astra.adapters.journal.check import check_journal
from astra.adapters.journal.store import JournalStore, connect_readonly
from astra.adapters.recording.replay import ReplayEvent, open_replay
from astra.adapters.sim.session_writer import write_session
from astra.app.arb_summary import episodes, episodes_of_records, summary
from astra.app.replay_runner import ReplayOptions, replay_events
from astra.app.strategies import contract_strategy_factory
from astra.domain.book import MarketBooks
from astra.domain.events import BookSnapshot, SpotPrice
from astra.domain.market import MarketInfo
from astra.domain.metrics_port import CountingMetrics
from astra.domain.models.frames import RatesPrior, WeatherForecast
from astra.domain.sim.session import SessionConfig
from astra.settings import ArbSettings, Settings

HOLD_MS = 4_000
SH = 1_000_000


def _inject_books(
    events: list[ReplayEvent], target: MarketInfo, at_ms: int
) -> tuple[list[ReplayEvent], int]:
    """`events` with a stale YES quote (0.48/0.50) of `target` from the first event at or
    after `at_ms`, the market's flow held back for HOLD_MS, then its true books restored."""
    truth = MarketBooks(target)
    out: list[ReplayEvent] = []
    phase, held_from = "before", 0
    for recv_ms, channel, event in events:
        if phase == "holding" and recv_ms >= held_from + HOLD_MS:
            back = held_from + HOLD_MS
            for book in (truth.yes, truth.no):
                snap = BookSnapshot(
                    target.condition_id, book.asset_id, back, book.top_bids(50), book.top_asks(50)
                )
                out.append((back, "market", snap))
            phase = "done"
        # Spot prints and (since issue 18) the simulator's model frames belong to no market.
        data = isinstance(event, SpotPrice | WeatherForecast | RatesPrior)
        mine = not data and event.market == target.condition_id
        if mine:
            truth.apply(event)
            if phase == "holding":
                continue  # the market's own flow is held back: its quote goes stale
        out.append((recv_ms, channel, event))
        ready = truth.yes.synced and truth.no.synced
        if phase == "before" and recv_ms >= at_ms and ready:
            stale = BookSnapshot(
                target.condition_id,
                target.yes_token,
                recv_ms,
                ((4800, 20 * SH),),
                ((5000, 20 * SH),),
            )
            out.append((recv_ms, "market", stale))
            phase, held_from = "holding", recv_ms
    assert phase == "done"
    return out, held_from


def test_injected_mispricing_is_found_once_with_its_duration(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl.gz"
    write_session(SessionConfig(markets=12, minutes=1.5, seed=7), path)
    replay = open_replay(path)
    markets = list(replay.markets)
    neg = [m for m in markets if m.neg_risk]
    assert len(neg) == 2
    events = list(replay.events())
    target = neg[1]  # the 0.96 outcome
    start = events[0][0]
    injected, t_inject = _inject_books(events, target, start + 30_000)
    settings = dataclasses.replace(Settings(), arb=ArbSettings(enabled=True, depth=10))
    options = ReplayOptions(
        data_dir=tmp_path, seed=1, strategy=contract_strategy_factory(settings, "simple_quoter")
    )
    replay_events(injected, markets, settings, options, CountingMetrics())
    journal = tmp_path / "replay.sqlite3"
    store = JournalStore.open(journal)
    try:
        records = [s.record for s in store.records_since(0)]
    finally:
        store.close()
    found = episodes_of_records(records)
    yes = [e for e in found if e.kind == "event_buy_yes"]
    assert len(yes) == 1
    [episode] = yes
    assert episode.opened_ms == t_inject
    assert episode.duration_ms == HOLD_MS
    assert episode.close_reason == "gone"
    assert [leg["market"] for leg in episode.legs] == [m.condition_id for m in neg]
    # Every episode is well formed: one open each, closed once or still open at the end.
    keys_open: dict[str, int] = {}
    for record in records:
        if record.producer.startswith("arb:"):
            data = record.data()
            if data["action"] == "arb_open":
                assert keys_open.get(data["key"], 0) == 0
                keys_open[data["key"]] = 1
            elif data["action"] == "arb_close":
                assert keys_open.pop(data["key"]) == 1
    totals = summary(found)
    assert totals["opportunities"] == len(found) >= 1
    # `astra arb list` reads the same log (its query), and the checker accepts the records.
    conn = connect_readonly(journal)
    try:
        rows = query_arb(conn)
    finally:
        conn.close()
    assert len(episodes((p, ts, d) for p, _s, ts, d in rows)) == len(found)
    report = check_journal(journal)
    assert report.ok, report.problems
    print(json.dumps({"summary": totals}, sort_keys=True))
