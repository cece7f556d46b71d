"""Model data frames: a weather forecast (with the day's observed extreme) and a rates prior.

These are the non-venue inputs of the weather and rates strategies. Adapters (the NWS and
FRED clients, the settings prior, the simulator) build them; recordings carry them on the
`model` channel so a replay sees exactly the frames the live run saw. Each frame has a
`key`, the routing key a market's contract asks for (`weather_key`, `rates_key`), and its
own time (`ts_ms`), from which staleness is measured.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from astra.domain.contracts.contract import RatesEventContract, WeatherExceedanceContract

DAY_MS = 86_400_000


def weather_key(station: str, variable: str, day_start_ms: int) -> str:
    return f"weather:{station.upper()}:{variable}:{day_start_ms}"


def rates_key(body: str) -> str:
    return f"rates:{body.lower()}"


def contract_model_key(contract: object) -> str | None:
    """The frame key a contract's model reads (None: the contract reads no model frames)."""
    if isinstance(contract, WeatherExceedanceContract):
        return weather_key(contract.station, contract.variable, contract.window_start_ms)
    if isinstance(contract, RatesEventContract):
        return rates_key(contract.body)
    return None


@dataclass(frozen=True, slots=True)
class WeatherForecast:
    """The forecast of one station's daily extreme (°F) and, on the day, the observed extreme.

    `value_f` is the forecast high (variable "max_temp") or low ("min_temp") for the day that
    starts at `day_start_ms`; `issued_ms` is the forecast's own update time (lead time and
    staleness are measured from it). `observed_f` is the running max (or min) of the day's
    observations so far, as of `observed_ms` (None before the day or without observations).
    """

    station: str
    variable: str
    day_start_ms: int
    value_f: float
    issued_ms: int
    observed_f: float | None = None
    observed_ms: int | None = None
    source: str = "nws"

    @property
    def key(self) -> str:
        return weather_key(self.station, self.variable, self.day_start_ms)

    @property
    def ts_ms(self) -> int:
        return max(self.issued_ms, self.observed_ms or self.issued_ms)

    def finite(self) -> bool:
        values = (self.value_f, self.observed_f if self.observed_f is not None else 0.0)
        return all(math.isfinite(v) for v in values)

    def as_dict(self) -> dict[str, object]:
        return {
            "station": self.station,
            "variable": self.variable,
            "day_start_ms": self.day_start_ms,
            "value_f": self.value_f,
            "issued_ms": self.issued_ms,
            "observed_f": self.observed_f,
            "observed_ms": self.observed_ms,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class RatesPrior:
    """A prior over one central-bank meeting's outcomes, in basis points of change.

    `outcomes` maps a change (e.g. -25, 0, 25) to its probability; `lower_bp`/`upper_bp`
    is the current target range (basis points, e.g. 425/450); `meeting_ms` is the decision
    day (00:00 UTC); `as_of_ms` the prior's own time; `source` where it came from
    ("settings", "settings+fred", "sim").
    """

    body: str
    meeting_ms: int
    lower_bp: int
    upper_bp: int
    outcomes: tuple[tuple[int, float], ...]
    as_of_ms: int
    source: str = "settings"

    @property
    def key(self) -> str:
        return rates_key(self.body)

    @property
    def ts_ms(self) -> int:
        return self.as_of_ms

    def as_dict(self) -> dict[str, object]:
        return {
            "body": self.body,
            "meeting_ms": self.meeting_ms,
            "lower_bp": self.lower_bp,
            "upper_bp": self.upper_bp,
            "outcomes": [[bp, p] for bp, p in self.outcomes],
            "as_of_ms": self.as_of_ms,
            "source": self.source,
        }


ModelFrame = WeatherForecast | RatesPrior
