"""Maker-then-taker escalation, told honestly: budgets, consumed books, latency misses."""

from __future__ import annotations

from decimal import Decimal

import pytest

from astra.domain.arb_taker import (
    ArbTaker,
    EscalationConfig,
    EscalationReason,
    settle_pips,
)
from astra.domain.arb_walk import LegBook
from astra.domain.arbitrage import ArbKind, TokenSide
from astra.domain.events import Level
from astra.domain.market import FeeSchedule
from astra.domain.prices import ONE, Side

SH = 1_000_000
USD = 1_000_000
FREE = FeeSchedule.free()
NEWSOM = FeeSchedule(rate=Decimal("0.04"), exponent=1)
ON = EscalationConfig(enabled=True, daily_budget=1_000 * USD, per_opportunity_budget=1_000 * USD)


def legs(yes: tuple[Level, ...], no: tuple[Level, ...], fees: FeeSchedule = FREE) -> list[LegBook]:
    return [
        LegBook("y", "c", Side.BUY, yes, fees, min_size=5 * SH),
        LegBook("n", "c", Side.BUY, no, fees, min_size=5 * SH),
    ]


def books(yes: tuple[Level, ...], no: tuple[Level, ...]) -> dict[str, TokenSide]:
    return {"y": TokenSide("y", (), yes), "n": TokenSide("n", (), no)}


YES = ((4500, 50 * SH), (4700, 50 * SH))
NO = ((5000, 100 * SH),)


def test_off_by_default() -> None:
    taker = ArbTaker(EscalationConfig())
    decision = taker.decide("k", legs(YES, NO), ONE, 100 * SH, 0)
    assert decision.reason is EscalationReason.OFF


def test_the_per_opportunity_budget_stops_the_second_take() -> None:
    # 50 pairs at 0.45 + 0.50 = 47.5 USD; 2.5 USD left buys 2 pairs at 0.97, under the
    # 5-share minimum order: the second take is refused.
    config = EscalationConfig(
        enabled=True, daily_budget=1_000 * USD, per_opportunity_budget=50 * USD, latency_ms=0
    )
    taker = ArbTaker(config)
    first = taker.decide("k", legs(YES[:1], NO), ONE, 50 * SH, 0)
    assert first.reason is EscalationReason.SENT
    assert first.cost == 47_500_000
    # A fresh venue book (the walked shares are restored by the venue's next snapshot at a
    # new price) so only the budget can refuse.
    second = taker.decide("k", legs(((4600, 50 * SH),), ((5100, 50 * SH),)), ONE, 50 * SH, 1)
    assert second.reason is EscalationReason.BUDGET_OPPORTUNITY
    assert second.cost == 0
    other = taker.decide("k2", legs(((4600, 10 * SH),), ((5100, 10 * SH),)), ONE, 10 * SH, 2)
    assert other.reason is EscalationReason.SENT


def test_a_take_is_sized_down_to_the_budget_left() -> None:
    config = EscalationConfig(
        enabled=True, daily_budget=1_000 * USD, per_opportunity_budget=19 * USD
    )
    decision = ArbTaker(config).decide("k", legs(YES[:1], NO), ONE, 50 * SH, 0)
    assert decision.reason is EscalationReason.SENT
    assert decision.walk is not None
    assert decision.walk.size == 20 * SH  # 20 × 0.95 = 19 USD exactly
    assert decision.cost == 19 * USD


def test_the_daily_budget_stops_a_take_and_rolls_at_midnight() -> None:
    config = EscalationConfig(
        enabled=True, daily_budget=50 * USD, per_opportunity_budget=1_000 * USD
    )
    taker = ArbTaker(config)
    assert taker.decide("a", legs(YES[:1], NO), ONE, 50 * SH, 0).reason is EscalationReason.SENT
    refused = taker.decide("b", legs(((4600, 5 * SH),), ((5100, 5 * SH),)), ONE, 5 * SH, 1)
    assert refused.reason is EscalationReason.BUDGET_DAY
    next_day = 86_400_000
    again = taker.decide("b", legs(((4600, 5 * SH),), ((5100, 5 * SH),)), ONE, 5 * SH, next_day)
    assert again.reason is EscalationReason.SENT


def test_a_walked_book_is_consumed_and_never_fills_twice() -> None:
    taker = ArbTaker(ON)
    first = taker.decide("k", legs(YES, NO), ONE, 50 * SH, 0)
    done = taker.execute(first, books(YES, NO), ON.latency_ms)
    assert done.reason is EscalationReason.FILLED
    assert done.fills[0].levels == ((4500, 50 * SH),)
    assert done.net == 50 * 500 * 100  # 50 × (1 − 0.95)
    # The venue still shows the same levels (it never saw the paper take): the 50 shares
    # at 0.45 are gone for this trader, so the next take walks to 0.47 and only 50 NO left.
    second = taker.decide("k", legs(YES, NO), ONE, 100 * SH, 1_000)
    assert second.walk is not None
    assert second.walk.legs[0].levels == ((4700, 50 * SH),)
    assert second.walk.size == 50 * SH
    done2 = taker.execute(second, books(YES, NO), 1_000 + ON.latency_ms)
    assert done2.fills[1].levels == ((5000, 50 * SH),)
    # Everything is consumed now: no edge left to take.
    third = taker.decide("k", legs(YES, NO), ONE, 100 * SH, 2_000)
    assert third.reason is EscalationReason.EDGE_GONE


def test_a_removed_level_ends_its_memory() -> None:
    taker = ArbTaker(ON)
    first = taker.decide("k", legs(YES[:1], NO), ONE, 50 * SH, 0)
    taker.execute(first, books(YES[:1], NO), ON.latency_ms)
    # The venue drops the 0.45 level, then shows a fresh one there: it is takeable again.
    assert taker.consumed.visible("y", Side.SELL, ()) == ()
    fresh = taker.decide("k", legs(((4500, 10 * SH),), NO), ONE, 10 * SH, 1_000)
    assert fresh.reason is EscalationReason.SENT


def test_latency_makes_a_vanished_leg_a_miss_and_the_rest_stays_unhedged() -> None:
    taker = ArbTaker(ON)
    decision = taker.decide("k", legs(YES[:1], NO), ONE, 50 * SH, 0)
    assert decision.execute_at_ms == ON.latency_ms
    with pytest.raises(ValueError, match="before its latency"):
        taker.execute(decision, books(YES[:1], NO), ON.latency_ms - 1)
    # During the latency someone lifted the NO asks: only 0.60 is left, past the limit.
    later = books(YES[:1], ((6000, 100 * SH),))
    result = taker.execute(decision, later, ON.latency_ms)
    assert result.reason is EscalationReason.LEG_MISSED
    assert result.missed == ("n",)
    assert result.hedged == 0
    assert result.net is None  # no edge claimed for sets that never formed
    assert result.fills[0].size == 50 * SH  # the YES leg filled: an unhedged position
    assert result.payload()["missed"] == ["n"]


def test_the_fee_is_paid_on_every_taker_fill() -> None:
    taker = ArbTaker(ON)
    decision = taker.decide("k", legs(YES[:1], NO, NEWSOM), ONE, 10 * SH, 0)
    result = taker.execute(decision, books(YES[:1], NO), ON.latency_ms)
    # 10 × 0.04 × 0.45 × 0.55 = 0.099 and 10 × 0.04 × 0.25 = 0.1.
    assert [f.fee for f in result.fills] == [99_000, 100_000]
    assert result.net == 500_000 - 199_000
    assert decision.cost == 4_500_000 + 5_000_000 + 199_000


def test_settle_values_per_kind() -> None:
    assert settle_pips(ArbKind.EVENT_BUY_NO, 4) == 3 * ONE
    assert settle_pips(ArbKind.PARITY_SELL, 2) == -ONE
    assert settle_pips(ArbKind.EVENT_CONVERT, 3) == 0
    assert settle_pips(ArbKind.EVENT_BUY_YES, 3) == ONE
