"""Simulated events -> the venue's raw text frames (market channel and RTDS `crypto_prices`).

Shapes follow the recorded fixtures (tests/fixtures/polymarket/ws_market, rtds): every number
is a decimal string written from exact ints (prices stripped like "0.3", sizes like
"120.5"), timestamps are ms strings, `price_change` is the current format with one entry
per token, books list the best level last. Key order is fixed, so the text is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from astra.domain.events import (
    BookSnapshot,
    Level,
    LevelChange,
    MarketEvent,
    MarketResolved,
    PriceChange,
    TickSizeChange,
    Trade,
)
from astra.domain.market import MarketInfo
from astra.domain.prices import ONE, format_price, format_size
from astra.domain.sim.session import MarketFrame, SpotFrame


def _levels(levels: Iterable[Level]) -> list[dict[str, str]]:
    return [{"price": format_price(p), "size": format_size(s)} for p, s in levels]


def _touch(value: int | None, empty: int) -> str:
    return format_price(empty if value is None else value)


def _book(event: BookSnapshot) -> dict[str, Any]:
    message: dict[str, Any] = {
        "market": event.market,
        "asset_id": event.asset_id,
        "timestamp": str(event.ts_ms),
        "hash": event.hash,
        "bids": _levels(event.bids),
        "asks": _levels(event.asks),
    }
    if event.tick is not None:
        message["tick_size"] = str(event.tick)
    message["event_type"] = "book"
    return message


def _entry(change: LevelChange) -> dict[str, str]:
    return {
        "asset_id": change.asset_id,
        "price": format_price(change.price),
        "size": format_size(change.size),
        "side": change.side.value,
        "hash": change.hash,
        "best_bid": _touch(change.best_bid, 0),
        "best_ask": _touch(change.best_ask, ONE),
    }


def _price_change(event: PriceChange) -> dict[str, Any]:
    return {
        "market": event.market,
        "price_changes": [_entry(c) for c in event.changes],
        "timestamp": str(event.ts_ms),
        "event_type": "price_change",
    }


def _trade(event: Trade) -> dict[str, Any]:
    return {
        "asset_id": event.asset_id,
        "event_type": "last_trade_price",
        "fee_rate_bps": str(event.fee_rate_bps),
        "market": event.market,
        "price": format_price(event.price),
        "side": event.taker_side.value,
        "size": format_size(event.size),
        "timestamp": str(event.ts_ms),
    }


def _tick_size_change(event: TickSizeChange) -> dict[str, Any]:
    return {
        "asset_id": event.asset_id,
        "event_type": "tick_size_change",
        "market": event.market,
        "new_tick_size": str(event.new_tick),
        "old_tick_size": str(event.old_tick),
        "timestamp": str(event.ts_ms),
    }


def _resolved(event: MarketResolved, market: MarketInfo | None) -> dict[str, Any]:
    outcome = ""
    if market is not None:
        outcome = market.outcomes[0 if event.winning_asset_id == market.yes_token else 1]
    return {
        "event_type": "market_resolved",
        "market": event.market,
        "assets_ids": list(event.asset_ids),
        "winning_asset_id": event.winning_asset_id,
        "winning_outcome": outcome,
        "timestamp": str(event.ts_ms),
        "tags": list(market.tags) if market is not None else [],
    }


class VenueEncoder:
    """Encodes frames; knows the markets so `market_resolved` can name the winning outcome."""

    def __init__(self, markets: Iterable[MarketInfo]) -> None:
        self._markets: Mapping[str, MarketInfo] = {m.condition_id: m for m in markets}

    def message(self, event: MarketEvent) -> dict[str, Any]:
        if isinstance(event, BookSnapshot):
            return _book(event)
        if isinstance(event, PriceChange):
            return _price_change(event)
        if isinstance(event, Trade):
            return _trade(event)
        if isinstance(event, TickSizeChange):
            return _tick_size_change(event)
        if isinstance(event, MarketResolved):
            return _resolved(event, self._markets.get(event.market))
        raise TypeError(f"the simulator does not emit {type(event).__name__}")

    def market_frame(self, frame: MarketFrame) -> str:
        messages = [self.message(event) for event in frame.messages]
        payload: object = messages if frame.as_array else messages[0]
        return orjson.dumps(payload).decode()


def spot_frame(frame: SpotFrame) -> str:
    """An RTDS update; `value` is the JSON number, `full_accuracy_value` the exact text."""
    cents = frame.tick.cents
    exact = f"{cents // 100}.{cents % 100:02d}"
    return orjson.dumps(
        {
            "topic": "crypto_prices",
            "type": "update",
            "timestamp": frame.recv_ms,
            "payload": {
                "symbol": frame.tick.symbol,
                "timestamp": frame.tick.ts_ms,
                "value": cents / 100,
                "full_accuracy_value": exact + "000000",
            },
        }
    ).decode()
