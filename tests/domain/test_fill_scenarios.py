"""Hand-computed paper-fill scenarios: queue position, latency, replace, TTL, fees, settlement.

Book before every scenario (tick 0.01, sizes in shares): bids 0.48 x 100, 0.47 x 50;
asks 0.52 x 100. Fee schedule: rate 0.07, exponent 1, taker-only, rebate 20 %.
Each row is a script of operations and the exact fills (size, fee in micro-collateral)
and final order state it must produce.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pytest

from astra.domain.book import MarketBooks
from astra.domain.events import BookSnapshot, LevelChange, PriceChange, Trade
from astra.domain.market import FeeSchedule, MarketInfo
from astra.domain.order_manager import OrderConfig, OrderManager
from astra.domain.orders import OrderState
from astra.domain.prices import Side, Tick
from astra.domain.reasons import OrderReason
from astra.domain.settlement import settlement_payout
from astra.domain.toxicity import SpreadRegime
from astra.domain.trading import OrderIntent, Settlement

S = 1_000_000  # one share in micro-shares
FEES = FeeSchedule(rate=Decimal("0.07"), exponent=1, taker_only=True, rebate_rate=Decimal("0.2"))
MARKET = MarketInfo(
    condition_id="0xfeedbeef00112233", question="q", yes_token="YES", no_token="NO",
    tick=Tick.T0_01, min_size=5 * S, fees=FEES,
)  # fmt: skip
B, SL = Side.BUY, Side.SELL


@dataclass(frozen=True)
class Scenario:
    name: str
    ops: tuple[tuple[object, ...], ...]
    fills: tuple[tuple[int, int], ...]  # (size micro-shares, fee micro-collateral)
    state: OrderState | None  # final state of the last submitted order (None: purged)
    rebate: bool = False
    latency_ms: int = 0
    payout: int | None = None  # settlement payout of everything filled, if settled


def fresh_books() -> MarketBooks:
    books = MarketBooks(MARKET)
    books.apply(
        BookSnapshot("0xfeedbeef00112233", "YES", 0, ((4800, 100 * S), (4700, 50 * S)),
                     ((5200, 100 * S),))
    )  # fmt: skip
    return books


SCENARIOS = [
    Scenario("queue consumed partly: no fill",
             (("buy", 4800, 10), ("trade", 4800, 60, SL, 1)), (), OrderState.RESTING),
    Scenario("queue consumed exactly, then the next trade fills",
             (("buy", 4800, 10), ("trade", 4800, 100, SL, 1), ("trade", 4800, 4, SL, 2)),
             ((4 * S, 0),), OrderState.PARTIALLY_FILLED),
    Scenario("excess over the queue fills partly",
             (("buy", 4800, 10), ("trade", 4800, 104, SL, 1)), ((4 * S, 0),),
             OrderState.PARTIALLY_FILLED),
    Scenario("excess larger than the order fills it",
             (("buy", 4800, 10), ("trade", 4800, 130, SL, 1)), ((10 * S, 0),), None),
    Scenario("trade through the level fills up to the traded size",
             (("buy", 4800, 10), ("trade", 4700, 7, SL, 1)), ((7 * S, 0),),
             OrderState.PARTIALLY_FILLED),
    Scenario("same-side aggressor at our price never fills us",
             (("buy", 4800, 10), ("trade", 4800, 500, B, 1)), (), OrderState.RESTING),
    Scenario("size removed ahead shrinks the queue to the visible size",
             (("buy", 4800, 10), ("level", B, 4800, 30, 1), ("trade", 4800, 35, SL, 2)),
             ((5 * S, 0),), OrderState.PARTIALLY_FILLED),
    Scenario("size added joins behind us",
             (("buy", 4800, 10), ("level", B, 4800, 150, 1), ("trade", 4800, 110, SL, 2)),
             ((10 * S, 0),), None),
    Scenario("replace goes to the back of the queue",
             (("buy", 4800, 10), ("trade", 4800, 100, SL, 1), ("level", B, 4800, 100, 2),
              ("replace", 4800, 3), ("trade", 4800, 5, SL, 4)), (), OrderState.RESTING),
    Scenario("latency window: trades before the order is live do not fill",
             (("buy", 4800, 10), ("trade", 4800, 500, SL, 50), ("level", B, 4800, 40, 60),
              ("trade", 4800, 42, SL, 100)), ((2 * S, 0),), OrderState.PARTIALLY_FILLED,
             latency_ms=100),
    Scenario("partial fill then cancel keeps the filled part",
             (("buy", 4800, 10), ("trade", 4800, 104, SL, 1), ("cancel", 2)),
             ((4 * S, 0),), None),
    Scenario("TTL expiry: no fill after expiry",
             (("buy", 4800, 10), ("sweep", 119_999), ("sweep", 120_000),
              ("trade", 4700, 50, SL, 120_001)), (), None),
    Scenario("sell side: taker buys consume the ask queue",
             (("sell", 5200, 10), ("trade", 5200, 105, B, 1)), ((5 * S, 0),),
             OrderState.PARTIALLY_FILLED),
    Scenario("maker rebate: 10 @ 0.48 -> taker fee 0.17472, 20 % = 0.03494",
             (("buy", 4800, 10), ("trade", 4700, 10, SL, 1)), ((10 * S, -34_940),), None,
             rebate=True),
    Scenario("maker pays no fee without a rebate",
             (("buy", 4800, 10), ("trade", 4700, 10, SL, 1)), ((10 * S, 0),), None),
    Scenario("settlement win: 10 YES pay 10",
             (("buy", 4800, 10), ("trade", 4700, 10, SL, 1), ("settle", "YES")),
             ((10 * S, 0),), None, payout=10 * S),
    Scenario("settlement loss: 10 YES pay 0",
             (("buy", 4800, 10), ("trade", 4700, 10, SL, 1), ("settle", "NO")),
             ((10 * S, 0),), None, payout=0),
    Scenario("two own orders never fill twice from the same volume",
             (("buy", 4800, 10), ("buy", 4800, 10), ("trade", 4800, 105, SL, 1)),
             ((5 * S, 0),), OrderState.RESTING),
]  # fmt: skip


def _run(sc: Scenario) -> tuple[list[tuple[int, int]], OrderManager, str, int | None]:
    config = OrderConfig(latency_mean_ms=0, latency_min_ms=sc.latency_ms, rebate=sc.rebate)
    mgr = OrderManager(MARKET, config, np.random.default_rng(1))
    books = fresh_books()
    book = books.yes
    fills: list[tuple[int, int]] = []
    last_id = ""
    payout: int | None = None
    for op in sc.ops:
        kind = op[0]
        if kind in ("buy", "sell"):
            side = B if kind == "buy" else SL
            intent = OrderIntent(MARKET.condition_id, "YES", side, op[1], op[2] * S, "t", "r")  # type: ignore[arg-type, operator]
            event = mgr.submit(intent, book, 0)
            assert event.state is OrderState.PENDING_NEW
            last_id = event.order_id
        elif kind == "trade":
            _, price, size, taker, now = op
            trade = Trade(MARKET.condition_id, "YES", now, price, size * S, taker, "x")  # type: ignore[arg-type, operator]
            fills += [(f.size, f.fee) for f in mgr.on_trade(trade, now)]  # type: ignore[arg-type]
        elif kind == "level":
            _, side, price, size, now = op
            change = LevelChange("YES", side, price, size * S)  # type: ignore[arg-type, operator]
            event = PriceChange(MARKET.condition_id, now, (change,))  # type: ignore[arg-type]
            books.apply(event)
            mgr.on_book_change(event, books, now)  # type: ignore[arg-type]
        elif kind == "replace":
            events = mgr.replace(last_id, op[1], op[2], book=book, toxic=False,  # type: ignore[arg-type]
                                 regime=SpreadRegime.TIGHT)  # fmt: skip
            assert [e.reason for e in events] == [OrderReason.REPLACED, OrderReason.SUBMITTED]
            last_id = events[1].order_id
        elif kind == "cancel":
            event = mgr.cancel(last_id, OrderReason.STRATEGY_CANCEL, op[1])  # type: ignore[arg-type]
            assert event is not None
        elif kind == "sweep":
            mgr.sweep(op[1])  # type: ignore[arg-type]
        elif kind == "settle":
            loser = "NO" if op[1] == "YES" else "YES"
            settled = Settlement(MARKET.condition_id, op[1], loser, 9)  # type: ignore[arg-type]
            payout = settlement_payout("YES", sum(size for size, _ in fills), settled)
    return fills, mgr, last_id, payout


@pytest.mark.parametrize("sc", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_fill_scenario(sc: Scenario) -> None:
    fills, mgr, last_id, payout = _run(sc)
    assert fills == list(sc.fills)
    order = mgr.order(last_id)
    assert (order.state if order else None) == sc.state
    assert payout == sc.payout


def test_scenario_table_is_big_enough() -> None:
    assert len(SCENARIOS) >= 12


def test_partial_fill_then_cancel_events() -> None:
    sc = SCENARIOS[10]
    config = OrderConfig(latency_mean_ms=0)
    mgr = OrderManager(MARKET, config, np.random.default_rng(1))
    book = fresh_books().yes
    sub = mgr.submit(OrderIntent(MARKET.condition_id, "YES", B, 4800, 10 * S, "t", "r"), book, 0)
    mgr.on_trade(Trade(MARKET.condition_id, "YES", 1, 4800, 104 * S, SL, "x"), 1)
    cancel = mgr.cancel(sub.order_id, OrderReason.STRATEGY_CANCEL, 2)
    events = mgr.sweep(3)
    assert [(e.state, e.reason, e.filled) for e in events] == [
        (OrderState.RESTING, OrderReason.ACCEPTED, 0),
        (OrderState.PARTIALLY_FILLED, OrderReason.PARTIAL_FILL, 4 * S),
    ]
    assert cancel is not None
    assert (cancel.state, cancel.reason, cancel.filled) == (
        OrderState.CANCELED, OrderReason.STRATEGY_CANCEL, 4 * S,
    )  # fmt: skip
    assert sc.fills == ((4 * S, 0),)
