"""Taker execution: walks the book level by level up to the limit, one TAKER fill per level at
the venue's taker fee, the rest canceled `taker_unfilled`; the order manager's `take` entry."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from astra.domain.book import TokenBook
from astra.domain.events import BookSnapshot, Level
from astra.domain.market import FeeSchedule, MarketInfo
from astra.domain.order_manager import OrderConfig, OrderManager
from astra.domain.orders import OrderState
from astra.domain.prices import Side, Tick
from astra.domain.reasons import OrderReason
from astra.domain.taker_fill import TakerMatch, match_levels
from astra.domain.trading import Liquidity, OrderIntent

S = 1_000_000
FEES = FeeSchedule(rate=Decimal("0.25"), exponent=1)
MARKET = MarketInfo(
    condition_id="0xfeedbeef00112233", question="q", yes_token="YES", no_token="NO",
    tick=Tick.T0_01, min_size=5 * S, fees=FEES,
)  # fmt: skip
CID = MARKET.condition_id
BIDS: tuple[Level, ...] = ((5800, 15 * S), (5700, 50 * S))
ASKS: tuple[Level, ...] = ((6000, 10 * S), (6100, 20 * S), (6300, 100 * S))
# 10 × 0.25 × 0.60 × 0.40 = 0.6; 20 × 0.25 × 0.61 × 0.39 = 1.1895; 10 × 0.25 × 0.63 × 0.37 = 0.58275
FEE_6000_10 = 600_000
FEE_6100_20 = 1_189_500
FEE_6300_10 = 582_750


def book(bids: tuple[Level, ...] = BIDS, asks: tuple[Level, ...] = ASKS) -> TokenBook:
    b = TokenBook("YES", Tick.T0_01)
    b.apply_snapshot(BookSnapshot(CID, "YES", 0, bids, asks))
    return b


def manager(*, taker_enabled: bool = True) -> OrderManager:
    config = OrderConfig(latency_mean_ms=0, taker_enabled=taker_enabled)
    return OrderManager(MARKET, config, np.random.default_rng(7))


def taker(side: Side = Side.BUY, price: int = 6300, size: int = 40 * S) -> OrderIntent:
    return OrderIntent(CID, "YES", side, price, size, "s", "taker_escalation", post_only=False)


@pytest.mark.parametrize(
    ("side", "limit", "size", "expected"),
    [
        # one level, exactly its size
        (Side.BUY, 6000, 10 * S, [(6000, 10 * S, FEE_6000_10)]),
        # several levels, the last one partly
        (
            Side.BUY,
            6300,
            40 * S,
            [(6000, 10 * S, FEE_6000_10), (6100, 20 * S, FEE_6100_20), (6300, 10 * S, FEE_6300_10)],
        ),
        # the limit stops the walk before the size
        (Side.BUY, 6200, 40 * S, [(6000, 10 * S, FEE_6000_10), (6100, 20 * S, FEE_6100_20)]),
        # smaller than the first level: 3 × 0.25 × 0.24 = 0.18
        (Side.BUY, 6300, 3 * S, [(6000, 3 * S, 180_000)]),
        # a limit below the best ask takes nothing
        (Side.BUY, 5900, 10 * S, []),
        # a SELL walks the bids down: 15 × 0.25 × 0.2436 = 0.9135; 5 × 0.25 × 0.2451 = 0.306375
        (Side.SELL, 5700, 20 * S, [(5800, 15 * S, 913_500), (5700, 5 * S, 306_380)]),
        (Side.SELL, 5800, 20 * S, [(5800, 15 * S, 913_500)]),
    ],
)
def test_walk_table(
    side: Side, limit: int, size: int, expected: list[tuple[int, int, int]]
) -> None:
    assert match_levels(book(), side, limit, size, FEES) == tuple(TakerMatch(*m) for m in expected)


@pytest.mark.parametrize(
    ("size", "fee"),
    [
        (240, 20),  # 240 µshares × 0.0625 = 15 µ: half a quantum rounds up to 20
        (200, 10),  # 12.5 µ -> 10
        (80, 0),  # 5 µ is below the venue's 0.00001: nothing
        (160, 10),  # exactly one quantum
    ],
)
def test_fee_per_level_uses_the_venue_rounding(size: int, fee: int) -> None:
    half = book(asks=((5000, 100 * S),))  # p(1 − p) = 0.25 -> 0.0625 per share
    assert match_levels(half, Side.BUY, 5000, size, FEES) == (TakerMatch(5000, size, fee),)


def test_the_walk_only_reads_the_book() -> None:
    b = book()
    before = (b.bids(), b.asks())
    match_levels(b, Side.BUY, 6300, 1_000 * S, FEES)
    assert (b.bids(), b.asks()) == before
    with pytest.raises(ValueError, match="negative"):
        match_levels(b, Side.BUY, 6300, -1, FEES)


def test_take_fills_level_by_level_as_taker() -> None:
    mgr = manager()
    b = book()
    events, fills = mgr.take(taker(), b, 1_000)
    assert [(e.state, e.reason, e.filled) for e in events] == [
        (OrderState.PENDING_NEW, OrderReason.SUBMITTED, 0),
        (OrderState.RESTING, OrderReason.ACCEPTED, 0),
        (OrderState.PARTIALLY_FILLED, OrderReason.PARTIAL_FILL, 10 * S),
        (OrderState.PARTIALLY_FILLED, OrderReason.PARTIAL_FILL, 30 * S),
        (OrderState.FILLED, OrderReason.FILLED, 40 * S),
    ]
    order_id = f"{CID[:10]}-1"
    assert {e.order_id for e in events} == {order_id}
    assert [(f.fill_id, f.price, f.size, f.fee, f.liquidity) for f in fills] == [
        (f"{order_id}-f1", 6000, 10 * S, FEE_6000_10, Liquidity.TAKER),
        (f"{order_id}-f2", 6100, 20 * S, FEE_6100_20, Liquidity.TAKER),
        (f"{order_id}-f3", 6300, 10 * S, FEE_6300_10, Liquidity.TAKER),
    ]
    assert all(f.ts_ms == 1_000 and f.side is Side.BUY for f in fills)
    assert mgr.open_orders() == []  # never rests
    assert b.asks() == list(ASKS)  # the venue's next update says what really happened


def test_take_cancels_the_unfilled_rest_and_shares_the_id_counters() -> None:
    mgr = manager()
    resting = mgr.submit(OrderIntent(CID, "YES", Side.BUY, 5800, 5 * S, "s", "r"), book(), 0)
    assert resting.reason is OrderReason.SUBMITTED
    events, fills = mgr.take(taker(price=6100), book(), 10)
    assert events[0].order_id == f"{CID[:10]}-2"
    assert [f.size for f in fills] == [10 * S, 20 * S]
    last = events[-1]
    assert (last.state, last.reason, last.filled, last.size) == (
        OrderState.CANCELED,
        OrderReason.TAKER_UNFILLED,
        30 * S,
        40 * S,
    )
    assert [o.order_id for o in mgr.open_orders()] == [resting.order_id]
    _, again = mgr.take(taker(price=6000, size=5 * S), book(), 20)
    assert [f.fill_id for f in again] == [f"{CID[:10]}-3-f3"]  # fill ids never repeat


@pytest.mark.parametrize(
    ("intent", "the_book", "enabled", "reason"),
    [
        (taker(), book(asks=()), True, OrderReason.NO_LIQUIDITY),
        (taker(price=5900), book(), True, OrderReason.NO_LIQUIDITY),
        (taker(Side.SELL, 5900), book(), True, OrderReason.NO_LIQUIDITY),
        (taker(), book(), False, OrderReason.NOT_POST_ONLY),
        (taker(size=4 * S), book(), True, OrderReason.BELOW_MIN_SIZE),
        (taker(price=6150), book(), True, OrderReason.OFF_GRID),
        (taker(price=10_000), book(), True, OrderReason.OUT_OF_BOUNDS),
        (taker(), TokenBook("YES"), True, OrderReason.BOOK_NOT_SYNCED),
    ],
)
def test_take_rejections(
    intent: OrderIntent, the_book: TokenBook, enabled: bool, reason: OrderReason
) -> None:
    events, fills = manager(taker_enabled=enabled).take(intent, the_book, 5)
    assert [(e.state, e.reason) for e in events] == [(OrderState.REJECTED, reason)]
    assert fills == []


def test_take_refuses_post_only_and_foreign_books() -> None:
    mgr = manager()
    with pytest.raises(ValueError, match="taker intents only"):
        mgr.take(OrderIntent(CID, "YES", Side.BUY, 6000, 10 * S, "s", "r"), book(), 0)
    with pytest.raises(ValueError, match="checked against"):
        mgr.take(taker(), TokenBook("NO", Tick.T0_01), 0)


def test_reason_strings() -> None:
    assert OrderReason.TAKER_UNFILLED.value == "taker_unfilled"
    assert OrderReason.NO_LIQUIDITY.value == "no_liquidity"
