"""Scenario tests: crypto_threshold quotes only when every gate passes, never at the far touch."""

from __future__ import annotations

import math
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from astra.domain.contracts.contract import Kind
from astra.domain.prices import Side, on_grid
from astra.domain.reasons import GateVeto
from astra.domain.strategies import DecisionAction, MarketView, RestingQuote
from astra.domain.strategies.crypto_inputs import ModelConfig
from astra.domain.strategies.crypto_threshold import (
    CryptoThresholdConfig,
    CryptoThresholdStrategy,
)
from astra.domain.strategies.protocol import SpotView
from astra.domain.strategies.sizing import KellyConfig
from astra.domain.toxicity import SpreadRegime

from .scenario import CUTOFF_MS, INFO, NOW_MS, SHARE, contract, spot, token, view

FIXED_VOL = CryptoThresholdConfig(model=ModelConfig(vol_annual=0.5))


def strategy(config: CryptoThresholdConfig = FIXED_VOL) -> CryptoThresholdStrategy:
    return CryptoThresholdStrategy(contract(), config)


def test_buys_yes_one_tick_inside_the_spread_when_every_gate_passes() -> None:
    decision = strategy().evaluate(view(7000, 7200), NOW_MS)
    assert decision.action is DecisionAction.QUOTE
    assert decision.veto is None
    [target] = decision.targets
    assert (target.asset_id, target.side, target.price, target.post_only) == (
        "yes",
        Side.BUY,
        7100,
        True,
    )
    estimate = decision.payload()["analysis"]["estimate"]
    assert estimate["p_low"] > 0.71  # the conservative bound, not p_hat, beats the price
    assert target.edge_pips == math.floor(
        decision.payload()["analysis"]["yes"]["tried"][0]["ev"]["ev_lower"] * 10_000
    )
    # Capped Kelly: 2% of 10,000 USD staked at 0.71, rounded down to 0.01 share.
    assert target.size == (200 * SHARE * 10_000 // 7100) // 10_000 * 10_000


def test_no_side_is_judged_against_the_complement_band() -> None:
    decision = strategy().evaluate(view(7000, 7200), NOW_MS)
    no = decision.payload()["analysis"]["no"]
    est = decision.payload()["analysis"]["estimate"]
    assert no["p_low"] == pytest.approx(1.0 - est["p_high"])
    assert no["p_high"] == pytest.approx(1.0 - est["p_low"])
    assert [c["ev"]["reason"] for c in no["tried"]] == ["ev_below_threshold"] * 2


def test_spot_below_strike_buys_no_instead() -> None:
    decision = strategy().evaluate(view(7000, 7200, spot=spot("61000")), NOW_MS)
    [target] = decision.targets
    assert target.asset_id == "no"
    assert target.price == 2900  # NO book 0.28/0.30: improve by one tick, below its ask


def test_one_tick_spread_joins_the_bid_instead_of_crossing() -> None:
    [target] = strategy().evaluate(view(7000, 7100), NOW_MS).targets
    assert target.price == 7000


def test_defect_priced_at_best_ask() -> None:
    """Seed B-9: the original priced its maker BUY at the best ask and was rejected as
    crossing. With an overwhelming edge the quote still rests strictly below the ask."""
    decision = strategy().evaluate(view(1000, 1100, spot=spot("90000")), NOW_MS)
    [target] = decision.targets
    assert target.price < 1100
    assert target.price == 1000


def test_defect_size_hard_coded_50() -> None:
    """Seed B-9/§1.29: size was $50 whatever the edge or bankroll. Here it follows equity and
    the EV through the capped Kelly fraction."""
    uncapped = CryptoThresholdConfig(
        model=ModelConfig(vol_annual=0.5), kelly=KellyConfig(fraction=0.05, max_stake_frac=1.0)
    )
    rich = strategy(uncapped).evaluate(view(equity=10_000 * SHARE), NOW_MS).targets[0]
    poor = strategy(uncapped).evaluate(view(equity=2_000 * SHARE), NOW_MS).targets[0]
    thin_edge = strategy(uncapped).evaluate(view(equity=10_000 * SHARE, spot=spot("64800")), NOW_MS)
    assert rich.size == pytest.approx(5 * poor.size, rel=1e-3)
    assert rich.size * rich.price // 10_000 != 50 * SHARE
    assert thin_edge.targets == () or thin_edge.targets[0].size < rich.size


def test_kelly_below_min_size_skips_with_reason() -> None:
    decision = strategy().evaluate(view(equity=50 * SHARE), NOW_MS)
    assert decision.action is DecisionAction.SKIP
    assert decision.veto is GateVeto.SIZE_BELOW_MIN


def test_no_edge_skips_with_the_ev_veto_and_records_the_estimate() -> None:
    decision = strategy().evaluate(view(8500, 8700), NOW_MS)
    assert decision.action is DecisionAction.SKIP
    assert decision.veto is GateVeto.EV_BELOW_THRESHOLD
    assert decision.payload()["analysis"]["estimate"]["model"] == "lognormal_close_v2"


def test_defect_empty_contracts_file() -> None:
    """Seed §0/§1.34: the contracts file was empty, so every market skipped at gate 1. Here
    the real market's question is parsed into a linted contract and the market trades;
    without a contract it skips with the named reason."""
    assert contract().kind is Kind.CLOSE
    assert strategy().evaluate(view(), NOW_MS).action is DecisionAction.QUOTE
    bare = CryptoThresholdStrategy(None, FIXED_VOL).evaluate(view(), NOW_MS)
    assert (bare.action, bare.veto) == (DecisionAction.SKIP, GateVeto.NO_CONTRACT)


RESTING = (RestingQuote("o1", "yes", Side.BUY, 7000, 5 * SHARE),)


@pytest.mark.parametrize(
    ("changes", "now_ms", "veto"),
    [
        ({"resolved": True}, NOW_MS, GateVeto.MARKET_CLOSED),
        ({"halted": True}, NOW_MS, GateVeto.HALTED),
        ({"yes": token("yes", 7000, 7200, toxic=True)}, NOW_MS, GateVeto.TOXIC),
        (
            {"no": token("no", 2800, 3000, regime=SpreadRegime.WIDE)},
            NOW_MS,
            GateVeto.SPREAD_REGIME,
        ),
        ({"yes": token("yes", 7000, 7200, synced=False)}, NOW_MS, GateVeto.BOOK_NOT_SYNCED),
        ({}, NOW_MS + 61_000, GateVeto.BOOK_STALE),
        ({"spot": None}, NOW_MS, GateVeto.NO_SPOT),
        ({"spot": spot(symbol="ethusdt")}, NOW_MS, GateVeto.NO_SPOT),
        ({"spot": spot(ts_ms=NOW_MS - 11_000)}, NOW_MS, GateVeto.SPOT_STALE),
        ({"spot": spot("NaN")}, NOW_MS, GateVeto.NON_FINITE_INPUT),
    ],
)
def test_withdraws_with_a_named_reason(
    changes: dict[str, Any], now_ms: int, veto: GateVeto
) -> None:
    decision = strategy().evaluate(view(resting=RESTING, **changes), now_ms)
    assert decision.action is DecisionAction.WITHDRAW
    assert decision.veto is veto
    assert decision.targets == ()
    quiet = strategy().evaluate(view(**changes), now_ms)
    assert (quiet.action, quiet.veto) == (DecisionAction.SKIP, veto)


def test_past_cutoff_is_closed_even_with_a_fresh_book() -> None:
    late = CUTOFF_MS + 1
    fresh = view(
        yes=token("yes", 7000, 7200, last_update_ms=late),
        no=token("no", 2800, 3000, last_update_ms=late),
        spot=spot(ts_ms=late),
    )
    decision = strategy().evaluate(fresh, late)
    assert decision.veto is GateVeto.MARKET_CLOSED


def test_lint_failure_and_foreign_contracts_fail_closed() -> None:
    broken = replace(contract(), oracle_feed="")
    decision = CryptoThresholdStrategy(broken, FIXED_VOL).evaluate(view(), NOW_MS)
    assert decision.veto is GateVeto.CONTRACT_LINT_FAILED
    other = replace(contract(), market_id="0x" + "ab" * 32)
    decision = CryptoThresholdStrategy(other, FIXED_VOL).evaluate(view(), NOW_MS)
    assert decision.veto is GateVeto.NO_CONTRACT


def test_touch_before_its_window_waits() -> None:
    touch = replace(
        contract(),
        kind=Kind.TOUCH,
        window_start_ms=NOW_MS + 3_600_000,
        oracle_feed="binance:BTCUSDT:1m_high",
    )
    decision = CryptoThresholdStrategy(touch, FIXED_VOL).evaluate(view(), NOW_MS)
    assert decision.veto is GateVeto.WINDOW_NOT_OPEN


def _path(n: int, step: float = 0.001) -> SpotView:
    prices = tuple(66000.0 * math.exp(step * (-1) ** i) for i in range(n))
    return SpotView("btcusdt", Decimal("66000"), NOW_MS, prices, 60_000)


def test_vol_is_estimated_from_the_spot_path_or_skips_without_enough() -> None:
    estimated = CryptoThresholdStrategy(contract())
    short = estimated.evaluate(view(spot=_path(10)), NOW_MS)
    assert short.veto is GateVeto.INSUFFICIENT_SAMPLES
    decision = estimated.evaluate(view(spot=_path(121)), NOW_MS)
    analysis = decision.payload()["analysis"]
    assert analysis["vol_source"] == "realised"
    assert analysis["vol_returns"] == 120
    assert analysis["estimate"]["vol_rel_band"] >= 0.15


def test_requotes_follow_the_book_within_the_chase_bound() -> None:
    quoter = strategy()
    first = quoter.evaluate(view(7000, 7200), NOW_MS).targets[0]
    assert first.price == 7100
    resting = (RestingQuote("o1", "yes", Side.BUY, 7100, first.size),)
    # The book runs up 6 ticks; the chain may chase at most 3 ticks from its first price.
    moved = quoter.evaluate(view(7600, 7800, resting=resting), NOW_MS)
    assert moved.targets[0].price == 7400
    # A new chain (nothing of ours rests) starts from the live book again.
    fresh = quoter.evaluate(view(7600, 7800), NOW_MS)
    assert fresh.targets[0].price == 7700


def test_resting_quote_keeps_its_size_unless_kelly_wants_less() -> None:
    quoter = strategy()
    first = quoter.evaluate(view(7000, 7200), NOW_MS).targets[0]
    smaller = first.size - 1_000_000
    resting = (RestingQuote("o1", "yes", Side.BUY, 7100, smaller),)
    again = quoter.evaluate(view(7000, 7200, resting=resting), NOW_MS).targets[0]
    assert (again.price, again.size) == (7100, smaller)
    poorer = quoter.evaluate(view(7000, 7200, resting=resting, equity=5_000 * SHARE), NOW_MS)
    assert poorer.targets[0].size < smaller


def _market(yes_bid: int, spread: int, spot_price: int) -> MarketView:
    yes_ask = min(yes_bid + spread, 9900)
    return view(yes_bid, yes_ask, spot=spot(str(spot_price)))


@settings(max_examples=150, deadline=None)
@given(
    yes_bid=st.integers(1, 97).map(lambda c: c * 100),
    spread=st.integers(1, 3).map(lambda t: t * 100),
    spot_price=st.integers(50_000, 80_000),
)
def test_quotes_never_touch_the_far_side(yes_bid: int, spread: int, spot_price: int) -> None:
    market = _market(yes_bid, spread, spot_price)
    decision = strategy().evaluate(market, NOW_MS)
    books = {t.asset_id: t for t in market.tokens}
    for target in decision.targets:
        book = books[target.asset_id]
        assert book.best_ask is not None
        assert target.side is Side.BUY
        assert target.price < book.best_ask[0]
        assert on_grid(target.price, INFO.tick)
        assert 100 <= target.price <= 9900
        assert target.size >= INFO.min_size
        assert target.edge_pips > 0
    if decision.action is not DecisionAction.QUOTE:
        assert decision.veto is not None


def test_exits_held_yes_when_the_market_values_it_above_the_model() -> None:
    """The model says YES is worth < 0.71 (the spot sits near the strike); holding YES and
    with the book at 0.90/0.92 the edge has reversed: offer the held shares above the upper
    bound, never more than is held, and do not also buy more YES."""
    low_spot = replace(view(9000, 9200), spot=spot("64000"), yes_position=12_345_678)
    decision = strategy().evaluate(low_spot, NOW_MS)
    est = decision.payload()["analysis"]["estimate"]
    assert est["p_high"] < 0.9
    sells = [t for t in decision.targets if t.side is Side.SELL]
    assert [(t.asset_id, t.reason, t.size) for t in sells] == [
        ("yes", "crypto_threshold_exit", 12_340_000)
    ]
    (sell,) = sells
    assert sell.price == 9100  # one tick above the best bid, above the upper bound
    assert sell.edge_pips == math.floor((0.91 - est["p_high"]) * 10_000)
    assert not [t for t in decision.targets if t.asset_id == "yes" and t.side is Side.BUY]


def test_no_exit_without_holdings_or_while_buying_is_still_good() -> None:
    flat = strategy().evaluate(replace(view(9000, 9200), spot=spot("64000")), NOW_MS)
    assert not [t for t in flat.targets if t.side is Side.SELL]
    held = strategy().evaluate(replace(view(7000, 7200), yes_position=20 * SHARE), NOW_MS)
    assert not [t for t in held.targets if t.side is Side.SELL]  # YES still a buy at 0.71
