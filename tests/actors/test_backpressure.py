"""Backpressure: bounded market mailboxes, conflated book deltas, the lag veto, overload.

Before, mailboxes were unbounded: offered ~20k events/s, 230k messages queued while the
strategies quoted on books seconds behind.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from pykka._envelope import Envelope

from astra.actors.backpressure import BackpressureConfig, market_bound, merge_feed
from astra.actors.chaos.config import chaos_engine_config
from astra.actors.chaos.synthetic import book_pair, synthetic_markets
from astra.actors.market_records import book_digest
from astra.actors.messages import CancelAll, FeedEvent, MarketQuery
from astra.actors.runtime.inbox import ClosableInbox
from astra.actors.runtime.runtime_messages import Stall
from astra.domain.book import MarketBooks
from astra.domain.events import LevelChange, PriceChange, Trade
from astra.domain.journal_record import RecordKind
from astra.domain.metrics_port import (
    FEED_CONFLATED_TOTAL,
    MAILBOX_OVERFLOWS_TOTAL,
    CountingMetrics,
)
from astra.domain.prices import Side
from astra.domain.reasons import OrderReason

from .trading_support import records, small_engine, wait_for

MARKET = "0xm"


def _change(asset: str, price: int, size: int, ts: int = 1) -> FeedEvent:
    return FeedEvent(PriceChange(MARKET, ts, (LevelChange(asset, Side.BUY, price, size),), ts))


def _trade(n: int) -> FeedEvent:
    return FeedEvent(Trade(MARKET, "yes", n, 5000, 1_000_000, Side.SELL, f"t{n}", recv_ms=n))


def test_deltas_merge_latest_size_wins_and_trades_never_merge() -> None:
    a = _change("yes", 4900, 10)
    b = FeedEvent(
        PriceChange(
            MARKET,
            2,
            (LevelChange("yes", Side.BUY, 4900, 30), LevelChange("no", Side.BUY, 5100, 7)),
            2,
        )
    )
    merged = merge_feed(a, b)
    assert isinstance(merged, FeedEvent)
    assert isinstance(merged.event, PriceChange)
    assert {(c.asset_id, c.price, c.size) for c in merged.event.changes} == {
        ("yes", 4900, 30),
        ("no", 5100, 7),
    }
    assert merged.event.ts_ms == 2
    assert merge_feed(_trade(1), a) is None
    assert merge_feed(a, _trade(2)) is None
    assert merge_feed(CancelAll(OrderReason.HALT), a) is None


def test_a_snapshot_replaces_only_its_own_tokens_queued_state() -> None:
    info = synthetic_markets(1)[0]
    yes, no = book_pair(info, 5000, 1)
    only_yes = FeedEvent(
        PriceChange(info.condition_id, 1, (LevelChange(yes.asset_id, Side.BUY, 4900, 1),), 1)
    )
    assert merge_feed(only_yes, FeedEvent(yes)) == FeedEvent(yes)
    assert merge_feed(FeedEvent(no), FeedEvent(yes)) is None  # another token's truth


def test_bounded_inbox_conflates_then_refuses_data_but_never_control() -> None:
    conflated: list[object] = []
    refused: list[object] = []
    late: list[Any] = []
    inbox = ClosableInbox()
    inbox.on_late = late.append
    inbox.bound = market_bound(
        BackpressureConfig(capacity=4, conflate_depth=2, max_lag_ms=1_000),
        conflated.append,
        refused.append,
    )
    for n in range(2):
        inbox.put(Envelope(_trade(n)))  # below the conflation depth: queued
    inbox.put(Envelope(_change("yes", 4900, 1)))  # depth 2, tail is a trade: queued
    inbox.put(Envelope(_change("yes", 4900, 2)))  # merged into the queued delta
    assert inbox.depth() == 3
    assert len(conflated) == 1
    inbox.put(Envelope(_trade(3)))  # trades are never merged
    assert inbox.depth() == 4
    inbox.put(Envelope(_trade(4)))  # full, cannot merge: refused
    assert refused == [_trade(4)]
    assert sum(letters.total for letters in late) == 1
    inbox.put(Envelope(CancelAll(OrderReason.HALT)))  # control always gets through
    inbox.put(Envelope(MarketQuery()))
    assert inbox.depth() == 6


def test_a_market_that_falls_behind_conflates_keeps_its_trades_and_its_book(
    tmp_path: Path,
) -> None:
    config = replace(
        chaos_engine_config(),
        watchdog=None,
        backpressure=BackpressureConfig(capacity=10_000, conflate_depth=4, max_lag_ms=60_000),
    )
    with small_engine(tmp_path, markets=1, config=config) as (engine, _store, _stream):
        info = next(iter(engine._markets.values()))
        name = engine.market_names()[0]
        ref = engine.registry.ref(name)
        assert ref is not None
        release = threading.Event()
        ref.tell(Stall(release, max_s=5.0))
        reference = MarketBooks(info)
        for snapshot in book_pair(info, 5000, 1):
            engine.feed(snapshot)
            reference.apply(snapshot)
        fed_trades = 0
        for n in range(200):
            size = 1_000_000 * (n % 7 + 1)
            change = PriceChange(
                info.condition_id, 2 + n, (LevelChange(info.yes_token, Side.BUY, 4500, size),)
            )
            engine.feed(change)
            reference.apply(change)
            if n % 50 == 0:
                engine.feed(
                    Trade(info.condition_id, info.yes_token, 2 + n, 6000, 1, Side.BUY, f"x{n}")
                )
                fed_trades += 1
        release.set()
        assert engine.drain()
        digest = engine.digest(info.condition_id)
        assert digest is not None
        assert digest.book_digest == book_digest(reference, info.tokens)
        metrics = engine.metrics
        assert isinstance(metrics, CountingMetrics)
        assert metrics.counter_sum(FEED_CONFLATED_TOTAL) > 100
        # Every trade reached the market: fed events minus merged ones were handled (plus
        # the two start-up snapshots of its book source).
        merged = int(metrics.counter_sum(FEED_CONFLATED_TOTAL))
        assert digest.events == 2 + (2 + 200 + fed_trades - merged)


def test_a_full_mailbox_halts_overload_and_desyncs_the_market(tmp_path: Path) -> None:
    config = replace(
        chaos_engine_config(),
        watchdog=None,
        backpressure=BackpressureConfig(capacity=8, conflate_depth=8, max_lag_ms=60_000),
    )
    with small_engine(tmp_path, markets=2, config=config) as (engine, store, _stream):
        assert engine.resume("test").resumed
        info = next(iter(engine._markets.values()))
        ref = engine.registry.ref(engine.market_names()[0])
        assert ref is not None
        release = threading.Event()
        ref.tell(Stall(release, max_s=5.0))
        for n in range(20):  # trades cannot be merged: the mailbox fills up
            engine.feed(Trade(info.condition_id, info.yes_token, n, 6000, 1, Side.BUY, f"y{n}"))
        release.set()
        assert engine.drain()
        metrics = engine.metrics
        assert isinstance(metrics, CountingMetrics)
        assert metrics.counter_sum(MAILBOX_OVERFLOWS_TOTAL) >= 10
        assert engine.overload.halts == 1  # one halt per episode, not one per refused event
        status = engine.risk_status()
        assert status is not None
        assert status.state == "halted"
        halts = [r.data()["reason"] for r in records(store, RecordKind.HALT)]
        assert "overload" in halts
        assert wait_for(lambda: not _synced(engine, info.condition_id))


def _synced(engine: Any, market: str) -> bool:
    digest = engine.digest(market)
    return digest is not None and bool(digest.tops)


def test_a_decision_on_a_late_event_is_vetoed_lagging(tmp_path: Path) -> None:
    config = replace(
        chaos_engine_config(),
        watchdog=None,
        backpressure=BackpressureConfig(capacity=10_000, conflate_depth=64, max_lag_ms=500),
    )
    with small_engine(tmp_path, markets=1, config=config) as (engine, store, _stream):
        assert engine.resume("test").resumed
        info = next(iter(engine._markets.values()))
        now = engine.clock.now_ms()
        late = [replace(s, recv_ms=now - 5_000) for s in book_pair(info, 5200, now)]
        for snapshot in late:
            engine.feed(snapshot)
        assert engine.drain()
        reasons = {
            gate["reason"]
            for r in records(store, RecordKind.DECISION)
            for gate in r.data().get("gates", [])
        }
        assert "lagging" in reasons
        digest = engine.digest(info.condition_id)
        assert digest is not None
        assert digest.resting == 0
        fresh = [replace(s, recv_ms=engine.clock.now_ms()) for s in book_pair(info, 5300, now)]
        for snapshot in fresh:
            engine.feed(snapshot)
        assert engine.drain()
        digest = engine.digest(info.condition_id)
        assert digest is not None
        assert digest.resting > 0
