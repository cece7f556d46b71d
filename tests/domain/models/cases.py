"""Contracts and frames for the weather and rates model tests (built as the builders would)."""

from __future__ import annotations

from astra.domain.contracts.contract import (
    Direction,
    RateAction,
    RatesEventContract,
    WeatherExceedanceContract,
)
from astra.domain.models.frames import DAY_MS, RatesPrior, WeatherForecast

DAY_START = 1_780_444_800_000  # 2026-06-03T00:00:00Z
DAY_END = DAY_START + DAY_MS
MEETING = 1_781_654_400_000  # 2026-06-17T00:00:00Z
MARKET = "0x" + "ab" * 32


def weather(
    threshold: int = 80,
    direction: Direction = Direction.ABOVE,
    inclusive: bool = True,
    variable: str = "max_temp",
    unit: str = "F",
) -> WeatherExceedanceContract:
    return WeatherExceedanceContract(
        market_id=MARKET,
        cutoff_ms=DAY_END,
        station="KLGA",
        variable=variable,
        unit=unit,
        threshold=threshold,
        direction=direction,
        inclusive=inclusive,
        window_start_ms=DAY_START,
        resolution_source="https://www.weather.gov/",
        rounding="source_precision",
        finality="final_report",
    )


def forecast(
    value_f: float = 80.0,
    issued_ms: int = DAY_END,
    observed_f: float | None = None,
    observed_ms: int | None = None,
    variable: str = "max_temp",
) -> WeatherForecast:
    return WeatherForecast("KLGA", variable, DAY_START, value_f, issued_ms, observed_f, observed_ms)


def rates(
    action: RateAction = RateAction.CUT, change: int = 25, comparison: str = "exact"
) -> RatesEventContract:
    return RatesEventContract(
        market_id=MARKET,
        cutoff_ms=MEETING + DAY_MS,
        body="fed",
        action=action,
        change_bps=0 if action is RateAction.HOLD else change,
        comparison=comparison,
        resolution_source="https://www.federalreserve.gov/",
        finality="official_statement",
    )


def prior(
    outcomes: tuple[tuple[int, float], ...] = ((-25, 0.3), (0, 0.65), (25, 0.05)),
    lower_bp: int = 425,
    as_of_ms: int = MEETING - DAY_MS,
) -> RatesPrior:
    return RatesPrior("fed", MEETING, lower_bp, lower_bp + 25, outcomes, as_of_ms)
