"""Checks of a paper order intent against its market and book, before it exists.

Each returns the rejection reason, or None when the intent passes.
"""

from __future__ import annotations

from astra.domain.book import TokenBook
from astra.domain.market import MarketInfo
from astra.domain.prices import Side, in_bounds, on_grid
from astra.domain.reasons import OrderReason
from astra.domain.trading import OrderIntent


def crosses(side: Side, price: int, book: TokenBook) -> bool:
    opposite = book.best(side.opposite)
    if opposite is None:
        return False
    return price >= opposite[0] if side is Side.BUY else price <= opposite[0]


def improves(side: Side, old: int, new: int) -> bool:
    return new > old if side is Side.BUY else new < old


def identity_reject(market: MarketInfo, intent: OrderIntent, book: TokenBook) -> OrderReason | None:
    if intent.market != market.condition_id or intent.asset_id not in market.tokens:
        return OrderReason.UNKNOWN_ASSET
    if not intent.post_only:
        return OrderReason.NOT_POST_ONLY
    if not book.synced or book.tick is None:
        return OrderReason.BOOK_NOT_SYNCED
    return None


def shape_reject(market: MarketInfo, intent: OrderIntent, book: TokenBook) -> OrderReason | None:
    tick = book.tick or market.tick
    if intent.size <= 0 or intent.size < market.min_size:
        return OrderReason.BELOW_MIN_SIZE
    if not on_grid(intent.price, tick):
        return OrderReason.OFF_GRID
    if not in_bounds(intent.price, tick):
        return OrderReason.OUT_OF_BOUNDS
    return None


def price_reject(market: MarketInfo, intent: OrderIntent, book: TokenBook) -> OrderReason | None:
    shape = shape_reject(market, intent, book)
    if shape is None and crosses(intent.side, intent.price, book):
        return OrderReason.WOULD_CROSS
    return shape


def taker_reject(
    market: MarketInfo, taker_enabled: bool, intent: OrderIntent, book: TokenBook
) -> OrderReason | None:
    if intent.market != market.condition_id or intent.asset_id not in market.tokens:
        return OrderReason.UNKNOWN_ASSET
    if not taker_enabled:
        return OrderReason.NOT_POST_ONLY
    if not book.synced or book.tick is None:
        return OrderReason.BOOK_NOT_SYNCED
    return shape_reject(market, intent, book)
