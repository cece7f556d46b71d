"""The market-channel decoder on genuine recorded frames, every format, and garbage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from astra.adapters.polymarket.ws_decode import (
    DecodeResult,
    decode_market_frame,
    decode_market_message,
    trade_id_of,
)
from astra.domain.events import (
    BestBidAsk,
    BookSnapshot,
    MarketResolved,
    NewMarket,
    PriceChange,
    TickSizeChange,
    Trade,
)
from astra.domain.prices import Side, Tick
from astra.domain.reasons import FeedReject

WS = Path(__file__).resolve().parents[1] / "fixtures" / "polymarket" / "ws_market"
TOKEN_A = "76670567130917723816490572615540605537878462672464291990940067659127658071111"
TOKEN_B = "54179564009642723353355316176091991063553046330768303687769988635499280029688"


def _load(name: str) -> Any:
    return json.loads((WS / name).read_text())


def _one(result: DecodeResult) -> object:
    assert result.rejects == []
    assert len(result.events) == 1
    return result.events[0]


def test_book_current_shape() -> None:
    event = _one(decode_market_message(_load("book_snapshot_2026-08.json"), 7))
    assert isinstance(event, BookSnapshot)
    assert event.asset_id.startswith("3509777698")
    assert event.ts_ms == 1786604072222
    assert event.tick is Tick.T0_01
    assert event.hash == "ed47eb91f3c7985fac1cb18cb7c19535eddd3c0a"
    assert event.bids[0] == (100, 3_149_725_720_000)
    assert event.asks[0] == (9900, 156_606_140_000)
    assert event.recv_ms == 7


def test_book_2024_shape_without_tick() -> None:
    raw = (WS / "book_2024-08.json").read_text()
    event = _one(decode_market_frame(raw, 1))
    assert isinstance(event, BookSnapshot)
    assert event.tick is None
    assert (len(event.bids), len(event.asks)) == (76, 86)


def test_burst_array_decodes_every_message() -> None:
    raw = (WS / "price_change_crossing_burst_2026-09.json").read_text()
    result = decode_market_frame(raw, 0)
    assert result.rejects == []
    assert len(result.events) == 51
    first, last = result.events[0], result.events[-1]
    assert isinstance(first, BookSnapshot)
    assert isinstance(last, BookSnapshot)
    assert first.asset_id == last.asset_id == TOKEN_A
    change = result.events[1]
    assert isinstance(change, PriceChange)
    assert change.ts_ms == 1790658674035
    a, b = change.changes
    assert (a.asset_id, a.side, a.price, a.size) == (TOKEN_A, Side.BUY, 3010, 1_000_000_000)
    assert (a.best_bid, a.best_ask) == (3010, 3970)
    assert (b.asset_id, b.side, b.price) == (TOKEN_B, Side.SELL, 6990)
    assert a.hash == "b7623b6417b3ae46dbe5d608a65474c9cec84ef9"


def test_price_change_legacy_flat() -> None:
    event = _one(decode_market_message(_load("price_change_legacy_flat_2024-08.json"), 0))
    assert isinstance(event, PriceChange)
    (change,) = event.changes
    assert (change.side, change.price, change.size) == (Side.SELL, 5140, 21_574_080_000)
    assert change.hash == "bf32b3746fff40c76c98021b7f3f07261169dd26"
    assert change.best_bid is None


def test_price_change_2025_changes_list() -> None:
    message = {
        "event_type": "price_change",
        "asset_id": "123",
        "market": "0xabc",
        "timestamp": "1729084877448",
        "hash": "3cd4d61e042c81560c9037ece0c61f3b1a8fbbdd",
        "changes": [
            {"price": "0.4", "side": "SELL", "size": "3300"},
            {"price": ".5", "side": "BUY", "size": "0"},
        ],
    }
    event = _one(decode_market_message(message, 0))
    assert isinstance(event, PriceChange)
    assert [(c.asset_id, c.side, c.price, c.size) for c in event.changes] == [
        ("123", Side.SELL, 4000, 3_300_000_000),
        ("123", Side.BUY, 5000, 0),
    ]


def test_last_trade_price_with_derived_id() -> None:
    message = _load("last_trade_price_2024-08.json")
    event = _one(decode_market_message(message, 0))
    assert isinstance(event, Trade)
    assert (event.price, event.size, event.taker_side) == (4910, 85_360_000, Side.SELL)
    assert event.fee_rate_bps == 0
    again = _one(decode_market_message(dict(message), 5))
    assert isinstance(again, Trade)
    assert again.trade_id == event.trade_id
    other = _one(decode_market_message({**message, "size": "85.37"}, 0))
    assert isinstance(other, Trade)
    assert other.trade_id != event.trade_id
    assert trade_id_of("a", "BUY", "1", "2", "3") != trade_id_of("a", "SELL", "1", "2", "3")


def test_tick_size_change() -> None:
    event = _one(decode_market_message(_load("tick_size_change_2025-02.json"), 0))
    assert isinstance(event, TickSizeChange)
    assert (event.old_tick, event.new_tick) == (Tick.T0_01, Tick.T0_001)


def test_best_bid_ask_new_market_resolved() -> None:
    bba = _one(decode_market_message(_load("best_bid_ask_2025-12.json"), 0))
    assert isinstance(bba, BestBidAsk)
    assert (bba.best_bid, bba.best_ask) == (7300, 7700)
    new = _one(decode_market_message(_load("new_market_2025-12.json"), 0))
    assert isinstance(new, NewMarket)
    assert new.tick is Tick.T0_01
    assert len(new.asset_ids) == 2
    assert new.question.startswith("Will NVIDIA")
    resolved = _one(decode_market_message(_load("market_resolved_2025-12.json"), 0))
    assert isinstance(resolved, MarketResolved)
    assert resolved.winning_asset_id == resolved.asset_ids[0]


@pytest.mark.parametrize("text", ["PONG", "PONG\n", b"PONG", "NO NEW ASSETS"])
def test_control_texts_are_not_errors(text: str | bytes) -> None:
    assert decode_market_frame(text, 0) == DecodeResult()


def _reasons(result: DecodeResult) -> list[FeedReject]:
    assert result.events == []
    return [reason for reason, _ in result.rejects]


def _bad(**overrides: object) -> dict[str, object]:
    message: dict[str, object] = _load("last_trade_price_2024-08.json")
    message.update(overrides)
    return {k: v for k, v in message.items() if v is not None}


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("PING", FeedReject.MALFORMED_JSON),
        ("{", FeedReject.MALFORMED_JSON),
        (b"\xff\xfe", FeedReject.MALFORMED_JSON),
        ("42", FeedReject.NOT_AN_OBJECT),
        ('"book"', FeedReject.NOT_AN_OBJECT),
        ('{"type": "book"}', FeedReject.MISSING_FIELD),
        ('{"event_type": "order"}', FeedReject.UNKNOWN_EVENT_TYPE),
        ('{"event_type": 3}', FeedReject.UNKNOWN_EVENT_TYPE),
    ],
)
def test_malformed_frames_are_rejected(raw: str | bytes, reason: FeedReject) -> None:
    assert _reasons(decode_market_frame(raw, 0)) == [reason]


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (_bad(price=None), FeedReject.MISSING_FIELD),
        (_bad(price="abc"), FeedReject.BAD_NUMBER),
        (_bad(price="0.00001"), FeedReject.BAD_NUMBER),
        (_bad(price="1.5"), FeedReject.BAD_VALUE),
        (_bad(price=True), FeedReject.BAD_NUMBER),
        (_bad(size="-1"), FeedReject.BAD_NUMBER),
        (_bad(size="0"), FeedReject.BAD_VALUE),
        (_bad(side="HOLD"), FeedReject.BAD_VALUE),
        (_bad(timestamp="soon"), FeedReject.BAD_NUMBER),
        (_bad(asset_id=7), FeedReject.BAD_VALUE),
        (_bad(fee_rate_bps="x"), FeedReject.BAD_NUMBER),
        (
            {**_load("tick_size_change_2025-02.json"), "new_tick_size": "0.05"},
            FeedReject.BAD_VALUE,
        ),
        ({**_load("book_2024-08.json"), "bids": "none"}, FeedReject.BAD_VALUE),
        ({**_load("book_2024-08.json"), "asks": [1]}, FeedReject.NOT_AN_OBJECT),
        (
            {**_load("market_resolved_2025-12.json"), "winning_asset_id": "9"},
            FeedReject.BAD_VALUE,
        ),
    ],
)
def test_malformed_values_are_rejected(message: dict[str, object], reason: FeedReject) -> None:
    assert _reasons(decode_market_message(message, 0)) == [reason]


def test_one_bad_entry_rejects_the_whole_price_change() -> None:
    burst = _load("price_change_crossing_burst_2026-09.json")
    message = burst[1]
    message["price_changes"][1]["size"] = "lots"
    assert _reasons(decode_market_message(message, 0)) == [FeedReject.BAD_NUMBER]


def test_array_mixes_events_and_rejections() -> None:
    frame = json.dumps([_load("tick_size_change_2025-02.json"), 5, {"event_type": "x"}])
    result = decode_market_frame(frame, 0)
    assert len(result.events) == 1
    assert [r for r, _ in result.rejects] == [
        FeedReject.NOT_AN_OBJECT,
        FeedReject.UNKNOWN_EVENT_TYPE,
    ]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
_FIXTURES = [
    _load(name)
    for name in (
        "book_snapshot_2026-08.json",
        "last_trade_price_2024-08.json",
        "tick_size_change_2025-02.json",
        "best_bid_ask_2025-12.json",
        "new_market_2025-12.json",
        "market_resolved_2025-12.json",
        "price_change_legacy_flat_2024-08.json",
    )
] + _load("price_change_crossing_burst_2026-09.json")[1:4]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200))
def test_garbage_never_raises(raw: bytes | str) -> None:
    result = decode_market_frame(raw, 0)
    assert isinstance(result, DecodeResult)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_random_json_never_raises(value: object) -> None:
    decode_market_frame(json.dumps(value), 0)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(_FIXTURES), st.text(max_size=16), _JSON)
def test_mutated_messages_give_one_event_or_one_rejection(
    message: dict[str, object], key: str, value: object
) -> None:
    keys = list(message)
    target = keys[len(key) % len(keys)] if key == "" or key.isdigit() else key
    mutated = {**message, target: value}
    result = decode_market_message(mutated, 0)
    assert len(result.events) + len(result.rejects) == 1
