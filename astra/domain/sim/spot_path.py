"""Spot price paths for the crypto underlyings: geometric Brownian motion, one print a second.

Values are integer cents (the RTDS feed prints two decimals for BTC/USDT and ETH/USDT), so
the path is exact once drawn; the Gaussian increments come from the seeded Generator.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

SECOND_MS = 1_000
_SECONDS_PER_YEAR = 365 * 86_400

# Starting levels (cents) and annualised volatilities: the neighbourhood of early 2026.
SPOT_START_CENTS = {"btcusdt": 6_425_000, "ethusdt": 340_000}
SPOT_VOL = {"btcusdt": 0.50, "ethusdt": 0.65}


@dataclass(frozen=True, slots=True)
class SpotTick:
    symbol: str
    ts_ms: int
    cents: int


class SpotPath:
    """One GBM path per symbol, sampled on whole seconds from `start_ms`."""

    def __init__(
        self,
        rng: np.random.Generator,
        start_ms: int,
        seconds: int,
        start_cents: dict[str, int] | None = None,
        vols: dict[str, float] | None = None,
    ) -> None:
        self.start_ms = start_ms - start_ms % SECOND_MS
        self.seconds = seconds
        self.start_cents = dict(start_cents or SPOT_START_CENTS)
        self.vols = dict(vols or SPOT_VOL)
        self._cents: dict[str, list[int]] = {}
        for symbol in sorted(self.start_cents):
            sigma = self.vols[symbol] / math.sqrt(_SECONDS_PER_YEAR)
            shocks = rng.normal(-0.5 * sigma * sigma, sigma, size=seconds)
            log_path = np.concatenate(([0.0], np.cumsum(shocks)))
            values = np.rint(self.start_cents[symbol] * np.exp(log_path)).astype(np.int64)
            self._cents[symbol] = [int(v) for v in values]

    @property
    def symbols(self) -> tuple[str, ...]:
        return tuple(self._cents)

    def cents_at(self, symbol: str, ts_ms: int) -> int:
        """The last print at or before `ts_ms` (the first one before the path starts)."""
        path = self._cents[symbol]
        index = (ts_ms - self.start_ms) // SECOND_MS
        return path[min(max(index, 0), len(path) - 1)]

    def ticks(self) -> list[SpotTick]:
        """Every print, in time order (symbols interleaved each second)."""
        return [
            SpotTick(symbol, self.start_ms + second * SECOND_MS, self._cents[symbol][second])
            for second in range(self.seconds + 1)
            for symbol in self._cents
        ]

    def annual_vol(self, symbol: str) -> float:
        return self.vols[symbol]
