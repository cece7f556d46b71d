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
    # Edge is over the independent fair value, not the reservation price: the microprice
    # 0.5 less the adverse-selection bound before any markout (prior 0.002 + 1 sd/sqrt(5)).
    assert analysis["fair_value"]["microprice"] == pytest.approx(0.5)
    assert analysis["adverse_selection"]["measured"] == 0
    assert analysis["fair_value"]["lower"] == pytest.approx(0.5 - 0.002 - 0.01 / 5**0.5)
    assert q["yes"].edge_pips == q["no"].edge_pips == 135  # floor((0.49353 - 0.48) * 1e4)
    assert q["yes"].size == 10 * SHARE
    assert (analysis["bid"]["chosen"], analysis["ask"]["chosen"]) == ("as_bid", "as_ask_via_no")


def by_leg(decision: Any) -> dict[tuple[str, Side], QuoteTarget]:
    return {(t.asset_id, t.side): t for t in decision.targets}


def test_long_inventory_skews_quotes_down_and_short_skews_up() -> None:
    flat = quotes(MakerStrategy(SKEWED).evaluate(maker_view(), NOW_MS))
    long = MakerStrategy(SKEWED).evaluate(maker_view(yes_position=100 * SHARE), NOW_MS)
    short = MakerStrategy(SKEWED).evaluate(maker_view(no_position=100 * SHARE), NOW_MS)
    assert long.payload()["analysis"]["reservation"] == pytest.approx(0.44)
    assert short.payload()["analysis"]["reservation"] == pytest.approx(0.56)
    lq, sq = by_leg(long), by_leg(short)
    # Long YES: the bid YES drops; the ask is a SELL of the held YES (rather than a BUY NO at
    # the same effective price), resting one tick above the YES bid however strong the skew.
    assert set(lq) == {("yes", Side.BUY), ("yes", Side.SELL)}
    assert lq[("yes", Side.BUY)].price < flat["yes"].price
    assert lq[("yes", Side.SELL)].price == 5000
    assert lq[("yes", Side.SELL)].reason == "ask_sell_yes"
    assert long.payload()["analysis"]["ask"]["chosen"] == "ask_sell_yes"
    # Short (holds NO): the bid is a SELL of the held NO, the ask a BUY NO lower than flat.
    assert set(sq) == {("no", Side.SELL), ("no", Side.BUY)}
    assert sq[("no", Side.BUY)].price < flat["no"].price
    assert sq[("no", Side.SELL)].price == 5000
    # Selling below the fair value's upper bound is negative edge: the EV gate sees it.
    assert lq[("yes", Side.SELL)].edge_pips < 0


def test_holdings_of_both_tokens_net() -> None:
    netted = MakerStrategy(SKEWED).evaluate(
        maker_view(yes_position=150 * SHARE, no_position=150 * SHARE), NOW_MS
    )
    assert netted.payload()["analysis"]["q_shares"] == 0
    assert netted.payload()["analysis"]["reservation"] == pytest.approx(0.5)


def test_the_sell_leg_wins_only_when_it_is_not_worse() -> None:
    """Holding NO, the bid can be a BUY YES at b or a SELL NO at 1 - b: with a NO book whose
    bid is far below 1 - b, the SELL NO must rest higher (one tick above that bid is the
    floor) and is chosen only when its effective YES price is no dearer."""
    held = maker_view(no_position=50 * SHARE)
    decision = MakerStrategy().evaluate(held, NOW_MS)
    bid = decision.payload()["analysis"]["bid"]
    effective = {c["route"]: c["effective_yes"] for c in bid["candidates"]}
    assert effective == {"as_bid": 4900, "bid_sell_no": 4900}  # r = 0.506 with 50 NO held
    assert bid["chosen"] == "bid_sell_no"  # a tie: the SELL ties up no collateral
    cheap_no = maker_view(no_position=50 * SHARE, no=token("no", 4000, 5100))
    lowered = MakerStrategy().evaluate(cheap_no, NOW_MS).payload()["analysis"]["bid"]
    assert lowered["chosen"] == "bid_sell_no"
    dear = maker_view(no_position=50 * SHARE, no=token("no", 5400, 5600))
    raised = MakerStrategy().evaluate(dear, NOW_MS).payload()["analysis"]["bid"]
    # SELL NO must rest above 5400 (at 5500: effective YES 4500), cheaper than BUY YES 4900.
    assert raised["chosen"] == "bid_sell_no"
    assert {c["route"]: c["effective_yes"] for c in raised["candidates"]}["bid_sell_no"] == 4500


def test_inventory_cap_stops_the_side_that_would_grow_it() -> None:
    capped = MakerConfig(inventory_cap=100 * SHARE)
    at_cap = MakerStrategy(capped).evaluate(maker_view(yes_position=100 * SHARE), NOW_MS)
    assert set(by_leg(at_cap)) == {("yes", Side.SELL)}
    assert at_cap.payload()["analysis"]["sides"]["bid"]["veto"] == "inventory_cap"
    near = MakerStrategy(capped).evaluate(maker_view(no_position=93 * SHARE), NOW_MS)
    legs = by_leg(near)
    assert legs[("no", Side.BUY)].size == 7 * SHARE  # cut to the room left
    assert legs[("no", Side.SELL)].size == 10 * SHARE
    tight = MakerStrategy(replace(capped, inventory_cap=3 * SHARE))
    both = tight.evaluate(maker_view(resting=_RESTING), NOW_MS)
    assert (both.action, both.veto) == (DecisionAction.WITHDRAW, GateVeto.INVENTORY_CAP)


def test_never_offers_more_than_is_held() -> None:
    few = MakerStrategy().evaluate(maker_view(yes_position=7 * SHARE), NOW_MS)
    sell = by_leg(few)[("yes", Side.SELL)]
    assert sell.size == 7 * SHARE
    none = MakerStrategy().evaluate(maker_view(yes_position=4 * SHARE), NOW_MS)
    assert ("yes", Side.SELL) not in by_leg(none)  # below the minimum size: BUY NO instead
    skipped = none.payload()["analysis"]["ask"]["skipped"]
    assert any(s.startswith("sell_exceeds_held") for s in skipped)


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
    touch = {t.asset_id: (t.best_bid, t.best_ask) for t in market.tokens}
    for target in decision.targets:
        near, far = touch[target.asset_id]
        assert near is not None
        assert far is not None
        if target.side is Side.BUY:
            assert target.price < far[0]
        else:
            assert target.price > near[0]
            held = market.yes_position if target.asset_id == "yes" else market.no_position
            assert target.size <= held
        assert on_grid(target.price, INFO.tick)
        assert 100 <= target.price <= 9900
        assert target.size >= INFO.min_size
    assert decision.action is DecisionAction.QUOTE or decision.veto is not None


def test_a_tie_keeps_the_route_already_resting_on_that_side() -> None:
    """Holding YES with a BUY NO resting (placed while flat), the ask stays a BUY NO: on a
    tie the resting leg keeps its queue place (its fill completes pairs, which merge)."""
    resting = (RestingQuote("o2", "no", Side.BUY, 4800, 10 * SHARE),)
    held = maker_view(yes_position=10 * SHARE, resting=resting)
    ask = MakerStrategy().evaluate(held, NOW_MS).payload()["analysis"]["ask"]
    effective = {c["route"]: c["effective_yes"] for c in ask["candidates"]}
    assert effective["ask_sell_yes"] == effective["as_ask_via_no"]
    assert ask["chosen"] == "as_ask_via_no"
    without = MakerStrategy().evaluate(maker_view(yes_position=10 * SHARE), NOW_MS)
    assert without.payload()["analysis"]["ask"]["chosen"] == "ask_sell_yes"
