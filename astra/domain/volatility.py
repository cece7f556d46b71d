"""Annualised volatility from recent spot prices, and the band its sampling error implies.

Realised volatility uses the zero-mean estimator σ² = mean(r²) over log returns r sampled
every `sample_interval_ms`: at the minute-to-hour horizons the estimator uses, the mean
return is far below its own noise, and subtracting a noisy mean only adds error. Annualised
by √(periods per year) with a 365.25-day crypto year (markets trade around the clock).

The sampling error of σ̂ from n returns is ≈ σ/√(2n), so a z-sigma relative band
u = z/√(2n) (never below a floor for model error) is what the estimator should use; that is
the "calibrated" band, not an arbitrary ±0.10 of absolute vol.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from astra.domain.estimator import MS_PER_YEAR
from astra.domain.reasons import GateVeto
from astra.domain.verdict import Verdict

GATE = "volatility"
MIN_RETURNS = 30


@dataclass(frozen=True, slots=True)
class VolEstimate:
    vol_annual: float
    n_returns: int
    rel_band: float  # relative half-width to feed EstimatorConfig.vol_rel_band


def vol_band(n_returns: int, z: float = 1.96, floor: float = 0.05) -> float:
    """Relative vol band z/√(2n), floored, capped below 1 so σ(1−u) stays positive."""
    if n_returns < 1:
        return 0.95
    return min(0.95, max(floor, z / math.sqrt(2.0 * n_returns)))


def _as_array(values: Sequence[float] | npt.NDArray[np.float64]) -> npt.NDArray[np.float64] | None:
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return arr if arr.ndim == 1 else None


def estimate_vol_from_returns(
    log_returns: Sequence[float] | npt.NDArray[np.float64],
    sample_interval_ms: int,
    *,
    min_returns: int = MIN_RETURNS,
) -> VolEstimate | Verdict:
    """Annualised realised vol of evenly spaced log returns, or a veto."""
    if sample_interval_ms <= 0:
        return Verdict.veto(GATE, GateVeto.OUT_OF_RANGE_INPUT, "sample_interval_ms <= 0")
    arr = _as_array(log_returns)
    if arr is None:
        return Verdict.veto(GATE, GateVeto.OUT_OF_RANGE_INPUT, "returns are not a 1-d number list")
    if not np.all(np.isfinite(arr)):
        return Verdict.veto(GATE, GateVeto.NON_FINITE_INPUT, "non-finite return")
    if arr.size < min_returns:
        return Verdict.veto(
            GATE, GateVeto.INSUFFICIENT_SAMPLES, f"{arr.size} returns < {min_returns}"
        )
    per_period = float(np.sqrt(np.mean(arr * arr)))
    vol = per_period * math.sqrt(MS_PER_YEAR / sample_interval_ms)
    if not vol > 0.0 or not math.isfinite(vol):
        return Verdict.veto(GATE, GateVeto.OUT_OF_RANGE_INPUT, f"realised vol {vol} is not > 0")
    return VolEstimate(vol_annual=vol, n_returns=int(arr.size), rel_band=vol_band(int(arr.size)))


def estimate_vol(
    prices: Sequence[float] | npt.NDArray[np.float64],
    sample_interval_ms: int,
    *,
    min_returns: int = MIN_RETURNS,
) -> VolEstimate | Verdict:
    """Annualised realised vol from evenly spaced prices (all must be finite and > 0)."""
    arr = _as_array(prices)
    if arr is None:
        return Verdict.veto(GATE, GateVeto.OUT_OF_RANGE_INPUT, "prices are not a 1-d number list")
    if not np.all(np.isfinite(arr)):
        return Verdict.veto(GATE, GateVeto.NON_FINITE_INPUT, "non-finite price")
    if np.any(arr <= 0.0):
        return Verdict.veto(GATE, GateVeto.OUT_OF_RANGE_INPUT, "price <= 0")
    return estimate_vol_from_returns(
        np.diff(np.log(arr)), sample_interval_ms, min_returns=min_returns
    )
