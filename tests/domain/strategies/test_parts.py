"""The strategies' small parts: Kelly sizing, spot tracking, arrival intensity, mid variance."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from astra.domain.events import SpotPrice, Trade
from astra.domain.prices import Side
from astra.domain.reasons import GateVeto
from astra.domain.strategies.intensity import ArrivalIntensity, IntensityConfig
from astra.domain.strategies.mid_variance import RollingMidVariance
from astra.domain.strategies.sizing import KellyConfig, Sizing, full_kelly, kelly_size
from astra.domain.strategies.spot_state import SpotTracker, spot_symbol
from astra.domain.verdict import Verdict

from .scenario import SHARE, contract

EQUITY = 10_000 * SHARE


def test_kelly_fraction_then_caps() -> None:
    assert full_kelly(0.1, 6000) == pytest.approx(0.25)
    sized = kelly_size(EQUITY, 0.01, 6000, 5 * SHARE, KellyConfig(max_stake_frac=1.0))
    assert isinstance(sized, Sizing)
    assert sized.limited_by == "kelly"
    assert sized.stake_frac == pytest.approx(0.25 * 0.025)
    assert sized.size == (62_500_000 * 10_000 // 6000) // 10_000 * 10_000
    capped = kelly_size(EQUITY, 0.2, 6000, 5 * SHARE, KellyConfig())
    assert isinstance(capped, Sizing)
    assert capped.limited_by == "max_stake"
    notional = kelly_size(EQUITY, 0.2, 6000, 0, KellyConfig(max_notional=50 * SHARE))
    assert isinstance(notional, Sizing)
    assert notional.limited_by == "max_notional"
    assert notional.size * 6000 // 10_000 <= 50 * SHARE


@pytest.mark.parametrize(
    ("equity", "edge", "price", "veto"),
    [
        (EQUITY, math.nan, 5000, GateVeto.NON_FINITE_INPUT),
        (0, 0.1, 5000, GateVeto.NON_POSITIVE_EQUITY),
        (EQUITY, -0.1, 5000, GateVeto.OUT_OF_RANGE_INPUT),
        (EQUITY, 0.1, 10_000, GateVeto.OUT_OF_RANGE_INPUT),
        (10 * SHARE, 0.01, 5000, GateVeto.SIZE_BELOW_MIN),
    ],
)
def test_kelly_vetoes(equity: int, edge: float, price: int, veto: GateVeto) -> None:
    result = kelly_size(equity, edge, price, 5 * SHARE, KellyConfig())
    assert isinstance(result, Verdict)
    assert result.reason is veto


@given(
    equity=st.integers(1, 10**12),
    edge=st.floats(1e-6, 0.99),
    price=st.integers(1, 9999),
)
def test_kelly_never_exceeds_its_caps(equity: int, edge: float, price: int) -> None:
    config = KellyConfig(max_notional=250 * SHARE)
    result = kelly_size(equity, edge, price, 1, config)
    if isinstance(result, Sizing):
        cost = result.size * price // 10_000
        assert cost <= equity * config.max_stake_frac + 1
        assert cost <= config.max_notional
        assert result.size % config.size_step == 0


def _print(ts: int, value: str, symbol: str = "BTCUSDT") -> SpotPrice:
    return SpotPrice(symbol, ts, value)


def test_spot_tracker_samples_evenly_and_restarts_after_a_gap() -> None:
    tracker = SpotTracker(sample_interval_ms=1_000, max_samples=5)
    assert spot_symbol(contract()) == "btcusdt"
    for ts, price in ((0, "100"), (500, "101"), (1_200, "102"), (2_100, "103")):
        assert tracker.on_spot(_print(ts, price))
    view = tracker.view("btcusdt")
    assert view is not None
    assert view.samples == (101.0, 102.0, 103.0)  # the last print of each second
    assert (str(view.price), view.ts_ms) == ("103", 2_100)
    assert not tracker.on_spot(_print(2_000, "99"))  # out of order
    assert not tracker.on_spot(_print(2_200, "NaN"))
    assert not tracker.on_spot(_print(2_200, "-1"))
    assert tracker.on_spot(_print(9_000, "104"))  # a gap: the path restarts
    restarted = tracker.view("BTCUSDT")
    assert restarted is not None
    assert restarted.samples == (104.0,)
    assert tracker.view("ethusdt") is None
    for second in range(10, 20):
        tracker.on_spot(_print(second * 1_000, "105"))
    longest = tracker.view("btcusdt")
    assert longest is not None
    assert len(longest.samples) == 5


def _trade(i: int, price: int, ts: int = 0) -> Trade:
    return Trade("m", "yes", ts, price, SHARE, Side.BUY, f"t{i}")


def test_intensity_is_the_exponential_mle_over_a_window() -> None:
    rolling = ArrivalIntensity(IntensityConfig(window_ms=10_000, min_trades=3))
    for i, price in enumerate((5100, 5200, 5300)):
        assert rolling.observe(_trade(i, price), 5000.0, 0)
    assert not rolling.observe(_trade(0, 5100), 5000.0, 0)  # seen
    found = rolling.estimate(0)
    assert found is not None
    assert found.k == pytest.approx(3 / (0.01 + 0.02 + 0.03))
    assert found.rate_per_s == pytest.approx(3 / 10)
    assert rolling.estimate(20_000) is None  # all evicted
    at_mid = ArrivalIntensity(IntensityConfig(min_trades=1))
    at_mid.observe(_trade(9, 5000), 5000.0, 0)
    floor = at_mid.estimate(0)
    assert floor is not None
    assert floor.k == pytest.approx(1 / 0.0005)


def test_mid_variance_is_quadratic_variation_per_second() -> None:
    var = RollingMidVariance(window_ms=100_000, min_moves=2)
    var.observe(0.50, 0)
    var.observe(0.51, 1_000)
    assert var.variance_per_s(1_000) is None
    var.observe(0.49, 3_000)
    var.observe(0.48, 3_000)  # same millisecond: replaces
    assert var.variance_per_s(3_000) == pytest.approx((0.01**2 + 0.02**2) / 3.0)
    assert var.variance_per_s(500_000) is None
