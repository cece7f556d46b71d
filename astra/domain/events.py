"""Normalised venue events: what the adapter boundary hands to actors.

Adapters decode and validate raw frames (all price_change formats, string numbers,
unordered levels) into these immutable records; nothing raw ever reaches an actor.
Prices are pips and sizes micro-shares (see `prices`). `ts_ms` is the venue timestamp,
`recv_ms` the local receive time (replays use it as the clock).
"""

from __future__ import annotations

from dataclasses import dataclass

from astra.domain.prices import Side, Tick

Level = tuple[int, int]  # (price pips, size micros)


@dataclass(frozen=True, slots=True)
class BookSnapshot:
    """`book`: replaces the token's whole book."""

    market: str
    asset_id: str
    ts_ms: int
    bids: tuple[Level, ...]
    asks: tuple[Level, ...]
    hash: str = ""
    tick: Tick | None = None
    recv_ms: int = 0


@dataclass(frozen=True, slots=True)
class LevelChange:
    """One absolute level update: size 0 removes the level."""

    asset_id: str
    side: Side
    price: int
    size: int
    best_bid: int | None = None
    best_ask: int | None = None
    hash: str = ""


@dataclass(frozen=True, slots=True)
class PriceChange:
    """`price_change` in any of its three formats, normalised to a batch of level changes."""

    market: str
    ts_ms: int
    changes: tuple[LevelChange, ...]
    recv_ms: int = 0


@dataclass(frozen=True, slots=True)
class Trade:
    """`last_trade_price`: a match. `taker_side` BUY means the taker bought (lifted the ask)."""

    market: str
    asset_id: str
    ts_ms: int
    price: int
    size: int
    taker_side: Side
    trade_id: str
    fee_rate_bps: int = 0
    recv_ms: int = 0


@dataclass(frozen=True, slots=True)
class TickSizeChange:
    """`tick_size_change`: a new book epoch; the book is dropped until the next snapshot."""

    market: str
    asset_id: str
    ts_ms: int
    old_tick: Tick
    new_tick: Tick
    recv_ms: int = 0


@dataclass(frozen=True, slots=True)
class BestBidAsk:
    """`best_bid_ask`: the venue's top of book (a consistency check, not a book update)."""

    market: str
    asset_id: str
    ts_ms: int
    best_bid: int | None
    best_ask: int | None
    recv_ms: int = 0


@dataclass(frozen=True, slots=True)
class MarketResolved:
    """`market_resolved`: the winning token pays 1, the other 0."""

    market: str
    ts_ms: int
    winning_asset_id: str
    asset_ids: tuple[str, ...]
    recv_ms: int = 0


@dataclass(frozen=True, slots=True)
class NewMarket:
    """`new_market`: a listing announcement (discovery decides whether to trade it)."""

    market: str
    ts_ms: int
    question: str
    asset_ids: tuple[str, ...]
    tick: Tick | None
    recv_ms: int = 0


@dataclass(frozen=True, slots=True)
class SpotPrice:
    """An underlying's spot price (e.g. BTC/USDT), as a decimal string kept exact."""

    symbol: str
    ts_ms: int
    value: str
    recv_ms: int = 0


MarketEvent = (
    BookSnapshot | PriceChange | Trade | TickSizeChange | BestBidAsk | MarketResolved | NewMarket
)


def asset_ids_of(event: MarketEvent) -> tuple[str, ...]:
    """The outcome tokens an event concerns, in message order (a price_change may carry both)."""
    if isinstance(event, PriceChange):
        return tuple(change.asset_id for change in event.changes)
    if isinstance(event, MarketResolved | NewMarket):
        return event.asset_ids
    return (event.asset_id,)
