"""Rolling variance of the mid price per second, for the maker's σ² (probability units).

σ² is estimated as Σ(Δmid)² / Σ Δt over consecutive observations inside `window_ms` —
the realised quadratic variation per unit time, which needs no evenly spaced samples (book
updates arrive irregularly). Observations at the same millisecond replace the previous one.
Running sums over a ring make each update O(1).
"""

from __future__ import annotations

from collections import deque


class RollingMidVariance:
    def __init__(self, window_ms: int = 600_000, min_moves: int = 10) -> None:
        if window_ms <= 0 or min_moves <= 0:
            raise ValueError("mid variance window and min_moves must be positive")
        self._window = window_ms
        self._min = min_moves
        self._steps: deque[tuple[int, float, float]] = deque()  # (ts_ms, dt_s, dm²)
        self._last: tuple[int, float] | None = None
        self._dt = 0.0
        self._dm2 = 0.0

    def observe(self, mid: float, ts_ms: int) -> None:
        last = self._last
        if last is not None and ts_ms > last[0]:
            step = (ts_ms, (ts_ms - last[0]) / 1000.0, (mid - last[1]) ** 2)
            self._steps.append(step)
            self._dt += step[1]
            self._dm2 += step[2]
        if last is None or ts_ms >= last[0]:
            self._last = (ts_ms, mid)
        self._evict(ts_ms)

    def variance_per_s(self, now_ms: int) -> float | None:
        self._evict(now_ms)
        if len(self._steps) < self._min or self._dt <= 0.0:
            return None
        return max(0.0, self._dm2) / self._dt

    def _evict(self, now_ms: int) -> None:
        while self._steps and self._steps[0][0] < now_ms - self._window:
            _, dt, dm2 = self._steps.popleft()
            self._dt -= dt
            self._dm2 -= dm2
        if not self._steps:
            self._dt = self._dm2 = 0.0
