"""Weather exceedance strategy: the crypto threshold path with the weather model stage.

Contract -> forecast frame (fresh; on the measurement day also a fresh observation of the
running extreme) -> `estimate_weather` band -> the same EV gate on the band's lower bound,
capped Kelly and maker quote as `CryptoThresholdStrategy` (which this reuses unchanged).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from astra.domain.contracts.contract import DefinitionContract, WeatherExceedanceContract
from astra.domain.models.frames import WeatherForecast
from astra.domain.models.weather import WeatherEstimate, WeatherModelConfig, estimate_weather
from astra.domain.reasons import GateVeto
from astra.domain.strategies.crypto_threshold import (
    BandInputs,
    CryptoThresholdConfig,
    CryptoThresholdStrategy,
)
from astra.domain.strategies.model_checks import checked_contract, frame_for
from astra.domain.strategies.protocol import MarketView
from astra.domain.verdict import Verdict

GATE = "weather_inputs"


@dataclass(frozen=True, slots=True)
class WeatherInputsConfig:
    model: WeatherModelConfig = field(default_factory=WeatherModelConfig)
    forecast_stale_ms: int = 6 * 3_600_000  # NWS gridpoint forecasts update about hourly
    observation_stale_ms: int = 2 * 3_600_000  # stations report at least hourly

    def __post_init__(self) -> None:
        if self.forecast_stale_ms <= 0 or self.observation_stale_ms <= 0:
            raise ValueError("weather staleness limits must be > 0")


@dataclass(frozen=True, slots=True)
class WeatherInputs:
    contract: WeatherExceedanceContract
    definition_hash: str
    forecast: WeatherForecast
    estimate: WeatherEstimate

    def analysis(self, now_ms: int) -> dict[str, object]:
        return {
            "definition_hash": self.definition_hash,
            "forecast": self.forecast.as_dict(),
            "forecast_age_ms": now_ms - self.forecast.issued_ms,
            "threshold": self.contract.threshold,
            "direction": str(self.contract.direction),
            "inclusive": self.contract.inclusive,
            "estimate": self.estimate.as_dict(),
        }


def _veto(reason: GateVeto, detail: str) -> Verdict:
    return Verdict.veto(GATE, reason, detail)


def weather_inputs(
    contract: DefinitionContract | None,
    view: MarketView,
    now_ms: int,
    config: WeatherInputsConfig,
) -> WeatherInputs | Verdict:
    checked = checked_contract(contract, WeatherExceedanceContract, view, now_ms, GATE)
    if isinstance(checked, Verdict):
        return checked
    weather, digest = checked
    frame = frame_for(weather, view)
    if not isinstance(frame, WeatherForecast):
        return _veto(GateVeto.NO_FORECAST, f"no forecast for {weather.station} {weather.variable}")
    age = now_ms - frame.issued_ms
    if age > config.forecast_stale_ms:
        return _veto(GateVeto.FORECAST_STALE, f"forecast age {age} ms > {config.forecast_stale_ms}")
    observed = _observation_veto(weather, frame, now_ms, config)
    if observed is not None:
        return observed
    found = estimate_weather(weather, frame, config.model)
    if isinstance(found, Verdict):
        return found
    return WeatherInputs(weather, digest, frame, found)


def _observation_veto(
    contract: WeatherExceedanceContract,
    frame: WeatherForecast,
    now_ms: int,
    config: WeatherInputsConfig,
) -> Verdict | None:
    """On the day the running extreme may already decide the market: without a fresh one
    the forecast alone could price a settled outcome as open."""
    if now_ms < contract.window_start_ms:
        return None
    if frame.observed_f is None or frame.observed_ms is None:
        return _veto(GateVeto.NO_FORECAST, "no observation of the day's running extreme")
    age = now_ms - frame.observed_ms
    if age > config.observation_stale_ms:
        limit = config.observation_stale_ms
        return _veto(GateVeto.FORECAST_STALE, f"observation age {age} ms > {limit}")
    return None


class WeatherStrategy(CryptoThresholdStrategy):
    def __init__(
        self,
        contract: DefinitionContract | None,
        config: CryptoThresholdConfig | None = None,
        inputs: WeatherInputsConfig | None = None,
    ) -> None:
        super().__init__(contract, config or CryptoThresholdConfig(name="weather_exceedance"))
        self._inputs = inputs or WeatherInputsConfig()

    def _model_inputs(self, view: MarketView, now_ms: int) -> BandInputs | Verdict:
        return weather_inputs(self._contract, view, now_ms, self._inputs)
