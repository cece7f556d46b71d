"""RTDS spot prices: decoder on the recorded frames and the client against a loopback server."""

from __future__ import annotations

import json

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from astra.adapters.spot.rtds import SpotFeed, rtds_subscribe_message
from astra.adapters.spot.rtds_decode import decode_spot_frame
from astra.adapters.ws_session import WsSettings
from astra.domain.clock import ManualClock
from astra.domain.events import SpotPrice
from astra.domain.metrics_port import (
    FEED_RECONNECTS_TOTAL,
    FEED_REJECTED_FRAMES_TOTAL,
    CountingMetrics,
)
from astra.domain.reasons import FeedReject
from tests.adapters.loopback_ws import Drop, LoopbackMarketWs, Raw, Send, load_fixture

SUBSCRIBE = load_fixture("rtds", "crypto_prices_subscribe_btcusdt_2026-06.json")
UPDATE = load_fixture("rtds", "crypto_prices_update_btcusdt_2026-06.json")


def test_initial_dump_and_update_decode_exactly() -> None:
    dump = decode_spot_frame(json.dumps(SUBSCRIBE), 5)
    assert dump.rejects == []
    assert [(e.symbol, e.ts_ms, e.value) for e in dump.events] == [
        ("btcusdt", 1780726209000, "61164.12"),
        ("btcusdt", 1780726210000, "61161.07"),
        ("btcusdt", 1780726211000, "61150.89"),
    ]
    (update,) = decode_spot_frame(json.dumps(UPDATE), 9).events
    assert update == SpotPrice("btcusdt", 1780730269000, "61035.86", recv_ms=9)


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        ("nope", FeedReject.MALFORMED_JSON),
        ("[]", FeedReject.NOT_AN_OBJECT),
        (json.dumps({**UPDATE, "topic": "comments"}), FeedReject.UNKNOWN_EVENT_TYPE),
        (json.dumps({**UPDATE, "type": "weird"}), FeedReject.UNKNOWN_EVENT_TYPE),
        (json.dumps({**UPDATE, "payload": None}), FeedReject.MISSING_FIELD),
        (
            json.dumps({**UPDATE, "payload": {**UPDATE["payload"], "full_accuracy_value": "x"}}),
            FeedReject.BAD_NUMBER,
        ),
        (
            json.dumps(
                {
                    **UPDATE,
                    "payload": {"symbol": "btcusdt", "timestamp": 1780730269000, "value": -3},
                }
            ),
            FeedReject.BAD_VALUE,
        ),
    ],
)
def test_bad_frames_are_rejected(frame: str, reason: FeedReject) -> None:
    result = decode_spot_frame(frame, 0)
    assert result.events == []
    assert [r for r, _ in result.rejects] == [reason]


def test_pong_is_not_an_error() -> None:
    assert decode_spot_frame("PONG", 0).rejects == []


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=120) | st.text(max_size=120))
def test_garbage_never_raises(raw: bytes | str) -> None:
    decode_spot_frame(raw, 0)


def test_subscribe_message_shape() -> None:
    assert json.loads(rtds_subscribe_message(["btcusdt"])) == {
        "action": "subscribe",
        "subscriptions": [
            {"topic": "crypto_prices", "type": "update", "filters": '{"symbol":"btcusdt"}'}
        ],
    }


def test_spot_feed_against_loopback_reconnects_and_tracks_staleness() -> None:
    eth = {**UPDATE, "payload": {**UPDATE["payload"], "symbol": "solusdt"}}
    script = [Send(SUBSCRIBE), Raw("garbage"), Drop(), Send(eth), Send(UPDATE)]
    clock = ManualClock(1_000)
    metrics = CountingMetrics()
    prices: list[SpotPrice] = []
    with LoopbackMarketWs([], script) as server:
        feed = SpotFeed(
            WsSettings(
                url=server.url, ping_interval_s=0.05, backoff_initial_s=0.01, backoff_max_s=0.02
            ),
            prices.append,
            clock=clock,
            metrics=metrics,
        )

        async def main() -> None:
            async with anyio.create_task_group() as tg:
                tg.start_soon(feed.run)
                with anyio.fail_after(5):
                    while len(prices) < 4:
                        await anyio.sleep(0.01)
                tg.cancel_scope.cancel()

        anyio.run(main)
    assert [p.value for p in prices] == ["61164.12", "61161.07", "61150.89", "61035.86"]
    assert feed.latest("BTCUSDT") == prices[-1]
    assert json.loads(server.received[0])["action"] == "subscribe"
    assert metrics.counter(FEED_RECONNECTS_TOTAL, {"feed": "spot"}) == 1
    assert metrics.counter(FEED_REJECTED_FRAMES_TOTAL, {"reason": "malformed_json"}) == 1
    assert metrics.counter(FEED_REJECTED_FRAMES_TOTAL, {"reason": "unknown_asset"}) == 1
    assert feed.stale_symbols(1_000, 500) == []
    assert feed.stale_symbols(1_600, 500) == ["btcusdt", "ethusdt"]  # eth never heard
    clock.set(2_000)
    feed.handle_frame(json.dumps(UPDATE), 2_000)
    assert feed.stale_symbols(2_400, 500) == ["ethusdt"]
