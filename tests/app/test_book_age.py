"""`astra_book_age_seconds`: the stalest live book's age, from the live feed (wall clock) and
from a replay (event time)."""

from __future__ import annotations

import json
from pathlib import Path

import anyio

from astra.adapters.polymarket.ws_shards import MarketFeed
from astra.adapters.recording.replay import open_replay
from astra.adapters.ws_session import WsSettings
from astra.app.book_age import EventTimeBookAges, max_book_age_s
from astra.app.burn_in_gate import BurnInGate
from astra.app.paper_live import Live
from astra.app.replay_runner import ReplayOptions, run_replay
from astra.app.strategies import contract_strategy_factory
from astra.domain.clock import ManualClock
from astra.domain.events import MarketResolved, PriceChange, SpotPrice
from astra.domain.metrics_port import BOOK_AGE_SECONDS, CountingMetrics
from astra.settings import load_settings
from tests.adapters.loopback_ws import burst_changes, load_fixture

FIXTURE = (
    Path(__file__).resolve().parents[1]
    / "fixtures/polymarket/ws_market/price_change_crossing_burst_2026-09.json"
)
BURST = load_fixture("ws_market", "price_change_crossing_burst_2026-09.json")
TOKEN_A = BURST[0]["asset_id"]
TOKEN_B = "54179564009642723353355316176091991063553046330768303687769988635499280029688"


def test_the_oldest_update_wins_and_never_heard_counts_from_the_start() -> None:
    assert max_book_age_s([5_000, 2_500, 4_000], 6_000, since_ms=0) == 3.5
    assert max_book_age_s([5_000, None], 6_000, since_ms=1_000) == 5.0
    assert max_book_age_s([], 6_000, since_ms=0) == 0.0
    assert max_book_age_s([7_000], 6_000, since_ms=0) == 0.0  # a clock step back


def test_live_book_age_reads_the_market_feed() -> None:
    feed = MarketFeed(
        WsSettings(url="ws://127.0.0.1:9"), lambda _e: None, clock=ManualClock(0),
        metrics=CountingMetrics(),
    )  # fmt: skip
    anyio.run(feed.subscribe, [(TOKEN_A, TOKEN_B)])
    live = Live(feed, (TOKEN_A, TOKEN_B), BurnInGate(1), None, 1_000, started_ms=1_000)  # type: ignore[arg-type]
    assert live.book_age_s(1_500) == 0.5  # nothing heard yet: since the live phase started
    (shard,) = feed.shards
    shard.handle_frame(json.dumps(BURST[0]), 2_000)  # token A's book
    assert feed.last_event_ms(TOKEN_A) == 2_000
    assert live.book_age_s(4_000) == 3.0  # token B, never heard, is the stalest
    shard.handle_frame(json.dumps(burst_changes()[0]), 3_000)  # a change touching both tokens
    assert live.book_age_s(4_000) == 1.0
    assert live.book_age_s(64_000) == 61.0  # what AstraBookStale (> 60 s) fires on


def test_event_time_ages_follow_updates_and_drop_resolved_markets() -> None:
    ages = EventTimeBookAges(["a", "b", "c"], since_ms=1_000)
    ages.observe(SpotPrice("btcusdt", 1_500, "100.0", 1_500), 1_500)  # not a book update
    assert ages.max_age_s(2_000) == 1.0
    change = _fixture_changes()[0]  # a real decoded price_change touching both tokens
    assert {c.asset_id for c in change.changes} == {TOKEN_A, TOKEN_B}
    ages = EventTimeBookAges([TOKEN_A, TOKEN_B, "c"], since_ms=1_000)
    ages.observe(change, 5_000)
    assert ages.max_age_s(6_000) == 5.0  # "c" never heard
    ages.observe(MarketResolved("m", 1, "c", ("c", "d"), 5_500), 5_500)
    assert ages.max_age_s(6_000) == 1.0
    metrics = CountingMetrics()
    ages.publish(metrics, 6_000)
    ages.publish(metrics, 6_900)  # same event-time second: not republished
    assert metrics.gauges[(BOOK_AGE_SECONDS, ())] == 1.0
    ages.publish(metrics, 6_900, force=True)
    assert metrics.gauges[(BOOK_AGE_SECONDS, ())] == 1.9


def _fixture_changes() -> list[PriceChange]:
    events = [e for _, _, e in open_replay(FIXTURE).events()]
    return [e for e in events if isinstance(e, PriceChange)]


def test_replay_publishes_the_book_age_in_event_time(tmp_path: Path) -> None:
    # The fixture, then token A's book again 90 s later: token B's book is then the stalest.
    late = str(int(BURST[-1]["timestamp"]) + 90_000)
    recording = tmp_path / "session.json"
    recording.write_text(json.dumps([*BURST, {**BURST[0], "timestamp": late}]))
    settings = load_settings(None, {}, {"data": {"dir": str(tmp_path)}})
    metrics = CountingMetrics()
    options = ReplayOptions(tmp_path, 1, contract_strategy_factory(settings))
    summary = run_replay(recording, settings, options, metrics)
    events = list(open_replay(recording).events())
    b_updates = [
        recv_ms
        for recv_ms, _, event in events
        if isinstance(event, PriceChange) and TOKEN_B in {c.asset_id for c in event.changes}
    ]
    assert summary["events"] == 52
    assert events[-1][0] - max(b_updates) >= 90_000
    expected = (events[-1][0] - max(b_updates)) / 1000
    assert metrics.gauges[(BOOK_AGE_SECONDS, ())] == expected
