"""Paper fill model with queue position (the NautilusTrader approach).

* At acceptance the visible size at the order's price on its side is the queue ahead
  (our paper order is not on the venue, so the visible size never includes it).
* A trade at our price by the opposite aggressor consumes the queue first; only the
  excess fills us (partially, if the excess is smaller than what we have left).
* A trade *through* our level (a taker sold below our bid / bought above our ask) means
  the whole level traded: we fill up to the traded size and the queue is gone.
* Size removed from the level (cancels): the rule is "cancels come from behind us first"
  (pessimistic). The queue only shrinks when the level's visible size falls below it:
  queue_ahead = min(queue_ahead, visible size). Increases join behind us.
* Before the order is live (latency window) the whole visible level is ahead of us, so
  the queue tracks the visible size exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from astra.domain.prices import Side


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


def queue_after_level_change(queue_ahead: int, visible_size: int, *, live: bool) -> int:
    """New queue ahead after the level's visible size became `visible_size`."""
    if not live:
        return visible_size
    return min(queue_ahead, visible_size)


def draw_latency_ms(rng: np.random.Generator, mean_ms: float, min_ms: int) -> int:
    """Submit-to-live latency: `min_ms` plus an exponential draw (seeded, reproducible)."""
    if mean_ms <= 0:
        return min_ms
    return min_ms + int(rng.exponential(mean_ms))
