"""The weather model against hand-computed normal probabilities, a seeded Monte Carlo of the
reported (whole-degree) extreme, and bucket-sum properties."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from astra.domain.contracts.contract import Direction
from astra.domain.models.frames import DAY_MS
from astra.domain.models.weather import (
    ExtremeDistribution,
    WeatherEstimate,
    WeatherModelConfig,
    bucket_probabilities,
    distribution,
    estimate_weather,
    event_probability,
)
from astra.domain.reasons import GateVeto
from astra.domain.verdict import Verdict

from .cases import DAY_END, forecast, weather

CONFIG = WeatherModelConfig()


def est(contract: object = None, fc: object = None) -> WeatherEstimate:
    found = estimate_weather(contract or weather(), fc or forecast(), CONFIG)  # type: ignore[arg-type]
    assert isinstance(found, WeatherEstimate), found
    return found


def test_sigma_widens_linearly_with_lead_and_is_capped() -> None:
    assert CONFIG.sigma(0) == 4.0
    assert CONFIG.sigma(2 * DAY_MS) == pytest.approx(5.5)
    assert CONFIG.sigma(100 * DAY_MS) == 12.0
    assert CONFIG.sigma(-DAY_MS) == 4.0  # a forecast issued after the day is not sharper


def test_hand_computed_exceedance_with_the_continuity_correction() -> None:
    # mu 80, sigma 4 (issued at the day's end: lead 0). "80 or higher" is H >= 79.5:
    # Phi(0.5 / 4) = Phi(0.125) = 0.549738; "above 80" is H >= 80.5: 0.450262.
    assert est().p_hat == pytest.approx(0.549738, abs=1e-6)
    assert est(weather(inclusive=False)).p_hat == pytest.approx(0.450262, abs=1e-6)
    # "79 or lower" = H < 79.5 = 1 - 0.549738.
    below = weather(threshold=79, direction=Direction.BELOW)
    assert est(below).p_hat == pytest.approx(0.450262, abs=1e-6)


def test_lead_time_pulls_the_probability_toward_one_half() -> None:
    near = est(fc=forecast(84.0, issued_ms=DAY_END))
    far = est(fc=forecast(84.0, issued_ms=DAY_END - 5 * DAY_MS))
    assert far.sigma_f == pytest.approx(7.75)
    assert 0.5 < far.p_hat < near.p_hat
    assert far.lead_h == pytest.approx(120.0)


def test_observed_running_max_above_threshold_is_certain() -> None:
    found = est(fc=forecast(75.0, observed_f=81.0, observed_ms=DAY_END - 3_600_000))
    assert (found.p_hat, found.p_low, found.p_high, found.certain) == (1.0, 1.0, 1.0, True)
    # The complement contract ("below 80") is then certainly NO.
    below = est(
        weather(direction=Direction.BELOW, inclusive=False), forecast(75.0, observed_f=81.0)
    )
    assert (below.p_low, below.p_high) == (0.0, 0.0)


def test_observed_running_max_truncates_the_forecast() -> None:
    # mu 78, sigma 4, running max 76: P(H >= 79.5 | H >= 76) = sf(0.375) / sf(-0.5)
    # = 0.353830 / 0.691462 = 0.511713.
    found = est(fc=forecast(78.0, observed_f=76.0, observed_ms=DAY_END - 3_600_000))
    assert found.p_hat == pytest.approx(0.511713, abs=1e-6)
    assert found.p_hat > est(fc=forecast(78.0)).p_hat  # the floor only adds mass above


def test_running_min_truncates_a_daily_low_from_above() -> None:
    low = weather(threshold=60, direction=Direction.BELOW, variable="min_temp")
    fc = forecast(62.0, observed_f=61.0, variable="min_temp")
    # "60 or lower" = H < 60.5; given H <= 61: Phi(-0.375) / Phi(-0.25).
    expected = (0.5 * math.erfc(0.375 / math.sqrt(2))) / (0.5 * math.erfc(0.25 / math.sqrt(2)))
    assert est(low, fc).p_hat == pytest.approx(expected, abs=1e-9)


def test_band_contains_the_point_and_is_at_least_the_minimum_width() -> None:
    found = est()
    assert found.p_low < found.p_hat < found.p_high
    assert found.p_high - found.p_low >= 2 * CONFIG.min_half_width


def test_celsius_contract_uses_the_converted_distribution() -> None:
    # 80 F = 26.67 C; "27 C or higher" = H >= 26.5 C.
    found = est(weather(threshold=27, unit="C"))
    z = (26.5 - (80.0 - 32.0) * 5 / 9) / (4.0 * 5 / 9)
    assert found.p_hat == pytest.approx(0.5 * math.erfc(z / math.sqrt(2)), abs=1e-9)


def test_unsupported_variable_and_non_finite_forecast_are_vetoed() -> None:
    snow = estimate_weather(weather(variable="snowfall", unit="in"), forecast(), CONFIG)
    assert isinstance(snow, Verdict)
    assert snow.reason is GateVeto.UNSUPPORTED_CONTRACT
    nan = estimate_weather(weather(), forecast(float("nan")), CONFIG)
    assert isinstance(nan, Verdict)
    assert nan.reason is GateVeto.NON_FINITE_INPUT


@pytest.mark.parametrize(
    ("mu", "observed", "threshold", "inclusive"),
    [
        (80.0, None, 80, True),
        (78.0, 76.0, 80, True),
        (70.0, 69.0, 75, False),
        (85.0, None, 80, False),
    ],
)
def test_monte_carlo_of_the_reported_whole_degree_high(
    mu: float, observed: float | None, threshold: int, inclusive: bool
) -> None:
    """Sample H ~ N(mu, 4) conditioned on H >= observed, report round-half-up(H) and count
    YES; the model must sit within 4 standard errors of the simulated frequency."""
    rng = np.random.default_rng(18)
    draws = rng.normal(mu, 4.0, 400_000)
    if observed is not None:
        draws = draws[draws >= observed]
    reported = np.floor(draws + 0.5)
    wins = reported >= threshold if inclusive else reported > threshold
    freq = float(wins.mean())
    se = math.sqrt(freq * (1 - freq) / draws.size)
    contract = weather(threshold=threshold, inclusive=inclusive)
    model = est(contract, forecast(mu, observed_f=observed)).p_hat
    assert abs(model - freq) < 4 * se + 1e-9, (model, freq, se)


def _partition(cuts: list[int]) -> list[tuple[int | None, int | None]]:
    edges = sorted(set(cuts))
    buckets: list[tuple[int | None, int | None]] = [(None, edges[0] - 1)]
    buckets += [(lo, hi - 1) for lo, hi in itertools.pairwise(edges)]
    return [*buckets, (edges[-1], None)]


@settings(max_examples=300, deadline=None)
@given(
    mu=st.floats(-30, 120),
    sigma=st.floats(0.3, 15),
    cuts=st.lists(st.integers(-40, 130), min_size=1, max_size=12),
    observed=st.one_of(st.none(), st.floats(-40, 130)),
    is_max=st.booleans(),
)
def test_bucket_probabilities_of_one_event_sum_to_one(
    mu: float, sigma: float, cuts: list[int], observed: float | None, is_max: bool
) -> None:
    dist = ExtremeDistribution(
        mu, sigma, observed if is_max else None, None if is_max else observed
    )
    probs = bucket_probabilities(dist, _partition(cuts))
    assert all(0.0 <= p <= 1.0 for p in probs)
    assert math.fsum(probs) == pytest.approx(1.0, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(mu=st.floats(40, 110), cuts=st.lists(st.integers(50, 100), min_size=2, max_size=8))
def test_buckets_at_or_above_a_threshold_equal_the_exceedance(mu: float, cuts: list[int]) -> None:
    """The event's buckets and an "at least T" contract read one distribution: the mass of
    the buckets from T up is exactly P(T or higher)."""
    fc = forecast(mu)
    dist = distribution(fc, CONFIG.sigma(0))
    buckets = _partition(cuts)
    probs = bucket_probabilities(dist, buckets)
    for i, (lo, _) in enumerate(buckets[1:], start=1):
        assert lo is not None
        upper = math.fsum(probs[i:])
        assert upper == pytest.approx(event_probability(dist, weather(threshold=lo)), abs=1e-9)


def test_a_broken_partition_is_refused() -> None:
    dist = ExtremeDistribution(70.0, 4.0)
    with pytest.raises(ValueError, match="contiguous"):
        bucket_probabilities(dist, [(None, 69), (71, None)])
    with pytest.raises(ValueError, match="open"):
        bucket_probabilities(dist, [(60, 69), (70, None)])
