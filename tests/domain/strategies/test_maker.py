"""Scenario tests: the maker skews with inventory, widens with toxicity, withdraws when toxic."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from astra.domain.events import Trade
from astra.domain.prices import Side, Tick, on_grid
from astra.domain.reasons import GateVeto
from astra.domain.strategies import DecisionAction, MarketView, QuoteTarget, RestingQuote
from astra.domain.strategies.maker import MakerConfig, MakerStrategy
from astra.domain.toxicity import SpreadRegime

from .scenario import INFO, NOW_MS, SHARE, token, view

SKEWED = MakerConfig(sigma2_default=1e-5)  # q·γ·σ²·τ = 0.06 at 100 shares


def quotes(decision: Any) -> dict[str, QuoteTarget]:
    return {t.asset_id: t for t in decision.targets}


def maker_view(bid: int = 4900, ask: int = 5100, **kw: Any) -> MarketView:
    return view(bid, ask, **({"spot": None, "toxicity_score": 0.0} | kw))


def test_flat_inventory_quotes_both_sides_symmetrically() -> None:
    decision = MakerStrategy().evaluate(maker_view(), NOW_MS)
    assert decision.action is DecisionAction.QUOTE
    q = quotes(decision)
    assert q["yes"].price == q["no"].price == 4800  # r ± δ ≈ 0.5 ± 0.01, rounded down
    assert all(t.side is Side.BUY and t.post_only for t in q.values())
    analysis = decision.payload()["analysis"]
    assert analysis["reservation"] == pytest.approx(0.5)
    assert analysis["k_source"] == "default"
    assert q["yes"].edge_pips == 200
    assert q["yes"].size == 10 * SHARE


def test_long_inventory_skews_quotes_down_and_short_skews_up() -> None:
    flat = quotes(MakerStrategy(SKEWED).evaluate(maker_view(), NOW_MS))
    long = MakerStrategy(SKEWED).evaluate(maker_view(yes_position=100 * SHARE), NOW_MS)
    short = MakerStrategy(SKEWED).evaluate(maker_view(no_position=100 * SHARE), NOW_MS)
    assert long.payload()["analysis"]["reservation"] == pytest.approx(0.44)
    assert short.payload()["analysis"]["reservation"] == pytest.approx(0.56)
    lq, sq = quotes(long), quotes(short)
    # Long YES: bid YES lower, offer YES (= bid NO) cheaper, i.e. bid NO higher.
    assert lq["yes"].price < flat["yes"].price
    assert lq["no"].price > flat["no"].price
    assert sq["yes"].price > flat["yes"].price
    assert sq["no"].price < flat["no"].price
    # Never at or through the far touch, however strong the skew.
    assert lq["no"].price < 5100
    assert sq["yes"].price < 5100


def test_holdings_of_both_tokens_net() -> None:
    netted = MakerStrategy(SKEWED).evaluate(
        maker_view(yes_position=150 * SHARE, no_position=150 * SHARE), NOW_MS
    )
    assert netted.payload()["analysis"]["q_shares"] == 0
    assert netted.payload()["analysis"]["reservation"] == pytest.approx(0.5)


def test_inventory_cap_stops_the_side_that_would_grow_it() -> None:
    capped = MakerConfig(inventory_cap=100 * SHARE)
    at_cap = MakerStrategy(capped).evaluate(maker_view(yes_position=100 * SHARE), NOW_MS)
    assert set(quotes(at_cap)) == {"no"}
    assert at_cap.payload()["analysis"]["sides"]["yes"]["veto"] == "inventory_cap"
    near = MakerStrategy(capped).evaluate(maker_view(no_position=93 * SHARE), NOW_MS)
    assert quotes(near)["no"].size == 7 * SHARE  # cut to the room left
    assert quotes(near)["yes"].size == 10 * SHARE
    tight = MakerStrategy(replace(capped, inventory_cap=3 * SHARE))
    both = tight.evaluate(maker_view(resting=_RESTING), NOW_MS)
    assert (both.action, both.veto) == (DecisionAction.WITHDRAW, GateVeto.INVENTORY_CAP)


def test_spread_widens_with_the_toxicity_score() -> None:
    fine = replace(INFO, tick=Tick.T0_001)
    calm = MakerStrategy().evaluate(maker_view(toxicity_score=0.0, info=fine), NOW_MS)
    nervous = MakerStrategy().evaluate(maker_view(toxicity_score=0.6, info=fine), NOW_MS)
    assert nervous.payload()["analysis"]["half_spread"] == pytest.approx(
        1.6 * calm.payload()["analysis"]["half_spread"]
    )
    assert (quotes(calm)["yes"].price, quotes(nervous)["yes"].price) == (4890, 4830)
    assert quotes(nervous)["no"].price < quotes(calm)["no"].price


_RESTING = (RestingQuote("o1", "yes", Side.BUY, 4800, 10 * SHARE),)


@pytest.mark.parametrize(
    ("changes", "veto"),
    [
        ({"yes": token("yes", 4900, 5100, toxic=True)}, GateVeto.TOXIC),
        ({"no": token("no", 4900, 5100, regime=SpreadRegime.WIDE)}, GateVeto.SPREAD_REGIME),
        ({"yes": token("yes", 4900, 5100, regime=SpreadRegime.BROKEN)}, GateVeto.SPREAD_REGIME),
        ({"halted": True}, GateVeto.HALTED),
        ({"resolved": True}, GateVeto.MARKET_CLOSED),
    ],
)
def test_withdraws_when_toxic_wide_broken_halted_or_resolved(
    changes: dict[str, Any], veto: GateVeto
) -> None:
    decision = MakerStrategy().evaluate(maker_view(resting=_RESTING, **changes), NOW_MS)
    assert (decision.action, decision.veto, decision.targets) == (
        DecisionAction.WITHDRAW,
        veto,
        (),
    )


def test_past_the_market_end_skips_as_expired() -> None:
    assert INFO.end_date_ms is not None
    late = INFO.end_date_ms + 1
    fresh = maker_view(
        yes=token("yes", 4900, 5100, last_update_ms=late),
        no=token("no", 4900, 5100, last_update_ms=late),
    )
    assert MakerStrategy().evaluate(fresh, late).veto is GateVeto.EXPIRED


def _trades(n: int, price: int, start: int = 0) -> tuple[Trade, ...]:
    return tuple(
        Trade(INFO.condition_id, "yes", NOW_MS, price, SHARE, Side.BUY, f"t{start + i}")
        for i in range(n)
    )


def test_arrival_intensity_from_trades_sets_the_spread() -> None:
    maker = MakerStrategy()
    near = maker.evaluate(maker_view(trades=_trades(20, 5100)), NOW_MS)
    analysis = near.payload()["analysis"]
    assert analysis["k_source"] == "trades"
    assert analysis["k"] == pytest.approx(1 / 0.01)  # trades print 1¢ from the mid
    far_maker = MakerStrategy()
    far = far_maker.evaluate(maker_view(trades=_trades(20, 5400)), NOW_MS)
    assert far.payload()["analysis"]["k"] == pytest.approx(1 / 0.04)
    assert far.payload()["analysis"]["half_spread"] > analysis["half_spread"]
    # The same trades seen again (a repeated view) do not count twice.
    again = maker.evaluate(maker_view(trades=_trades(20, 5100)), NOW_MS)
    assert again.payload()["analysis"]["trades"] == 20


def test_finer_grid_quotes_on_the_live_tick() -> None:
    fine = replace(INFO, tick=Tick.T0_001)
    decision = MakerStrategy().evaluate(maker_view(4990, 5010, info=fine), NOW_MS)
    for target in decision.targets:
        assert on_grid(target.price, Tick.T0_001)
        assert not on_grid(target.price, Tick.T0_01) or target.price % 100 == 0
    assert quotes(decision)["yes"].price == 4890


@settings(max_examples=200, deadline=None)
@given(
    bid=st.integers(1, 98).map(lambda c: c * 100),
    spread=st.integers(1, 3),
    q=st.integers(-300, 300),
    tox=st.floats(0.0, 1.0),
)
def test_maker_never_quotes_at_or_through_the_far_touch(
    bid: int, spread: int, q: int, tox: float
) -> None:
    ask = min(bid + spread * 100, 9900)
    if ask <= bid:
        return
    position = {"yes_position": q * SHARE} if q > 0 else {"no_position": -q * SHARE}
    market = maker_view(bid, ask, toxicity_score=tox, **position)
    decision = MakerStrategy(SKEWED).evaluate(market, NOW_MS)
    asks = {t.asset_id: t.best_ask for t in market.tokens}
    for target in decision.targets:
        far = asks[target.asset_id]
        assert far is not None
        assert target.price < far[0]
        assert on_grid(target.price, INFO.tick)
        assert 100 <= target.price <= 9900
        assert target.size >= INFO.min_size
    assert decision.action is DecisionAction.QUOTE or decision.veto is not None
