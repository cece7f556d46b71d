"""A seeded synthetic market stream for the chaos suite, tests and demos.

Each market is a random walk of the YES mid on a 0.01 grid with a two-tick spread; the NO
book mirrors it. A step is a pair of full snapshots (YES and NO) or, now and then, a sell
print through the bid that fills resting paper bids. Everything comes from one seeded
generator, so a seed fixes the whole stream.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from astra.domain.events import BookSnapshot, MarketEvent, Trade
from astra.domain.market import MarketInfo
from astra.domain.prices import ONE, Side, Tick

_TICK = 100
_DEPTH = 3
_LEVEL = 50_000_000  # 50 shares per level


def synthetic_markets(count: int) -> list[MarketInfo]:
    """`count` binary markets with ids unique in their first ten characters."""
    return [
        MarketInfo(
            condition_id=f"0x{i:08x}feed",
            question=f"Synthetic market {i}?",
            yes_token=f"0x{i:08x}-yes",
            no_token=f"0x{i:08x}-no",
            tick=Tick.T0_01,
            min_size=5_000_000,
        )
        for i in range(count)
    ]


def book_pair(info: MarketInfo, mid: int, ts_ms: int) -> tuple[BookSnapshot, BookSnapshot]:
    bids = tuple((mid - _TICK * k, _LEVEL) for k in range(1, _DEPTH + 1))
    asks = tuple((mid + _TICK * k, _LEVEL) for k in range(1, _DEPTH + 1))
    yes = BookSnapshot(info.condition_id, info.yes_token, ts_ms, bids, asks, tick=info.tick)
    no = BookSnapshot(
        info.condition_id,
        info.no_token,
        ts_ms,
        tuple((ONE - p, s) for p, s in asks),
        tuple((ONE - p, s) for p, s in bids),
        tick=info.tick,
    )
    return yes, no


class SyntheticStream:
    def __init__(self, markets: Sequence[MarketInfo], seed: int, trade_prob: float = 0.3):
        self._markets = list(markets)
        self._rng = np.random.default_rng(seed)
        self._mids = {m.condition_id: 5000 for m in self._markets}
        self._trade_prob = trade_prob
        self._trades = 0

    def snapshots(self, market: MarketInfo) -> list[BookSnapshot]:
        """The BookSource port: the current books of `market` (what a REST /book returns)."""
        return list(book_pair(market, self._mids[market.condition_id], 0))

    def step(self, market: MarketInfo, ts_ms: int) -> list[MarketEvent]:
        """One step of one market: a mid move (both books) or a sell print through the bid."""
        mid = self._mids[market.condition_id]
        if self._rng.random() < self._trade_prob:
            self._trades += 1
            price = mid - 3 * _TICK  # below our one-tick-behind bid: fills it
            trade = Trade(
                market.condition_id,
                market.yes_token,
                ts_ms,
                price,
                5_000_000,
                Side.SELL,
                f"t{self._trades}",
            )
            return [trade]
        move = int(self._rng.integers(-1, 2)) * _TICK
        mid = min(max(mid + move, 1000), 9000)
        self._mids[market.condition_id] = mid
        return list(book_pair(market, mid, ts_ms))

    def pick(self) -> MarketInfo:
        return self._markets[int(self._rng.integers(0, len(self._markets)))]
