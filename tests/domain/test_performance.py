"""Performance metrics: hand-checked values, sample gates, windows, bootstrap; seed defects."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from astra.domain.bootstrap import bootstrap_ci
from astra.domain.performance import (
    MS_PER_DAY,
    MS_PER_YEAR,
    Drawdown,
    EquityPoint,
    Forecast,
    Insufficient,
    PerformanceConfig,
    Shortfall,
    TradeResult,
    Value,
    brier,
    calmar,
    drawdown,
    performance_report,
    profit_factor,
    sampled_returns,
    sharpe,
    sortino,
    win_rate,
    window_report,
)

HOUR = 3_600_000
T0 = 1_700_000_000_000
CFG = PerformanceConfig()


def rng(seed: int = 1) -> np.random.Generator:
    return np.random.default_rng(seed)


def curve_from_returns(returns: list[float], start: int = 1_000_000_000) -> list[EquityPoint]:
    eq = [start]
    for r in returns:
        eq.append(round(eq[-1] * (1 + r)))
    return [EquityPoint(T0 + i * HOUR, e) for i, e in enumerate(eq)]


def value(metric: Value | Insufficient) -> Value:
    assert isinstance(metric, Value), metric
    return metric


def test_sharpe_and_sortino_match_the_textbook_formulas() -> None:
    r = np.random.default_rng(3).normal(0.001, 0.01, 200)
    points = curve_from_returns(list(r))
    returns = sampled_returns(points, HOUR)
    assert isinstance(returns, np.ndarray)
    scale = math.sqrt(MS_PER_YEAR / HOUR)
    s = value(sharpe(returns, CFG, rng()))
    assert s.value == pytest.approx(returns.mean() / returns.std(ddof=1) * scale)
    assert s.ci is not None
    assert s.ci[0] < s.value < s.ci[1]
    so = value(sortino(returns, CFG, rng()))
    downside = math.sqrt(float(np.mean(np.minimum(returns, 0) ** 2)))
    assert so.value == pytest.approx(returns.mean() / downside * scale)


def test_returns_carry_the_last_equity_across_the_grid() -> None:
    points = [EquityPoint(0, 100), EquityPoint(2 * HOUR + 5, 110), EquityPoint(3 * HOUR, 121)]
    returns = sampled_returns(points, HOUR)
    assert isinstance(returns, np.ndarray)
    assert returns.tolist() == pytest.approx([0.0, 0.0, 0.21])


def test_the_partial_last_interval_is_kept() -> None:
    # 0 -> 1 h: 100 -> 110; the last 20 minutes: 110 -> 99, a -10% return that must count.
    points = [EquityPoint(0, 100), EquityPoint(HOUR, 110), EquityPoint(HOUR + HOUR // 3, 99)]
    returns = sampled_returns(points, HOUR)
    assert isinstance(returns, np.ndarray)
    assert returns.tolist() == pytest.approx([0.10, -0.10])


def test_sample_gates_are_named_results() -> None:
    short = sampled_returns(curve_from_returns([0.01] * 5), HOUR)
    assert sharpe(short, CFG, rng()) == Insufficient(Shortfall.TOO_FEW_SAMPLES, 5, 30)
    flat = sampled_returns(curve_from_returns([0.0] * 40), HOUR)
    assert sharpe(flat, CFG, rng()) == Insufficient(Shortfall.ZERO_VARIANCE, 40, 30)
    rising = sampled_returns(curve_from_returns([0.01] * 40), HOUR)
    assert sortino(rising, CFG, rng()) == Insufficient(Shortfall.NO_DOWNSIDE, 40, 30)
    one = sampled_returns([EquityPoint(0, 1)], HOUR)
    assert isinstance(one, Insufficient)


def test_drawdown_depth_and_duration() -> None:
    eq = [100, 120, 90, 110, 125, 100, 101]
    points = [EquityPoint(i * HOUR, e) for i, e in enumerate(eq)]
    dd = drawdown(points)
    assert isinstance(dd, Drawdown)
    assert dd.max_frac == pytest.approx(0.25)  # 120 → 90
    assert dd.max_duration_ms == 3 * HOUR  # peak 120 at 1h regained at 4h
    assert dd.current_frac == pytest.approx(24 / 125)
    assert drawdown(points[:1]) == Insufficient(Shortfall.TOO_FEW_SAMPLES, 1, 2)


def test_win_rate_profit_factor_and_gates() -> None:
    trades = [TradeResult(T0, p) for p in [10, -5, 0, 20, -5] * 5]
    wr = value(win_rate(trades, CFG, rng()))
    assert wr.value == pytest.approx(0.5)
    assert wr.n == 20  # 5 break-evens excluded
    assert wr.ci is not None
    assert 0.0 <= wr.ci[0] <= 0.5 <= wr.ci[1] <= 1.0
    assert value(profit_factor(trades, CFG)).value == pytest.approx(3.0)
    assert isinstance(win_rate(trades[:10], CFG, rng()), Insufficient)
    assert profit_factor(trades[:10], CFG) == Insufficient(Shortfall.TOO_FEW_SAMPLES, 10, 20)


def test_brier_and_calibration_buckets() -> None:
    forecasts = [Forecast(T0, 0.8, True)] * 16 + [Forecast(T0, 0.8, False)] * 4
    forecasts += [Forecast(T0, 0.05, False)] * 10
    b, buckets = brier(forecasts, CFG, rng())
    expected = (16 * 0.04 + 4 * 0.64 + 10 * 0.0025) / 30
    assert value(b).value == pytest.approx(expected)
    assert [(x.low, x.n, x.frequency) for x in buckets] == [(0.0, 10, 0.0), (0.8, 20, 0.8)]
    assert buckets[1].mean_p == pytest.approx(0.8)
    small, none = brier(forecasts[:5], CFG, rng())
    assert small == Insufficient(Shortfall.TOO_FEW_SAMPLES, 5, 20)
    assert none == ()
    with pytest.raises(ValueError, match="forecast"):
        brier([Forecast(T0, math.nan, True)], CFG, rng())


def test_windows_select_their_own_data_and_are_reproducible() -> None:
    r = list(np.random.default_rng(5).normal(0.0002, 0.004, 24 * 40))
    points = curve_from_returns(r)
    now = points[-1].ts_ms
    trades = [TradeResult(now - k * 3 * HOUR, (-1) ** k * (k + 1)) for k in range(300)]
    rep = performance_report(points, trades, [], now, seed=11)
    assert list(rep) == ["1d", "7d", "30d", "all"]
    assert rep["1d"].win_rate == Insufficient(Shortfall.TOO_FEW_SAMPLES, 8, 20)
    assert value(rep["30d"].win_rate).n == 240
    assert value(rep["all"].win_rate).n == 300
    assert rep["1d"].sharpe == Insufficient(Shortfall.TOO_FEW_SAMPLES, 24, 30)
    assert value(rep["7d"].sharpe).n == 7 * 24
    assert isinstance(rep["1d"].calmar, Insufficient)
    assert isinstance(rep["all"].calmar, Value)
    again = performance_report(points, trades, [], now, seed=11)
    assert again["all"].as_dict() == rep["all"].as_dict()
    other = performance_report(points, trades, [], now, seed=12)
    assert value(other["all"].sharpe).value == value(rep["all"].sharpe).value
    assert value(other["all"].sharpe).ci != value(rep["all"].sharpe).ci
    text = json.dumps({k: v.as_dict() for k, v in rep.items()}, allow_nan=False)
    assert "Infinity" not in text


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(1, 10**9), min_size=2, max_size=60))
def test_drawdown_properties(equities: list[int]) -> None:
    points = [EquityPoint(i * HOUR, e) for i, e in enumerate(equities)]
    dd = drawdown(points)
    assert isinstance(dd, Drawdown)
    assert 0.0 <= dd.current_frac <= dd.max_frac < 1.0
    assert 0 <= dd.max_duration_ms <= points[-1].ts_ms
    running = np.maximum.accumulate(np.array(equities, dtype=float))
    assert dd.max_frac == pytest.approx(float(np.max(1 - np.array(equities) / running)))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1, 1), min_size=2, max_size=50), st.floats(0.5, 0.99))
def test_bootstrap_interval_is_ordered_and_within_the_data(xs: list[float], conf: float) -> None:
    data = np.array(xs)
    ci = bootstrap_ci(data, lambda a: a.mean(axis=-1), rng(), n_resamples=300, confidence=conf)
    assert ci is not None
    assert data.min() - 1e-12 <= ci[0] <= ci[1] <= data.max() + 1e-12


# ---- the seed's metric defects (seed_spec §1.12–1.14, §5.7 B-37) ----


def test_defect_trades_per_day_floor_inflates_annualisation() -> None:
    """Seed §5.7 B-37: "`trades_per_day` uses a 1-day floor, so a burst of trades on one day
    inflates annualisation by about √(365·n)." Annualisation here is √(periods per year) of
    the sampling grid; the number of trades never enters."""
    points = curve_from_returns(list(np.random.default_rng(8).normal(0.001, 0.01, 60)))
    now = points[-1].ts_ms
    few = window_report("all", points, [TradeResult(now, 1)], [], now, CFG, rng())
    burst = [TradeResult(now, 1)] * 5000
    many = window_report("all", points, burst, [], now, CFG, rng())
    assert value(few.sharpe).value == value(many.sharpe).value


def test_defect_calmar_explodes_over_short_spans() -> None:
    """Seed §1.12: "Over very short spans this explodes." A span under 30 days is
    insufficient, not a huge number."""
    points = [EquityPoint(0, 100), EquityPoint(HOUR, 90), EquityPoint(2 * HOUR, 130)]
    assert calmar(points, drawdown(points), CFG) == Insufficient(Shortfall.SPAN_TOO_SHORT, 3)
    long = [EquityPoint(0, 100), EquityPoint(MS_PER_DAY, 90), EquityPoint(365 * MS_PER_DAY, 110)]
    c = value(calmar(long, drawdown(long), CFG))
    years = 365 * MS_PER_DAY / MS_PER_YEAR
    assert c.value == pytest.approx((1.1 ** (1 / years) - 1) / 0.1)


def test_defect_break_even_counted_as_loss() -> None:
    """Seed §1.12: "**Losses have pnl ≤ 0**, so break-even counts as a loss." """
    trades = [TradeResult(T0, 5)] * 10 + [TradeResult(T0, 0)] * 10 + [TradeResult(T0, -5)] * 10
    assert value(win_rate(trades, CFG, rng())).value == pytest.approx(0.5)


def test_defect_sortino_uses_std_of_negative_returns_only() -> None:
    """Seed §1.12: "This 'std of negative returns only' is not the textbook downside
    deviation" and "If |D| < 3 it stays NaN"."""
    r = np.array([0.02, -0.01, -0.01, -0.01, 0.03] * 8)
    negatives = r[r < 0]
    assert negatives.std(ddof=1) == 0.0  # the seed divided by this: inf, reported as "0"
    s = value(sortino(r, CFG, rng()))
    downside = math.sqrt(float(np.mean(np.minimum(r, 0) ** 2)))
    assert s.value == pytest.approx(r.mean() / downside * math.sqrt(MS_PER_YEAR / HOUR))


def test_defect_profit_factor_infinite_without_losses() -> None:
    """Seed §1.12: profit factor "else if gross profit > 0: +∞; else NaN"."""
    trades = [TradeResult(T0, 5)] * 25
    assert profit_factor(trades, CFG) == Insufficient(Shortfall.NO_LOSSES, 25, 20)


def test_defect_unknown_confidence_level_silently_196() -> None:
    """Seed §1.13: "**Any other confidence level silently gets 1.96.**" """
    data = np.random.default_rng(2).normal(0, 1, 200)

    def mean(a: np.ndarray) -> np.ndarray:
        return a.mean(axis=-1)  # type: ignore[no-any-return]

    ci80 = bootstrap_ci(data, mean, rng(), confidence=0.80)
    ci99 = bootstrap_ci(data, mean, rng(), confidence=0.99)
    assert ci80 is not None
    assert ci99 is not None
    assert ci80[1] - ci80[0] < 0.75 * (ci99[1] - ci99[0])
    with pytest.raises(ValueError, match="confidence"):
        bootstrap_ci(data, mean, rng(), confidence=1.5)


def test_defect_too_few_values_gave_nan_intervals() -> None:
    """Seed §1.13: "fewer than 2 values → (NaN, NaN)". No interval is None, never NaN."""
    assert bootstrap_ci(np.array([1.0]), lambda a: a.mean(axis=-1), rng()) is None


def test_defect_unknown_window_kept_everything() -> None:
    """Seed §1.12: "`all_time` and unknown windows keep everything (an unknown window also
    logs a warning)." """
    with pytest.raises(ValueError, match="unknown window"):
        window_report("90x", [], [], [], T0, CFG, rng())


def test_defect_drawdown_pct_zero_when_peak_not_positive() -> None:
    """Seed §1.14: "dd% = dd/P (0 if P ≤ 0)" — a wiped-out book showed no drawdown."""
    points = [EquityPoint(0, 100), EquityPoint(HOUR, 0)]
    assert drawdown(points) == Insufficient(Shortfall.NON_POSITIVE_EQUITY, 2)


def test_defect_time_under_water_from_first_entry() -> None:
    """Seed §1.12: "If k = 0, the time from the first trade's **entry** to the last exit." The
    duration runs from the peak itself until it is regained or the window ends."""
    points = [EquityPoint(0, 100), EquityPoint(5 * HOUR, 120), EquityPoint(7 * HOUR, 110)]
    dd = drawdown(points)
    assert isinstance(dd, Drawdown)
    assert dd.max_duration_ms == 2 * HOUR
