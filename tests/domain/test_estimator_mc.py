"""The closed forms against a seeded 200,000-path Monte Carlo.

Paths are shared across every case: a standard Brownian motion W on [0, 1] is simulated once,
and a case with total vol v = σ√t uses X = vW − v²/2·s (the log-price under driftless GBM).
Touch uses the exact Brownian-bridge crossing probability per step,
P(cross | X_i, X_{i+1} both short of b) = exp(−2(b − X_i)(b − X_{i+1}) / (v²Δs)),
so discrete monitoring does not bias the estimate (the bridge has the same law with drift).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt
import pytest

from astra.domain.estimator import (
    DAYS_PER_YEAR,
    Direction,
    Estimate,
    EventKind,
    estimate,
)

N_PATHS = 200_000
N_STEPS = 16
TOLERANCE = 0.01
Case = tuple[float, float, float, EventKind, Direction]  # vol, days, strike/spot, kind, dir


@pytest.fixture(scope="module")
def brownian() -> npt.NDArray[np.float64]:
    rng = np.random.default_rng(20240611)
    steps = rng.standard_normal((N_PATHS, N_STEPS)) * math.sqrt(1.0 / N_STEPS)
    w = np.zeros((N_PATHS, N_STEPS + 1))
    np.cumsum(steps, axis=1, out=w[:, 1:])
    return w


def mc_probability(w: npt.NDArray[np.float64], v: float, b: float, case: Case) -> float:
    s = np.linspace(0.0, 1.0, N_STEPS + 1)
    x = v * w - 0.5 * v * v * s
    kind, direction = case[3], case[4]
    if kind is EventKind.CLOSE:
        above = float(np.mean(x[:, -1] > b))
        return above if direction is Direction.ABOVE else 1.0 - above
    gap = b - x if direction is Direction.ABOVE else x - b  # distance still to go, > 0
    untouched = np.all(gap > 0.0, axis=1)
    cross = np.exp(-2.0 * np.clip(gap[:, :-1] * gap[:, 1:], 0.0, None) * N_STEPS / (v * v))
    with np.errstate(divide="ignore"):
        log_survive = np.sum(np.log1p(-np.minimum(cross, 1.0)), axis=1)
    survive = np.where(untouched, np.exp(log_survive), 0.0)
    return 1.0 - float(np.mean(survive))


def grid(combos: list[tuple[float, float]]) -> Iterator[Case]:
    """Strikes at ±0.25, ±0.75, ±1.5 total-vol units; close both ways, touch toward K."""
    for vol, days in combos:
        v = vol * math.sqrt(days / DAYS_PER_YEAR)
        for k in (-1.5, -0.75, -0.25, 0.25, 0.75, 1.5):
            ratio = math.exp(k * v)
            yield (vol, days, ratio, EventKind.CLOSE, Direction.ABOVE)
            yield (vol, days, ratio, EventKind.CLOSE, Direction.BELOW)
            toward = Direction.ABOVE if k > 0 else Direction.BELOW
            yield (vol, days, ratio, EventKind.TOUCH, toward)


FAST = list(grid([(0.65, 7.0), (0.9, 30.0), (0.5, 90.0)]))
SLOW = list(grid([(v, d) for v in (0.3, 0.65, 1.2) for d in (1.0, 7.0, 30.0, 180.0)]))


def check(w: npt.NDArray[np.float64], cases: list[Case]) -> list[str]:
    failures = []
    spot = 95_000.0
    for case in cases:
        vol, days, ratio, kind, direction = case
        result = estimate(kind, spot, spot * ratio, vol, days / DAYS_PER_YEAR, direction)
        assert isinstance(result, Estimate), result
        v = vol * math.sqrt(days / DAYS_PER_YEAR)
        mc = mc_probability(w, v, math.log(ratio), case)
        if abs(result.p_hat - mc) > TOLERANCE:
            failures.append(f"{case}: model {result.p_hat:.4f} mc {mc:.4f}")
    return failures


def test_fast_grid_has_at_least_50_cases_both_directions_close_and_touch() -> None:
    assert len(FAST) >= 50
    assert {(c[3], c[4]) for c in FAST} == {
        (EventKind.CLOSE, Direction.ABOVE),
        (EventKind.CLOSE, Direction.BELOW),
        (EventKind.TOUCH, Direction.ABOVE),
        (EventKind.TOUCH, Direction.BELOW),
    }


def test_estimator_matches_monte_carlo_fast_grid(brownian: npt.NDArray[np.float64]) -> None:
    assert check(brownian, FAST) == []


@pytest.mark.slow
def test_estimator_matches_monte_carlo_full_grid(brownian: npt.NDArray[np.float64]) -> None:
    assert len(SLOW) == 216
    assert check(brownian, SLOW) == []


def test_defect_reflection_ignores_drift(brownian: npt.NDArray[np.float64]) -> None:
    """Seed §1.31 / B-11: "The reflection formula ignores the −σ²/2 log drift" — it used the
    driftless P = 2N(−d), which overstates an up-touch. Ours tracks the Monte Carlo."""
    vol, days, ratio = 1.2, 180.0, 1.5
    t = days / DAYS_PER_YEAR
    v = vol * math.sqrt(t)
    b = math.log(ratio)
    case: Case = (vol, days, ratio, EventKind.TOUCH, Direction.ABOVE)
    mc = mc_probability(brownian, v, b, case)
    seed_value = 2.0 * 0.5 * (1.0 + math.erf(-b / v / math.sqrt(2.0)))
    ours = estimate(EventKind.TOUCH, 100.0, 150.0, vol, t, Direction.ABOVE)
    assert isinstance(ours, Estimate)
    assert abs(ours.p_hat - mc) < TOLERANCE
    assert seed_value - mc > 0.05  # the driftless formula is visibly biased here
