"""Performance statistics over windows (1d, 7d, 30d, all), with seeded bootstrap intervals.

Inputs are the equity curve (int micro-collateral at event times), closed-trade P&L and
probability forecasts with their outcomes. Outputs are probabilities/ratios (floats).

Choices, each fixing a defect of the original (seed_spec §1.12–1.14, §5.7):
- Sharpe and Sortino use returns of the equity curve sampled on a fixed grid (`period_ms`),
  the partial last interval kept, and annualise by √(periods per year); the trade count never
  enters, so a burst of trades on one day cannot inflate the annualisation.
- Sortino's denominator is the textbook downside deviation √mean(min(r, 0)²) over all returns.
- Calmar needs a span of at least `min_calmar_span_ms`; over shorter spans the annualised
  return explodes, so it is reported as insufficient.
- Break-even trades are neither wins nor losses; win rate is wins / (wins + losses).
- A statistic without enough samples, or that would be infinite (no losses, no downside, no
  variance, no drawdown), is an `Insufficient` with a named reason, never a fake number.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from astra.domain.bootstrap import FloatArray, Statistic, bootstrap_ci

MS_PER_DAY = 86_400_000
MS_PER_YEAR = 365.25 * MS_PER_DAY
WINDOWS: tuple[tuple[str, int | None], ...] = (
    ("1d", MS_PER_DAY),
    ("7d", 7 * MS_PER_DAY),
    ("30d", 30 * MS_PER_DAY),
    ("all", None),
)


class Shortfall(enum.StrEnum):
    TOO_FEW_SAMPLES = "too_few_samples"
    ZERO_VARIANCE = "zero_variance"
    NO_DOWNSIDE = "no_downside"
    NO_LOSSES = "no_losses"
    NO_DRAWDOWN = "no_drawdown"
    SPAN_TOO_SHORT = "span_too_short"
    NON_POSITIVE_EQUITY = "non_positive_equity"


@dataclass(frozen=True, slots=True)
class Value:
    value: float
    n: int
    ci: tuple[float, float] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "n": self.n, "ci": None if self.ci is None else list(self.ci)}


@dataclass(frozen=True, slots=True)
class Insufficient:
    reason: Shortfall
    n: int
    required: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"insufficient": str(self.reason), "n": self.n, "required": self.required}


Metric = Value | Insufficient


@dataclass(frozen=True, slots=True)
class EquityPoint:
    ts_ms: int
    equity: int  # micro-collateral


@dataclass(frozen=True, slots=True)
class TradeResult:
    ts_ms: int  # exit time
    pnl: int  # micro-collateral, net of fees


@dataclass(frozen=True, slots=True)
class Forecast:
    ts_ms: int  # resolution time
    p: float
    outcome: bool


@dataclass(frozen=True, slots=True)
class PerformanceConfig:
    period_ms: int = 3_600_000
    min_returns: int = 30
    min_trades: int = 20
    min_forecasts: int = 20
    min_calmar_span_ms: int = 30 * MS_PER_DAY
    n_resamples: int = 2000
    confidence: float = 0.95
    n_buckets: int = 10


@dataclass(frozen=True, slots=True)
class Drawdown:
    max_frac: float  # deepest fall from a running peak, as a fraction of that peak (>= 0)
    max_duration_ms: int  # longest time from a peak until it was regained (or the end)
    current_frac: float


@dataclass(frozen=True, slots=True)
class Bucket:
    low: float
    high: float
    n: int
    mean_p: float
    frequency: float


@dataclass(frozen=True, slots=True)
class WindowReport:
    window: str
    sharpe: Metric
    sortino: Metric
    calmar: Metric
    max_drawdown: Metric
    drawdown_duration_ms: int | None
    brier: Metric
    calibration: tuple[Bucket, ...] = field(default=())
    win_rate: Metric = field(default_factory=lambda: Insufficient(Shortfall.TOO_FEW_SAMPLES, 0))
    profit_factor: Metric = field(
        default_factory=lambda: Insufficient(Shortfall.TOO_FEW_SAMPLES, 0)
    )

    def as_dict(self) -> dict[str, Any]:
        metrics = ("sharpe", "sortino", "calmar", "max_drawdown", "brier", "win_rate")
        out: dict[str, Any] = {name: getattr(self, name).as_dict() for name in metrics}
        out["profit_factor"] = self.profit_factor.as_dict()
        out["window"] = self.window
        out["drawdown_duration_ms"] = self.drawdown_duration_ms
        out["calibration"] = [
            {"low": b.low, "high": b.high, "n": b.n, "mean_p": b.mean_p, "frequency": b.frequency}
            for b in self.calibration
        ]
        return out


# ---- equity-curve statistics ----


def sampled_returns(points: Sequence[EquityPoint], period_ms: int) -> FloatArray | Insufficient:
    """Simple returns of the equity curve sampled every `period_ms` (last value carried),
    plus the partial last interval up to the last point: a run's final minutes are part of
    its record (a loss at the end must not vanish). It counts as one more sample like the
    full ones: one of 288 on a day of 5-minute returns."""
    if len(points) < 2:
        return Insufficient(Shortfall.TOO_FEW_SAMPLES, len(points), 2)
    ts = np.array([p.ts_ms for p in points], dtype=np.int64)
    eq = np.array([p.equity for p in points], dtype=np.float64)
    grid = np.arange(ts[0], ts[-1] + 1, period_ms, dtype=np.int64)
    if grid[-1] < ts[-1]:
        grid = np.append(grid, ts[-1])
    sampled = eq[np.searchsorted(ts, grid, side="right") - 1]
    if np.any(sampled <= 0):
        return Insufficient(Shortfall.NON_POSITIVE_EQUITY, int(grid.size))
    returns: FloatArray = sampled[1:] / sampled[:-1] - 1.0
    return returns


def _sharpe_stat(r: FloatArray) -> FloatArray:
    sd = r.std(axis=-1, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out: FloatArray = np.where(sd > 0, r.mean(axis=-1) / sd, np.nan)
    return out


def _sortino_stat(r: FloatArray) -> FloatArray:
    dd = np.sqrt(np.mean(np.minimum(r, 0.0) ** 2, axis=-1))
    with np.errstate(divide="ignore", invalid="ignore"):
        out: FloatArray = np.where(dd > 0, r.mean(axis=-1) / dd, np.nan)
    return out


def _ratio(
    r: FloatArray | Insufficient,
    stat: Statistic,
    shortfall: Shortfall,
    cfg: PerformanceConfig,
    rng: np.random.Generator,
) -> Metric:
    if isinstance(r, Insufficient):
        return r
    if r.size < cfg.min_returns:
        return Insufficient(Shortfall.TOO_FEW_SAMPLES, int(r.size), cfg.min_returns)
    point = float(stat(r))
    if not np.isfinite(point):
        return Insufficient(shortfall, int(r.size), cfg.min_returns)
    scale = float(np.sqrt(MS_PER_YEAR / cfg.period_ms))
    ci = bootstrap_ci(r, stat, rng, n_resamples=cfg.n_resamples, confidence=cfg.confidence)
    scaled_ci = None if ci is None else (ci[0] * scale, ci[1] * scale)
    return Value(point * scale, int(r.size), scaled_ci)


def sharpe(
    r: FloatArray | Insufficient, cfg: PerformanceConfig, rng: np.random.Generator
) -> Metric:
    """Annualised Sharpe ratio (zero risk-free rate) with a bootstrap interval."""
    return _ratio(r, _sharpe_stat, Shortfall.ZERO_VARIANCE, cfg, rng)


def sortino(
    r: FloatArray | Insufficient, cfg: PerformanceConfig, rng: np.random.Generator
) -> Metric:
    """Annualised Sortino ratio with the textbook downside deviation (target 0)."""
    return _ratio(r, _sortino_stat, Shortfall.NO_DOWNSIDE, cfg, rng)


def drawdown(points: Sequence[EquityPoint]) -> Drawdown | Insufficient:
    """Deepest and current drawdown and the longest time under water, from exact equity."""
    if len(points) < 2:
        return Insufficient(Shortfall.TOO_FEW_SAMPLES, len(points), 2)
    if any(p.equity <= 0 for p in points):
        return Insufficient(Shortfall.NON_POSITIVE_EQUITY, len(points))
    peak, peak_ts = points[0].equity, points[0].ts_ms
    worst, longest, under = 0.0, 0, False
    for point in points[1:]:
        if point.equity >= peak:
            if under:  # regained the peak: the episode ends here
                longest = max(longest, point.ts_ms - peak_ts)
            peak, peak_ts, under = point.equity, point.ts_ms, False
            continue
        under = True
        worst = max(worst, (peak - point.equity) / peak)
    if under:
        longest = max(longest, points[-1].ts_ms - peak_ts)
    return Drawdown(worst, longest, (peak - points[-1].equity) / peak)


def calmar(
    points: Sequence[EquityPoint], dd: Drawdown | Insufficient, cfg: PerformanceConfig
) -> Metric:
    """Annualised return over max drawdown; needs a long enough span and a real drawdown."""
    if isinstance(dd, Insufficient):
        return dd
    span = points[-1].ts_ms - points[0].ts_ms
    if span < cfg.min_calmar_span_ms:
        return Insufficient(Shortfall.SPAN_TOO_SHORT, len(points))
    if dd.max_frac <= 0.0:
        return Insufficient(Shortfall.NO_DRAWDOWN, len(points))
    start, end = points[0].equity, points[-1].equity
    if start <= 0 or end <= 0:
        return Insufficient(Shortfall.NON_POSITIVE_EQUITY, len(points))
    annual = (end / start) ** (MS_PER_YEAR / span) - 1.0
    return Value(annual / dd.max_frac, len(points))


# ---- trade and forecast statistics ----


def win_rate(
    trades: Sequence[TradeResult], cfg: PerformanceConfig, rng: np.random.Generator
) -> Metric:
    """wins / (wins + losses); break-even trades count as neither."""
    outcomes = np.array([1.0 if t.pnl > 0 else 0.0 for t in trades if t.pnl != 0])
    if outcomes.size < cfg.min_trades:
        return Insufficient(Shortfall.TOO_FEW_SAMPLES, int(outcomes.size), cfg.min_trades)

    def stat(x: FloatArray) -> FloatArray:
        out: FloatArray = x.mean(axis=-1)
        return out

    ci = bootstrap_ci(outcomes, stat, rng, n_resamples=cfg.n_resamples, confidence=cfg.confidence)
    return Value(float(outcomes.mean()), int(outcomes.size), ci)


def profit_factor(trades: Sequence[TradeResult], cfg: PerformanceConfig) -> Metric:
    """Gross profit / gross loss (exact ints); no losses is insufficient, not infinity."""
    if len(trades) < cfg.min_trades:
        return Insufficient(Shortfall.TOO_FEW_SAMPLES, len(trades), cfg.min_trades)
    gains = sum(t.pnl for t in trades if t.pnl > 0)
    losses = -sum(t.pnl for t in trades if t.pnl < 0)
    if losses == 0:
        return Insufficient(Shortfall.NO_LOSSES, len(trades), cfg.min_trades)
    return Value(gains / losses, len(trades))


def _brier_stat(x: FloatArray) -> FloatArray:
    out: FloatArray = x.mean(axis=-1)
    return out


def brier(
    forecasts: Sequence[Forecast], cfg: PerformanceConfig, rng: np.random.Generator
) -> tuple[Metric, tuple[Bucket, ...]]:
    """Mean squared error of forecasts, with equal-width calibration buckets."""
    p = np.array([f.p for f in forecasts], dtype=np.float64)
    if p.size and not (np.all(np.isfinite(p)) and np.all((p >= 0) & (p <= 1))):
        raise ValueError("forecast probabilities must be finite and in [0, 1]")
    o = np.array([1.0 if f.outcome else 0.0 for f in forecasts])
    if p.size < cfg.min_forecasts:
        return Insufficient(Shortfall.TOO_FEW_SAMPLES, int(p.size), cfg.min_forecasts), ()
    errors = (p - o) ** 2
    ci = bootstrap_ci(
        errors, _brier_stat, rng, n_resamples=cfg.n_resamples, confidence=cfg.confidence
    )
    return Value(float(errors.mean()), int(p.size), ci), calibration_buckets(p, o, cfg.n_buckets)


def calibration_buckets(p: FloatArray, o: FloatArray, n_buckets: int) -> tuple[Bucket, ...]:
    """Equal-width buckets over [0, 1] (the last one closed); empty buckets are omitted."""
    index = np.minimum((p * n_buckets).astype(np.int64), n_buckets - 1)
    buckets = []
    for k in range(n_buckets):
        mask = index == k
        if mask.any():
            buckets.append(
                Bucket(
                    k / n_buckets,
                    (k + 1) / n_buckets,
                    int(mask.sum()),
                    float(p[mask].mean()),
                    float(o[mask].mean()),
                )
            )
    return tuple(buckets)


# ---- windows ----


_T = TypeVar("_T", EquityPoint, TradeResult, Forecast)


def _in_window(items: Sequence[_T], start: int | None, now_ms: int) -> list[_T]:
    return [x for x in items if (start is None or x.ts_ms > start) and x.ts_ms <= now_ms]


def window_report(
    name: str,
    points: Sequence[EquityPoint],
    trades: Sequence[TradeResult],
    forecasts: Sequence[Forecast],
    now_ms: int,
    cfg: PerformanceConfig,
    rng: np.random.Generator,
) -> WindowReport:
    spans = dict(WINDOWS)
    if name not in spans:
        raise ValueError(f"unknown window {name!r}; known: {[w for w, _ in WINDOWS]}")
    span = spans[name]
    start = None if span is None else now_ms - span
    curve = sorted(points, key=lambda p: p.ts_ms)
    inside = _in_window(curve, start, now_ms)
    before = [p for p in curve if start is not None and p.ts_ms <= start]
    if start is not None and before:  # anchor the window at the equity it started with
        inside = [EquityPoint(start, before[-1].equity), *inside]
    returns = sampled_returns(inside, cfg.period_ms)
    dd = drawdown(inside)
    b, buckets = brier(_in_window(forecasts, start, now_ms), cfg, rng)
    window_trades = _in_window(trades, start, now_ms)
    return WindowReport(
        window=name,
        sharpe=sharpe(returns, cfg, rng),
        sortino=sortino(returns, cfg, rng),
        calmar=calmar(inside, dd, cfg),
        max_drawdown=dd if isinstance(dd, Insufficient) else Value(dd.max_frac, len(inside)),
        drawdown_duration_ms=None if isinstance(dd, Insufficient) else dd.max_duration_ms,
        brier=b,
        calibration=buckets,
        win_rate=win_rate(window_trades, cfg, rng),
        profit_factor=profit_factor(window_trades, cfg),
    )


def performance_report(
    points: Sequence[EquityPoint],
    trades: Sequence[TradeResult],
    forecasts: Sequence[Forecast],
    now_ms: int,
    *,
    seed: int,
    config: PerformanceConfig | None = None,
) -> dict[str, WindowReport]:
    """Every window; each gets its own generator derived from `seed`, so results are
    reproducible and independent of which other windows were computed."""
    cfg = config or PerformanceConfig()
    return {
        name: window_report(
            name, points, trades, forecasts, now_ms, cfg, np.random.default_rng([seed, i])
        )
        for i, (name, _) in enumerate(WINDOWS)
    }
