"""Paper fill model with queue position (the NautilusTrader approach).

* At acceptance the visible size at the order's price on its side is the queue ahead
  (our paper order is not on the venue, so the visible size never includes it).
* A trade at our price by the opposite aggressor consumes the queue first; only the
  excess fills us (partially, if the excess is smaller than what we have left).
* A trade *through* our level (a taker sold below our bid / bought above our ask) means
  the whole level traded: we fill up to the traded size and the queue is gone.
* Size removed from the level that no trade explains (cancels) goes to the queue model
  (`queue_models`); increases join behind us; see `order_queue` for trade-aware depletion.
* Prints and levels of the complement token count in the order's own token (`in_frame`),
  and a book that crosses a live order fills it at its own price (`crossing_size`).
* Before the order reaches the venue (latency window) the whole visible level is ahead of us.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from astra.domain.book import MarketBooks, TokenBook
from astra.domain.events import BookSnapshot
from astra.domain.prices import ONE, Side


@dataclass(frozen=True, slots=True)
class QueueFill:
    """Outcome of one trade against one resting order: shares filled and the new queue."""

    fill: int
    queue_ahead: int


def trade_fill(
    side: Side,
    price: int,
    queue_ahead: int,
    remaining: int,
    trade_price: int,
    trade_size: int,
    taker_side: Side,
) -> QueueFill:
    """Apply one trade print to a resting order at `price` on `side`."""
    if taker_side is side or remaining <= 0 or trade_size <= 0:
        return QueueFill(0, queue_ahead)  # same-side aggressor never matches our order
    through = trade_price < price if side is Side.BUY else trade_price > price
    if through:
        return QueueFill(min(trade_size, remaining), 0)
    if trade_price != price:
        return QueueFill(0, queue_ahead)  # better-priced liquidity traded, not ours
    consumed = min(queue_ahead, trade_size)
    excess = trade_size - consumed
    return QueueFill(min(excess, remaining), queue_ahead - consumed)


def draw_latency_ms(rng: np.random.Generator, mean_ms: float, min_ms: int) -> int:
    """Submit-to-live latency: `min_ms` plus an exponential draw (seeded, reproducible)."""
    if mean_ms <= 0:
        return min_ms
    return min_ms + int(rng.exponential(mean_ms))


def in_frame(order_asset: str, asset: str, side: Side, price: int) -> tuple[Side, int]:
    """A level or print of `asset` seen from `order_asset`'s book: the same token as is; the
    complement mirrored (YES price p on side S is NO price 1 - p on the other side)."""
    if asset == order_asset:
        return side, price
    return side.opposite, ONE - price


def size_through(book: TokenBook, resting_side: Side, price: int) -> int:
    """Opposite-side size at or through a resting order's price (0 when the book does not
    cross it): what a crossed book would have matched against the order."""
    best = book.best(resting_side.opposite)
    if best is None:
        return 0
    if resting_side is Side.BUY:
        if best[0] > price:
            return 0
        return sum(size for level, size in book.asks() if level <= price)
    if best[0] < price:
        return 0
    return sum(size for level, size in book.bids() if level >= price)


def crossing_size(books: MarketBooks, asset: str, side: Side, price: int) -> int:
    """`size_through` for an order on `asset`, from its own book and from the complement's
    mirror, whichever shows more (each only while synced). The venue mirrors every order in
    both books, so they agree; when one token's update is missing, the cross is still seen
    (a crossed fill is usually adverse: missing it would flatter P&L)."""
    through = 0
    own = books.book(asset)
    if own.synced:
        through = size_through(own, side, price)
    other = books.book(books.market.complement_of(asset))
    if other.synced:
        mirror_side, mirror_price = in_frame(other.asset_id, asset, side, price)
        through = max(through, size_through(other, mirror_side, mirror_price))
    return through


def level_in_snapshot(snapshot: BookSnapshot, order_asset: str, side: Side, price: int) -> int:
    """The size a snapshot of either token shows at an order's level (0: no such level)."""
    snap_side, snap_price = in_frame(snapshot.asset_id, order_asset, side, price)
    levels = snapshot.bids if snap_side is Side.BUY else snapshot.asks
    return sum(size for level, size in levels if level == snap_price)
