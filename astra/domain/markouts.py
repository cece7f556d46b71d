"""Markouts: what each fill is worth at the token's mid 1 s, 10 s and 60 s later, for us.

markout = sign x (mid at fill time + horizon - fill price) x size, sign +1 for a buy and -1
for a sell, in micro-collateral (floored: a fraction of a micro counts against us). It is the
fill marked at the later mid: positive, the fill was worth more than we paid (or sold for
less than we got); negative, the market moved through us (adverse selection). The mid at the
horizon is the one in force at that instant: the book before the first event at or after it.
A horizon with no two-sided book has no markout (None), never a zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from astra.domain.prices import PRICE_SCALE, Side
from astra.domain.trading import Fill

HORIZONS_MS: tuple[int, ...] = (1_000, 10_000, 60_000)


@dataclass(frozen=True, slots=True)
class Markout:
    fill: Fill
    horizon_ms: int
    mid: int | None  # pips at fill time + horizon
    markout: int | None  # micro-collateral, signed for us


def markout_of(fill: Fill, mid: int | None) -> int | None:
    if mid is None:
        return None
    sign = 1 if fill.side is Side.BUY else -1
    return (sign * (mid - fill.price) * fill.size) // PRICE_SCALE


class MarkoutTracker:
    """Fills waiting for their horizons, oldest first."""

    def __init__(self, horizons_ms: tuple[int, ...] = HORIZONS_MS) -> None:
        self._horizons = horizons_ms
        self._pending: list[tuple[int, int, Fill]] = []  # (due ms, horizon, fill), sorted

    def on_fill(self, fill: Fill) -> None:
        for horizon in self._horizons:
            self._pending.append((fill.ts_ms + horizon, horizon, fill))
        self._pending.sort(key=lambda item: (item[0], item[1]))

    @property
    def pending(self) -> int:
        return len(self._pending)

    def due(self, now_ms: int, mid_of: Callable[[str], int | None]) -> list[Markout]:
        """Markouts whose horizon has passed by `now_ms`, from the mids in force now."""
        if not self._pending or self._pending[0][0] > now_ms:
            return []
        done = [item for item in self._pending if item[0] <= now_ms]
        self._pending = [item for item in self._pending if item[0] > now_ms]
        out: list[Markout] = []
        for _, horizon, fill in done:
            mid = mid_of(fill.asset_id)
            out.append(Markout(fill, horizon, mid, markout_of(fill, mid)))
        return out
