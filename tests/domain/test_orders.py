"""Order manager rules: submit validation, replace/chase/toxicity, state machine, replay."""

from __future__ import annotations

import numpy as np
import pytest

from astra.domain.book import TokenBook
from astra.domain.events import BookSnapshot, TickSizeChange, Trade
from astra.domain.market import MarketInfo
from astra.domain.order_manager import OrderConfig, OrderManager
from astra.domain.orders import TRANSITIONS, IllegalTransition, OrderState, check_transition
from astra.domain.prices import Side, Tick
from astra.domain.reasons import OrderReason
from astra.domain.toxicity import SpreadRegime
from astra.domain.trading import OrderIntent

S = 1_000_000
MARKET = MarketInfo(
    condition_id="0xfeedbeef00112233", question="q", yes_token="YES", no_token="NO",
    tick=Tick.T0_01, min_size=5 * S,
)  # fmt: skip
CID = MARKET.condition_id


def book() -> TokenBook:
    b = TokenBook("YES", Tick.T0_01)
    b.apply_snapshot(BookSnapshot(CID, "YES", 0, ((4800, 100 * S),), ((5200, 100 * S),)))
    return b


def manager(**kw: object) -> OrderManager:
    config = OrderConfig(latency_mean_ms=0, **kw)  # type: ignore[arg-type]
    return OrderManager(MARKET, config, np.random.default_rng(7))


def intent(
    side: Side = Side.BUY,
    price: int = 4800,
    size: int = 10 * S,
    *,
    market: str = CID,
    post_only: bool = True,
) -> OrderIntent:
    return OrderIntent(market, "YES", side, price, size, "s", "r", post_only=post_only)


@pytest.mark.parametrize(
    ("order", "reason"),
    [
        (intent(Side.BUY, 5200), OrderReason.WOULD_CROSS),
        (intent(Side.BUY, 5300), OrderReason.WOULD_CROSS),
        (intent(Side.SELL, 4800), OrderReason.WOULD_CROSS),
        (intent(size=4 * S), OrderReason.BELOW_MIN_SIZE),
        (intent(size=0), OrderReason.BELOW_MIN_SIZE),
        (intent(price=4850), OrderReason.OFF_GRID),
        (intent(price=0), OrderReason.OUT_OF_BOUNDS),
        (intent(Side.SELL, 10_000), OrderReason.OUT_OF_BOUNDS),
        (intent(post_only=False), OrderReason.NOT_POST_ONLY),
        (intent(market="0xother"), OrderReason.UNKNOWN_ASSET),
    ],
)
def test_submit_rejections(order: OrderIntent, reason: OrderReason) -> None:
    mgr = manager()
    event = mgr.submit(order, book(), 5)
    assert (event.state, event.reason) == (OrderState.REJECTED, reason)
    assert mgr.open_orders() == []


def test_exact_reason_strings() -> None:
    assert OrderReason.WOULD_CROSS == "would_cross"
    assert OrderReason.TOXIC_NO_IMPROVE == "toxic_no_improve"
    assert OrderReason.CHASE_LIMIT == "chase_limit"
    assert OrderReason.BOOK_NOT_SYNCED == "book_not_synced"
    assert OrderState.PARTIALLY_FILLED == "partially_filled"


def test_unsynced_book_rejects() -> None:
    event = manager().submit(intent(), TokenBook("YES", Tick.T0_01), 5)
    assert event.reason is OrderReason.BOOK_NOT_SYNCED


def test_submit_accepts_and_ids_are_deterministic() -> None:
    mgr = manager()
    first = mgr.submit(intent(), book(), 5)
    second = mgr.submit(intent(price=4700), book(), 6)
    assert (first.state, first.reason) == (OrderState.PENDING_NEW, OrderReason.SUBMITTED)
    assert (first.order_id, second.order_id) == ("0xfeedbeef-1", "0xfeedbeef-2")
    order = mgr.order(first.order_id)
    assert order is not None
    assert (order.queue_ahead, order.expires_ms) == (100 * S, 5 + 120_000)


def test_toxic_or_wide_never_improves_but_may_back_off() -> None:
    for toxic, regime in ((True, SpreadRegime.TIGHT), (False, SpreadRegime.WIDE),
                          (False, SpreadRegime.BROKEN)):  # fmt: skip
        mgr = manager()
        oid = mgr.submit(intent(), book(), 0).order_id
        events = mgr.replace(oid, 4900, 1, book=book(), toxic=toxic, regime=regime)
        assert [(e.state, e.reason) for e in events] == [
            (OrderState.CANCELED, OrderReason.TOXIC_NO_IMPROVE)
        ]
        assert mgr.open_orders() == []
    mgr = manager()
    oid = mgr.submit(intent(), book(), 0).order_id
    events = mgr.replace(oid, 4700, 1, book=book(), toxic=True, regime=SpreadRegime.BROKEN)
    assert [e.reason for e in events] == [OrderReason.REPLACED, OrderReason.SUBMITTED]
    assert events[1].replaces == oid


def test_chase_is_bounded_from_the_first_order_of_the_chain() -> None:
    mgr = manager(max_chase_ticks=3)
    oid = mgr.submit(intent(price=4500), book(), 0).order_id
    for step, price in enumerate((4600, 4700, 4800), start=1):
        events = mgr.replace(oid, price, step, book=book(), toxic=False, regime=SpreadRegime.TIGHT)
        assert events[-1].reason is OrderReason.SUBMITTED
        oid = events[-1].order_id
    # 4900 is 4 ticks from the original 4500, though only 1 from the last order.
    events = mgr.replace(oid, 4900, 9, book=book(), toxic=False, regime=SpreadRegime.TIGHT)
    assert [(e.state, e.reason) for e in events] == [(OrderState.CANCELED, OrderReason.CHASE_LIMIT)]


def test_replace_gets_new_ttl_and_cross_check() -> None:
    mgr = manager(ttl_ms=1000, max_chase_ticks=10)
    oid = mgr.submit(intent(), book(), 0).order_id
    events = mgr.replace(oid, 4700, 900, book=book(), toxic=False, regime=SpreadRegime.TIGHT)
    new = mgr.order(events[1].order_id)
    assert new is not None
    assert new.expires_ms == 1900
    # Nothing expires at the old order's deadline; the new order merely goes live.
    assert [e.reason for e in mgr.sweep(1000)] == [OrderReason.ACCEPTED]
    tight = SpreadRegime.TIGHT
    crossing = mgr.replace(new.order_id, 5200, 1001, book=book(), toxic=False, regime=tight)
    assert [e.reason for e in crossing] == [OrderReason.REPLACED, OrderReason.WOULD_CROSS]
    assert mgr.replace("0xfeedbeef-99", 4700, 1, book=book(), toxic=False, regime=tight) == []
    assert [e.reason for e in mgr.sweep(1900)] == []


def test_stale_cancel_and_refresh() -> None:
    mgr = manager(stale_ms=500)
    oid = mgr.submit(intent(), book(), 0).order_id
    assert [e.reason for e in mgr.sweep(0)] == [OrderReason.ACCEPTED]
    assert mgr.refresh(oid, 400)
    assert mgr.sweep(899) == []
    assert [(e.state, e.reason) for e in mgr.sweep(900)] == [
        (OrderState.CANCELED, OrderReason.STALE)
    ]
    assert not mgr.refresh(oid, 901)
    assert mgr.cancel(oid, OrderReason.STRATEGY_CANCEL, 902) is None


def test_cancel_all_and_tick_size_change() -> None:
    mgr = manager()
    mgr.submit(intent(), book(), 0)
    mgr.submit(intent(Side.SELL, 5300), book(), 0)
    tsc = TickSizeChange(CID, "YES", 1, Tick.T0_01, Tick.T0_001)
    events = mgr.on_tick_size_change(tsc, 1)
    assert [e.reason for e in events] == [OrderReason.TICK_SIZE_CHANGE] * 2
    mgr.submit(intent(), book(), 2)
    assert [e.reason for e in mgr.cancel_all(OrderReason.HALT, 3)] == [OrderReason.HALT]


def test_state_machine_refuses_illegal_transitions() -> None:
    for state in (OrderState.FILLED, OrderState.CANCELED, OrderState.EXPIRED, OrderState.REJECTED):
        assert state.terminal
        with pytest.raises(IllegalTransition):
            check_transition(state, OrderState.RESTING)
    with pytest.raises(IllegalTransition):
        check_transition(OrderState.PENDING_NEW, OrderState.FILLED)
    assert set(TRANSITIONS) == set(OrderState)


def _replay(seed: int) -> list[object]:
    mgr = OrderManager(MARKET, OrderConfig(latency_mean_ms=50), np.random.default_rng(seed))
    out: list[object] = []
    for i in range(20):
        out.append(mgr.submit(intent(price=4800 - 100 * (i % 3)), book(), i * 10))
        trade = Trade(CID, "YES", i * 10 + 5, 4800 - 100 * (i % 2), 60 * S, Side.SELL, str(i))
        out.extend(mgr.on_trade(trade, i * 10 + 5))
        out.extend(mgr.sweep(i * 10 + 6))
    return out


def test_same_seed_replays_identically() -> None:
    first, second = _replay(11), _replay(11)
    assert first == second
    assert any(getattr(x, "fee", None) is not None for x in first)  # some fills happened
    assert _replay(12) != first  # the latency draw depends on the seed


@pytest.mark.parametrize("state", list(OrderState))
def test_terminal_and_live_follow_the_transition_table(state: OrderState) -> None:
    assert state.terminal == (not TRANSITIONS[state])
    assert state.live == (state in (OrderState.RESTING, OrderState.PARTIALLY_FILLED))


def test_resting_notional_is_what_the_open_orders_add_if_they_fill() -> None:
    mgr = manager()
    assert mgr.resting_notional() == 0
    mgr.submit(intent(Side.BUY, 4800, 10 * S), book(), 0)  # 10 shares at 0.48: 4.80
    mgr.submit(intent(Side.SELL, 5300, 10 * S), book(), 0)  # a sell at 0.53 buys NO at 0.47
    assert mgr.resting_notional() == 4_800_000 + 4_700_000
    mgr.cancel_all(OrderReason.STRATEGY_CANCEL, 1)
    assert mgr.resting_notional() == 0
