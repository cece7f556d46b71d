"""Synthetic model frames for the simulator's weather and rates markets.

Every `interval_ms` from the session start, each market whose built contract reads a model
key gets a frame: a `WeatherForecast` for a temperature exceedance, a `RatesPrior` for a
rate decision. The model's view is the market's hidden starting fair value moved by a
persistent per-market disagreement (so some markets show an edge and others do not), with
small per-frame jitter; forecasts are issued 20 minutes before they are received and, on
the measurement day, carry a running max below the forecast high. Pure and seeded: the
frames are a function of the markets and the generator.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from astra.domain.contract_builders.build import build_contract
from astra.domain.contracts.contract import RatesEventContract, WeatherExceedanceContract
from astra.domain.models.frames import DAY_MS, ModelFrame, RatesPrior, WeatherForecast
from astra.domain.models.weather import WeatherModelConfig
from astra.domain.sim.markets import MINUTE_MS, SimMarket

ISSUE_LAG_MS = 20 * MINUTE_MS
DISAGREEMENT_SD = 0.08  # the model's persistent offset from the market's fair, probability
TARGET_LOWER_BP = 425  # a synthetic target range, 4.25-4.50 %


@dataclass(frozen=True, slots=True)
class ModelTick:
    ts_ms: int
    frame: ModelFrame


def _inverse_sf(p: float) -> float:
    """z with P(Z > z) = p, by bisection on erfc (no scipy in the domain)."""
    lo, hi = -10.0, 10.0
    for _ in range(80):
        mid = (lo + hi) / 2.0
        if 0.5 * math.erfc(mid / math.sqrt(2.0)) > p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2.0


def _weather_frame(
    contract: WeatherExceedanceContract, view: float, ts_ms: int, jitter: float
) -> WeatherForecast:
    issued = ts_ms - ISSUE_LAG_MS
    sigma = WeatherModelConfig().sigma(contract.window_start_ms + DAY_MS - issued)
    # P(H >= threshold - 0.5) = view  <=>  mu = threshold - 0.5 - sigma * isf(view).
    mu = contract.threshold - 0.5 - sigma * _inverse_sf(view) + jitter
    observed = observed_ms = None
    if ts_ms >= contract.window_start_ms:
        observed, observed_ms = round(mu - 4.0, 1), ts_ms - 5 * MINUTE_MS
    return WeatherForecast(
        contract.station,
        contract.variable,
        contract.window_start_ms,
        round(mu, 2),
        issued,
        observed,
        observed_ms,
        "sim",
    )


def _rates_frame(contract: RatesEventContract, view: float, ts_ms: int) -> RatesPrior:
    p = round(min(0.98, max(0.02, view)), 4)
    meeting = contract.cutoff_ms - contract.cutoff_ms % DAY_MS
    outcomes = ((-25, p), (0, round(1.0 - p, 4)))
    return RatesPrior(
        contract.body, meeting, TARGET_LOWER_BP, TARGET_LOWER_BP + 25, outcomes, ts_ms, "sim"
    )


def model_ticks(
    markets: Sequence[SimMarket],
    rng: np.random.Generator,
    start_ms: int,
    end_ms: int,
    interval_ms: int = 2 * MINUTE_MS,
) -> list[ModelTick]:
    ticks: list[ModelTick] = []
    for market in markets:
        contract = build_contract(market.info).contract
        if not isinstance(contract, WeatherExceedanceContract | RatesEventContract):
            continue
        offset = float(rng.normal(0.0, DISAGREEMENT_SD))
        for ts in range(start_ms, end_ms + 1, interval_ms):
            view = min(0.98, max(0.02, market.initial_fair + offset))
            if isinstance(contract, WeatherExceedanceContract):
                jitter = float(rng.normal(0.0, 0.3))
                ticks.append(ModelTick(ts, _weather_frame(contract, view, ts, jitter)))
            else:
                view += float(rng.normal(0.0, 0.01))
                ticks.append(ModelTick(ts, _rates_frame(contract, view, ts)))
    ticks.sort(key=lambda tick: (tick.ts_ms, tick.frame.key))
    return ticks
