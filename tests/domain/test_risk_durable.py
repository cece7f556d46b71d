"""The durable risk state: what `RiskState.durable()` journals and `restore_durable` puts
back gives the same halts as an uninterrupted run (hand-computed equities)."""

from __future__ import annotations

import pytest

from astra.domain.ledger import Ledger
from astra.domain.prices import Side
from astra.domain.reasons import HaltReason
from astra.domain.risk import RiskState, TradingState
from astra.domain.risk_limits import MS_PER_DAY, RiskLimits
from astra.domain.trading import Fill, Liquidity

DAY0 = 20_000 * MS_PER_DAY
CASH = 100_000_000  # 100 USD
LIMITS = RiskLimits(daily_loss_frac=0.05, max_drawdown_frac=0.01, cooldown_ms=600_000)
BUY = Fill("f1", "o1", "m", "yes", Side.BUY, 4800, 5_000_000, 0, Liquidity.MAKER, DAY0)


def bought(now_ms: int = DAY0) -> RiskState:
    state = RiskState(LIMITS, Ledger(CASH), now_ms)
    state.on_fill(BUY, now_ms)  # 5 YES at 0.48: cost 2.40
    return state


def restarted(durable: dict[str, object], now_ms: int) -> RiskState:
    """A new RiskState from the journaled fills (what the RiskActor's start replays)."""
    state = bought(now_ms)
    state.restore_durable(durable, now_ms)
    return state


def test_the_high_water_mark_survives_a_restart() -> None:
    uninterrupted = bought()
    uninterrupted.on_marks({"yes": 7900}, DAY0 + 1)  # 5 x 0.79 = 3.95: equity 101.55
    assert (uninterrupted.equity, uninterrupted.peak_equity) == (101_550_000, 101_550_000)
    journaled = uninterrupted.durable()
    assert journaled["marks"] == {"yes": 7900}

    uninterrupted.on_marks({"yes": 5400}, DAY0 + 2)  # 2.70: equity 100.30, 1.23% off the peak
    assert uninterrupted.equity == 100_300_000
    assert set(uninterrupted.halts) == {HaltReason.DRAWDOWN}

    # The old start: fills replayed at cost, peak = the opening cash; the same marks do not halt.
    at_cost = bought(DAY0 + 2)
    at_cost.on_marks({"yes": 5400}, DAY0 + 2)
    assert (at_cost.peak_equity, at_cost.state) == (100_300_000, TradingState.ACTIVE)

    restored = restarted(journaled, DAY0 + 2)
    assert (restored.equity, restored.peak_equity) == (101_550_000, 101_550_000)
    assert restored.state is TradingState.ACTIVE
    restored.on_marks({"yes": 5400}, DAY0 + 2)
    assert set(restored.halts) == {HaltReason.DRAWDOWN}


def test_a_breach_journaled_before_the_restart_halts_at_once() -> None:
    state = bought()
    state.on_marks({"yes": 7900}, DAY0 + 1)
    journaled = {**state.durable(), "marks": {"yes": 5400}}  # the peak and a later, lower mark
    assert set(restarted(journaled, DAY0 + 5).halts) == {HaltReason.DRAWDOWN}


def test_the_day_start_and_daily_loss_survive_a_restart() -> None:
    state = bought()
    state.on_marks({"yes": 4800}, DAY0 + 1)  # at cost: 100.00, the day's start
    state.rebase_peak(DAY0 + 1)
    journaled = state.durable()
    assert (journaled["day_start_equity"], journaled["daily_pnl"]) == (CASH, 0)
    # The next day starts at the last equity journaled, as it would have uninterrupted.
    later = restarted({**journaled, "equity": 99_000_000}, DAY0 + MS_PER_DAY + 5)
    assert later.day_start_equity == 99_000_000
    same_day = restarted(journaled, DAY0 + 10)
    assert same_day.day_start_equity == CASH


def test_the_cooldown_survives_a_restart() -> None:
    state = bought()
    state.halt(HaltReason.OPERATOR, DAY0 + 100, "test")
    journaled = state.durable()
    assert journaled["last_halt_ms"] == DAY0 + 100
    restored = restarted(journaled, DAY0 + 200)
    restored.halt(HaltReason.STARTUP, DAY0 + 200)  # a process halt: no new cooldown
    verdict = restored.resume(DAY0 + 300, operator=True)
    assert not verdict.passed
    assert f"cooldown until {DAY0 + 100 + 600_000}" in verdict.detail
    assert restored.resume(DAY0 + 100 + 600_000, operator=True).passed


def test_marks_of_positions_no_longer_held_are_not_restored() -> None:
    state = bought()
    state.restore_durable({**state.durable(), "marks": {"yes": 5000, "gone": 100}}, DAY0)
    assert state.durable()["marks"] == {"yes": 5000}


@pytest.mark.parametrize(
    "broken",
    [
        {},
        {"peak_equity": "1"},
        {"marks": {"yes": 10_001}},
        {"marks": {"yes": True}},
        {"last_halt_ms": 1.5},
        {"marks": None},
    ],
)
def test_a_malformed_durable_state_is_refused(broken: dict[str, object]) -> None:
    state = bought()
    journaled = {**state.durable(), **broken} if broken else {}
    with pytest.raises(ValueError, match="malformed durable risk state"):
        state.restore_durable(journaled, DAY0)
