"""Paper execution of a taker order (optional taker escalation) against the current book.

A taker order is a limit order that takes what the book offers up to its limit and never
rests (fill-and-kill): it walks the opposite side best first, level by level, never past the
limit price and never beyond its size. Every level touched is one match, so one `Fill` per
level at that level's price, `Liquidity.TAKER`, paying the venue's taker fee on that level
(`fees.taker_fee(schedule, level price, level size)`, exact ints).

The order's life, all at the same timestamp: SUBMITTED (pending) -> ACCEPTED (the venue
takes it for matching) -> PARTIAL_FILL per level -> FILLED; or, when the walk ends before
the size (the limit or the visible depth stops it), the unfilled rest is CANCELED with
TAKER_UNFILLED. Nothing to take within the limit (an empty opposite side, or its best price
beyond the limit) is a REJECTED order with NO_LIQUIDITY and no fill.

The paper trader never mutates the venue's book: the walked levels are *not* consumed
locally. The next venue update (a `price_change` or `book`) reflects what really happened, so
paper taker fills assume no market impact beyond the walk itself (no queue jumping by others,
no refill, no latency between the decision and the match).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from astra.domain.book import TokenBook
from astra.domain.fees import taker_fee
from astra.domain.market import FeeSchedule
from astra.domain.orders import OrderEvent, OrderState, PaperOrder
from astra.domain.prices import Side
from astra.domain.reasons import OrderReason
from astra.domain.trading import Fill, Liquidity


class TakerMatch(NamedTuple):
    """One level taken: `size` micro-shares at `price` pips, paying `fee` micro-collateral."""

    price: int
    size: int
    fee: int


def within_limit(side: Side, price: int, limit: int) -> bool:
    """Whether a level at `price` may be taken by a `side` order limited at `limit`."""
    return price <= limit if side is Side.BUY else price >= limit


def match_levels(
    book: TokenBook, side: Side, limit: int, size: int, fees: FeeSchedule
) -> tuple[TakerMatch, ...]:
    """Walk the side opposite to `side` (asks for a BUY), best first, up to `limit` pips and
    `size` micro-shares. The book is only read."""
    if size < 0:
        raise ValueError(f"taker size {size} is negative")
    levels = book.asks() if side is Side.BUY else book.bids()
    remaining = size
    matches: list[TakerMatch] = []
    for price, available in levels:
        if remaining == 0 or not within_limit(side, price, limit):
            break
        take = min(available, remaining)
        if take <= 0:
            continue
        matches.append(TakerMatch(price, take, taker_fee(fees, price, take)))
        remaining -= take
    return tuple(matches)


@dataclass(frozen=True, slots=True)
class TakerExecution:
    """What executing one taker order produced: its events (journal order) and fills."""

    events: tuple[OrderEvent, ...]
    fills: tuple[Fill, ...]

    @property
    def filled(self) -> int:
        return sum(f.size for f in self.fills)

    @property
    def fee(self) -> int:
        return sum(f.fee for f in self.fills)


def execute_taker(
    order: PaperOrder,
    matches: tuple[TakerMatch, ...],
    now_ms: int,
    *,
    first_fill_seq: int,
) -> TakerExecution:
    """Run a PENDING_NEW taker `order` through `matches` (from `match_levels`).

    Fill ids are `<order id>-f<n>` with n counting up from `first_fill_seq` (the owner's fill
    counter), so they never repeat across the owner's maker and taker fills.
    """
    if order.state is not OrderState.PENDING_NEW or order.filled:
        raise ValueError(f"taker order {order.order_id} is not a new order")
    if sum(m.size for m in matches) > order.size:
        raise ValueError(f"taker matches exceed the size of {order.order_id}")
    if not matches:
        rejected = order.moved(OrderState.REJECTED)
        return TakerExecution((OrderEvent.of(rejected, OrderReason.NO_LIQUIDITY, now_ms),), ())
    events = [OrderEvent.of(order, OrderReason.SUBMITTED, now_ms)]
    current = order.moved(OrderState.RESTING)
    events.append(OrderEvent.of(current, OrderReason.ACCEPTED, now_ms))
    fills: list[Fill] = []
    for seq, match in enumerate(matches, start=first_fill_seq):
        current, reason = current.filled_by(match.size)
        events.append(OrderEvent.of(current, reason, now_ms))
        fills.append(current.fill(seq, match.price, match.size, match.fee, Liquidity.TAKER, now_ms))
    if current.remaining > 0:
        canceled = current.moved(OrderState.CANCELED)
        events.append(OrderEvent.of(canceled, OrderReason.TAKER_UNFILLED, now_ms))
    return TakerExecution(tuple(events), tuple(fills))
