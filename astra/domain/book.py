"""L2 order book per outcome token, with the venue's semantics.

`book` replaces the token's book, `price_change` sets absolute level sizes (0 removes),
`tick_size_change` starts a new epoch (book dropped, deltas ignored until a snapshot).
Levels live in a dict (price -> size) beside an ascending list of the live prices, kept
sorted with bisect: an update is a binary search plus a short memmove (books hold tens of
levels), best bid/ask is O(1), and the top N levels a strategy sees every evaluation are a
slice instead of a sort.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable
from decimal import Decimal

from astra.domain.events import (
    BookSnapshot,
    Level,
    LevelChange,
    MarketEvent,
    MarketResolved,
    PriceChange,
    TickSizeChange,
)
from astra.domain.market import MarketInfo
from astra.domain.prices import ONE, PRICE_SCALE, Side, Tick, complement


class BookError(ValueError):
    """A level the decoder should never have let through (price outside (0, 1), size < 0)."""


class _Side:
    """One side of a book: levels plus their prices in ascending order (best last for bids,
    best first for asks)."""

    __slots__ = ("_bids", "_prices", "_top", "levels")

    def __init__(self, side: Side) -> None:
        self._bids = side is Side.BUY
        self.levels: dict[int, int] = {}
        self._prices: list[int] = []
        # The last `top` answer (n, levels): a strategy asks for the same depth after every
        # event, and most events leave most sides alone. Any mutation drops it.
        self._top: tuple[int, tuple[Level, ...]] | None = None

    def clear(self) -> None:
        self.levels.clear()
        self._prices.clear()
        self._top = None

    def replace(self, levels: Iterable[Level]) -> None:
        """The whole side at once (a snapshot): one sort instead of an insort per level.
        Later duplicates win and size 0 removes, exactly as `set` applied in order would."""
        self.levels.clear()
        for price, size in levels:
            self.levels[price] = size
        for price in [p for p, s in self.levels.items() if s == 0]:
            del self.levels[price]
        self._prices = sorted(self.levels)
        self._top = None

    def set(self, price: int, size: int) -> None:
        levels = self.levels
        self._top = None
        if size == 0:
            if levels.pop(price, None) is not None:
                del self._prices[bisect_left(self._prices, price)]
            return
        if price not in levels:
            insort(self._prices, price)
        levels[price] = size

    def best(self) -> Level | None:
        prices = self._prices
        if not prices:
            return None
        price = prices[-1] if self._bids else prices[0]
        return (price, self.levels[price])

    def top(self, n: int) -> tuple[Level, ...]:
        """The best `n` (>= 0) levels, best first."""
        cached = self._top
        if cached is not None and cached[0] == n:
            return cached[1]
        prices = self._prices
        chosen = prices[: -n - 1 : -1] if self._bids else prices[:n]
        levels = self.levels
        found = tuple([(p, levels[p]) for p in chosen])
        self._top = (n, found)
        return found

    def sorted_levels(self) -> list[Level]:
        levels = self.levels
        return [(p, levels[p]) for p in (self._prices[::-1] if self._bids else self._prices)]


class TokenBook:
    """The L2 book of one outcome token."""

    def __init__(self, asset_id: str, tick: Tick | None = None) -> None:
        self.asset_id = asset_id
        self._tick = tick
        self._bids = _Side(Side.BUY)
        self._asks = _Side(Side.SELL)
        self._synced = False
        self._last_hash = ""
        self._last_update_ms: int | None = None

    # -- state -------------------------------------------------------------------------
    @property
    def synced(self) -> bool:
        return self._synced

    @property
    def tick(self) -> Tick | None:
        return self._tick

    @property
    def last_hash(self) -> str:
        return self._last_hash

    @property
    def last_update_ms(self) -> int | None:
        return self._last_update_ms

    # -- updates -----------------------------------------------------------------------
    def apply_snapshot(self, snapshot: BookSnapshot) -> None:
        """Replace the whole book; levels may arrive in any order (the venue lists best last)."""
        if snapshot.asset_id != self.asset_id:
            raise BookError(f"snapshot for {snapshot.asset_id} applied to {self.asset_id}")
        for price, size in (*snapshot.bids, *snapshot.asks):
            _check_level(price, size)
        self._bids.replace(snapshot.bids)
        self._asks.replace(snapshot.asks)
        if snapshot.tick is not None:
            self._tick = snapshot.tick
        self._synced = True
        self._last_hash = snapshot.hash
        self._last_update_ms = snapshot.ts_ms

    def apply_change(self, change: LevelChange, ts_ms: int | None = None) -> bool:
        """Set one level's absolute size (0 removes). Ignored (False) while unsynced."""
        if change.asset_id != self.asset_id:
            raise BookError(f"change for {change.asset_id} applied to {self.asset_id}")
        _check_level(change.price, change.size)
        if not self._synced:
            return False
        self._side(change.side).set(change.price, change.size)
        if change.hash:
            self._last_hash = change.hash
        if ts_ms is not None:
            self._last_update_ms = ts_ms
        return True

    def on_tick_size_change(self, event: TickSizeChange) -> None:
        """A new epoch: old-grid levels may be invalid, so drop everything until a snapshot."""
        self._tick = event.new_tick
        self._bids.clear()
        self._asks.clear()
        self._synced = False
        self._last_update_ms = event.ts_ms

    def desync(self) -> None:
        """Forget the book (reconnect, gap): deltas are ignored until the next snapshot."""
        self._bids.clear()
        self._asks.clear()
        self._synced = False

    # -- queries -----------------------------------------------------------------------
    def _side(self, side: Side) -> _Side:
        return self._bids if side is Side.BUY else self._asks

    def best_bid(self) -> Level | None:
        return self._bids.best()

    def best_ask(self) -> Level | None:
        return self._asks.best()

    def best(self, side: Side) -> Level | None:
        return self._side(side).best()

    def bids(self) -> list[Level]:
        """Bid levels, best (highest) first."""
        return self._bids.sorted_levels()

    def asks(self) -> list[Level]:
        """Ask levels, best (lowest) first."""
        return self._asks.sorted_levels()

    def top_bids(self, n: int) -> tuple[Level, ...]:
        """The best `n` bid levels, best first (`bids()[:n]` without building the rest)."""
        return self._bids.top(n)

    def top_asks(self, n: int) -> tuple[Level, ...]:
        """The best `n` ask levels, best first (`asks()[:n]` without building the rest)."""
        return self._asks.top(n)

    def size_at(self, side: Side, price: int) -> int:
        return self._side(side).levels.get(price, 0)

    def level_count(self, side: Side) -> int:
        return len(self._side(side).levels)

    def touch(self) -> tuple[int, int] | None:
        """(best bid, best ask) prices when both sides exist."""
        bid, ask = self.best_bid(), self.best_ask()
        if bid is None or ask is None:
            return None
        return (bid[0], ask[0])

    def mid(self) -> Decimal | None:
        """Mid price, only for a proper two-sided book (bid < ask); never a sentinel."""
        touch = self.touch()
        if touch is None or touch[0] >= touch[1]:
            return None
        return Decimal(touch[0] + touch[1]) / (2 * PRICE_SCALE)

    def spread_pips(self) -> int | None:
        touch = self.touch()
        return None if touch is None else touch[1] - touch[0]

    def spread_ticks(self) -> int | None:
        """Spread in ticks of the current grid (<= 0 when locked or crossed)."""
        spread = self.spread_pips()
        if spread is None or self._tick is None:
            return None
        return spread // self._tick.pips

    def spread_fraction(self) -> Decimal | None:
        """Spread relative to the mid ((ask - bid) / mid); None without a proper mid."""
        mid = self.mid()
        spread = self.spread_pips()
        if mid is None or spread is None:
            return None
        return Decimal(spread) / PRICE_SCALE / mid

    def depth_within(self, side: Side, n_ticks: int) -> int:
        """Total size on `side` within `n_ticks` ticks of that side's best price."""
        best = self.best(side)
        if best is None or n_ticks < 0:
            return 0
        reach = n_ticks * (self._tick.pips if self._tick is not None else 1)
        if side is Side.BUY:
            return sum(s for p, s in self._bids.levels.items() if p >= best[0] - reach)
        return sum(s for p, s in self._asks.levels.items() if p <= best[0] + reach)

    def is_crossed(self) -> bool:
        touch = self.touch()
        return touch is not None and touch[0] > touch[1]

    def is_locked(self) -> bool:
        touch = self.touch()
        return touch is not None and touch[0] == touch[1]


def _check_level(price: int, size: int) -> None:
    if not 0 < price < ONE:
        raise BookError(f"level price {price} pips is outside (0, 1)")
    if size < 0:
        raise BookError(f"level size {size} is negative")


class MarketBooks:
    """Both outcome tokens' books of one binary market.

    The venue publishes every resting order in both books (YES BUY at p is NO SELL at
    1 - p), so the two books are mirror images; they are kept separately and never added.
    """

    def __init__(self, market: MarketInfo) -> None:
        self.market = market
        self._books = {token: TokenBook(token, market.tick) for token in market.tokens}
        self._winner: str | None = None

    @property
    def yes(self) -> TokenBook:
        return self._books[self.market.yes_token]

    @property
    def no(self) -> TokenBook:
        return self._books[self.market.no_token]

    @property
    def resolved(self) -> bool:
        return self._winner is not None

    @property
    def winning_asset_id(self) -> str | None:
        return self._winner

    def book(self, asset_id: str) -> TokenBook:
        try:
            return self._books[asset_id]
        except KeyError:
            raise KeyError(f"{asset_id} is not a token of {self.market.condition_id}") from None

    def apply(self, event: MarketEvent) -> bool:
        """Apply a book-relevant event; True when some book (or the resolution) changed.

        Trades and best-bid/ask prints do not mutate the book (a `price_change` follows).
        Changes for tokens that are not ours, or for unsynced books, are not applied.
        """
        if isinstance(event, PriceChange):
            return self._apply_changes(event)
        if isinstance(event, MarketResolved):
            if event.winning_asset_id not in self._books:
                return False
            self._winner = event.winning_asset_id
            return True
        if not isinstance(event, BookSnapshot | TickSizeChange):
            return False
        book = self._books.get(event.asset_id)
        if book is None:
            return False
        if isinstance(event, BookSnapshot):
            book.apply_snapshot(event)
        else:
            book.on_tick_size_change(event)
        return True

    def _apply_changes(self, event: PriceChange) -> bool:
        applied = False
        for change in event.changes:
            book = self._books.get(change.asset_id)
            if book is not None and book.apply_change(change, event.ts_ms):
                applied = True
        return applied

    def mirror_mismatches(self) -> list[str]:
        """Where YES and NO disagree (YES bids vs NO asks at 1 - p, and vice versa).

        Empty when they mirror exactly or when either book is unsynced (nothing to compare).
        """
        yes, no = self.yes, self.no
        if not (yes.synced and no.synced):
            return []
        problems: list[str] = []
        for label, mine, theirs in (
            ("yes bids vs no asks", yes.bids(), no.asks()),
            ("yes asks vs no bids", yes.asks(), no.bids()),
        ):
            mirrored = {complement(price): size for price, size in theirs}
            if dict(mine) != mirrored:
                diff = set(dict(mine).items()) ^ set(mirrored.items())
                problems.append(f"{label}: {sorted(diff)[:5]}")
        return problems

    def mirrored(self) -> bool:
        return not self.mirror_mismatches()
