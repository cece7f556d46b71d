"""P(a station's daily high/low crosses a threshold) from a point forecast and the day so far.

The day's extreme H (°F, continuous) is modelled as Normal(forecast, σ(lead)), where lead is
the time from the forecast's issue to the end of the measurement day. σ grows linearly with
lead: σ = `sigma_base_f` + `sigma_per_day_f` × lead days, capped at `sigma_max_f`. The
magnitudes come from published verification of NWS max-temperature forecasts: for the
12–24 h high at Oklahoma City the NWS forecast had MAE 2.80 °F and RMSE 3.80 °F, MOS
guidance RMSE 4.0–4.5 °F (Brooks & Doswell, NSSL, https://www.nssl.noaa.gov/users/brooks/
public_html/ntv/tables.html); skill decays by roughly half a degree of MAE per extra day.
The defaults (4.0 °F + 0.75 °F/day) sit *above* those RMSEs on purpose: a wider σ pulls
every probability toward ½ and shrinks the edge the EV gate sees (conservative).

On the day, the observed running max M of the window is a floor: H | H ≥ M is a normal
truncated below at M (for a daily low, truncated above at the running min). If M is already
past the threshold, the outcome is certain.

The reported value is a whole degree, so the continuous H is compared with half-degree
edges: "80 °F or higher" is H ≥ 79.5, "above 80 °F" is H ≥ 80.5 (a continuity
correction). Bucket legs ("70–71 °F") of one event use the same distribution and the same
edges, so their probabilities telescope to exactly the whole mass (`bucket_probabilities`).

The band: the forecast's centre is taken to lie within ± `bias_band_f` and σ within
[σ(1 − u), σ(1 + u)]; p_low/p_high are the extremes over those corners, widened by
`min_half_width` unless the outcome is already certain.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from astra.domain.contracts.contract import Direction, WeatherExceedanceContract
from astra.domain.models.frames import DAY_MS, WeatherForecast
from astra.domain.reasons import GateVeto
from astra.domain.verdict import Verdict

GATE = "weather_model"
HOUR_MS = 3_600_000
TEMPERATURES = ("max_temp", "min_temp")


@dataclass(frozen=True, slots=True)
class WeatherModelConfig:
    sigma_base_f: float = 4.0
    sigma_per_day_f: float = 0.75
    sigma_max_f: float = 12.0
    sigma_rel_band: float = 0.25
    bias_band_f: float = 1.0
    min_half_width: float = 0.01

    def __post_init__(self) -> None:
        values = (self.sigma_base_f, self.sigma_per_day_f, self.sigma_max_f, self.bias_band_f)
        if not all(math.isfinite(v) and v >= 0.0 for v in values) or self.sigma_base_f <= 0:
            raise ValueError("weather sigmas and bias band must be finite, sigma_base_f > 0")
        if not 0.0 <= self.sigma_rel_band < 1.0 or not 0.0 <= self.min_half_width < 0.5:
            raise ValueError("sigma_rel_band in [0, 1) and min_half_width in [0, 0.5)")

    def sigma(self, lead_ms: int) -> float:
        days = max(lead_ms, 0) / DAY_MS
        return min(self.sigma_base_f + self.sigma_per_day_f * days, self.sigma_max_f)


def _sf(z: float) -> float:
    """P(Z > z) for a standard normal, accurate in the far tail (erfc, not 1 − Φ)."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


@dataclass(frozen=True, slots=True)
class ExtremeDistribution:
    """The day's extreme H ~ Normal(mu, sigma), truncated at the observed extreme so far:
    below at `floor` (a daily max) or above at `ceiling` (a daily min)."""

    mu: float
    sigma: float
    floor: float | None = None
    ceiling: float | None = None

    def above(self, x: float) -> float:
        """P(H ≥ x)."""
        z = (x - self.mu) / self.sigma
        if self.floor is not None:
            if x <= self.floor:
                return 1.0
            tail = _sf((self.floor - self.mu) / self.sigma)
            # All mass sits at the floor when the floor is far beyond the forecast.
            return 0.0 if tail <= 0.0 else min(1.0, _sf(z) / tail)
        if self.ceiling is not None:
            if x > self.ceiling:
                return 0.0
            below_ceiling = _sf(-(self.ceiling - self.mu) / self.sigma)  # P(H ≤ c)
            if below_ceiling <= 0.0:
                return 1.0
            between = below_ceiling - _sf(-z)  # P(x ≤ H ≤ c)
            return min(1.0, max(0.0, between / below_ceiling))
        return _sf(z)

    def below(self, x: float) -> float:
        """P(H < x)."""
        return 1.0 - self.above(x)


def distribution(
    forecast: WeatherForecast, sigma: float, mu_shift: float = 0.0, unit: str = "F"
) -> ExtremeDistribution:
    mu, obs = forecast.value_f + mu_shift, forecast.observed_f
    if unit.upper() == "C":
        mu, sigma = (mu - 32.0) * 5.0 / 9.0, sigma * 5.0 / 9.0
        obs = None if obs is None else (obs - 32.0) * 5.0 / 9.0
    if forecast.variable == "max_temp":
        return ExtremeDistribution(mu, sigma, floor=obs)
    return ExtremeDistribution(mu, sigma, ceiling=obs)


def event_probability(dist: ExtremeDistribution, contract: WeatherExceedanceContract) -> float:
    """P(YES) of a whole-degree threshold contract under `dist` (continuity-corrected)."""
    t = float(contract.threshold)
    if contract.direction is Direction.ABOVE:
        return dist.above(t - 0.5 if contract.inclusive else t + 0.5)
    return dist.below(t + 0.5 if contract.inclusive else t - 0.5)


Bucket = tuple[int | None, int | None]


def bucket_probabilities(dist: ExtremeDistribution, buckets: Sequence[Bucket]) -> list[float]:
    """P of each whole-degree bucket [lo, hi] (None: open-ended) of one event.

    The buckets must partition the line: the first open below, the last open above, each
    starting one degree after the previous one ends. Each probability is a difference of
    the same survival function at shared half-degree edges, so they sum to 1."""
    _check_partition(buckets)
    edges = [float(lo) - 0.5 for lo, _ in buckets[1:] if lo is not None]
    survival = [1.0, *(dist.above(e) for e in edges), 0.0]
    return [max(0.0, survival[i] - survival[i + 1]) for i in range(len(buckets))]


def _check_partition(buckets: Sequence[Bucket]) -> None:
    if not buckets or buckets[0][0] is not None or buckets[-1][1] is not None:
        raise ValueError("buckets must start open below and end open above")
    for (_, hi), (lo, _) in itertools.pairwise(buckets):
        if hi is None or lo is None or lo != hi + 1:
            raise ValueError(f"buckets are not contiguous at {hi} / {lo}")
    for lo, hi in buckets[1:-1]:
        if lo is None or hi is None or hi < lo:
            raise ValueError(f"bucket {lo}..{hi} is empty")


@dataclass(frozen=True, slots=True)
class WeatherEstimate:
    p_hat: float
    p_low: float
    p_high: float
    mu_f: float
    sigma_f: float
    lead_h: float
    observed_f: float | None
    certain: bool

    def as_dict(self) -> dict[str, float | str | bool | None]:
        return {
            "p_hat": self.p_hat,
            "p_low": self.p_low,
            "p_high": self.p_high,
            "model": "weather_normal",
            "mu_f": self.mu_f,
            "sigma_f": self.sigma_f,
            "lead_h": self.lead_h,
            "observed_f": self.observed_f,
            "certain": self.certain,
        }


def estimate_weather(
    contract: WeatherExceedanceContract, forecast: WeatherForecast, config: WeatherModelConfig
) -> WeatherEstimate | Verdict:
    if contract.variable not in TEMPERATURES or contract.unit.upper() not in ("F", "C"):
        detail = f"{contract.variable} in {contract.unit} has no model"
        return Verdict.veto(GATE, GateVeto.UNSUPPORTED_CONTRACT, detail)
    if not forecast.finite() or abs(forecast.value_f) > 200.0:
        return Verdict.veto(GATE, GateVeto.NON_FINITE_INPUT, f"forecast {forecast.value_f}")
    lead = contract.window_start_ms + DAY_MS - forecast.issued_ms
    sigma = config.sigma(lead)
    unit = contract.unit
    p_hat = event_probability(distribution(forecast, sigma, unit=unit), contract)
    u, b = config.sigma_rel_band, config.bias_band_f
    corners = [
        event_probability(distribution(forecast, s, shift, unit), contract)
        for s in (sigma * (1.0 - u), sigma, sigma * (1.0 + u))
        for shift in (-b, 0.0, b)
    ]
    low, high = min(corners), max(corners)
    certain = low == high and low in (0.0, 1.0)
    if not certain:
        low = max(0.0, low - config.min_half_width)
        high = min(1.0, high + config.min_half_width)
    return WeatherEstimate(
        p_hat, low, high, forecast.value_f, sigma, lead / HOUR_MS, forecast.observed_f, certain
    )
