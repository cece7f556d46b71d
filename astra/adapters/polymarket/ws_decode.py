"""Market-channel decoder: raw WebSocket frames -> validated `MarketEvent`s or counted rejections.

A frame is one JSON object or a JSON array of them (the initial dump is an array of `book`s).
Dispatch is on `event_type` (the original read `type` and so dropped every price update,
seed_spec B-13). Every message type of the protocol is decoded, including all three
`price_change` formats. A message that fails validation is rejected whole — a partially
applied `price_change` would leave a book silently wrong — and the decoder never raises:
numbers pass the limits of `astra.adapters.bounded` and a frame nesting deeper than
`MAX_DEPTH` is one `too_deep` rejection.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from astra.adapters.bounded import MAX_DEPTH, short, too_deep
from astra.adapters.polymarket.ws_fields import (
    Rejected,
    int_field,
    object_list,
    optional_text,
    optional_tick,
    price_field,
    side_field,
    size_field,
    text_field,
    text_list,
    tick_field,
    timestamp_ms,
    touch_field,
)
from astra.domain.events import (
    BestBidAsk,
    BookSnapshot,
    Level,
    LevelChange,
    MarketEvent,
    MarketResolved,
    NewMarket,
    PriceChange,
    TickSizeChange,
    Trade,
)
from astra.domain.prices import ONE
from astra.domain.reasons import FeedReject

# Plain-text frames the venue sends that are not data: the keep-alive answer and the
# custom-feature notice. They are neither events nor errors.
CONTROL_TEXTS = frozenset({"PONG", "NO NEW ASSETS"})


@dataclass(frozen=True, slots=True)
class DecodeResult:
    """What one frame (or message) decoded to: events in frame order, and rejections."""

    events: list[MarketEvent] = field(default_factory=list)
    rejects: list[tuple[FeedReject, str]] = field(default_factory=list)

    def extend(self, other: DecodeResult) -> None:
        self.events.extend(other.events)
        self.rejects.extend(other.rejects)


def decode_market_frame(raw: str | bytes, recv_ms: int) -> DecodeResult:
    """Decode one raw text frame received at `recv_ms`. Never raises."""
    if isinstance(raw, bytes | bytearray | memoryview):
        try:
            text = bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            return DecodeResult(rejects=[(FeedReject.MALFORMED_JSON, "frame is not UTF-8")])
    else:
        text = raw
    if text.strip() in CONTROL_TEXTS:
        return DecodeResult()
    try:
        parsed = orjson.loads(text)
    except orjson.JSONDecodeError:
        return DecodeResult(rejects=[(FeedReject.MALFORMED_JSON, f"not JSON: {short(text)}")])
    return decode_market_value(parsed, recv_ms)


def decode_market_value(parsed: object, recv_ms: int) -> DecodeResult:
    """Decode an already-parsed frame: one message object or an array of them."""
    if too_deep(parsed):
        return _too_deep()
    if isinstance(parsed, dict):
        return _message(parsed, recv_ms)
    if isinstance(parsed, list):
        result = DecodeResult()
        for item in parsed:
            if isinstance(item, dict):
                result.extend(_message(item, recv_ms))
            else:
                result.rejects.append((FeedReject.NOT_AN_OBJECT, f"array item {short(item)}"))
        return result
    return DecodeResult(rejects=[(FeedReject.NOT_AN_OBJECT, f"frame is {short(parsed)}")])


def _too_deep() -> DecodeResult:
    return DecodeResult(rejects=[(FeedReject.TOO_DEEP, f"nested deeper than {MAX_DEPTH}")])


def decode_market_message(obj: Mapping[str, Any], recv_ms: int) -> DecodeResult:
    """Decode one parsed message object. Never raises."""
    if too_deep(obj):
        return _too_deep()
    return _message(obj, recv_ms)


def _message(obj: Mapping[str, Any], recv_ms: int) -> DecodeResult:
    event_type = obj.get("event_type")
    if event_type is None:
        return DecodeResult(rejects=[(FeedReject.MISSING_FIELD, "missing event_type")])
    decoder = _DECODERS.get(event_type) if isinstance(event_type, str) else None
    if decoder is None:
        return DecodeResult(
            rejects=[(FeedReject.UNKNOWN_EVENT_TYPE, f"event_type {short(event_type)}")]
        )
    try:
        event = decoder(obj, recv_ms)
    except Rejected as exc:
        return DecodeResult(rejects=[(exc.reason, f"{event_type}: {exc.detail}")])
    return DecodeResult(events=[event])


def _levels(obj: Mapping[str, Any], key: str) -> tuple[Level, ...]:
    levels: list[Level] = []
    seen: set[int] = set()
    for entry in object_list(obj, key):
        price = price_field(entry, "price")
        size = size_field(entry, "size")
        if price in seen:
            raise Rejected(FeedReject.BAD_VALUE, f"{key} repeats price {short(entry)}")
        seen.add(price)
        if size > 0:  # a zero-size level in a snapshot is no level
            levels.append((price, size))
    return tuple(levels)


def _book(obj: Mapping[str, Any], recv_ms: int) -> BookSnapshot:
    return BookSnapshot(
        market=text_field(obj, "market"),
        asset_id=text_field(obj, "asset_id"),
        ts_ms=timestamp_ms(obj),
        bids=_levels(obj, "bids"),
        asks=_levels(obj, "asks"),
        hash=optional_text(obj, "hash"),
        tick=optional_tick(obj, "tick_size"),
        recv_ms=recv_ms,
    )


def _level_change(entry: Mapping[str, Any], asset_id: str, hash_: str) -> LevelChange:
    return LevelChange(
        asset_id=asset_id,
        side=side_field(entry),
        price=price_field(entry, "price"),
        size=size_field(entry),
        best_bid=touch_field(entry, "best_bid", empty_at=0),
        best_ask=touch_field(entry, "best_ask", empty_at=ONE),
        hash=hash_,
    )


def _price_change_entries(obj: Mapping[str, Any]) -> tuple[LevelChange, ...]:
    if "price_changes" in obj:  # current format (since 2025-09-15): entries carry their token
        return tuple(
            _level_change(entry, text_field(entry, "asset_id"), optional_text(entry, "hash"))
            for entry in object_list(obj, "price_changes")
        )
    asset_id = text_field(obj, "asset_id")
    hash_ = optional_text(obj, "hash")
    if "changes" in obj:  # late 2024 - Sept 2025: one token, a list of level changes
        return tuple(_level_change(entry, asset_id, hash_) for entry in object_list(obj, "changes"))
    return (_level_change(obj, asset_id, hash_),)  # mid-2024: one flat level change


def _price_change(obj: Mapping[str, Any], recv_ms: int) -> PriceChange:
    market = text_field(obj, "market")
    ts_ms = timestamp_ms(obj)
    changes = _price_change_entries(obj)
    if not changes:
        raise Rejected(FeedReject.MISSING_FIELD, "no level changes")
    return PriceChange(market=market, ts_ms=ts_ms, changes=changes, recv_ms=recv_ms)


def trade_id_of(asset_id: str, side: str, price: str, size: str, timestamp: str) -> str:
    """The venue sends no trade id: derive a deterministic one from the print's identity."""
    key = "|".join((asset_id, side, price, size, timestamp)).encode()
    return hashlib.sha256(key).hexdigest()[:32]


def _trade(obj: Mapping[str, Any], recv_ms: int) -> Trade:
    asset_id = text_field(obj, "asset_id")
    side = side_field(obj)
    price = price_field(obj, "price")
    size = size_field(obj)
    if size == 0:
        raise Rejected(FeedReject.BAD_VALUE, "trade of size 0")
    ts_ms = timestamp_ms(obj)
    trade_id = trade_id_of(asset_id, side.value, str(price), str(size), str(ts_ms))
    return Trade(
        market=text_field(obj, "market"),
        asset_id=asset_id,
        ts_ms=ts_ms,
        price=price,
        size=size,
        taker_side=side,
        trade_id=trade_id,
        fee_rate_bps=int_field(obj, "fee_rate_bps", 0),
        recv_ms=recv_ms,
    )


def _tick_size_change(obj: Mapping[str, Any], recv_ms: int) -> TickSizeChange:
    return TickSizeChange(
        market=text_field(obj, "market"),
        asset_id=text_field(obj, "asset_id"),
        ts_ms=timestamp_ms(obj),
        old_tick=tick_field(obj, "old_tick_size"),
        new_tick=tick_field(obj, "new_tick_size"),
        recv_ms=recv_ms,
    )


def _best_bid_ask(obj: Mapping[str, Any], recv_ms: int) -> BestBidAsk:
    return BestBidAsk(
        market=text_field(obj, "market"),
        asset_id=text_field(obj, "asset_id"),
        ts_ms=timestamp_ms(obj),
        best_bid=touch_field(obj, "best_bid", empty_at=0),
        best_ask=touch_field(obj, "best_ask", empty_at=ONE),
        recv_ms=recv_ms,
    )


def _market_resolved(obj: Mapping[str, Any], recv_ms: int) -> MarketResolved:
    asset_ids = text_list(obj, "assets_ids")
    winner = text_field(obj, "winning_asset_id")
    if winner not in asset_ids:
        raise Rejected(FeedReject.BAD_VALUE, f"winning_asset_id {short(winner)} not in assets_ids")
    return MarketResolved(
        market=text_field(obj, "market"),
        ts_ms=timestamp_ms(obj),
        winning_asset_id=winner,
        asset_ids=asset_ids,
        recv_ms=recv_ms,
    )


def _new_market(obj: Mapping[str, Any], recv_ms: int) -> NewMarket:
    ids_key = "assets_ids" if "assets_ids" in obj else "clob_token_ids"
    return NewMarket(
        market=text_field(obj, "market"),
        ts_ms=timestamp_ms(obj),
        question=optional_text(obj, "question"),
        asset_ids=text_list(obj, ids_key),
        tick=optional_tick(obj, "order_price_min_tick_size"),
        recv_ms=recv_ms,
    )


_DECODERS: dict[str, Callable[[Mapping[str, Any], int], MarketEvent]] = {
    "book": _book,
    "price_change": _price_change,
    "last_trade_price": _trade,
    "tick_size_change": _tick_size_change,
    "best_bid_ask": _best_bid_ask,
    "market_resolved": _market_resolved,
    "new_market": _new_market,
}
