"""The simulator's synthetic model frames price its markets near their hidden fair value."""

from __future__ import annotations

import numpy as np
import pytest

from astra.domain.contract_builders.build import build_contract
from astra.domain.contracts.contract import RatesEventContract, WeatherExceedanceContract
from astra.domain.models.frames import RatesPrior, WeatherForecast
from astra.domain.models.rates import RatesModelConfig, estimate_rates
from astra.domain.models.weather import WeatherModelConfig, estimate_weather
from astra.domain.sim.markets import MINUTE_MS, make_markets
from astra.domain.sim.model_feed import DISAGREEMENT_SD, model_ticks
from astra.domain.sim.session import DEFAULT_START_MS
from astra.domain.verdict import Verdict


def test_frames_read_back_through_the_models_near_the_markets_fair_value() -> None:
    start, end = DEFAULT_START_MS, DEFAULT_START_MS + 10 * MINUTE_MS
    markets = make_markets(
        30, np.random.default_rng(5), start, end - start, {"btcusdt": 6_500_000, "ethusdt": 340_000}
    )
    ticks = model_ticks(markets, np.random.default_rng(6), start, end)
    by_key = {t.frame.key: t.frame for t in ticks if t.ts_ms == start}
    checked = 0
    for market in markets:
        contract = build_contract(market.info).contract
        if isinstance(contract, WeatherExceedanceContract):
            frame = by_key[
                f"weather:{contract.station}:{contract.variable}:{contract.window_start_ms}"
            ]
            assert isinstance(frame, WeatherForecast)
            found = estimate_weather(contract, frame, WeatherModelConfig())
        elif isinstance(contract, RatesEventContract):
            # Rates markets of one bank share a key; each frame names its own meeting.
            meeting = contract.cutoff_ms - contract.cutoff_ms % 86_400_000
            priors = [
                t.frame for t in ticks if t.ts_ms == start and isinstance(t.frame, RatesPrior)
            ]
            found = estimate_rates(
                contract, next(p for p in priors if p.meeting_ms == meeting), RatesModelConfig()
            )
        else:
            continue
        assert not isinstance(found, Verdict), found
        p_hat = found.p_hat
        fair = min(0.98, max(0.02, market.initial_fair))
        # Within the persistent disagreement (4 sd) plus the frame jitter.
        assert p_hat == pytest.approx(fair, abs=4 * DISAGREEMENT_SD + 0.06), market.info.question
        checked += 1
    assert checked >= 6
