"""The simulator's own book of one market, kept in YES terms and published for both tokens.

Every resting order lives once here (YES bids and asks); the venue shows it in both token
books (YES BUY at p is NO SELL at 1 - p), so each level change becomes a pair of
`price_change` entries and each snapshot a pair of `book` messages. This is also the truth
that a replayed `MarketBooks` must match.
"""

from __future__ import annotations

import hashlib

from astra.domain.events import BookSnapshot, LevelChange
from astra.domain.market import MarketInfo
from astra.domain.prices import ONE, Side, Tick, complement, in_bounds, round_to_tick


class TruthBook:
    """YES-space levels (price pips -> size micros) with the venue's mirrored publication."""

    def __init__(self, market: MarketInfo) -> None:
        self.market = market
        self.tick: Tick = market.tick
        self.bids: dict[int, int] = {}
        self.asks: dict[int, int] = {}
        self._version = 0

    # -- queries -----------------------------------------------------------------------
    def side(self, side: Side) -> dict[int, int]:
        return self.bids if side is Side.BUY else self.asks

    def best_bid(self) -> int | None:
        return max(self.bids) if self.bids else None

    def best_ask(self) -> int | None:
        return min(self.asks) if self.asks else None

    def best(self, side: Side) -> int | None:
        return self.best_bid() if side is Side.BUY else self.best_ask()

    def token_levels(self, asset_id: str) -> tuple[dict[int, int], dict[int, int]]:
        """(bids, asks) as `asset_id`'s book shows them."""
        if asset_id == self.market.yes_token:
            return dict(self.bids), dict(self.asks)
        no_bids = {complement(p): s for p, s in self.asks.items()}
        no_asks = {complement(p): s for p, s in self.bids.items()}
        return no_bids, no_asks

    # -- publication -------------------------------------------------------------------
    def _hash(self, asset_id: str) -> str:
        # The venue's hash covers state we do not model; a per-version digest keeps the
        # property that matters (a snapshot shares the hash of the last change before it).
        key = f"{asset_id}:{self._version}".encode()
        return hashlib.sha1(key, usedforsecurity=False).hexdigest()

    def snapshots(self, ts_ms: int) -> tuple[BookSnapshot, BookSnapshot]:
        """`book` for YES then NO; bids ascending and asks descending (best last, as sent)."""
        yes, no = self.market.tokens
        return self._snapshot(yes, ts_ms), self._snapshot(no, ts_ms)

    def _snapshot(self, asset_id: str, ts_ms: int) -> BookSnapshot:
        bids, asks = self.token_levels(asset_id)
        return BookSnapshot(
            market=self.market.condition_id,
            asset_id=asset_id,
            ts_ms=ts_ms,
            bids=tuple(sorted(bids.items())),
            asks=tuple(sorted(asks.items(), reverse=True)),
            hash=self._hash(asset_id),
            tick=self.tick,
        )

    def set_level(self, side: Side, price: int, size: int) -> tuple[LevelChange, LevelChange]:
        """Set a YES level's absolute size (0 removes); returns the YES and NO entries."""
        levels = self.side(side)
        if size == 0:
            levels.pop(price, None)
        else:
            levels[price] = size
        self._version += 1
        bid, ask = self.best_bid(), self.best_ask()
        yes = self.market.yes_token
        no = self.market.no_token
        return (
            LevelChange(yes, side, price, size, bid, ask, self._hash(yes)),
            LevelChange(
                no,
                side.opposite,
                complement(price),
                size,
                None if ask is None else complement(ask),
                None if bid is None else complement(bid),
                self._hash(no),
            ),
        )

    def add(self, side: Side, price: int, size: int) -> tuple[LevelChange, LevelChange]:
        return self.set_level(side, price, self.side(side).get(price, 0) + size)

    def regrid(self, tick: Tick) -> None:
        """Move to a new tick: levels rounded away from crossing, merged, out-of-bounds dropped."""
        self.tick = tick
        self.bids = _regrid(self.bids, tick, Side.BUY)
        self.asks = _regrid(self.asks, tick, Side.SELL)
        self._version += 1

    def is_valid(self) -> bool:
        """Uncrossed, on grid, in bounds: what the venue's book always is between events."""
        bid, ask = self.best_bid(), self.best_ask()
        if bid is not None and ask is not None and bid >= ask:
            return False
        prices = (*self.bids, *self.asks)
        return all(p % self.tick.pips == 0 and in_bounds(p, self.tick) for p in prices)


def _regrid(levels: dict[int, int], tick: Tick, side: Side) -> dict[int, int]:
    merged: dict[int, int] = {}
    for price, size in levels.items():
        moved = round_to_tick(price, tick, side)
        if tick.pips <= moved <= ONE - tick.pips:
            merged[moved] = merged.get(moved, 0) + size
    return merged
