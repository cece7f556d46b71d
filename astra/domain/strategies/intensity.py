"""Rolling order-arrival intensity for the maker: how fast trade likelihood decays with depth.

Avellaneda–Stoikov model the arrival rate of market orders that reach a quote at distance δ
from the mid as λ(δ) = A·e^(−kδ). Under that model the distances from the mid at which trades
print are exponentially distributed with rate k, so the maximum-likelihood k over a window of
trades is n / Σδᵢ; A is the trade rate. Distances are in probability units (1.0 = one whole
share price) and floored at `min_distance` (a trade at the mid would make k infinite).

The buffer is a ring of the last `max_trades` trades within `window_ms`, with running sums so
each update is O(1); a trade id already in the buffer is ignored (the view may repeat one).
Below `min_trades` there is no estimate and the caller uses its configured default.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from astra.domain.events import Trade
from astra.domain.prices import PRICE_SCALE


@dataclass(frozen=True, slots=True)
class IntensityConfig:
    window_ms: int = 600_000
    max_trades: int = 500
    min_trades: int = 10
    min_distance: float = 0.0005

    def __post_init__(self) -> None:
        if self.window_ms <= 0 or self.max_trades <= 0 or self.min_trades <= 0:
            raise ValueError("intensity window, buffer and min_trades must be positive")
        if not self.min_distance > 0.0:
            raise ValueError("intensity min_distance must be > 0")


@dataclass(frozen=True, slots=True)
class IntensityEstimate:
    k: float  # decay per unit of price distance
    rate_per_s: float  # A: trades per second over the window
    trades: int


class ArrivalIntensity:
    def __init__(self, config: IntensityConfig | None = None) -> None:
        self._config = config or IntensityConfig()
        self._buffer: deque[tuple[int, float, str]] = deque()
        self._ids: set[str] = set()
        self._sum = 0.0

    def observe(self, trade: Trade, mid_pips: float, now_ms: int) -> bool:
        """Record a trade at its distance from the token's mid; False if already seen."""
        if trade.trade_id in self._ids:
            return False
        distance = max(abs(trade.price - mid_pips) / PRICE_SCALE, self._config.min_distance)
        if len(self._buffer) >= self._config.max_trades:
            self._pop()
        self._buffer.append((trade.ts_ms, distance, trade.trade_id))
        self._ids.add(trade.trade_id)
        self._sum += distance
        self._evict(now_ms)
        return True

    def estimate(self, now_ms: int) -> IntensityEstimate | None:
        self._evict(now_ms)
        n = len(self._buffer)
        if n < self._config.min_trades or self._sum <= 0.0:
            return None
        return IntensityEstimate(
            k=n / self._sum, rate_per_s=n / (self._config.window_ms / 1000.0), trades=n
        )

    def _evict(self, now_ms: int) -> None:
        horizon = now_ms - self._config.window_ms
        while self._buffer and self._buffer[0][0] < horizon:
            self._pop()
        if not self._buffer:
            self._sum = 0.0  # drop accumulated float error with the last entry

    def _pop(self) -> None:
        _, distance, trade_id = self._buffer.popleft()
        self._ids.discard(trade_id)
        self._sum -= distance
