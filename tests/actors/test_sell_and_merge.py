"""Selling held inventory through the MarketState, the refusal of naked sells, and merges.

A small strategy asks for exactly the targets a test gives it (the code under test is the
MarketState's gates, its fill path and its merge). SELL orders fill through today's fill
model when a taker buys at or through the offer.
"""

from __future__ import annotations

from dataclasses import replace

from astra.actors.market_state import MarketConfig, MarketState
from astra.domain.events import BookSnapshot, Trade
from astra.domain.journal_record import RecordKind
from astra.domain.order_manager import OrderConfig
from astra.domain.prices import SIZE_SCALE, Side, Tick
from astra.domain.strategies import DecisionAction, MarketView, QuoteTarget, StrategyDecision
from tests.actors.test_contract_required_property import INFO, T0, _contract
from tests.actors.trading_support import Risk, Sink

YES, NO = INFO.yes_token, INFO.no_token


class Fixed:
    """Quotes `targets` (set by the test) on every evaluation."""

    name = "fixed"

    def __init__(self) -> None:
        self.targets: tuple[QuoteTarget, ...] = ()

    def evaluate(self, view: MarketView, now_ms: int) -> StrategyDecision:
        return StrategyDecision(self.name, DecisionAction.QUOTE, targets=self.targets)


def _target(asset: str, side: Side, price: int, shares: int) -> QuoteTarget:
    return QuoteTarget(asset, side, price, shares * SIZE_SCALE, "test", edge_pips=100)


def _setup() -> tuple[MarketState, Fixed, Sink, Risk]:
    strategy, journal, risk = Fixed(), Sink(), Risk()
    state = MarketState(
        INFO,
        strategy,
        journal,
        risk,
        MarketConfig(orders=OrderConfig(latency_mean_ms=0)),
        contract=_contract(T0 + 86_400_000),
    )
    for asset in (YES, NO):
        snap = BookSnapshot(
            INFO.condition_id,
            asset,
            T0,
            ((4_800, 100 * SIZE_SCALE),),
            ((5_200, 100 * SIZE_SCALE),),
            tick=Tick.T0_01,
        )
        state.on_event(snap, T0)
    return state, strategy, journal, risk


def _trade(state: MarketState, asset: str, price: int, taker: Side, n: int, at: int) -> None:
    state.on_event(Trade(INFO.condition_id, asset, at, price, 50 * SIZE_SCALE, taker, f"t{n}"), at)


def _buy_yes(state: MarketState, strategy: Fixed, shares: int) -> None:
    strategy.targets = (_target(YES, Side.BUY, 5_000, shares),)
    state.evaluate(T0 + 1)
    _trade(state, YES, 4_900, Side.SELL, 1, T0 + 2)  # a taker sells through our bid
    assert state.positions.held(YES) == shares * SIZE_SCALE


def test_selling_more_than_is_held_is_refused_with_its_reason() -> None:
    state, strategy, journal, risk = _setup()
    _buy_yes(state, strategy, 10)
    asked = len(risk.asked)
    strategy.targets = (_target(YES, Side.SELL, 5_100, 20),)
    state.evaluate(T0 + 3)
    gates = journal.of(RecordKind.DECISION)[-1]["gates"]
    assert [g["reason"] for g in gates] == [None, "sell_exceeds_held"]
    assert len(risk.asked) == asked  # refused before the risk gate
    assert not [o for o in state.orders.open_orders() if o.side is Side.SELL]


def test_a_held_token_is_sold_and_the_sell_fills_through_todays_model() -> None:
    state, strategy, journal, risk = _setup()
    _buy_yes(state, strategy, 10)
    strategy.targets = (_target(YES, Side.SELL, 5_100, 6),)
    state.evaluate(T0 + 3)
    (sell,) = state.orders.open_orders()
    assert (sell.side, sell.price) == (Side.SELL, 5_100)
    # A second SELL of what is already offered is refused too: 6 of 10 are on offer.
    strategy.targets = (_target(YES, Side.SELL, 5_100, 6), _target(YES, Side.SELL, 5_150, 5))
    state.evaluate(T0 + 4)
    assert len(state.orders.open_orders()) == 1
    # A taker buys through our offer: the SELL fills, the position falls.
    _trade(state, YES, 5_200, Side.BUY, 2, T0 + 5)
    sells = [f for f in risk.fills if f.side is Side.SELL]
    assert [(f.asset_id, f.price, f.size) for f in sells] == [(YES, 5_100, 6 * SIZE_SCALE)]
    assert state.positions.held(YES) == 4 * SIZE_SCALE
    filled = [p for p in journal.of(RecordKind.FILL) if p["side"] == "SELL"]
    assert len(filled) == 1


def test_completed_pairs_merge_and_an_oversized_sell_is_canceled() -> None:
    state, strategy, journal, _ = _setup()
    _buy_yes(state, strategy, 10)
    # The offer sits at 0.53: a NO taker selling at 0.48 is a YES buyer at 0.52 (one queue
    # across both tokens), who would also have lifted an offer at 0.52 or below.
    strategy.targets = (_target(YES, Side.SELL, 5_300, 10), _target(NO, Side.BUY, 4_900, 10))
    state.evaluate(T0 + 3)
    assert len(state.orders.open_orders()) == 2
    strategy.targets = ()
    _trade(state, NO, 4_800, Side.SELL, 3, T0 + 4)  # our NO bid fills: 10 pairs
    assert (state.positions.held(YES), state.positions.held(NO)) == (0, 0)
    assert state.positions.merged == 10 * SIZE_SCALE
    canceled = [p for p in journal.of(RecordKind.ORDER_EVENT) if p["reason"] == "inventory_merged"]
    assert [(c["asset_id"], c["side"]) for c in canceled] == [(YES, "SELL")]
    assert state.orders.open_orders() == []


def test_every_intent_carries_the_markets_event_group() -> None:
    info = replace(INFO, event_id="0x" + "5e" * 32, neg_risk=True)
    strategy, risk = Fixed(), Risk()
    state = MarketState(
        info,
        strategy,
        Sink(),
        risk,
        MarketConfig(orders=OrderConfig(latency_mean_ms=0)),
        contract=_contract(T0 + 86_400_000),
    )
    snap = BookSnapshot(
        info.condition_id,
        YES,
        T0,
        ((4_800, 100 * SIZE_SCALE),),
        ((5_200, 100 * SIZE_SCALE),),
        tick=Tick.T0_01,
    )
    state.on_event(snap, T0)
    strategy.targets = (_target(YES, Side.BUY, 5_000, 10),)
    state.evaluate(T0 + 1)
    assert [i.event_id for i in risk.asked] == ["0x" + "5e" * 32]
