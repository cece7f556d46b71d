"""Taker escalation: walks the book exactly, pays the venue's fee per level, keeps its budget."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

import pytest

from astra.domain.fees import taker_fee
from astra.domain.market import FeeSchedule
from astra.domain.reasons import GateVeto
from astra.domain.strategies import DecisionAction, MarketView
from astra.domain.strategies.crypto_inputs import ModelConfig
from astra.domain.strategies.crypto_threshold import (
    CryptoThresholdConfig,
    CryptoThresholdStrategy,
)
from astra.domain.strategies.taker_escalation import (
    MS_PER_DAY,
    TakerBudget,
    TakerConfig,
    check_budget,
    walk_book,
)

from .scenario import INFO, NOW_MS, SHARE, contract, spot, token, view, with_fees

FEES = FeeSchedule(rate=Decimal("0.25"))
ASKS = ((4000, 10 * SHARE), (4100, 20 * SHARE), (4300, 100 * SHARE))


def test_walk_book_fills_level_by_level_with_exact_average_and_fee() -> None:
    walk = walk_book(ASKS, 25 * SHARE, FEES)
    assert walk.filled == 25 * SHARE
    assert walk.avg_price == Fraction(4000 * 10 + 4100 * 15, 25)
    assert walk.worst_price == 4100
    assert walk.fee == taker_fee(FEES, 4000, 10 * SHARE) + taker_fee(FEES, 4100, 15 * SHARE)
    assert walk.notional == (4000 * 10 + 4100 * 15) * SHARE // 10_000
    filled, avg, fee, _, _ = walk_book(ASKS, 500 * SHARE)
    assert (filled, fee) == (130 * SHARE, 0)  # the book runs out; free schedule
    assert avg == Fraction(4000 * 10 + 4100 * 20 + 4300 * 100, 130)
    assert walk_book((), 5 * SHARE).filled == 0
    with pytest.raises(ValueError, match="negative"):
        walk_book(ASKS, -1)


def test_budget_is_per_utc_day_with_cooldown() -> None:
    config = TakerConfig(enabled=True, daily_budget=10 * SHARE, cooldown_ms=1_000)
    budget = TakerBudget(config.daily_budget)
    walk = walk_book(ASKS, 20 * SHARE)  # ~8.1 USD
    assert check_budget(budget, walk, config, NOW_MS).passed
    budget.charge(walk.notional + walk.fee, NOW_MS)
    cooling = check_budget(budget, walk, config, NOW_MS + 10)
    assert (cooling.passed, cooling.reason) == (False, GateVeto.TAKER_BUDGET_EXHAUSTED)
    spent = check_budget(budget, walk, config, NOW_MS + 5_000)
    assert spent.reason is GateVeto.TAKER_BUDGET_EXHAUSTED
    assert "remaining daily budget" in spent.detail
    tomorrow = NOW_MS + MS_PER_DAY
    assert check_budget(budget, walk, config, tomorrow).passed
    with pytest.raises(ValueError, match="budget"):
        budget.charge(11 * SHARE, tomorrow)


def _escalating(budget_usd: int, fees: bool = False) -> tuple[CryptoThresholdStrategy, MarketView]:
    config = CryptoThresholdConfig(
        model=ModelConfig(vol_annual=0.5),
        taker=TakerConfig(enabled=True, daily_budget=budget_usd * SHARE, cooldown_ms=0),
    )
    info = with_fees(INFO, "0.25") if fees else INFO
    yes = token("yes", 6000, 6200, asks=((6200, 100 * SHARE), (6300, 400 * SHARE)))
    market = view(6000, 6200, info=info, yes=yes, spot=spot("68000"))
    return CryptoThresholdStrategy(contract(), config), market


def test_strong_edge_crosses_with_a_taker_intent_within_budget() -> None:
    strategy, market = _escalating(1_000, fees=True)
    decision = strategy.evaluate(market, NOW_MS)
    [taker] = [t for t in decision.targets if not t.post_only]
    assert taker.asset_id == "yes"
    assert taker.price in (6200, 6300)  # the worst level walked, as the limit
    taker_info = decision.payload()["analysis"]["yes"]["taker"]
    assert taker_info["fee"] > 0  # the venue's taker formula, per level
    assert taker_info["notional"] + taker_info["fee"] <= 1_000 * SHARE


def test_taker_escalation_respects_its_budget() -> None:
    strategy, market = _escalating(150)  # one Kelly-sized take (~200 USD) does not fit
    decision = strategy.evaluate(market, NOW_MS)
    assert decision.action is DecisionAction.QUOTE
    assert all(t.post_only for t in decision.targets)  # the maker quote stands
    taker = decision.payload()["analysis"]["yes"]["taker"]
    assert taker["veto"] == "taker_budget_exhausted"
    # Across a day the budget is cumulative: after one take, a second is refused.
    roomy, market = _escalating(300)
    first = roomy.evaluate(market, NOW_MS)
    second = roomy.evaluate(market, NOW_MS + 1)
    assert any(not t.post_only for t in first.targets)
    assert all(t.post_only for t in second.targets)
    assert second.payload()["analysis"]["yes"]["taker"]["veto"] == "taker_budget_exhausted"


def test_off_by_default_and_weak_edges_stay_maker() -> None:
    plain = CryptoThresholdStrategy(
        contract(), CryptoThresholdConfig(model=ModelConfig(vol_annual=0.5))
    )
    strategy, market = _escalating(1_000)
    off = plain.evaluate(market, NOW_MS).targets
    assert off
    assert all(t.post_only for t in off)
    thin = token("yes", 8000, 8200, asks=((8200, 100 * SHARE),))
    weak = replace(market, yes=thin, no=token("no", 1800, 2000), spot=spot("66000"))
    decision = strategy.evaluate(weak, NOW_MS)
    assert decision.targets
    assert all(t.post_only for t in decision.targets)
    assert decision.payload()["analysis"]["yes"]["taker"]["veto"] == "ev_below_threshold"
