"""Risk state: halts, cooldown, resume, REDUCING, caps, rate limit, snapshot; the seed's defects."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from astra.domain.ledger import Ledger
from astra.domain.prices import Side
from astra.domain.reasons import GateVeto, HaltReason
from astra.domain.risk import RiskState, TradingState
from astra.domain.risk_limits import MS_PER_DAY, AutoResume, RiskLimits
from astra.domain.trading import Fill, Liquidity, OrderIntent

USD = 1_000_000
SHARE = 1_000_000
DAY0 = 20_000 * MS_PER_DAY  # an epoch-scale UTC midnight
LIMITS = RiskLimits(
    daily_loss_frac=0.05,
    max_drawdown_frac=0.15,
    cooldown_ms=300_000,
    max_order_notional=500 * USD,
    market_cap_frac=0.5,
    default_category_cap_frac=0.8,
    max_orders_per_window=1000,
)
_ids = iter(range(10**9))


def intent(
    side: Side = Side.BUY, price: int = 5000, size: int = 10 * SHARE, **kw: str
) -> OrderIntent:
    fields = {"market": "m1", "asset_id": "yes", "category": "crypto_threshold"} | kw
    return OrderIntent(
        fields["market"], fields["asset_id"], side, price, size, "s", "test",
        category=fields["category"],
    )  # fmt: skip


def fill_for(i: OrderIntent, ts: int) -> Fill:
    return Fill(f"f{next(_ids)}", "o", i.market, i.asset_id, i.side, i.price, i.size, 0,
                Liquidity.MAKER, ts)  # fmt: skip


def fresh(limits: RiskLimits = LIMITS, cash: int = 1_000 * USD, now: int = DAY0) -> RiskState:
    return RiskState(limits, Ledger(cash), now)


def bought(rs: RiskState, size_shares: int, now: int = DAY0, price: int = 5000) -> None:
    i = intent(price=price, size=size_shares * SHARE)
    assert rs.check_intent(i, now).passed
    rs.on_fill(fill_for(i, now), now)


def test_fresh_state_is_active_and_approves_within_caps() -> None:
    rs = fresh()
    assert rs.state is TradingState.ACTIVE
    v = rs.check_intent(intent(), DAY0)
    assert v.passed
    assert v.gate == "risk"


def test_halted_refuses_every_submit_and_cancels_always_pass() -> None:
    rs = fresh()
    assert rs.halt(HaltReason.OPERATOR, DAY0, "test")
    assert not rs.halt(HaltReason.OPERATOR, DAY0 + 1)
    assert rs.state is TradingState.HALTED
    for side in Side:
        v = rs.check_intent(intent(side=side), DAY0 + 1)
        assert v.reason == GateVeto.HALTED
    assert rs.check_cancel().passed


def test_daily_loss_halt_then_next_utc_day_clears_and_operator_resumes() -> None:
    rs = fresh()
    bought(rs, 1000)  # 500 USD of YES at 0.50
    assert rs.on_marks({"yes": 4740}, DAY0 + 1000) is TradingState.ACTIVE  # −26 USD = 2.6%
    assert rs.on_marks({"yes": 4400}, DAY0 + 2000) is TradingState.HALTED  # −60 USD = 6%
    assert set(rs.halts) == {HaltReason.DAILY_LOSS}
    assert rs.halts[HaltReason.DAILY_LOSS].since_ms == DAY0 + 2000
    assert not rs.resume(DAY0 + MS_PER_DAY, operator=False).passed
    assert rs.resume(DAY0 + MS_PER_DAY, operator=True).passed


def test_daily_loss_threshold_is_exact() -> None:
    rs = fresh()
    bought(rs, 1000)
    assert rs.on_marks({"yes": 4510}, DAY0 + 1) is not TradingState.HALTED  # −49 = 4.9%
    assert rs.on_marks({"yes": 4500}, DAY0 + 2) is TradingState.HALTED  # −50 = 5.0%
    assert set(rs.halts) == {HaltReason.DAILY_LOSS}
    # the condition persists today: no resume, even by the operator after the cooldown
    v = rs.resume(DAY0 + 400_000, operator=True)
    assert not v.passed
    assert "condition persists" in v.detail
    # a new UTC day: start-of-day equity is today's equity, so the condition has cleared
    assert not rs.resume(DAY0 + MS_PER_DAY, operator=False).passed  # policy NEVER
    v = rs.resume(DAY0 + MS_PER_DAY, operator=True)
    assert v.passed
    assert rs.state is TradingState.ACTIVE
    assert rs.day_start_equity == 950 * USD


def test_auto_resume_policy_lifts_condition_halts_only() -> None:
    rs = fresh(replace(LIMITS, auto_resume=AutoResume.WHEN_CLEARED))
    bought(rs, 1000)
    rs.on_marks({"yes": 4500}, DAY0 + 2)
    assert rs.state is TradingState.HALTED
    assert rs.on_marks({"yes": 4500}, DAY0 + 300_002) is TradingState.HALTED  # still today
    assert rs.on_marks({"yes": 4500}, DAY0 + MS_PER_DAY) is TradingState.ACTIVE
    rs.halt(HaltReason.ACTOR_FAILURE, DAY0 + MS_PER_DAY)
    rs.on_marks({"yes": 4500}, DAY0 + 2 * MS_PER_DAY)
    assert rs.state is TradingState.HALTED  # an actor failure needs the operator


def test_process_halts_do_not_start_the_cooldown() -> None:
    rs = fresh()
    assert rs.halt(HaltReason.STARTUP, DAY0)
    assert not rs.check_intent(intent(), DAY0).passed
    assert not rs.resume(DAY0, operator=False).passed  # a start halt needs an explicit resume
    assert rs.resume(DAY0, operator=True).passed  # no cooldown after a start
    rs.halt(HaltReason.OPERATOR, DAY0 + 1)
    rs.halt(HaltReason.RISK_ACTOR_RESTART, DAY0 + 200_000)
    rs.halt(HaltReason.SHUTDOWN, DAY0 + 250_000)
    v = rs.resume(DAY0 + 300_000, operator=True)  # the operator halt's cooldown, from DAY0 + 1
    assert not v.passed
    assert "cooldown until" in v.detail
    assert rs.resume(DAY0 + 300_001, operator=True).passed
    assert rs.halts == {}
    early = fresh(now=0)  # no cooldown-carrying halt yet: none runs from time 0
    early.halt(HaltReason.STARTUP, 5_000)
    assert early.resume(5_000, operator=True).passed


def test_drawdown_halt_against_peak_and_operator_rebase() -> None:
    rs = fresh(replace(LIMITS, daily_loss_frac=1.0))
    bought(rs, 1000)
    rs.on_marks({"yes": 7000}, DAY0 + 1)  # equity 1200, peak 1200
    assert rs.peak_equity == 1_200 * USD
    assert rs.on_marks({"yes": 5200}, DAY0 + 2) is TradingState.HALTED  # 1020 = −15%
    assert set(rs.halts) == {HaltReason.DRAWDOWN}
    assert not rs.resume(DAY0 + MS_PER_DAY, operator=True).passed
    rs.rebase_peak(DAY0 + MS_PER_DAY)
    assert rs.resume(DAY0 + MS_PER_DAY, operator=True).passed


def test_reducing_admits_only_exposure_reducing_orders() -> None:
    rs = fresh()
    bought(rs, 1000)
    assert rs.on_marks({"yes": 4600}, DAY0 + 1) is TradingState.REDUCING  # 4% >= 0.8 × 5%
    assert rs.check_intent(intent(), DAY0 + 2).reason == GateVeto.REDUCING_ONLY
    assert rs.check_intent(intent(side=Side.SELL, size=400 * SHARE), DAY0 + 2).passed
    short = intent(side=Side.SELL, size=2000 * SHARE)
    assert rs.check_intent(short, DAY0 + 2).reason == GateVeto.REDUCING_ONLY


def test_operator_reducing_switch() -> None:
    rs = fresh()
    rs.set_reducing(True)
    assert rs.state is TradingState.REDUCING
    assert rs.check_intent(intent(), DAY0).reason == GateVeto.REDUCING_ONLY
    rs.set_reducing(False)
    assert rs.check_intent(intent(), DAY0).passed


def test_caps_use_actual_positions_and_current_equity() -> None:
    rs = fresh(replace(LIMITS, max_order_notional=10_000 * USD))
    assert rs.check_intent(intent(size=1001 * SHARE), DAY0).reason == GateVeto.MARKET_EXPOSURE_CAP
    bought(rs, 900)  # 450 USD in m1, market cap 500
    assert rs.exposure(market="m1") == 450 * USD
    assert rs.check_intent(intent(size=100 * SHARE), DAY0).passed  # 500 <= 500
    assert rs.check_intent(intent(size=102 * SHARE), DAY0).reason == GateVeto.MARKET_EXPOSURE_CAP
    # The approved 50 USD rests in m1 now and counts too: 450 + 50 + 300 <= 0.8 × 1000.
    assert rs.check_intent(intent(size=600 * SHARE, market="m2", asset_id="y2"), DAY0).passed
    other = intent(size=602 * SHARE, market="m2", asset_id="y2")  # 450 + 50 + 301 > 800
    assert rs.check_intent(other, DAY0).reason == GateVeto.CATEGORY_EXPOSURE_CAP
    elsewhere = intent(size=700 * SHARE, market="m3", asset_id="y3", category="sports")
    assert rs.check_intent(elsewhere, DAY0).passed


def test_max_order_notional_and_invalid_numbers() -> None:
    rs = fresh(cash=10_000 * USD)
    assert rs.check_intent(intent(size=1001 * SHARE), DAY0).reason == GateVeto.MAX_ORDER_NOTIONAL
    assert rs.check_intent(intent(price=0), DAY0).reason == GateVeto.OUT_OF_RANGE_INPUT
    assert rs.check_intent(intent(size=0), DAY0).reason == GateVeto.OUT_OF_RANGE_INPUT
    assert rs.check_intent(intent(size=1.5), DAY0).reason == GateVeto.OUT_OF_RANGE_INPUT  # type: ignore[arg-type]


def test_non_positive_equity_refuses_new_exposure() -> None:
    rs = fresh(cash=0)
    rs.on_marks({}, DAY0)
    assert rs.check_intent(intent(), DAY0).reason in {GateVeto.HALTED, GateVeto.NON_POSITIVE_EQUITY}


def test_order_rate_limit_is_a_sliding_window() -> None:
    rs = fresh(replace(LIMITS, max_orders_per_window=3, order_window_ms=1000))
    small = intent(size=SHARE)
    assert all(rs.check_intent(small, DAY0 + t).passed for t in (0, 10, 20))
    assert rs.check_intent(small, DAY0 + 999).reason == GateVeto.ORDER_RATE_LIMIT
    assert rs.check_intent(small, DAY0 + 1000).passed


def test_snapshot_round_trip_and_halt_survives_restore() -> None:
    rs = fresh()
    bought(rs, 100)
    rs.on_marks({"yes": 5100}, DAY0 + 5)
    rs.halt(HaltReason.ACTOR_FAILURE, DAY0 + 6, "market actor died")
    snap = json.loads(json.dumps(rs.snapshot()))
    back = RiskState.restore(snap, LIMITS)
    assert back.snapshot() == rs.snapshot()
    assert back.state is TradingState.HALTED
    assert back.halts[HaltReason.ACTOR_FAILURE].detail == "market actor died"
    assert back.check_intent(intent(), DAY0 + 10).reason == GateVeto.HALTED
    assert back.equity == rs.equity
    with pytest.raises(ValueError, match="malformed"):
        RiskState.restore({**snap, "halts": [{"reason": "nope"}]}, LIMITS)


def test_limits_validation() -> None:
    with pytest.raises(ValueError, match="daily_loss_frac"):
        RiskLimits(daily_loss_frac=float("nan"))
    with pytest.raises(ValueError, match="cooldown_ms"):
        RiskLimits(cooldown_ms=-1)
    with pytest.raises(ValueError, match="duplicate"):
        RiskLimits(category_caps=(("a", 0.1), ("a", 0.2)))
    assert RiskLimits(category_caps=(("a", 0.1),)).category_cap("a") == 0.1


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(100, 9900), st.integers(0, 3 * MS_PER_DAY)), max_size=25))
def test_invariants_under_random_marks(steps: list[tuple[int, int]]) -> None:
    rs = fresh()
    bought(rs, 1000)
    now = DAY0
    for mark, dt in steps:
        now += dt
        state = rs.on_marks({"yes": mark}, now)
        assert rs.check_cancel().passed
        if state is TradingState.HALTED:
            assert rs.check_intent(intent(size=SHARE), now).reason == GateVeto.HALTED
        if rs.daily_loss() >= 0.05 or rs.drawdown() >= 0.15:
            assert state is TradingState.HALTED
        assert rs.equity == rs.ledger.equity({"yes": mark})
        assert rs.peak_equity >= rs.equity


# ---- the seed's risk defects (seed_spec §1.26, §5.3 B-10, §5.1 B-3/B-8) ----


def test_defect_cooldown_clears_halt_while_loss_persists() -> None:
    """Seed §5.3 B-10: "When the cooldown ends, the halt is cleared even if the loss condition
    still holds ... A daily-loss halt therefore lasts 5 minutes, and a test enshrines this." """
    rs = fresh()
    bought(rs, 1000)
    rs.on_marks({"yes": 4000}, DAY0 + 1)
    later = DAY0 + 3_600_000
    assert rs.check_intent(intent(size=SHARE), later).reason == GateVeto.HALTED
    assert not rs.resume(later, operator=True).passed
    assert rs.state is TradingState.HALTED


def test_defect_daily_threshold_uses_peak_equity() -> None:
    """Seed §1.26: "The threshold is relative to **peak** equity, not start-of-day equity." """
    rs = fresh(replace(LIMITS, max_drawdown_frac=1.0))
    bought(rs, 1000)
    rs.on_marks({"yes": 7000}, DAY0 + 1)  # peak 1200
    rs.on_marks({"yes": 6000}, DAY0 + 2)  # end of day 0: 1100
    day1 = DAY0 + MS_PER_DAY
    rs.on_marks({"yes": 6000}, day1)
    assert rs.day_start_equity == 1_100 * USD
    # −57 USD: 5.2% of the 1100 start of day (halt), but < 5% of the 1200 peak (seed: no halt)
    assert rs.on_marks({"yes": 5430}, day1 + 1) is TradingState.HALTED
    assert set(rs.halts) == {HaltReason.DAILY_LOSS}


def test_defect_zero_cooldown_at_time_zero_is_permanent() -> None:
    """Seed §1.26: "`halt_until == 0`, e.g. cooldown 0 at time 0, which makes the halt
    permanent." """
    rs = RiskState(replace(LIMITS, cooldown_ms=0), Ledger(USD), 0)
    rs.halt(HaltReason.OPERATOR, 0)
    assert rs.resume(0, operator=True).passed
    assert rs.state is TradingState.ACTIVE


def test_defect_callers_mix_zero_and_epoch_time() -> None:
    """Seed §1.26: "The strategy calls `can_trade` **without** `now`, so it is 0: a halt
    recorded with a real epoch time would look like a permanent cooldown". `now_ms` is a
    required argument everywhere, and the cooldown is measured from the halt's own time."""
    rs = fresh()
    rs.halt(HaltReason.OPERATOR, DAY0)
    with pytest.raises(TypeError):
        rs.check_intent(intent())  # type: ignore[call-arg]
    assert not rs.resume(DAY0 + 299_999, operator=True).passed
    assert rs.resume(DAY0 + 300_000, operator=True).passed


def test_defect_category_exposure_overwritten() -> None:
    """Seed §1.26: "`update_category_exposure(cat, usd)` **sets** (does not add) the exposure."
    Exposure is computed from the actual positions, so two markets add up."""
    rs = fresh()
    bought(rs, 800)  # 400 USD in m1
    i = intent(size=700 * SHARE, market="m2", asset_id="y2")
    assert rs.check_intent(i, DAY0).passed
    rs.on_fill(fill_for(i, DAY0), DAY0)
    assert rs.exposure(category="crypto_threshold") == 750 * USD
    nxt = intent(size=200 * SHARE, market="m4", asset_id="y4")
    assert rs.check_intent(nxt, DAY0).reason == GateVeto.CATEGORY_EXPOSURE_CAP


def test_defect_category_cap_relative_to_peak() -> None:
    """Seed §1.26: "If `exposure[category] + size > cap · peak_equity` → category_cap" — the
    cap follows *current* equity, so a losing book gets a smaller allowance."""
    rs = fresh(replace(LIMITS, daily_loss_frac=1.0, max_drawdown_frac=1.0, reduce_at=1.0))
    bought(rs, 1000)
    rs.on_marks({"yes": 7000}, DAY0 + 1)  # peak equity 1200
    rs.on_marks({"yes": 4000}, DAY0 + 2)  # equity 900, exposure 400 in crypto
    i = intent(size=700 * SHARE, market="m2", asset_id="y2")  # +350 → 750 > 0.8 × 900 = 720
    assert rs.check_intent(i, DAY0 + 3).reason == GateVeto.CATEGORY_EXPOSURE_CAP


def test_defect_reset_daily_never_scheduled() -> None:
    """Seed §1.26: "`reset_daily()` zeroes `daily_pnl` only" and B-10: "`reset_daily` is never
    scheduled." The day rolls by itself at the UTC boundary."""
    rs = fresh()
    bought(rs, 1000)
    rs.on_marks({"yes": 4700}, DAY0 + MS_PER_DAY - 1)  # −3% today
    assert rs.daily_loss() == pytest.approx(0.03)
    rs.on_marks({"yes": 4700}, DAY0 + MS_PER_DAY)
    assert rs.daily_loss() == 0


def test_defect_halts_block_nothing() -> None:
    """Seed §5.1 B-8: "`halted` (kill-switch file, memory or disk fail) only produces alerts.
    The docstring promise 'halted: cancel all orders and block everything' is not
    implemented." Every halt reason blocks every submit."""
    for reason in HaltReason:
        rs = fresh()
        rs.halt(reason, DAY0)
        assert rs.check_intent(intent(side=Side.SELL, size=SHARE), DAY0).reason == "halted"
