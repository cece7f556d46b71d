"""Lognormal probabilities for crypto threshold markets: close above/below and touch up/down.

Model: the spot is a driftless geometric Brownian motion, dS/S = σ dW (zero rate, so the
price is a martingale). The log-price X_t = ln(S_t/S_0) then has drift μ = −σ²/2, and every
probability depends on the spot/strike only through b = ln(K/S) and on σ, t only through
v = σ√t.

- close above: P(S_T > K) = N(d₂), d₂ = (−b − v²/2)/v; close below is its complement
  (the distribution is continuous, so ">" and ">=" coincide).
- touch: first passage of a Brownian motion with drift (reflection principle with drift):
  up (b > 0):   P(max X ≥ b) = N((−b − v²/2)/v) + e^{2μb/σ²} N((−b + v²/2)/v), e^{2μb/σ²} = S/K;
  down (b < 0): P(min X ≤ b) = N((b + v²/2)/v) + (S/K) N((b − v²/2)/v).
  A strike already at or beyond the spot in the touch direction has probability 1.

Band: σ is uncertain, so p_low/p_high are the extremes of the probability over
σ ∈ [σ(1−u), σ(1+u)], where u is the relative vol uncertainty (from the vol estimate's
sampling error, see `volatility.vol_band`, or a configured default). Touch probabilities
are monotone in v; the close probability has one interior extremum at v² = 2|b| (b > 0,
i.e. out of the money), which is included when it falls inside the band, so the
extremes are exact, not sampled. A floor half-width widens the band for model error.
"""

from __future__ import annotations

import enum
import math
import numbers
from dataclasses import dataclass
from typing import TypeVar

from astra.domain.reasons import GateVeto
from astra.domain.verdict import Verdict

GATE = "estimator"
DAYS_PER_YEAR = 365.25
MS_PER_YEAR = DAYS_PER_YEAR * 86_400_000


class Direction(enum.StrEnum):
    ABOVE = "above"
    BELOW = "below"


class EventKind(enum.StrEnum):
    CLOSE = "close"
    TOUCH = "touch"


@dataclass(frozen=True, slots=True)
class EstimatorConfig:
    """`vol_rel_band` u: σ is taken to lie in [σ(1−u), σ(1+u)]; `min_half_width` widens
    the band around p_hat for model error (not applied to certain outcomes)."""

    vol_rel_band: float = 0.15
    min_half_width: float = 0.005

    def __post_init__(self) -> None:
        if not (math.isfinite(self.vol_rel_band) and 0.0 <= self.vol_rel_band < 1.0):
            raise ValueError(f"vol_rel_band {self.vol_rel_band} must be in [0, 1)")
        if not (math.isfinite(self.min_half_width) and 0.0 <= self.min_half_width < 0.5):
            raise ValueError(f"min_half_width {self.min_half_width} must be in [0, 0.5)")


@dataclass(frozen=True, slots=True)
class Estimate:
    p_hat: float
    p_low: float
    p_high: float
    model: str
    kind: EventKind
    direction: Direction
    spot: float
    strike: float
    vol_annual: float
    t_years: float
    vol_rel_band: float

    def as_dict(self) -> dict[str, float | str]:
        return {
            "p_hat": self.p_hat,
            "p_low": self.p_low,
            "p_high": self.p_high,
            "model": self.model,
            "kind": str(self.kind),
            "direction": str(self.direction),
            "spot": self.spot,
            "strike": self.strike,
            "vol_annual": self.vol_annual,
            "t_years": self.t_years,
            "vol_rel_band": self.vol_rel_band,
        }


def norm_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def close_above_probability(b: float, v: float) -> float:
    """P(S_T > K) with b = ln(K/S), v = σ√t > 0."""
    return norm_cdf((-b - 0.5 * v * v) / v)


def touch_probability(b: float, v: float, direction: Direction) -> float:
    """First-passage probability of the log-barrier b within total vol v (drift −v²/2)."""
    half = 0.5 * v * v
    ratio = math.exp(-b)  # S/K
    if direction is Direction.ABOVE:
        if b <= 0.0:
            return 1.0
        p = norm_cdf((-b - half) / v) + ratio * norm_cdf((-b + half) / v)
    else:
        if b >= 0.0:
            return 1.0
        p = norm_cdf((b + half) / v) + ratio * norm_cdf((b - half) / v)
    return min(1.0, max(0.0, p))


def _probability(kind: EventKind, direction: Direction, b: float, v: float) -> float:
    if kind is EventKind.TOUCH:
        return touch_probability(b, v, direction)
    above = close_above_probability(b, v)
    return above if direction is Direction.ABOVE else 1.0 - above


def _band_points(kind: EventKind, b: float, v: float, u: float) -> list[float]:
    """The v values where the extremes over [v(1−u), v(1+u)] can lie."""
    lo, hi = v * (1.0 - u), v * (1.0 + u)
    points = [lo, v, hi]
    if kind is EventKind.CLOSE and b > 0.0:
        critical = math.sqrt(2.0 * b)  # d₂ is maximal here for an out-of-the-money strike
        if lo < critical < hi:
            points.append(critical)
    return [p for p in points if p > 0.0]


def _veto(reason: GateVeto, detail: str) -> Verdict:
    return Verdict.veto(GATE, reason, detail)


def _check_inputs(spot: float, strike: float, vol: float, t_years: float) -> Verdict | None:
    raw: dict[str, object] = {"spot": spot, "strike": strike, "vol": vol, "t_years": t_years}
    for name, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return _veto(GateVeto.OUT_OF_RANGE_INPUT, f"{name} is not a number: {value!r}")
        if not math.isfinite(float(value)):
            return _veto(GateVeto.NON_FINITE_INPUT, f"{name}={value}")
    if t_years <= 0.0:
        return _veto(GateVeto.EXPIRED, f"t_years={t_years} <= 0")
    for name, positive in (("spot", spot), ("strike", strike), ("vol", vol)):
        if positive <= 0.0:
            return _veto(GateVeto.OUT_OF_RANGE_INPUT, f"{name}={positive} <= 0")
    if not math.isfinite(math.log(strike / spot)) or vol * math.sqrt(t_years) < 1e-12:
        return _veto(GateVeto.OUT_OF_RANGE_INPUT, "degenerate spot/strike ratio or vol·√t")
    return None


_E = TypeVar("_E", bound=enum.StrEnum)


def _parse_enum(cls: type[_E], value: _E | str) -> _E | None:
    try:
        return cls(value)
    except ValueError:
        return None


def estimate(
    kind: EventKind | str,
    spot: float,
    strike: float,
    vol_annual: float,
    t_years: float,
    direction: Direction | str,
    config: EstimatorConfig | None = None,
) -> Estimate | Verdict:
    """Probability of the event with a vol-uncertainty band, or a veto naming the bad input."""
    cfg = config or EstimatorConfig()
    kind_e = _parse_enum(EventKind, kind)
    dir_e = _parse_enum(Direction, direction)
    if kind_e is None or dir_e is None:
        return _veto(GateVeto.OUT_OF_RANGE_INPUT, f"unknown kind/direction {kind!r}/{direction!r}")
    bad = _check_inputs(spot, strike, vol_annual, t_years)
    if bad is not None:
        return bad
    b = math.log(strike / spot)
    v = vol_annual * math.sqrt(t_years)
    p_hat = _probability(kind_e, dir_e, b, v)
    values = [
        _probability(kind_e, dir_e, b, w) for w in _band_points(kind_e, b, v, cfg.vol_rel_band)
    ]
    p_low, p_high = min(values), max(values)
    if p_hat < 1.0:  # an already-touched barrier is certain; everything else gets the floor
        p_low = max(0.0, min(p_low, p_hat - cfg.min_half_width))
        p_high = min(1.0, max(p_high, p_hat + cfg.min_half_width))
    return Estimate(
        p_hat=p_hat,
        p_low=min(p_low, p_hat),
        p_high=max(p_high, p_hat),
        model=f"lognormal_{kind_e}_v2",
        kind=kind_e,
        direction=dir_e,
        spot=float(spot),
        strike=float(strike),
        vol_annual=float(vol_annual),
        t_years=float(t_years),
        vol_rel_band=cfg.vol_rel_band,
    )


def estimate_close(
    spot: float,
    strike: float,
    vol_annual: float,
    t_years: float,
    direction: Direction | str,
    config: EstimatorConfig | None = None,
) -> Estimate | Verdict:
    """P(spot at t is above/below the strike)."""
    return estimate(EventKind.CLOSE, spot, strike, vol_annual, t_years, direction, config)


def estimate_touch(
    spot: float,
    strike: float,
    vol_annual: float,
    t_years: float,
    direction: Direction | str,
    config: EstimatorConfig | None = None,
) -> Estimate | Verdict:
    """P(spot reaches the strike from below (above) / from above (below) before t)."""
    return estimate(EventKind.TOUCH, spot, strike, vol_annual, t_years, direction, config)


def years_until(now_ms: int, cutoff_ms: int) -> float:
    """Time to a cutoff in years (may be <= 0; the estimator vetoes that)."""
    return (cutoff_ms - now_ms) / MS_PER_YEAR
