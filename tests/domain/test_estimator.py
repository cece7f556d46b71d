"""Lognormal estimator: closed forms, band, vetoes, and the seed's estimator defects."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from astra.domain.estimator import (
    Direction,
    Estimate,
    EstimatorConfig,
    EventKind,
    estimate,
    estimate_close,
    estimate_touch,
    years_until,
)
from astra.domain.reasons import GateVeto
from astra.domain.verdict import Verdict
from astra.domain.volatility import (
    VolEstimate,
    estimate_vol,
    estimate_vol_from_returns,
    vol_band,
)


def ok(result: Estimate | Verdict) -> Estimate:
    assert isinstance(result, Estimate), result
    return result


def vetoed(result: Estimate | Verdict | VolEstimate) -> GateVeto:
    assert isinstance(result, Verdict), result
    assert not result.passed
    assert result.reason is not None
    return result.reason


def test_close_above_and_below_are_complements() -> None:
    above = ok(estimate_close(95_000, 100_000, 0.65, 0.1, "above"))
    below = ok(estimate_close(95_000, 100_000, 0.65, 0.1, "below"))
    assert above.p_hat + below.p_hat == pytest.approx(1.0, abs=1e-12)
    assert above.p_low == pytest.approx(1.0 - below.p_high, abs=1e-12)


def test_close_at_the_money_is_just_below_half_because_of_the_log_drift() -> None:
    e = ok(estimate_close(100.0, 100.0, 0.8, 0.25, Direction.ABOVE))
    d2 = -0.2  # −v/2 with v = 0.8·√0.25 = 0.4
    assert e.p_hat == pytest.approx(0.5 * (1 + math.erf(d2 / math.sqrt(2))), abs=1e-12)
    assert e.p_hat < 0.5


def test_touch_is_at_least_close_in_the_same_direction() -> None:
    for strike, direction in ((110.0, "above"), (90.0, "below")):
        touch = ok(estimate_touch(100.0, strike, 0.7, 0.2, direction))
        close = ok(estimate_close(100.0, strike, 0.7, 0.2, direction))
        assert touch.p_hat > close.p_hat


def test_already_touched_is_certain_in_both_directions() -> None:
    up = ok(estimate_touch(100.0, 90.0, 0.7, 0.2, "above"))
    down = ok(estimate_touch(100.0, 110.0, 0.7, 0.2, "below"))
    at = ok(estimate_touch(100.0, 100.0, 0.7, 0.2, "below"))
    for e in (up, down, at):
        assert (e.p_low, e.p_hat, e.p_high) == (1.0, 1.0, 1.0)


def test_estimate_records_inputs_and_model() -> None:
    e = ok(estimate_touch(95_000, 100_000, 0.65, 0.1, "above"))
    assert e.model == "lognormal_touch_v2"
    assert (e.spot, e.strike, e.vol_annual, e.t_years) == (95_000.0, 100_000.0, 0.65, 0.1)
    assert e.kind is EventKind.TOUCH
    assert e.direction is Direction.ABOVE
    assert e.as_dict()["direction"] == "above"


@pytest.mark.parametrize(
    ("spot", "strike", "vol", "t", "reason"),
    [
        (100.0, 110.0, 0.5, 0.0, GateVeto.EXPIRED),
        (100.0, 110.0, 0.5, -1.0, GateVeto.EXPIRED),
        (0.0, 110.0, 0.5, 0.1, GateVeto.OUT_OF_RANGE_INPUT),
        (-5.0, 110.0, 0.5, 0.1, GateVeto.OUT_OF_RANGE_INPUT),
        (100.0, -1.0, 0.5, 0.1, GateVeto.OUT_OF_RANGE_INPUT),
        (100.0, 110.0, 0.0, 0.1, GateVeto.OUT_OF_RANGE_INPUT),
        (math.nan, 110.0, 0.5, 0.1, GateVeto.NON_FINITE_INPUT),
        (100.0, math.inf, 0.5, 0.1, GateVeto.NON_FINITE_INPUT),
        (100.0, 110.0, math.nan, 0.1, GateVeto.NON_FINITE_INPUT),
        (100.0, 110.0, 0.5, math.inf, GateVeto.NON_FINITE_INPUT),
        (1e-300, 1e300, 1e-300, 1e-300, GateVeto.OUT_OF_RANGE_INPUT),
    ],
)
def test_bad_inputs_are_vetoes_for_both_kinds(
    spot: float, strike: float, vol: float, t: float, reason: GateVeto
) -> None:
    for kind in EventKind:
        for direction in Direction:
            assert vetoed(estimate(kind, spot, strike, vol, t, direction)) == reason


def test_bool_and_unknown_enum_inputs_are_vetoes() -> None:
    assert vetoed(estimate_close(True, 110.0, 0.5, 0.1, "above")) == GateVeto.OUT_OF_RANGE_INPUT
    assert vetoed(estimate("between", 1.0, 2.0, 0.5, 0.1, "above")) == GateVeto.OUT_OF_RANGE_INPUT


def test_numpy_scalars_are_accepted() -> None:
    e = ok(estimate_close(np.float64(100.0), np.float64(105.0), 0.5, 0.1, "above"))
    assert 0.0 < e.p_hat < 0.5


finite_pos = st.floats(min_value=1e-3, max_value=1e6)
ratios = st.floats(min_value=0.2, max_value=5.0)
vols = st.floats(min_value=0.01, max_value=3.0)
times = st.floats(min_value=1e-5, max_value=5.0)
kinds = st.sampled_from(list(EventKind))
dirs = st.sampled_from(list(Direction))
bands = st.floats(min_value=0.0, max_value=0.9)


@settings(max_examples=300, deadline=None)
@given(finite_pos, ratios, vols, times, kinds, dirs, bands)
def test_band_is_ordered_and_in_unit_interval(
    spot: float, ratio: float, vol: float, t: float, kind: EventKind, d: Direction, u: float
) -> None:
    e = ok(estimate(kind, spot, spot * ratio, vol, t, d, EstimatorConfig(vol_rel_band=u)))
    assert 0.0 <= e.p_low <= e.p_hat <= e.p_high <= 1.0


@settings(max_examples=200, deadline=None)
@given(ratios, vols, times, kinds, dirs, st.floats(min_value=0.01, max_value=0.9))
def test_band_contains_every_vol_in_the_uncertainty_interval(
    ratio: float, vol: float, t: float, kind: EventKind, d: Direction, u: float
) -> None:
    """The extremes are exact (endpoints plus the interior critical point), not sampled."""
    cfg = EstimatorConfig(vol_rel_band=u, min_half_width=0.0)
    e = ok(estimate(kind, 1.0, ratio, vol, t, d, cfg))
    for sigma in np.linspace(vol * (1 - u), vol * (1 + u), 41):
        p = ok(estimate(kind, 1.0, ratio, float(sigma), t, d, cfg)).p_hat
        assert e.p_low - 1e-12 <= p <= e.p_high + 1e-12


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=1.01, max_value=3.0), vols, times, dirs)
def test_touch_is_monotone_in_vol(ratio: float, vol: float, t: float, d: Direction) -> None:
    strike = ratio if d is Direction.ABOVE else 1.0 / ratio
    lo = ok(estimate_touch(1.0, strike, vol, t, d)).p_hat
    hi = ok(estimate_touch(1.0, strike, vol * 1.5, t, d)).p_hat
    assert hi >= lo - 1e-12


def test_vol_estimate_recovers_a_known_vol() -> None:
    rng = np.random.default_rng(7)
    interval_ms = 60_000
    per_step = 0.8 / math.sqrt(365.25 * 24 * 60)
    returns = rng.normal(0.0, per_step, 20_000)
    prices = 60_000.0 * np.exp(np.concatenate([[0.0], np.cumsum(returns)]))
    est = estimate_vol(prices, interval_ms)
    assert isinstance(est, VolEstimate)
    assert est.vol_annual == pytest.approx(0.8, rel=0.03)
    assert est.n_returns == 20_000
    assert est.rel_band == pytest.approx(0.05)  # floored: 1.96/√40000 < 0.05


def test_vol_estimate_vetoes() -> None:
    flat = [100.0] * 50
    assert vetoed(estimate_vol(flat, 60_000)) == GateVeto.OUT_OF_RANGE_INPUT
    assert vetoed(estimate_vol([100.0, 101.0], 60_000)) == GateVeto.INSUFFICIENT_SAMPLES
    assert vetoed(estimate_vol([100.0, math.nan] * 20, 60_000)) == GateVeto.NON_FINITE_INPUT
    assert vetoed(estimate_vol([100.0, -1.0] * 20, 60_000)) == GateVeto.OUT_OF_RANGE_INPUT
    assert vetoed(estimate_vol_from_returns([0.01] * 40, 0)) == GateVeto.OUT_OF_RANGE_INPUT
    assert vetoed(estimate_vol_from_returns([[0.01]], 1000)) == GateVeto.OUT_OF_RANGE_INPUT
    assert vetoed(estimate_vol_from_returns([math.inf] * 40, 1000)) == GateVeto.NON_FINITE_INPUT


def test_years_until() -> None:
    assert years_until(0, 365 * 86_400_000 + 21_600_000) == pytest.approx(1.0)
    assert years_until(10, 5) < 0


# ---- the seed's estimator defects (seed_spec §1.31, §5.2 B-11) ----


def test_defect_downward_touch_returned_zero() -> None:
    """Seed §1.31 / B-11: "A touch with `<=` is computed as 1 − P(up-touch) ... Verified:
    S=95k, K=60k gives p=0." A downward touch is its own first-passage problem."""
    e = ok(estimate_touch(95_000, 60_000, 0.65, 0.5, "below"))
    assert 0.05 < e.p_hat < 0.5
    # 1 − P(up-touch of 60k) is 0 because 60k is "already above"; the seed returned exactly that
    assert ok(estimate_touch(95_000, 60_000, 0.65, 0.5, "above")).p_hat == 1.0
    assert e.p_hat != 0.0


def test_defect_strike_below_spot_was_always_certain() -> None:
    """Seed §1.31: "A touch `>=` with K below spot gives p = 1" — for a dip market the
    direction is below and the answer is a real probability, not 1."""
    e = ok(estimate_touch(95_000, 90_000, 0.65, 7 / 365.25, Direction.BELOW))
    assert 0.0 < e.p_low <= e.p_hat <= e.p_high < 1.0


def test_defect_bounds_reflect_an_absolute_vol_buffer_only() -> None:
    """Seed §1.31: "The ±0.10 is an absolute volatility buffer. These bounds reflect
    volatility sensitivity only ... no calibration." Ours is relative and narrows with the
    sample size of the vol estimate."""
    assert vol_band(30) > vol_band(300) > vol_band(3000)
    assert vol_band(30) == pytest.approx(1.96 / math.sqrt(60))
    wide = ok(estimate_close(100, 110, 0.6, 0.1, "above", EstimatorConfig(vol_band(30))))
    narrow = ok(estimate_close(100, 110, 0.6, 0.1, "above", EstimatorConfig(vol_band(3000))))
    assert wide.p_high - wide.p_low > narrow.p_high - narrow.p_low


def test_defect_eq_and_gt_treated_as_ge() -> None:
    """Seed §1.31: '">" is treated the same as ">=", and "==" is treated as ">="'. Only
    above/below exist; anything else is a veto."""
    for op in (">=", "==", ">", "<="):
        assert vetoed(estimate_close(100, 110, 0.6, 0.1, op)) == GateVeto.OUT_OF_RANGE_INPUT


def test_defect_non_positive_inputs_gave_zero_probabilities() -> None:
    """Seed §1.31: "Any input ≤ 0 → all zeros" and "Return 0 if S ≤ 0, σ ≤ 0 or t ≤ 0" —
    a zero looks like a real probability (a sure NO). Ours vetoes with a reason."""
    assert vetoed(estimate_touch(0, 100, 0.5, 0.1, "above")) == GateVeto.OUT_OF_RANGE_INPUT
    assert vetoed(estimate_touch(95, 100, 0.5, 0.0, "above")) == GateVeto.EXPIRED


def test_defect_strike_zero_returned_one() -> None:
    """Seed §1.31: close "1 if K ≤ 0" — a zero strike is a broken contract, not a sure YES."""
    assert vetoed(estimate_close(95, 0, 0.5, 0.1, "above")) == GateVeto.OUT_OF_RANGE_INPUT


def test_defect_zero_vol_was_deterministic() -> None:
    """Seed §1.31: "Zero volatility: 1 if S ≥ K else 0" — a missing vol is not certainty."""
    assert vetoed(estimate_close(95, 90, 0.0, 0.1, "above")) == GateVeto.OUT_OF_RANGE_INPUT


def test_defect_unparseable_cutoff_gave_zero_time() -> None:
    """Seed §1.31: "`time_to_cutoff_years` ... A parse error or a naive timestamp gives 0" and
    the estimator turned 0 into probability 0. A past cutoff is an EXPIRED veto here."""
    t = years_until(now_ms=2_000_000_000_000, cutoff_ms=1_999_000_000_000)
    assert vetoed(estimate_close(95, 90, 0.5, t, "above")) == GateVeto.EXPIRED
