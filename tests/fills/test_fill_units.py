"""The fill model's small parts: queue models, the two-leg filter, the queue state, the
account's marks."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from astra.app.scenario_account import scenario_account
from astra.domain.book import MarketBooks
from astra.domain.events import BookSnapshot, Trade
from astra.domain.market import MarketInfo
from astra.domain.match_legs import MatchLegs
from astra.domain.order_queue import QueueState
from astra.domain.prices import Side, Tick
from astra.domain.queue_models import QueueModel, QueueModelName
from astra.domain.trading import Fill, Liquidity

S = 1_000_000
INFO = MarketInfo("0x" + "12" * 32, "q", "Y", "N", Tick.T0_01, S)
AVERSE = QueueModel(QueueModelName.RISK_AVERSE)
PROB = QueueModel(QueueModelName.PROBABILISTIC)


@given(st.integers(0, 10**9), st.integers(0, 10**9), st.integers(0, 10**9), st.integers(1, 4))
def test_probabilistic_queue_is_between_zero_and_the_risk_averse_one(
    front: int, level_after: int, decrease: int, power: int
) -> None:
    averse = AVERSE.after_cancel(front, level_after, decrease)
    prob = QueueModel(QueueModelName.PROBABILISTIC, power).after_cancel(
        front, level_after, decrease
    )
    assert 0 <= prob <= averse <= front
    assert averse <= level_after


def test_probabilistic_split_by_hand() -> None:
    # front 100, 40 canceled leaving 110: back 50; 50^2 / (100^2 + 50^2) = 0.2 -> 8 from the front
    assert PROB.after_cancel(100 * S, 110 * S, 40 * S) == 92 * S
    # nothing behind us: the cap takes the whole decrease from the front
    assert PROB.after_cancel(100 * S, 30 * S, 70 * S) == 30 * S


def _trade(asset: str, side: Side, price: int, ts: int = 5) -> Trade:
    return Trade(INFO.condition_id, asset, ts, price, 60 * S, side, "t")


def test_both_legs_once_but_same_token_twins_twice() -> None:
    legs = MatchLegs(INFO)
    assert not legs.duplicate(_trade("Y", Side.BUY, 5200))
    assert legs.duplicate(_trade("N", Side.SELL, 4800))  # the NO leg of the same match
    assert not legs.duplicate(_trade("N", Side.SELL, 4800))  # a second match: counts
    assert not legs.duplicate(_trade("N", Side.SELL, 4800))  # and a third
    assert legs.duplicate(_trade("Y", Side.BUY, 5200))  # pairs with one of them
    assert not legs.duplicate(_trade("Y", Side.BUY, 5200, ts=6))  # another timestamp


def test_queue_state_nets_a_trade_and_its_level_change_in_either_order() -> None:
    start = QueueState.at_submit(100 * S)
    trade_first = start.on_trade(60 * S, 40 * S, 7, AVERSE).on_level(40 * S, 7, AVERSE, live=True)
    level_first = start.on_level(40 * S, 7, AVERSE, live=True).on_trade(60 * S, 40 * S, 7, AVERSE)
    assert trade_first.flush(AVERSE) == level_first.flush(AVERSE)
    assert trade_first.flush(AVERSE).ahead == 40 * S
    # an unexplained decrease is a cancel only once the venue clock moves on
    canceled = start.on_level(30 * S, 7, AVERSE, live=True)
    assert canceled.ahead == 100 * S
    assert canceled.settled(8, AVERSE).ahead == 30 * S


def test_account_marks_longs_at_the_bid_and_shorts_at_the_ask() -> None:
    books = MarketBooks(INFO)
    books.apply(BookSnapshot(INFO.condition_id, "Y", 1, ((4700, S),), ((5300, S),)))
    buy = Fill("f1", "o", INFO.condition_id, "Y", Side.BUY, 4800, 10 * S, 0, Liquidity.MAKER, 1)
    sell = Fill("f2", "o", INFO.condition_id, "N", Side.SELL, 5200, 5 * S, 0, Liquidity.MAKER, 1)
    account = scenario_account(100 * S, [buy, sell], books, 1)
    # cash 100 - 4.8 + 2.6 = 97.8; 10 Y at bid 0.47 = 4.7; 5 N short, no N book: 5 x 1.0 = 5
    assert account == {"cash": "97.8", "positions": {"N": "-5", "Y": "10"}, "equity": "97.5"}
