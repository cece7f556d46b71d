"""The market-channel client against a real loopback WebSocket server (the venue protocol)."""

from __future__ import annotations

import json
from collections.abc import Callable

import anyio
import pytest

from astra.adapters.polymarket.ws_client import MarketConnection
from astra.adapters.polymarket.ws_shards import MarketFeed
from astra.adapters.ws_session import Backoff, WsSettings
from astra.domain.book import MarketBooks, TokenBook
from astra.domain.clock import ManualClock
from astra.domain.events import BookSnapshot, MarketEvent, TickSizeChange
from astra.domain.market import MarketInfo
from astra.domain.metrics_port import (
    FEED_EVENTS_TOTAL,
    FEED_RECONNECTS_TOTAL,
    FEED_REJECTED_FRAMES_TOTAL,
    FEED_SILENCES_TOTAL,
    CountingMetrics,
)
from astra.domain.prices import Tick, to_micros, to_pips
from tests.adapters.loopback_ws import (
    Drop,
    LoopbackMarketWs,
    Pause,
    Raw,
    Send,
    Skip,
    TruthBook,
    WaitForOperation,
    burst_books,
    burst_changes,
    load_fixture,
)

BURST = load_fixture("ws_market", "price_change_crossing_burst_2026-09.json")
TOKEN_A = BURST[0]["asset_id"]
TOKEN_B = "54179564009642723353355316176091991063553046330768303687769988635499280029688"
MARKET = MarketInfo(
    condition_id=BURST[0]["market"],
    question="crossing burst",
    yes_token=TOKEN_A,
    no_token=TOKEN_B,
    tick=Tick.T0_001,
    min_size=5_000_000,
)
INITIAL_BOOKS = burst_books()
CHANGES = burst_changes()


def fast_settings(url: str, **overrides: float) -> WsSettings:
    values: dict[str, float] = {
        "ping_interval_s": 0.05,
        "idle_timeout_s": 2.0,
        "open_timeout_s": 2.0,
        "backoff_initial_s": 0.01,
        "backoff_max_s": 0.05,
    }
    values.update(overrides)
    return WsSettings(url=url, **values)  # type: ignore[arg-type]


class Harness:
    """The composition root's side: books fed from the client's callbacks."""

    def __init__(self) -> None:
        self.books = MarketBooks(MARKET)
        self.events: list[MarketEvent] = []
        self.desyncs: list[tuple[str, ...]] = []
        self.metrics = CountingMetrics()
        self.clock = ManualClock(1_000)

    def on_event(self, event: MarketEvent) -> None:
        self.events.append(event)
        self.books.apply(event)

    def on_desync(self, asset_ids: tuple[str, ...]) -> None:
        self.desyncs.append(asset_ids)
        for asset_id in asset_ids:
            self.books.book(asset_id).desync()

    def connection(self, settings: WsSettings) -> MarketConnection:
        return MarketConnection(
            settings,
            MARKET.tokens,
            self.on_event,
            clock=self.clock,
            metrics=self.metrics,
            on_desync=self.on_desync,
        )


def same_as_truth(book: TokenBook, truth: TruthBook) -> bool:
    def pips(levels: list[tuple[str, str]]) -> list[tuple[int, int]]:
        return [(to_pips(p), to_micros(s)) for p, s in levels][::-1]  # best first

    return (
        book.synced
        and book.bids() == pips(truth.levels("BUY"))
        and book.asks() == pips(truth.levels("SELL"))
    )


def run_until(
    server: LoopbackMarketWs,
    client: MarketConnection | MarketFeed,
    done: Callable[[], bool],
    timeout_s: float = 10.0,
) -> None:
    async def main() -> None:
        async with anyio.create_task_group() as tg:
            tg.start_soon(client.run)
            with anyio.fail_after(timeout_s):
                while not (server.finished.is_set() and done()):
                    await anyio.sleep(0.01)
            tg.cancel_scope.cancel()

    anyio.run(main)


def books_match(harness: Harness, server: LoopbackMarketWs) -> Callable[[], bool]:
    return lambda: all(
        same_as_truth(harness.books.book(token), server.truth[token]) for token in MARKET.tokens
    )


def test_burst_streams_into_books_identical_to_the_closing_snapshot() -> None:
    harness = Harness()
    with LoopbackMarketWs(INITIAL_BOOKS, [Send(m) for m in CHANGES]) as server:
        client = harness.connection(fast_settings(server.url))
        run_until(server, client, books_match(harness, server))
    book_a = harness.books.book(TOKEN_A)
    closing = BURST[50]
    assert (
        book_a.bids()
        == [(to_pips(lv["price"]), to_micros(lv["size"])) for lv in closing["bids"]][::-1]
    )
    assert (
        book_a.asks()
        == [(to_pips(lv["price"]), to_micros(lv["size"])) for lv in closing["asks"]][::-1]
    )
    assert harness.metrics.counter(FEED_EVENTS_TOTAL, {"type": "price_change"}) == 49
    assert harness.metrics.counter_sum(FEED_REJECTED_FRAMES_TOTAL) == 0
    assert server.subscriptions() == [
        {"assets_ids": [TOKEN_A, TOKEN_B], "type": "market", "custom_feature_enabled": True}
    ]


def test_dropped_connection_reconnects_resubscribes_and_resyncs_to_truth() -> None:
    # Two drops; messages skipped while disconnected are a gap only a fresh snapshot can heal.
    script = [
        *[Send(m) for m in CHANGES[:15]],
        Drop(),
        *[Skip(m) for m in CHANGES[15:22]],
        *[Send(m) for m in CHANGES[22:35]],
        Drop(),
        *[Skip(m) for m in CHANGES[35:40]],
        *[Send(m) for m in CHANGES[40:]],
    ]
    harness = Harness()
    with LoopbackMarketWs(INITIAL_BOOKS, script) as server:
        client = harness.connection(fast_settings(server.url))
        run_until(server, client, books_match(harness, server))
    assert server.connections == 3
    assert len(server.subscriptions()) == 3  # resubscribed after each drop
    assert harness.metrics.counter(FEED_RECONNECTS_TOTAL, {"feed": "market"}) == 2
    assert client.sessions == 3
    assert harness.desyncs.count((TOKEN_A, TOKEN_B)) == 3
    closing = BURST[50]
    assert same_as_truth(harness.books.book(TOKEN_A), server.truth[TOKEN_A])
    assert server.truth[TOKEN_A].levels("BUY") == [
        (lv["price"], lv["size"]) for lv in closing["bids"]
    ]


def test_malformed_frames_are_counted_and_nothing_crashes() -> None:
    garbage = [
        Raw("{not json"),
        Raw("[1, 2]"),
        Raw(json.dumps({"event_type": "mystery"})),
        Raw(json.dumps({**CHANGES[0], "timestamp": "yesterday"})),
        Raw(json.dumps({**BURST[0], "asset_id": "999"})),  # a token we never subscribed
        Raw("PONG"),
    ]
    script = [*[Send(m) for m in CHANGES[:10]], *garbage, *[Send(m) for m in CHANGES[10:]]]
    harness = Harness()
    with LoopbackMarketWs(INITIAL_BOOKS, script) as server:
        client = harness.connection(fast_settings(server.url))
        run_until(server, client, books_match(harness, server))
    counts = {
        reason: harness.metrics.counter(FEED_REJECTED_FRAMES_TOTAL, {"reason": reason})
        for reason in ("malformed_json", "not_an_object", "unknown_event_type", "bad_number")
    }
    assert counts == {
        "malformed_json": 1,
        "not_an_object": 2,
        "unknown_event_type": 1,
        "bad_number": 1,
    }
    assert harness.metrics.counter(FEED_REJECTED_FRAMES_TOTAL, {"reason": "unknown_asset"}) == 1
    assert all(getattr(e, "asset_id", TOKEN_A) in MARKET.tokens for e in harness.events)
    assert client.sessions == 1


def test_poison_frames_are_counted_and_the_session_survives() -> None:
    """One overflow, nesting or 5,000-digit frame used to raise out of the decoder and end the
    connection (live: `astra paper` exited rc 1); each is now one counted rejection."""
    poison = [
        Raw(json.dumps({**CHANGES[0], "price_changes": [
            {**CHANGES[0]["price_changes"][0], "size": "1e999999999"}]})),
        Raw('{"event_type":"book","market":' + "[" * 1000 + "]" * 1000 + "}"),
        Raw(json.dumps({**CHANGES[0], "timestamp": "1" * 5000})),
    ]  # fmt: skip
    script = [*[Send(m) for m in CHANGES[:10]], *poison, *[Send(m) for m in CHANGES[10:]]]
    harness = Harness()
    with LoopbackMarketWs(INITIAL_BOOKS, script) as server:
        client = harness.connection(fast_settings(server.url))
        run_until(server, client, books_match(harness, server))
    counts = {
        reason: harness.metrics.counter(FEED_REJECTED_FRAMES_TOTAL, {"reason": reason})
        for reason in ("out_of_range", "too_deep", "number_too_long")
    }
    assert counts == {"out_of_range": 1, "too_deep": 1, "number_too_long": 1}
    assert client.sessions == 1


def test_tick_size_change_triggers_a_resync() -> None:
    tick_change = {
        "event_type": "tick_size_change",
        "asset_id": TOKEN_A,
        "market": MARKET.condition_id,
        "old_tick_size": "0.001",
        "new_tick_size": "0.0001",
        "timestamp": "1790658830000",
    }
    script = [
        *[Send(m) for m in CHANGES[:20]],
        Send(tick_change),
        WaitForOperation(2),  # the client's unsubscribe + subscribe for token A
        *[Send(m) for m in CHANGES[20:]],
    ]
    harness = Harness()
    with LoopbackMarketWs(INITIAL_BOOKS, script) as server:
        client = harness.connection(fast_settings(server.url))
        run_until(server, client, books_match(harness, server))
    assert server.operations() == [
        {"assets_ids": [TOKEN_A], "operation": "unsubscribe"},
        {"assets_ids": [TOKEN_A], "operation": "subscribe", "custom_feature_enabled": True},
    ]
    kinds = [type(e).__name__ for e in harness.events if getattr(e, "asset_id", "") == TOKEN_A]
    at = kinds.index("TickSizeChange")
    assert kinds[at + 1] == "BookSnapshot"  # the fresh snapshot follows the epoch change
    fresh = [e for e in harness.events if isinstance(e, BookSnapshot)][-1]
    assert fresh.tick is Tick.T0_0001
    assert harness.books.book(TOKEN_A).tick is Tick.T0_0001
    assert any(isinstance(e, TickSizeChange) for e in harness.events)


def test_text_ping_keepalive_and_idle_timeout() -> None:
    harness = Harness()
    with LoopbackMarketWs(INITIAL_BOOKS, [Pause(0.3)]) as server:
        client = harness.connection(fast_settings(server.url))
        run_until(server, client, lambda: server.received.count("PING") >= 3)
    assert harness.metrics.counter_sum(FEED_REJECTED_FRAMES_TOTAL) == 0  # PONG is no error
    assert client.sessions == 1

    # A server that never answers: the idle timeout declares the connection dead.
    harness = Harness()
    with LoopbackMarketWs(INITIAL_BOOKS, [], answer_pings=False) as server:
        client = harness.connection(fast_settings(server.url, idle_timeout_s=0.2))
        run_until(server, client, lambda: server.connections >= 2)
    assert harness.metrics.counter(FEED_RECONNECTS_TOTAL, {"feed": "market"}) >= 1


def test_refused_connection_backs_off_and_counts() -> None:
    harness = Harness()
    with LoopbackMarketWs() as server:
        url = server.url  # the port is closed once the server stops
    client = harness.connection(fast_settings(url))

    async def main() -> None:
        with anyio.move_on_after(0.3):
            await client.run()

    anyio.run(main)
    assert harness.metrics.counter(FEED_RECONNECTS_TOTAL, {"feed": "market"}) >= 3
    assert client.sessions == 0


def test_backoff_is_exponential_capped_and_seeded() -> None:
    delays = [Backoff(0.5, 4.0, 2.0, 0.2, seed=7).next_delay() for _ in range(1)]
    backoff = Backoff(0.5, 4.0, 2.0, 0.2, seed=7)
    series = [backoff.next_delay() for _ in range(6)]
    assert series[0] == delays[0]
    for delay, base in zip(series, [0.5, 1, 2, 4, 4, 4], strict=True):
        assert base * 0.8 <= delay <= base * 1.2
    again = Backoff(0.5, 4.0, 2.0, 0.2, seed=7)
    assert [again.next_delay() for _ in range(6)] == series
    backoff.reset()
    assert backoff.next_delay() <= 0.6


def test_staleness_is_per_asset_on_the_local_clock() -> None:
    harness = Harness()
    client = harness.connection(fast_settings("ws://127.0.0.1:9"))
    assert client.stale_assets(1_000, 500) == []
    assert client.stale_assets(1_600, 500) == [TOKEN_A, TOKEN_B]  # never heard since subscribe
    client.handle_frame(json.dumps(BURST[0]), 2_000)
    assert client.last_event_ms(TOKEN_A) == 2_000
    assert client.stale_assets(2_400, 500) == [TOKEN_B]
    client.handle_frame(json.dumps(CHANGES[0]), 2_450)  # touches both tokens
    assert client.stale_assets(2_900, 500) == []
    assert client.stale_assets(2_951, 500) == [TOKEN_A, TOKEN_B]


def test_deltas_for_unsynced_tokens_are_held_back() -> None:
    harness = Harness()
    client = harness.connection(fast_settings("ws://127.0.0.1:9"))
    client.handle_frame(json.dumps(CHANGES[0]), 1)  # no book yet: nothing may be applied
    assert harness.events == []
    assert client.held_back == 2
    client.handle_frame(json.dumps(BURST[0]), 2)  # token A synced, B still not
    client.handle_frame(json.dumps(CHANGES[1]), 3)
    change = harness.events[-1]
    assert [c.asset_id for c in change.changes] == [TOKEN_A]  # type: ignore[union-attr]
    assert client.held_back == 3


@pytest.mark.parametrize("max_per_connection", [2, 4])
def test_feed_shards_whole_markets_and_changes_subscriptions_live(max_per_connection: int) -> None:
    groups = [(f"{n}1", f"{n}2") for n in range(3)]
    extra = ("91", "92")
    books = [
        {**BURST[0], "asset_id": token, "market": f"0xm{token[0]}"}
        for group in (*groups, extra)
        for token in group
    ]
    delivered: list[MarketEvent] = []
    metrics = CountingMetrics()
    with LoopbackMarketWs(books, [Pause(0.2)]) as server:
        feed = MarketFeed(
            fast_settings(server.url),
            delivered.append,
            clock=ManualClock(0),
            metrics=metrics,
            max_per_connection=max_per_connection,
        )

        async def main() -> None:
            await feed.subscribe(groups)
            async with anyio.create_task_group() as tg:
                tg.start_soon(feed.run)
                with anyio.fail_after(5):
                    while not all(feed.synced(t) for g in groups for t in g):
                        await anyio.sleep(0.01)
                    await feed.subscribe([extra])
                    while not feed.synced("91"):
                        await anyio.sleep(0.01)
                    await feed.unsubscribe(["01", "02"])
                    while not any(op["operation"] == "unsubscribe" for op in server.operations()):
                        await anyio.sleep(0.01)
                tg.cancel_scope.cancel()

        anyio.run(main)
    assert len(feed.shards) == (4 if max_per_connection == 2 else 2)
    for subscription in server.subscriptions():
        assert len(subscription["assets_ids"]) <= max_per_connection
        assert (
            len({a[0] for a in subscription["assets_ids"]}) == len(subscription["assets_ids"]) // 2
        )
    assert {"assets_ids": ["01", "02"], "operation": "unsubscribe"} in server.operations()
    assert feed.shard_of("01") is None
    assert feed.asset_count == 6
    assert sum(isinstance(e, BookSnapshot) for e in delivered) == 8


def test_conftest_fixture_plays_the_burst(loopback_market_ws: LoopbackMarketWs) -> None:
    harness = Harness()
    client = harness.connection(fast_settings(loopback_market_ws.url))
    run_until(loopback_market_ws, client, books_match(harness, loopback_market_ws))
    assert harness.metrics.counter(FEED_EVENTS_TOTAL, {"type": "price_change"}) == 49


def test_silent_feed_that_answers_pings_unsyncs_and_resyncs() -> None:
    # The venue answers every PING but sends no data after the initial books: the idle
    # timeout never fires, so only the silence check notices; it unsyncs the connection's
    # tokens (the owner cancels their orders) and reconnects for fresh books.
    harness = Harness()
    with LoopbackMarketWs(INITIAL_BOOKS, [Pause(1.0)]) as server:
        settings = fast_settings(server.url, idle_timeout_s=5.0, silence_s=0.25)
        client = harness.connection(settings)
        run_until(server, client, lambda: client.silences >= 1 and server.connections >= 2)
    assert server.received.count("PING") >= 3  # the connection stayed alive meanwhile
    assert harness.metrics.counter(FEED_SILENCES_TOTAL, {"feed": "market"}) >= 1
    # Desynced at the first connect, at the silence, and again at the reconnect.
    assert harness.desyncs.count((TOKEN_A, TOKEN_B)) >= 3
    assert len(server.subscriptions()) >= 2  # resubscribed: the venue resends its books
