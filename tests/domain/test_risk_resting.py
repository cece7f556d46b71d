"""Resting orders count against the exposure caps: a resting order is exposure the moment it
fills. Each approval carries the market's other resting notional; the RiskState keeps what
every market last reported (plus what the approval added) and clears it on every halt."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from astra.domain.ledger import Ledger
from astra.domain.prices import Side
from astra.domain.reasons import GateVeto, HaltReason
from astra.domain.risk import RiskState
from astra.domain.risk_limits import MS_PER_DAY, RiskLimits
from astra.domain.trading import OrderIntent

USD = 1_000_000
SHARE = 1_000_000
DAY0 = 20_000 * MS_PER_DAY
# Equity 1,000: market cap 500, category cap 800, one order at most 200.
LIMITS = RiskLimits(
    market_cap_frac=0.5,
    default_category_cap_frac=0.8,
    max_order_notional=200 * USD,
    max_orders_per_window=10_000,
    cooldown_ms=0,
)


def fresh() -> RiskState:
    state = RiskState(LIMITS, Ledger(1_000 * USD), DAY0)
    return state


def buy(market: str, usd: int, resting_usd: int = 0, category: str = "crypto") -> OrderIntent:
    """A buy at 0.50 worth `usd` collateral, with `resting_usd` already resting there."""
    return OrderIntent(
        market, f"{market}-yes", Side.BUY, 5_000, 2 * usd * SHARE, "s", "test",
        category=category, resting_notional=resting_usd * USD,
    )  # fmt: skip


def test_the_markets_resting_orders_count_against_its_cap() -> None:
    state = fresh()
    assert state.check_intent(buy("m1", 100, resting_usd=400), DAY0).passed  # 500 <= 500
    verdict = state.check_intent(buy("m1", 100, resting_usd=401), DAY0)
    assert verdict.reason is GateVeto.MARKET_EXPOSURE_CAP


def test_other_markets_resting_orders_count_against_the_category_cap() -> None:
    state = fresh()
    for market in ("a", "b"):  # 400 resting in each after these approvals
        assert state.check_intent(buy(market, 100, resting_usd=300), DAY0).passed
    assert state.resting(category="crypto") == 800 * USD
    verdict = state.check_intent(buy("c", 1), DAY0)
    assert verdict.reason is GateVeto.CATEGORY_EXPOSURE_CAP
    assert state.check_intent(buy("c", 1, category="sports"), DAY0).passed  # another cap
    # Market a reports its orders gone (canceled): its figure falls with that approval.
    assert state.check_intent(buy("a", 100, resting_usd=0), DAY0).passed
    assert state.resting(category="crypto", excluding="c") == 500 * USD


def test_a_halt_clears_every_resting_figure() -> None:
    state = fresh()
    assert state.check_intent(buy("a", 200, resting_usd=200), DAY0).passed
    assert state.check_intent(buy("b", 200, resting_usd=200), DAY0).passed
    assert state.check_intent(buy("c", 1), DAY0).reason is GateVeto.CATEGORY_EXPOSURE_CAP
    state.halt(HaltReason.OPERATOR, DAY0)  # every halt cancels every resting order
    assert state.resting() == 0
    assert state.resume(DAY0 + 1, operator=True).passed
    assert state.check_intent(buy("c", 1), DAY0 + 1).passed


def test_a_negative_or_non_integer_resting_figure_is_a_veto() -> None:
    state = fresh()
    negative = buy("a", 1, resting_usd=-1)
    assert state.check_intent(negative, DAY0).reason is GateVeto.OUT_OF_RANGE_INPUT
    flag = OrderIntent("a", "y", Side.BUY, 5_000, SHARE, "s", "t", resting_notional=True)
    assert state.check_intent(flag, DAY0).reason is GateVeto.OUT_OF_RANGE_INPUT
    assert state.resting() == 0


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("abcd"), st.integers(1, 200), st.integers(0, 600)),
        min_size=1,
        max_size=40,
    )
)
def test_approved_resting_never_exceeds_a_cap(requests: list[tuple[str, int, int]]) -> None:
    """Whatever the markets ask, what the state holds as resting stays within the caps."""
    state = fresh()
    for market, usd, resting in requests:
        state.check_intent(buy(market, usd, resting_usd=resting), DAY0)
        for name in "abcd":
            assert state.resting() - state.resting(excluding=name) <= 500 * USD
        assert state.resting(category="crypto") <= 800 * USD


def test_a_fill_moves_its_notional_from_resting_to_the_position() -> None:
    from astra.domain.trading import Fill, Liquidity

    state = fresh()
    order = buy("a", 200, resting_usd=100)
    assert state.check_intent(order, DAY0).passed
    assert state.resting() == 300 * USD
    half = Fill("f1", "o1", "a", "a-yes", Side.BUY, 5_000, 200 * SHARE, 0, Liquidity.MAKER, DAY0)
    state.on_fill(half, DAY0)  # 100 USD filled: a position now, not a resting order
    assert state.resting() == 200 * USD
    assert state.exposure(market="a") == 100 * USD
