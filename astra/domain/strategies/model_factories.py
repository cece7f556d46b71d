"""Registry factories for the weather and rates strategies, configured from `Settings`.

Both reuse the crypto threshold configuration (EV threshold, Kelly caps, equity, book age,
chase bound) so the three model strategies share one pricing discipline; only their name
and model stage differ.
"""

from __future__ import annotations

from dataclasses import replace

from astra.domain.contracts.contract import DefinitionContract
from astra.domain.models.rates import RatesModelConfig
from astra.domain.models.weather import WeatherModelConfig
from astra.domain.strategies.crypto_threshold import CryptoThresholdConfig
from astra.domain.strategies.protocol import Strategy
from astra.domain.strategies.rates_strategy import RatesInputsConfig, RatesStrategy
from astra.domain.strategies.weather_strategy import WeatherInputsConfig, WeatherStrategy
from astra.settings import Settings


def weather_inputs_config(settings: Settings) -> WeatherInputsConfig:
    m = settings.models
    return WeatherInputsConfig(
        model=WeatherModelConfig(
            sigma_base_f=m.weather_sigma_base_f, sigma_per_day_f=m.weather_sigma_per_day_f
        ),
        forecast_stale_ms=round(m.weather_forecast_stale_s * 1000),
        observation_stale_ms=round(m.weather_observation_stale_s * 1000),
    )


def rates_inputs_config(settings: Settings) -> RatesInputsConfig:
    m = settings.models
    return RatesInputsConfig(
        model=RatesModelConfig(half_width=m.rates_half_width),
        prior_stale_ms=round(m.rates_prior_stale_s * 1000),
    )


def weather_strategy(
    settings: Settings, base: CryptoThresholdConfig, contract: DefinitionContract | None
) -> Strategy:
    config = replace(base, name="weather_exceedance")
    return WeatherStrategy(contract, config, weather_inputs_config(settings))


def rates_strategy(
    settings: Settings, base: CryptoThresholdConfig, contract: DefinitionContract | None
) -> Strategy:
    return RatesStrategy(contract, replace(base, name="rates_event"), rates_inputs_config(settings))
